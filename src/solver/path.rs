//! The regularization path: a geometric lambda grid from lambda_max down,
//! warm starts, sequential strong-rule screening with a full KKT check that
//! readmits violators, and glmnet's early stops.
//!
//! Screening (Tibshirani et al. 2012, "Strong rules for discarding predictors
//! in lasso-type problems", JRSS B 74, eq. 6, for the Elastic Net): at
//! lambda_k the working set starts as the non-zero features of the previous
//! fit plus `{ j : |X_j^T r(lambda_{k-1})| >= alpha (2 lambda_k - lambda_{k-1}) }`.
//! The solver's stopping test is a duality gap over *all* features, so a
//! feature the rule wrongly discarded is readmitted, never lost.
//!
//! Warm starts are improved by a predictor: the last fit moved along the
//! secant from the fit before it (same signs), kept only if it lowers F at
//! the new lambda (a first-order path-following step; on a geometric grid
//! the secant is exact for weights linear in log lambda).
//!
//! Early stops (glmnet: R/glmnet.control.R): after at least 5 lambdas, stop
//! when the deviance explained grows by less than `fdev` times itself; stop
//! with a warning once it reaches `max_dev_explained` (the fit is nearly
//! saturated: the data are close to separable and smaller lambdas only grow
//! the weights), or when a fit fails to converge within `max_iter`.

use super::design::Design;
use super::fit::Fit;
use super::identical_columns::IdenticalColumns;
use super::params::ValidParams;
use super::predict::{Secant, predict};
use super::problem::{Problem, State};
use super::solve::{Work, gradient_at, solve};
use crate::error::Result;

/// glmnet's `mnl`: the early stop on stalled deviance needs this many fits first.
const MIN_LAMBDAS: usize = 5;

/// Fits along a lambda path.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// The lambdas fitted, decreasing (a prefix of the grid if the path stopped early).
    pub lambdas: Vec<f64>,
    /// One fit per lambda.
    pub fits: Vec<Fit>,
    /// Deviance explained per lambda.
    pub dev_explained: Vec<f64>,
    /// The smallest lambda with all weights zero.
    pub lambda_max: f64,
    /// Deviance of the intercept-only model.
    pub null_deviance: f64,
    /// Why the path stopped before its last lambda, when that is worth a warning
    /// (saturated fit, no convergence); `None` otherwise.
    pub warning: Option<String>,
}

/// `nlambda` lambdas spaced geometrically from `lambda_max` down to
/// `lambda_max * ratio` (just `lambda_max` when `nlambda` is 1).
pub fn lambda_grid(lambda_max: f64, nlambda: usize, ratio: f64) -> Vec<f64> {
    if nlambda == 1 {
        return vec![lambda_max];
    }
    let step = ratio.ln() / (nlambda - 1) as f64;
    (0..nlambda)
        .map(|k| lambda_max * (step * k as f64).exp())
        .collect()
}

/// Fits the whole path on the default grid (see [`lambda_grid`] and
/// [`ValidParams::lambda_min_ratio`](super::ValidParams::lambda_min_ratio)).
pub fn fit_path(
    design: &Design,
    y: &[bool],
    weights: Option<&[f64]>,
    params: &ValidParams,
) -> Result<Path> {
    let prob = Problem::new(design, y, weights)?;
    let lmax = prob.lambda_max(params.alpha());
    let ratio = params.lambda_min_ratio(design.rows(), design.cols());
    let grid = lambda_grid(lmax, params.nlambda(), ratio);
    Ok(path_on_grid(&prob, lmax, &grid, params, true))
}

/// Fits the path on a given decreasing grid. `early_stop` enables the stall
/// stop on deviance (the saturation and convergence stops always apply).
pub(crate) fn path_on_grid(
    prob: &Problem,
    lambda_max: f64,
    grid: &[f64],
    params: &ValidParams,
    early_stop: bool,
) -> Path {
    let (n, p) = (prob.x.rows(), prob.x.cols());
    let alpha = params.alpha();
    let mut st = State::null(prob);
    let mut wk = Work::new(n, p);
    let mut path = Path {
        lambdas: Vec::new(),
        fits: Vec::new(),
        dev_explained: Vec::new(),
        lambda_max,
        null_deviance: prob.null_deviance,
        warning: None,
    };
    gradient_at(
        prob,
        &mut st,
        &mut wk,
        alpha * grid.first().copied().unwrap_or(lambda_max),
    );
    let mut prev_lambda = grid.first().copied().unwrap_or(lambda_max).max(lambda_max);
    let mut screened: Vec<u32> = Vec::new();
    let mut identical = IdenticalColumns::default();
    // The loss at the last solution.
    let mut loss = f64::NAN;
    for &lambda in grid {
        // Ridge (alpha = 0) keeps every feature: nothing to screen.
        if alpha > 0.0 {
            let cut = alpha * (2.0 * lambda - prev_lambda);
            wk.gradient.strong_rule_candidates(prob, cut, &mut screened);
        }
        if let [.., before, last] = path.fits.as_slice() {
            let gamma = (lambda / last.lambda).ln() / (last.lambda / before.lambda).ln();
            if gamma.is_finite() && gamma > 0.0 {
                let secant = Secant {
                    lambda,
                    alpha,
                    prev: before,
                    gamma: gamma.min(2.0),
                };
                let ws = &wk.working_set.features;
                predict(prob, &mut st, ws, &mut wk.fitted.trial, &secant, loss);
            }
        }
        let out = solve(prob, lambda, &mut st, &mut wk, &screened, params);
        loss = out.loss;
        let ws = &wk.working_set.features;
        let fit = Fit::assemble(prob, lambda, alpha, &st, ws, &out, &mut identical);
        let dev = fit.dev_explained;
        let converged = fit.converged;
        path.lambdas.push(lambda);
        path.fits.push(fit);
        path.dev_explained.push(dev);
        prev_lambda = lambda;
        if !converged {
            path.warning = Some(format!(
                "path stopped at lambda = {lambda:.6e}: no convergence within {} Newton steps \
                 (relative duality gap {:.3e})",
                params.max_iter(),
                path.fits.last().map_or(f64::NAN, |f| f.rel_gap)
            ));
            break;
        }
        if dev >= params.max_dev_explained() {
            path.warning = Some(format!(
                "path stopped at lambda = {lambda:.6e}: {:.2}% of the null deviance explained, \
                 the fit is nearly saturated (the data are close to separable)",
                100.0 * dev
            ));
            break;
        }
        let m = path.dev_explained.len();
        if early_stop && m >= MIN_LAMBDAS {
            let before = path.dev_explained[m - 2];
            if dev - before < params.fdev() * dev {
                break;
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_geometric() {
        let g = lambda_grid(2.0, 3, 0.01);
        assert_eq!(g.len(), 3);
        assert!((g[0] - 2.0).abs() < 1e-15);
        assert!((g[1] - 0.2).abs() < 1e-12);
        assert!((g[2] - 0.02).abs() < 1e-12);
        assert_eq!(lambda_grid(2.0, 1, 0.5), vec![2.0]);
    }
}
