//! `train --compare`: L1 (alpha 1), the Elastic Net (alpha 0.5) and L2 (ridge,
//! alpha 0) fitted on the same training set with the same cross-validation folds
//! (the folds depend on the seed and the labels alone), one table of each one's
//! cross-validated figures, size and fit time.

use std::io::Write;
use std::time::Instant;

use sparsetext::Result;
use sparsetext::train::{Columns, Trained, ValidTrainParams};

/// The alphas compared: L1, the Elastic Net between, L2.
const ALPHAS: [f64; 3] = [1.0, 0.5, 0.0];

/// Trains at each of [`ALPHAS`] (and at `params`' alpha if it is another), writes the
/// table to `out`, and returns the training at `params`' alpha.
pub fn run(set: &Columns, params: &ValidTrainParams, out: &mut impl Write) -> Result<Trained> {
    let mut alphas = ALPHAS.to_vec();
    if !alphas.contains(&params.alpha()) {
        alphas.push(params.alpha());
    }
    let mut rows = Vec::new();
    let mut chosen = None;
    for &alpha in &alphas {
        let start = Instant::now();
        let trained = set.train(&params.with_alpha(alpha)?, &|_, _| ())?;
        let seconds = start.elapsed().as_secs_f64();
        rows.push(row(alpha, &trained, seconds));
        if alpha == params.alpha() {
            chosen = Some(trained);
        }
    }
    let _ = write_table(out, &rows);
    Ok(chosen.expect("the asked alpha is among those trained"))
}

/// One line of the table.
fn row(alpha: f64, trained: &Trained, seconds: f64) -> String {
    let name = match alpha {
        1.0 => "L1".to_string(),
        0.0 => "L2".to_string(),
        a => format!("EN {a}"),
    };
    let (auc, deviance) = match &trained.cv {
        Some(cv) => {
            let (r, k) = (&cv.result, cv.index);
            (
                format!("{:.5} ± {:.5}", r.auc_mean[k], r.auc_se[k]),
                format!("{:.4} ± {:.4}", r.deviance_mean[k], r.deviance_se[k]),
            )
        }
        None => ("-".into(), "-".into()),
    };
    format!(
        "{name:<7} {alpha:>5} {auc:>17} {deviance:>15} {:>8} {:>10} {seconds:>8.2} {:>11.4e}",
        trained.fit.weights.len(),
        trained.model.to_bytes().len(),
        trained.fit.lambda
    )
}

fn write_table(out: &mut impl Write, rows: &[String]) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<7} {:>5} {:>17} {:>15} {:>8} {:>10} {:>8} {:>11}",
        "penalty", "alpha", "CV AUC ± se", "deviance ± se", "features", "bytes", "fit s", "lambda"
    )?;
    for r in rows {
        writeln!(out, "{r}")?;
    }
    Ok(())
}
