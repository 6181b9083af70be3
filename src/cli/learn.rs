//! `sparsetext learn`: messages learned as spam or ham, or forgotten, and the model
//! refitted from its store. The library learns ([`sparsetext::learn`]); this reads the
//! mail as `train` does and prints what changed.

use std::io::Write;
use std::process::ExitCode;

use sparsetext::corpus::{Corpus, Label};
use sparsetext::learn::{Action, LearnOptions, Outcome};
use sparsetext::store::Change;
use sparsetext::{Error, Result};

use super::args::LearnArgs;
use super::outln;

/// Runs the command.
pub fn run(args: LearnArgs) -> Result<ExitCode> {
    let model = args.model.path()?;
    let groups = [
        (&args.spam, Action::Spam),
        (&args.ham, Action::Ham),
        (&args.forget, Action::Forget),
    ];
    let stdin_uses = groups
        .iter()
        .flat_map(|(paths, _)| paths.iter())
        .filter(|p| p.as_os_str() == "-")
        .count();
    if stdin_uses > 1 {
        return Err(Error::InvalidParam {
            name: "-",
            value: format!("given {stdin_uses} times"),
            reason: "standard input holds one message: name it once".into(),
        });
    }
    if groups.iter().all(|(paths, _)| paths.is_empty()) {
        return Err(Error::Training(
            "nothing to learn: give --spam PATH, --ham PATH or --forget PATH".into(),
        ));
    }

    // Every message is read before the store is touched: an unreadable one stops the
    // run with nothing changed.
    let mut names = Vec::new();
    let mut mail: Vec<(Vec<u8>, Action)> = Vec::new();
    for (paths, action) in groups {
        let label = match action {
            Action::Spam => Some(Label::Spam),
            Action::Ham => Some(Label::Ham),
            Action::Forget => None,
        };
        for path in paths {
            let mut corpus = Corpus::default();
            corpus.add(path, label)?;
            for item in &corpus.items {
                match item.bytes() {
                    Err(e) => return Err(e),
                    Ok(bytes) => match sparsetext::corpus::looks_like_mail(&bytes) {
                        Ok(()) => {
                            names.push(item.name.clone());
                            mail.push((bytes.to_vec(), action));
                        }
                        Err(reason) => super::eprint_line(format_args!(
                            "warning: {}: skipped: {reason}",
                            item.name
                        )),
                    },
                }
            }
            for skipped in &corpus.skipped {
                super::eprint_line(format_args!(
                    "warning: {}: skipped: {}",
                    skipped.name, skipped.reason
                ));
            }
        }
    }
    if mail.is_empty() {
        return Err(Error::Training(
            "no mail to learn in the paths given".into(),
        ));
    }
    let messages: Vec<(&[u8], Action)> = mail.iter().map(|(b, a)| (&b[..], *a)).collect();
    let options = LearnOptions {
        cv: args.cv.map(|k| k as usize),
        explain: args.verbose,
    };
    let outcome = sparsetext::learn::learn(&model, &messages, &options)?;
    for note in &outcome.notes {
        super::eprint_line(format_args!("warning: {note}"));
    }
    print(&outcome, &names, &mail, &model, args.verbose)?;
    Ok(ExitCode::SUCCESS)
}

fn print(
    outcome: &Outcome,
    names: &[String],
    mail: &[(Vec<u8>, Action)],
    model: &std::path::Path,
    verbose: bool,
) -> Result<()> {
    let mut out = super::stdout();
    for ((message, name), (_, action)) in outcome.messages.iter().zip(names).zip(mail) {
        let change = match message.change {
            Change::Added => "added",
            Change::Relabeled => "relabeled",
            Change::Unchanged => "unchanged",
            Change::Forgotten => "forgotten",
            Change::NotFound => "not-found",
        };
        let label = match action {
            Action::Spam => "spam",
            Action::Ham => "ham",
            Action::Forget => "-",
        };
        let name = super::escape::escape_name(name.as_bytes());
        outln!(out, "{change}\t{label}\t{name}")?;
        if let (true, Some(before)) = (verbose, message.before) {
            match message.after {
                Some(after) => outln!(out, "  p(spam) {before:.4} -> {after:.4}")?,
                None => outln!(out, "  p(spam) {before:.4} (model unchanged)")?,
            }
        }
    }
    let (spam, ham) = outcome.store_counts;
    let store = sparsetext::store::store_path(model);
    match &outcome.refit {
        None => outln!(out, "model:       unchanged ({})", model.display())?,
        Some(refit) => {
            outln!(
                out,
                "model:       {} refit at lambda {:.4e}: {} features, relative duality gap {:.1e}{}",
                model.display(),
                refit.lambda,
                refit.features,
                refit.rel_gap,
                if refit.converged {
                    ""
                } else {
                    " (NOT converged)"
                }
            )?;
            if verbose {
                outln!(out, "entered:     {}", list(&refit.entered))?;
                outln!(out, "left:        {}", list(&refit.left))?;
            }
        }
    }
    outln!(
        out,
        "store:       {} ({spam} spam, {ham} ham{})",
        store.display(),
        if outcome.compacted { ", compacted" } else { "" }
    )?;
    out.flush().map_err(super::stdout_error)
}

/// Terms separated by spaces, `-` for none.
fn list(terms: &[String]) -> String {
    if terms.is_empty() {
        "-".into()
    } else {
        terms.join(" ")
    }
}
