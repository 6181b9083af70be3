//! The `sparsetext` command: parse, dispatch, and turn errors into one line and exit code 3.

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind as ClapErrorKind;

mod cli;

fn main() -> ExitCode {
    let args = match cli::args::Cli::try_parse() {
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
            let text = err.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("sparsetext: {first} (see --help)");
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
