//! The `sparsetext` command: parse, dispatch, and turn errors into one line and exit code 3.

use std::io::ErrorKind;
use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let args = cli::args::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        // A reader closing our stdout early (`sparsetext words | head`) is not an error.
        Err(sparsetext::Error::Io { source, .. }) if source.kind() == ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Every variant's Display already names the file and the cause: one line.
            eprintln!("sparsetext: {}", err.to_string().replace('\n', " "));
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
