//! `sparsetext classify`: one message on stdin (exit code = verdict, optional
//! passthrough), or every message under PATHs (one line each).

use std::io::{BufWriter, Read, Write};
use std::os::fd::{AsFd, BorrowedFd};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde_json::json;
use sparsetext::corpus::{Corpus, Item, Skipped, looks_like_mail, read_capped};
use sparsetext::model::{Model, Score, Scorer, Verdict};
use sparsetext::passthrough::{LineEnding, Stamper};
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
    let mut model = Model::load_for_mail(&args.model.path()?)?;
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
    // A closed descriptor reads as empty and takes writes silently: say so instead
    // of scoring nothing, or of reporting a message written that went nowhere.
    require_open(std::io::stdin().as_fd(), "<stdin>")?;
    let cap = super::max_message_bytes(args.max_message_bytes);
    if args.passthrough {
        require_open(std::io::stdout().as_fd(), "<stdout>")?;
        return passthrough(args, cap);
    }
    let message = read_capped(std::io::stdin().lock(), cap).map_err(|e| Error::io("<stdin>", e))?;
    let scored = &message[..message
        .len()
        .min(usize::try_from(cap).unwrap_or(usize::MAX))];
    super::warn_truncated(usize::from(scored.len() < message.len()));
    let d = decide(&load_scorer(args)?, scored, args);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let io = |e| Error::io("<stdout>", e);
    writeln!(out, "{}", format_line(&d, args.json, None)).map_err(io)?;
    out.flush().map_err(io)?;
    Ok(exit_code(d.verdict))
}

/// Bytes copied per read after the scored part, in passthrough.
const CHUNK: usize = 64 << 10;

/// `-p`: scores the first `cap` bytes, then writes the whole message with our
/// header in place of incoming ones, streaming what follows the scored part.
/// Exits 0 whenever the message was written (the verdict is in the header, as
/// bogofilter's `-e`), 3 on any error: procmail and maildrop then keep the
/// original, so mail is never lost.
fn passthrough(args: &ClassifyArgs, cap: u64) -> Result<ExitCode> {
    let mut stdin = std::io::stdin().lock();
    let mut head = Vec::new();
    (&mut stdin)
        .take(cap)
        .read_to_end(&mut head)
        .map_err(|e| Error::io("<stdin>", e))?;
    let decision = load_scorer(args).map(|scorer| decide(&scorer, &head, args));
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(CHUNK, stdout.lock());
    // A reader that stops early did not get the message: an error here, not the
    // quiet success a closed pipe is for listing commands.
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
    let d = match decision {
        Ok(d) => d,
        Err(err) => {
            // Whatever went wrong, what was read goes out unchanged.
            out.write_all(&head).map_err(lost)?;
            copy_rest(&mut stdin, |chunk| out.write_all(chunk).map_err(lost))?;
            out.flush().map_err(lost)?;
            return Err(err);
        }
    };
    let field = sparsetext::passthrough::field(d.verdict, d.score.p_spam);
    let mut stamper = Stamper::new(&mut out, &field, LineEnding::detect(&head));
    stamper.write(&head).map_err(lost)?;
    let rest = copy_rest(&mut stdin, |chunk| stamper.write(chunk).map_err(lost))?;
    stamper.finish().map_err(lost)?;
    super::warn_truncated(usize::from(rest > 0));
    if args.explain {
        // Standard output is the message: the explanation goes to standard error.
        super::eprint_line(format_args!("{}", format_line(&d, args.json, None)));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads `input` to its end in chunks, handing each to `write`; the bytes read.
fn copy_rest(input: &mut impl Read, mut write: impl FnMut(&[u8]) -> Result<()>) -> Result<u64> {
    let mut buf = vec![0; CHUNK];
    let mut total = 0;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io("<stdin>", e)),
        };
        write(&buf[..n])?;
        total += n as u64;
    }
}

/// An error naming `name` when the descriptor is closed. A process started
/// with a closed standard stream finds `/dev/null` there (Rust's runtime
/// opens it, so that no file takes the stream's number), so that counts as
/// closed too: a filter reading no message, or writing one nowhere, must fail.
fn require_open(fd: BorrowedFd<'_>, name: &str) -> Result<()> {
    let closed = |why: &str| Error::io(name, std::io::Error::other(format!("not open ({why})")));
    let file = std::fs::File::from(
        fd.try_clone_to_owned()
            .map_err(|e| closed(&e.to_string()))?,
    );
    let is_null = |meta: std::fs::Metadata| {
        use std::os::unix::fs::{FileTypeExt, MetadataExt};
        let null = std::fs::metadata("/dev/null").ok();
        meta.file_type().is_char_device() && null.is_some_and(|n| n.rdev() == meta.rdev())
    };
    if file.metadata().is_ok_and(is_null) {
        return Err(closed("closed, or /dev/null"));
    }
    Ok(())
}

fn paths_mode(args: &ClassifyArgs) -> Result<ExitCode> {
    let scorer = load_scorer(args)?;
    let mut corpus =
        Corpus::with_max_message_bytes(super::max_message_bytes(args.max_message_bytes))?;
    for path in &args.paths {
        corpus.add(path, None)?;
    }
    let mut skipped = corpus.skipped.clone();
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let io = |e| Error::io("<stdout>", e);
    let mut failed = 0usize;
    let truncated = AtomicUsize::new(0);
    for chunk in corpus.items.chunks(BATCH) {
        let decisions: Vec<Result<std::result::Result<Decision, String>>> = chunk
            .par_iter()
            .map(|item| {
                item.bytes().map(|bytes| {
                    looks_like_mail(&bytes).map_err(str::to_string)?;
                    truncated.fetch_add(usize::from(bytes.truncated), Ordering::Relaxed);
                    Ok(decide(&scorer, &bytes, args))
                })
            })
            .collect();
        for (item, decision) in chunk.iter().zip(decisions) {
            match decision {
                Ok(Ok(d)) => {
                    writeln!(out, "{}", format_line(&d, args.json, Some(item))).map_err(io)?
                }
                // Not mail: skipped as `train` skips it, and listed at the end.
                Ok(Err(reason)) => skipped.push(Skipped {
                    name: item.name.clone(),
                    reason,
                }),
                Err(err) => {
                    failed += 1;
                    out.flush().map_err(io)?;
                    super::eprint_line(format_args!("{err}"));
                }
            }
        }
    }
    out.flush().map_err(io)?;
    super::warn_skipped(&skipped);
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
