//! `sparsetext words`: the model's surviving features, strongest spam evidence first.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use sparsetext::model::Model;
use sparsetext::{Error, Result};

use super::args::WordsArgs;

/// Runs the command.
pub fn run(args: WordsArgs) -> Result<ExitCode> {
    let model = Model::load(&args.model.path())?;
    let words = model.words();
    let chosen: Vec<(&str, f32)> = match args.top {
        None => words,
        Some(n) => strongest(&words, n),
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let io = |e| Error::io("<stdout>", e);
    for (term, weight) in chosen {
        // Shortest round-trip form: a tiny weight never prints as 0.
        writeln!(out, "{weight:+}\t{term}").map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(ExitCode::SUCCESS)
}

/// The `n` strongest words of each sign, spam evidence first (from `words`, sorted by
/// weight descending).
fn strongest<'a>(words: &[(&'a str, f32)], n: usize) -> Vec<(&'a str, f32)> {
    let spam = words.iter().filter(|w| w.1 > 0.0).take(n);
    let ham: Vec<_> = words.iter().rev().filter(|w| w.1 < 0.0).take(n).collect();
    spam.chain(ham.into_iter().rev()).copied().collect()
}

/// Prints the `n` strongest words of each sign under headings (after `train`).
pub fn print_top(model: &Model, n: usize) {
    if n == 0 {
        return;
    }
    let words = model.words();
    let spam: Vec<_> = words.iter().filter(|w| w.1 > 0.0).take(n).collect();
    let ham: Vec<_> = words.iter().rev().filter(|w| w.1 < 0.0).take(n).collect();
    println!("\nstrongest spam evidence:");
    for (term, weight) in spam {
        println!("  {weight:+8.4}  {term}");
    }
    println!("strongest ham evidence:");
    for (term, weight) in ham {
        println!("  {weight:+8.4}  {term}");
    }
}
