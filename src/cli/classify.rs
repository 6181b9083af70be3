//! `sparsetext classify`: one message on stdin (exit code = verdict, optional
//! passthrough), or every message under PATHs (one line each).

use std::io::{BufWriter, Read, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde_json::json;
use sparsetext::corpus::{Corpus, Item, read_capped};
use sparsetext::model::{Model, Score, Scorer, Verdict};
use sparsetext::passthrough::write_with_header;
use sparsetext::{Error, Result};

use super::args::ClassifyArgs;
use super::escape::escape_name;

/// Messages scored per parallel batch in PATH mode (bounds memory, keeps output flowing).
const BATCH: usize = 1024;

/// Runs the command.
pub fn run(args: ClassifyArgs) -> Result<ExitCode> {
    if args.paths.is_empty() {
        stdin_mode(&args)
    } else {
        paths_mode(&args)
    }
}

/// The exit code of a verdict, as bogofilter's: procmail and maildrop recipes rely on it.
fn exit_code(verdict: Verdict) -> ExitCode {
    ExitCode::from(match verdict {
        Verdict::Spam => 0,
        Verdict::Ham => 1,
        Verdict::Unsure => 2,
    })
}

fn load_scorer(args: &ClassifyArgs) -> Result<Scorer> {
    let mut model = Model::load(&args.model.path())?;
    if let Some((low, high)) = args.unsure {
        // The band decides; the threshold (for two-way measures) moves into it if outside.
        model.set_decision(model.threshold().max(low).min(high), Some((low, high)))?;
    }
    Ok(Scorer::new(model))
}

struct Decision {
    verdict: Verdict,
    score: Score,
    explain: Vec<(String, f64)>,
}

fn decide(scorer: &Scorer, message: &[u8], args: &ClassifyArgs) -> Decision {
    let (score, explain) = if args.explain {
        let (score, explain) = scorer.score_and_explain(message, args.explain_top);
        let explain = explain.into_iter().map(|(t, c)| (t.to_string(), c));
        (score, explain.collect())
    } else {
        (scorer.score(message), Vec::new())
    };
    Decision {
        verdict: scorer.model().verdict(score.p_spam),
        score,
        explain,
    }
}

fn stdin_mode(args: &ClassifyArgs) -> Result<ExitCode> {
    // Passthrough must copy the whole message; otherwise only the cap is kept.
    let cap = super::max_message_bytes(args.max_message_bytes);
    let mut message = Vec::new();
    let read = if args.passthrough {
        std::io::stdin().read_to_end(&mut message).map(drop)
    } else {
        read_capped(std::io::stdin().lock(), cap).map(|bytes| message = bytes)
    };
    let scored = &message[..message
        .len()
        .min(usize::try_from(cap).unwrap_or(usize::MAX))];
    super::warn_truncated(usize::from(scored.len() < message.len()));
    let decision = read
        .map_err(|e| Error::io("<stdin>", e))
        .and_then(|_| load_scorer(args))
        .map(|scorer| decide(&scorer, scored, args));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |e| Error::io("<stdout>", e);
    if args.passthrough {
        // Mail is never lost: whatever went wrong, what was read goes out unchanged.
        // A reader that stops early did not get the message: an error here, not
        // the quiet success a closed pipe is for listing commands.
        let lost = |e: std::io::Error| {
            Error::io(
                "<stdout>",
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    std::io::Error::other("closed before the whole message was written")
                } else {
                    e
                },
            )
        };
        return match decision {
            Ok(d) => {
                let field = format!("X-Sparsetext: {}; p={:.4}", d.verdict, d.score.p_spam);
                write_with_header(&mut out, &message, &field).map_err(lost)?;
                out.flush().map_err(lost)?;
                Ok(exit_code(d.verdict))
            }
            Err(err) => {
                out.write_all(&message).map_err(lost)?;
                out.flush().map_err(lost)?;
                Err(err)
            }
        };
    }
    let d = decision?;
    let line = format_line(&d, args.json, None);
    writeln!(out, "{line}").map_err(io)?;
    out.flush().map_err(io)?;
    Ok(exit_code(d.verdict))
}

fn paths_mode(args: &ClassifyArgs) -> Result<ExitCode> {
    let scorer = load_scorer(args)?;
    let mut corpus =
        Corpus::with_max_message_bytes(super::max_message_bytes(args.max_message_bytes))?;
    for path in &args.paths {
        corpus.add(path, None)?;
    }
    super::warn_skipped(&corpus.skipped);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let io = |e| Error::io("<stdout>", e);
    let mut failed = 0usize;
    let truncated = AtomicUsize::new(0);
    for chunk in corpus.items.chunks(BATCH) {
        let decisions: Vec<Result<Decision>> = chunk
            .par_iter()
            .map(|item| {
                item.bytes().map(|bytes| {
                    truncated.fetch_add(usize::from(bytes.truncated), Ordering::Relaxed);
                    decide(&scorer, &bytes, args)
                })
            })
            .collect();
        for (item, decision) in chunk.iter().zip(decisions) {
            match decision {
                Ok(d) => writeln!(out, "{}", format_line(&d, args.json, Some(item))).map_err(io)?,
                Err(err) => {
                    failed += 1;
                    out.flush().map_err(io)?;
                    super::eprint_line(format_args!("{err}"));
                }
            }
        }
    }
    out.flush().map_err(io)?;
    super::warn_truncated(truncated.into_inner());
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_ERROR)
    })
}

/// `LABEL<TAB>P_SPAM[<TAB>NAME][<TAB>term(+c) ...]`, or one JSON object. The name is
/// escaped C-style ([`escape_name`]) so that it stays one field on one line.
fn format_line(d: &Decision, as_json: bool, item: Option<&Item>) -> String {
    if as_json {
        let mut value = json!({
            "label": d.verdict.as_str(),
            "p_spam": d.score.p_spam,
            "margin": d.score.margin,
        });
        if let Some(item) = item {
            // JSON escapes separators itself; a name that is not UTF-8 shows lossily.
            value["name"] = json!(item.name);
        }
        if !d.explain.is_empty() {
            value["explain"] = d
                .explain
                .iter()
                .map(|(term, c)| json!({"term": term, "contribution": c}))
                .collect();
        }
        return value.to_string();
    }
    let mut line = format!("{}\t{:.6}", d.verdict, d.score.p_spam);
    if let Some(item) = item {
        line.push('\t');
        line.push_str(&escape_name(&item.name_bytes()));
    }
    if !d.explain.is_empty() {
        line.push('\t');
        let words: Vec<String> = d
            .explain
            .iter()
            .map(|(t, c)| format!("{t}({c:+.3})"))
            .collect();
        line.push_str(&words.join(" "));
    }
    line
}
