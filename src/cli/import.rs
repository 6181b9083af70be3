//! `sparsetext import`: another engine's weights over a shard folder -> a model file.

use std::io::Write;
use std::process::ExitCode;

use sparsetext::shards::{self, weights};
use sparsetext::{Error, Result, atomic};

use super::args::ImportArgs;
use super::{outln, stdout_error};

/// Runs the command.
pub fn run(args: ImportArgs) -> Result<ExitCode> {
    atomic::check_target(&args.output)?;
    let bad = |name, value: f64, reason: &str| Error::InvalidParam {
        name,
        value: value.to_string(),
        reason: reason.into(),
    };
    if let Some(l) = args.lambda
        && !(l.is_finite() && l >= 0.0)
    {
        return Err(bad("lambda", l, "must be finite and >= 0"));
    }
    if let Some(a) = args.alpha
        && !(a > 0.0 && a <= 1.0)
    {
        return Err(bad("alpha", a, "must be in (0, 1]"));
    }
    let shards = shards::read(&args.shards)?;
    let weights = weights::read(&args.weights, shards.manifest.features)?;
    // What the model refuses now is a weight (too large for its f32, ...).
    let model =
        weights::to_model(&shards, &weights, args.lambda, args.alpha).map_err(|e| match e {
            Error::InvalidParam {
                name,
                value,
                reason,
            } => Error::Corpus {
                path: args.weights.clone(),
                reason: format!("invalid {name} = {value}: {reason}"),
            },
            other => other,
        })?;
    let bytes = model.save(&args.output)?;
    let mut out = super::stdout();
    outln!(
        out,
        "weights:   {} non-zero of {} features, intercept {:+.6} <- {}",
        model.len(),
        shards.manifest.features,
        model.intercept(),
        args.weights.display()
    )?;
    outln!(
        out,
        "model:     {} ({bytes} bytes; analyzer and scheme of {})",
        args.output.display(),
        args.shards.display()
    )?;
    out.flush().map_err(stdout_error)?;
    Ok(ExitCode::SUCCESS)
}
