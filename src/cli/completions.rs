//! `sparsetext completions SHELL` and `sparsetext man`: shell completions and
//! manual pages generated from the command line's own definition, so they
//! never disagree with `--help`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use clap::CommandFactory;
use sparsetext::{Error, Result};

use super::args::{Cli, CompletionsArgs, ManArgs};

/// Prints the completion script for a shell.
pub fn completions(args: CompletionsArgs) -> Result<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "sparsetext", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::io("<stdout>", e))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints `sparsetext(1)`, or writes it and one page per command
/// (`sparsetext-train.1`, ...) into a folder.
pub fn man(args: ManArgs) -> Result<ExitCode> {
    let command = Cli::command();
    let Some(dir) = args.dir else {
        let mut page = Vec::new();
        render(&command, &mut page).map_err(|e| Error::io("<stdout>", e))?;
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(&page)
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::io("<stdout>", e))?;
        return Ok(ExitCode::SUCCESS);
    };
    write_page(&dir, "sparsetext", &command)?;
    for sub in command.get_subcommands() {
        let name = format!("sparsetext-{}", sub.get_name());
        let sub = sub.clone().name(name.clone());
        write_page(&dir, &name, &sub)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn render(command: &clap::Command, out: &mut Vec<u8>) -> std::io::Result<()> {
    clap_mangen::Man::new(command.clone()).render(out)
}

fn write_page(dir: &Path, name: &str, command: &clap::Command) -> Result<()> {
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    render(command, &mut page).map_err(|e| Error::io(&path, e))?;
    std::fs::write(&path, page).map_err(|e| Error::io(&path, e))
}
