//! `sparsetext words`: the model's surviving features, the spam evidence
//! strongest first, then the ham evidence strongest first.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use sparsetext::model::Model;
use sparsetext::{Error, Result};

use super::args::WordsArgs;

/// Runs the command.
pub fn run(args: WordsArgs) -> Result<ExitCode> {
    let model = Model::load(&args.model.path()?)?;
    let words = model.words();
    // Each side strongest first: the spam evidence, then the ham evidence.
    let (spam, ham) = strongest(&words, args.top.unwrap_or(usize::MAX));
    if let Some(top) = args.top {
        // How many there are (a ridge model keeps every word), beside the few shown.
        let n_spam = words.iter().filter(|w| w.1 > 0.0).count();
        eprintln!(
            "words: the top {top} of {n_spam} spam and {} ham features",
            words.len() - n_spam
        );
    }
    let chosen = spam.into_iter().chain(ham);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let io = |e| Error::io("<stdout>", e);
    for (term, weight) in chosen {
        writeln!(out, "{weight:+.6}\t{term}").map_err(io)?;
    }
    out.flush().map_err(io)?;
    Ok(ExitCode::SUCCESS)
}

/// The `n` strongest words of each sign: spam evidence strongest first, and ham
/// evidence strongest first (`words` is sorted by weight descending).
type Words<'a> = Vec<(&'a str, f32)>;

fn strongest<'a>(words: &[(&'a str, f32)], n: usize) -> (Words<'a>, Words<'a>) {
    let spam = words
        .iter()
        .filter(|w| w.1 > 0.0)
        .take(n)
        .copied()
        .collect();
    let ham = words
        .iter()
        .rev()
        .filter(|w| w.1 < 0.0)
        .take(n)
        .copied()
        .collect();
    (spam, ham)
}

/// Writes the `n` strongest words of each sign under headings (after `train`).
pub fn print_top(out: &mut impl Write, model: &Model, n: usize) -> std::io::Result<()> {
    if n == 0 {
        return Ok(());
    }
    let words = model.words();
    let (spam, ham) = strongest(&words, n);
    writeln!(out, "\nstrongest spam evidence:")?;
    for (term, weight) in spam {
        writeln!(out, "  {weight:+8.4}  {term}")?;
    }
    writeln!(out, "strongest ham evidence:")?;
    for (term, weight) in ham {
        writeln!(out, "  {weight:+8.4}  {term}")?;
    }
    Ok(())
}
