//! `sparsetext vectorize`: corpus -> svmlight matrix + vocabulary file.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use sparsetext::analyze::Analyzer;
use sparsetext::{Result, atomic, shards, svmlight};

use super::args::VectorizeArgs;
use super::{outln, stdout_error};

/// Runs the command.
pub fn run(args: VectorizeArgs) -> Result<ExitCode> {
    let start = Instant::now();
    let analyzer = Analyzer::new(args.analyzer.config()?);
    // The outputs are checked before the corpus is read, and must be two files.
    let (output, vocab_path) = match (&args.shards, &args.output, &args.vocab) {
        (Some(dir), _, _) => {
            shards::check_target(dir)?;
            (dir, dir.join(shards::VOCAB))
        }
        (None, Some(output), Some(vocab)) => {
            atomic::check_target(output)?;
            atomic::check_target(vocab)?;
            atomic::check_distinct(output, vocab)?;
            (output, vocab.clone())
        }
        _ => unreachable!("clap requires -o and --vocab without --shards"),
    };
    let (analyzed, _) = super::analyze_corpus(&args.corpus, &analyzer)?;
    let (data, vocab) = analyzed.to_dataset(args.scheme.min_df, args.scheme.scheme())?;
    if args.shards.is_some() {
        let provenance = shards::Provenance {
            analyzer: analyzer.config().clone(),
            scheme: args.scheme.scheme(),
            min_df: args.scheme.min_df,
        };
        shards::write(output, &data, &vocab, &provenance, args.shard_rows)?;
    } else {
        // The vocabulary first: a matrix is useless without it, so a failure leaves neither.
        vocab.write(&vocab_path)?;
        if let Err(err) = svmlight::write(output, &data.x, &data.y) {
            let _ = std::fs::remove_file(&vocab_path);
            return Err(err);
        }
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
        output.display()
    )?;
    outln!(
        out,
        "vocab:    {} terms -> {}",
        vocab.len(),
        vocab_path.display()
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
