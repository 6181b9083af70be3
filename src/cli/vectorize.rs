//! `sparsetext vectorize`: corpus -> svmlight matrix + vocabulary file.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use sparsetext::analyze::Analyzer;
use sparsetext::{Result, atomic, svmlight};

use super::args::VectorizeArgs;
use super::{outln, stdout_error};

/// Runs the command.
pub fn run(args: VectorizeArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let analyzer = Analyzer::new(args.analyzer.config()?);
    // Both outputs are checked before the corpus is read, and must be two files.
    atomic::check_target(&args.output)?;
    atomic::check_target(&args.vocab)?;
    atomic::check_distinct(&args.output, &args.vocab)?;
    let (analyzed, _) = super::analyze_corpus(&args.corpus, &analyzer)?;
    let (data, vocab) = analyzed.to_dataset(args.scheme.min_df, args.scheme.scheme())?;
    // The vocabulary first: a matrix is useless without it, so a failure leaves neither.
    vocab.write(&args.vocab)?;
    if let Err(err) = svmlight::write(&args.output, &data.x, &data.y) {
        let _ = std::fs::remove_file(&args.vocab);
        return Err(err);
    }
    let (spam, ham) = data.class_counts();
    let seconds = start.elapsed().as_secs_f64();
    let mut out = super::stdout();
    outln!(
        out,
        "messages: {} ({spam} spam, {ham} ham; {} skipped)",
        data.y.len(),
        analyzed.skipped.len()
    )?;
    outln!(
        out,
        "matrix:   {} x {} with {} non-zeros -> {}",
        data.x.rows(),
        data.x.cols(),
        data.x.nnz(),
        args.output.display()
    )?;
    outln!(
        out,
        "vocab:    {} terms -> {}",
        vocab.len(),
        args.vocab.display()
    )?;
    outln!(
        out,
        "time:     {seconds:.2} s ({:.1} MB/s, {:.0} messages/s)",
        analyzed.bytes as f64 / 1e6 / seconds,
        data.y.len() as f64 / seconds
    )?;
    out.flush().map_err(stdout_error)?;
    Ok(ExitCode::SUCCESS)
}
