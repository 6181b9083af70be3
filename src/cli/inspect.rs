//! `sparsetext inspect`: what a model file holds.

use std::process::ExitCode;

use sparsetext::Result;
use sparsetext::model::Model;

use super::args::InspectArgs;

/// Runs the command.
pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let path = match args.file {
        Some(file) => file,
        None => args.model.path()?,
    };
    let (model, version) = Model::load_with_version(&path)?;
    let mut json = model.to_json();
    json["format_version"] = version.into();
    if args.json {
        println!("{json}");
        return Ok(ExitCode::SUCCESS);
    }
    let summary = model.summary();
    println!("file:            {}", path.display());
    println!("format version:  {}", json["format_version"]);
    println!("analyzer:        {}", json["analyzer"]);
    println!("scheme:          {}", json["scheme"]);
    println!(
        "lambda:          {:.6e} ({})",
        model.lambda(),
        summary.lambda_rule
    );
    println!("alpha:           {}", model.alpha());
    println!("intercept:       {:+.6}", model.intercept());
    println!("threshold:       {}", model.threshold());
    match model.unsure() {
        Some((low, high)) => println!("unsure band:     {low} .. {high}"),
        None => println!("unsure band:     none"),
    }
    if !summary.decision_rule.is_empty() {
        println!("decided by:      {}", summary.decision_rule);
    }
    println!("features:        {}", model.len());
    println!(
        "trained on:      {} spam, {} ham",
        summary.spam_messages, summary.ham_messages
    );
    match (summary.cv_auc, summary.cv_auc_se) {
        (Some(auc), Some(se)) => println!("CV AUC:          {auc:.5} ± {se:.5}"),
        (Some(auc), None) => println!("CV AUC:          {auc:.5}"),
        _ => println!("CV AUC:          -"),
    }
    println!("sparsetext:      {} ({})", summary.version, summary.date);
    Ok(ExitCode::SUCCESS)
}
