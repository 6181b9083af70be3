//! `sparsetext eval`: a model's accuracy on labeled mail.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde_json::json;
use sparsetext::corpus::{Label, Skipped};
use sparsetext::metrics::{Confusion, auc, recall_at_fpr};
use sparsetext::model::{Model, Scorer};
use sparsetext::report::Evaluation;
use sparsetext::{Error, Result};

use super::args::EvalArgs;
use super::{outln, stdout_error};

/// The FPR bound of the "spam recall at low FPR" figure.
const LOW_FPR: f64 = 0.005;

/// Runs the command.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    if args.online {
        return super::online::run(args);
    }
    let model_path = args.model.path()?;
    if let Some(dir) = &args.report {
        sparsetext::report::check_dir(dir)?;
    }
    let scorer = Scorer::new(Model::load_for_mail(&model_path)?);
    let corpus = super::labeled_corpus(&args.corpus, false)?;
    let bar = super::progress(corpus.items.len(), "scoring");
    let truncated = AtomicUsize::new(0);
    let scored: Vec<std::result::Result<(f64, bool), String>> = corpus
        .items
        .par_iter()
        .map(|item| {
            let out = item.mail().map(|bytes| {
                truncated.fetch_add(usize::from(bytes.truncated), Ordering::Relaxed);
                (scorer.score(&bytes).p_spam, item.label == Some(Label::Spam))
            });
            bar.inc(1);
            out
        })
        .collect();
    bar.finish_and_clear();
    let mut skipped = corpus.skipped.clone();
    let mut scores = Vec::new();
    let mut labels = Vec::new();
    let mut names = Vec::new();
    for (item, result) in corpus.items.iter().zip(scored) {
        match result {
            Ok((p, spam)) => {
                scores.push(p);
                labels.push(spam);
                names.push(item.name.clone());
            }
            Err(reason) => skipped.push(Skipped {
                name: item.name.clone(),
                reason,
            }),
        }
    }
    super::warn_skipped(&skipped);
    super::warn_truncated(truncated.into_inner());
    if scores.is_empty() {
        return Err(Error::Training("no mail to evaluate on".into()));
    }
    if let Some(dir) = &args.report {
        let eval = Evaluation {
            model_path: &model_path,
            model: scorer.model(),
            names: &names,
            scores: &scores,
            labels: &labels,
            sources: &corpus.sources,
            skipped: skipped.len(),
        };
        sparsetext::report::write_evaluation(dir, &eval)?;
    }
    let threshold = scorer.model().threshold();
    let c = Confusion::new(&scores, &labels, threshold);
    let area = auc(&scores, &labels);
    let low_fpr_recall = recall_at_fpr(&scores, &labels, LOW_FPR);
    let (spam, ham) = (c.tp + c.fn_, c.fp + c.tn);
    let mut out = super::stdout();
    if args.json {
        let value = json!({
            "model": model_path.display().to_string(),
            "messages": scores.len(),
            "spam": spam,
            "ham": ham,
            "skipped": skipped.len(),
            "folders": corpus.sources.iter().map(|s| json!({
                "path": s.path.display().to_string(),
                "label": s.label.map(|l| l.to_string()),
                "messages": s.messages,
            })).collect::<Vec<_>>(),
            "threshold": threshold,
            "auc": area,
            "accuracy": c.accuracy(),
            "precision": c.precision(),
            "recall": c.recall(),
            "fpr": c.fpr(),
            "fnr": c.fnr(),
            "recall_at_fpr_0.5%": low_fpr_recall,
            "confusion": {"tp": c.tp, "fp": c.fp, "tn": c.tn, "fn": c.fn_},
        });
        outln!(out, "{value}")?;
        out.flush().map_err(stdout_error)?;
        return Ok(ExitCode::SUCCESS);
    }
    let pct = |x: f64| format!("{:.2}%", 100.0 * x);
    super::print_sources(&mut out, &corpus.sources).map_err(stdout_error)?;
    outln!(
        out,
        "messages:   {} ({spam} spam, {ham} ham), {} skipped",
        scores.len(),
        skipped.len()
    )?;
    match area {
        Some(a) => outln!(out, "AUC:        {a:.5} (1-AUC {:.3}%)", 100.0 * (1.0 - a))?,
        None => outln!(out, "AUC:        - (needs both classes)")?,
    }
    outln!(out, "threshold:  {threshold}")?;
    outln!(out, "accuracy:   {}", pct(c.accuracy()))?;
    outln!(out, "precision:  {}", pct(c.precision()))?;
    outln!(out, "recall:     {}", pct(c.recall()))?;
    outln!(
        out,
        "FPR:        {} ({} of {ham} ham called spam)",
        pct(c.fpr()),
        c.fp
    )?;
    outln!(
        out,
        "FNR:        {} ({} of {spam} spam missed)",
        pct(c.fnr()),
        c.fn_
    )?;
    outln!(out, "recall at FPR <= 0.5%: {}", pct(low_fpr_recall))?;
    outln!(out, "confusion:  {:>8} {:>8}", "as spam", "as ham")?;
    outln!(out, "  spam      {:>8} {:>8}", c.tp, c.fn_)?;
    outln!(out, "  ham       {:>8} {:>8}", c.fp, c.tn)?;
    out.flush().map_err(stdout_error)?;
    Ok(ExitCode::SUCCESS)
}
