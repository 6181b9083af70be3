//! The `sparsetext` command: parse, dispatch, and turn errors into one line and exit code 3.

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind as ClapErrorKind;

mod cli;

fn main() -> ExitCode {
    let args = match cli::args::Cli::try_parse_from(argv()) {
        Ok(args) => args,
        Err(err)
            if matches!(
                err.kind(),
                ClapErrorKind::DisplayHelp | ClapErrorKind::DisplayVersion
            ) =>
        {
            let _ = err.print();
            return ExitCode::SUCCESS;
        }
        // Usage errors exit 3 too, never clap's 2: `classify` uses 2 for "unsure".
        Err(err) => {
            cli::eprint_line(format_args!("{} (see --help)", one_line(&err.to_string())));
            return ExitCode::from(cli::EXIT_ERROR);
        }
    };
    match cli::run(args) {
        Ok(code) => code,
        // A reader closing our stdout early (`sparsetext words | head`) is not an error.
        Err(sparsetext::Error::Io { source, .. }) if source.kind() == ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Every variant's Display already names the file and the cause: one line.
            // A full or closed stderr still gives exit 3 (eprintln! would panic: 101).
            let line = err.to_string().replace('\n', " ");
            cli::eprint_line(format_args!("{line}"));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}

/// The arguments, with `help --help` read as `help` (clap's `help` command
/// takes command names only).
fn argv() -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "help") {
        args.retain(|a| a != "--help" && a != "-h");
    }
    args
}

/// clap's error message on one line: its lines up to the usage, the
/// `error: ` prefix dropped, a list joined to the line that introduces it,
/// and a tip ("a similar subcommand exists") after a semicolon.
fn one_line(text: &str) -> String {
    let mut line = String::new();
    for part in text.lines().map(str::trim) {
        if part.starts_with("Usage:") || part.starts_with("For more information") {
            break;
        }
        if part.is_empty() {
            continue;
        }
        let part = part.strip_prefix("error: ").unwrap_or(part);
        if !line.is_empty() {
            line.push_str(if line.ends_with(':') { " " } else { "; " });
        }
        line.push_str(part);
    }
    if line.is_empty() {
        "invalid arguments".into()
    } else {
        line
    }
}
