//! `sparsetext inspect`: what a model file holds.

use std::io::Write;
use std::process::ExitCode;

use sparsetext::Result;
use sparsetext::model::Model;

use super::args::InspectArgs;
use super::{outln, stdout_error};

/// Runs the command.
pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let path = match args.file {
        Some(file) => file,
        None => args.model.path()?,
    };
    let (model, version) = Model::load_with_version(&path)?;
    let mut json = model.to_json();
    json["format_version"] = version.into();
    let mut out = super::stdout();
    if args.json {
        outln!(out, "{json}")?;
        out.flush().map_err(stdout_error)?;
        return Ok(ExitCode::SUCCESS);
    }
    let summary = model.summary();
    outln!(out, "file:            {}", path.display())?;
    outln!(out, "format version:  {}", json["format_version"])?;
    outln!(out, "analyzer:        {}", json["analyzer"])?;
    outln!(out, "scheme:          {}", json["scheme"])?;
    outln!(
        out,
        "lambda:          {:.6e} ({})",
        model.lambda(),
        summary.lambda_rule
    )?;
    outln!(out, "alpha:           {}", model.alpha())?;
    outln!(
        out,
        "l1, l2:          {:.6e}, {:.6e} (mean loss + l1 |w|_1 + l2 |w|_2^2)",
        model.l1(),
        model.l2()
    )?;
    outln!(out, "intercept:       {:+.6}", model.intercept())?;
    outln!(out, "threshold:       {}", model.threshold())?;
    match model.unsure() {
        Some((low, high)) => outln!(out, "unsure band:     {low} .. {high}")?,
        None => outln!(out, "unsure band:     none")?,
    }
    if !summary.decision_rule.is_empty() {
        outln!(out, "decided by:      {}", summary.decision_rule)?;
    }
    outln!(out, "features:        {}", model.len())?;
    outln!(
        out,
        "trained on:      {} spam, {} ham",
        summary.spam_messages,
        summary.ham_messages
    )?;
    match (summary.cv_auc, summary.cv_auc_se) {
        (Some(auc), Some(se)) => outln!(out, "CV AUC:          {auc:.5} ± {se:.5}")?,
        (Some(auc), None) => outln!(out, "CV AUC:          {auc:.5}")?,
        _ => outln!(out, "CV AUC:          -")?,
    }
    outln!(
        out,
        "sparsetext:      {} ({})",
        summary.version,
        summary.date
    )?;
    out.flush().map_err(stdout_error)?;
    Ok(ExitCode::SUCCESS)
}
