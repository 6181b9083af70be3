//! `sparsetext eval --online`: the TREC spam track's online evaluation of the
//! learning filter ([`sparsetext::online`]), printed as text or JSON.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;
use sparsetext::Result;
use sparsetext::analyze::Analyzer;
use sparsetext::online::{self, OnlineParams};
use sparsetext::vectorize;

use super::args::EvalArgs;
use super::{outln, stdout_error};

/// Runs `eval --online`.
pub fn run(args: EvalArgs) -> Result<ExitCode> {
    let model_path = args.model.path()?;
    if let Some(path) = &args.scores {
        sparsetext::atomic::check_target(path)?;
    }
    let model = sparsetext::model::Model::load_for_mail(&model_path)?;
    let mut corpus = super::labeled_corpus(&args.corpus, false)?;
    let undated = online::sort_by_date(&mut corpus);
    if undated > 0 {
        super::eprint_line(format_args!(
            "warning: {undated} message(s) without a date are replayed last"
        ));
    }
    let analyzer = Analyzer::new(model.analyzer().clone());
    let bar = super::progress(corpus.items.len(), "reading");
    let analyzed = vectorize::analyze(&corpus, &analyzer, &|_| bar.inc(1));
    bar.finish_and_clear();
    for skipped in &analyzed.skipped {
        super::eprint_line(format_args!(
            "warning: {}: skipped: {}",
            skipped.name, skipped.reason
        ));
    }
    let params = OnlineParams {
        refit_every: args.refit_every as usize,
        on_error: args.on_error,
        lambda: args.lambda.unwrap_or(model.lambda()),
        cv_folds: args.cv.map(|k| k as usize),
        alpha: model.alpha(),
        min_df: args.min_df,
        scheme: model.scheme(),
        threshold: model.threshold(),
        unsure: (0.2, 0.8),
    };
    let report = online::replay(&analyzed, &params)?;
    if let Some(path) = &args.scores {
        let io = |e| sparsetext::Error::io(path, e);
        let mut file = std::io::BufWriter::new(std::fs::File::create(path).map_err(io)?);
        for ((name, label), p) in analyzed
            .names
            .iter()
            .zip(&analyzed.labels)
            .zip(&report.scores)
        {
            let label = label.map_or_else(|| "-".to_string(), |l| l.to_string());
            let name = super::escape::escape_name(name.as_bytes());
            writeln!(file, "{label}\t{p:.6}\t{name}").map_err(io)?;
        }
        file.flush().map_err(io)?;
    }
    let mut out = super::stdout();
    let one_minus = report.auc.map(|a| 100.0 * (1.0 - a));
    if args.json {
        let value = json!({
            "auc": report.auc,
            "one_minus_auc_pct": one_minus,
            "fpr": report.fpr,
            "fnr": report.fnr,
            "messages": report.messages,
            "learned": report.learned,
            "refits": report.refits,
            "seconds": report.seconds,
            "refit_every": params.refit_every,
            "on_error": params.on_error,
            "lambda": report.lambda,
            "lambdas": report.lambdas.iter().map(|&(n, l)| json!({"messages": n, "lambda": l})).collect::<Vec<_>>(),
            "curve": report.curve.iter().map(|&(n, e)| json!({"messages": n, "errors": e})).collect::<Vec<_>>(),
        });
        outln!(out, "{value}")?;
    } else {
        outln!(
            out,
            "replayed:    {} messages in date order, {} learned ({}), refit every {} ({} refits)",
            report.messages,
            report.learned,
            if params.on_error { "on error" } else { "all" },
            params.refit_every,
            report.refits,
        )?;
        let lambdas: Vec<String> = (report.lambdas.iter())
            .map(|&(n, l)| format!("{l:.4e} from {n}"))
            .collect();
        outln!(
            out,
            "lambda:      {} (from messages learned){}",
            lambdas.join(", "),
            if params.cv_folds.is_some() {
                format!(
                    ", by cross-validation as they grew by a quarter, times n_cv / n between; last {:.4e}",
                    report.lambda
                )
            } else {
                String::new()
            }
        )?;
        match (report.auc, one_minus) {
            (Some(auc), Some(pct)) => outln!(out, "AUC:         {auc:.5} (1-AUC {pct:.3}%)")?,
            _ => outln!(out, "AUC:         undefined (one class only)")?,
        }
        outln!(
            out,
            "FPR:         {:.4}   FNR: {:.4}   (threshold {})",
            report.fpr,
            report.fnr,
            params.threshold
        )?;
        let curve: Vec<String> = report
            .curve
            .iter()
            .map(|&(n, e)| format!("{n}:{e}"))
            .collect();
        outln!(
            out,
            "errors:      {} (cumulative, messages:errors)",
            curve.join(" ")
        )?;
        outln!(out, "time:        {:.1} s", report.seconds)?;
    }
    out.flush().map_err(stdout_error)?;
    Ok(ExitCode::SUCCESS)
}
