//! Sparse (L1 / Elastic-Net) logistic regression: one lambda, a path, cross-validation.
//!
//! # The problem
//!
//! With N messages x_i (rows of the design), labels y_i = +1 (spam) or -1
//! (ham), optional observation weights s_i (rescaled to mean 1; e.g. class
//! balancing), the solvers minimize over the intercept b0 and weights w
//!
//! ```text
//! F(b0, w) = (1/N) sum_i s_i log(1 + exp(-y_i (b0 + x_i . w)))
//!            + lambda (alpha ||w||_1 + (1 - alpha)/2 ||w||_2^2)
//! ```
//!
//! The intercept is never penalized; `alpha = 1` is the lasso, `0 < alpha < 1`
//! the Elastic Net, `alpha = 0` ridge (plain L2: every weight non-zero).
//! Features are used as given (not standardized). The (lambda1, lambda2) form
//! `L1 ||w||_1 + L2 ||w||_2^2` is `lambda = L1 + 2 L2`, `alpha = L1 / lambda`.
//!
//! # lambda_max
//!
//! w = 0 is optimal exactly when lambda >= lambda_max, where
//!
//! ```text
//! lambda_max = max_j |sum_i s_i x_ij (y01_i - p0)| / (N alpha),
//! p0 = sum_i s_i y01_i / sum_i s_i
//! ```
//!
//! y01 is the label as 0/1 and p0 the probability fitted by the intercept-only
//! model (the weighted spam rate): at w = 0 and b0 = logit(p0) the gradient of
//! the loss in w_j is `-(1/N) sum_i s_i x_ij (y01_i - p0)`, and zero is in the
//! subdifferential of F when its size is at most lambda alpha.
//! For ridge (alpha = 0) no lambda makes w = 0 optimal; as glmnet does, its
//! lambda_max (where a path starts) is computed as for alpha = 0.001.
//!
//! # The certificate
//!
//! Every [`Fit`] carries a duality gap. With r_i = (s_i/N) (y01_i - p_i)
//! computed at the optimal intercept (so sum_i r_i = 0, the dual constraint the
//! intercept imposes), theta = t r with t = min(1, lambda alpha / max_j
//! |X_j^T r|) is dual feasible and
//!
//! ```text
//! D = (1/N) sum_i s_i H(t a_i) - (1 - alpha > 0 ? sum_j (|X_j^T theta| - lambda alpha)_+^2
//!     / (2 lambda (1 - alpha)) : 0),
//! ```
//!
//! with a_i = |y01_i - p_i| the fitted probability of the wrong label and
//! H(q) = -q ln q - (1 - q) ln(1 - q), satisfies D <= F* <= F. The solver stops
//! when `(F - D) / D <= tol` (default 1e-6), which certifies
//! `(F - F*) / F* <= tol`; [`Fit::rel_gap`] reports it and [`Fit::kkt`] the
//! largest KKT violation. Near the optimum the solver also evaluates D at a
//! corrected residual, `theta = r + Delta` with `X_A^T theta` meeting the KKT
//! conditions exactly on the support and the violators A (a Newton-like
//! correction, `certify`), made feasible the same way, and reports
//! the larger of the two lower bounds.
//!
//! # The method
//!
//! At one lambda, a proximal Newton method (newGLMNET: Yuan, Ho & Lin 2012,
//! "An improved GLMNET for L1-regularized logistic regression", JMLR 13;
//! glmnet: Friedman, Hastie & Tibshirani 2010, "Regularization paths for
//! generalized linear models via coordinate descent", JSS 33(1)) over a
//! growing working set (as in skglm, Bertrand et al. 2022), stopped by the
//! duality gap:
//!
//! - a full check computes `X^T r` where it can matter and the gap
//!   (`gradient_check`, `dual`,
//!   `certify`), and grows the working set by the worst
//!   KKT violators (`solve`);
//! - each Newton step minimizes a quadratic model of the loss
//!   (`quadratic_model`) with the penalty: exactly
//!   on the support by a Cholesky factorization
//!   (`support_step`,
//!   `support_factor`, `cholesky`),
//!   then by coordinate descent with Anderson extrapolation
//!   (`newton`, `extrapolate`), then
//!   searches a step length on F itself.
//!
//! For ridge (alpha = 0, lambda > 0) every weight is non-zero and the
//! working set would be the whole problem: a truncated Newton method with
//! conjugate gradients on all weights at once (`ridge`; Lin, Weng & Keerthi
//! 2008, LIBLINEAR `-s 0`) takes its place, with the same certificate (the
//! dual at theta = r is feasible without scaling).
//!
//! A path (`path`) fits a geometric grid of lambdas from
//! lambda_max down, warm-started, screened by the strong rule, with a
//! predictor (`predict`); cross-validation
//! (`cv`) fits it on each fold.
//!
//! # Example
//!
//! ```
//! use sparsetext::solver::{self, Design, Params};
//! let rows = vec![
//!     vec![1.0, 0.0, 1.0],
//!     vec![1.0, 1.0, 0.0],
//!     vec![0.0, 1.0, 0.0],
//!     vec![0.0, 1.0, 1.0],
//! ];
//! let y = [true, true, false, false];
//! let x = Design::from_dense(&rows)?;
//! let params = Params::new().alpha(1.0).check()?;
//! let lmax = solver::lambda_max(&x, &y, None, params.alpha())?;
//! let fit = solver::fit(&x, &y, None, 0.1 * lmax, &params)?;
//! assert!(fit.converged && fit.rel_gap <= 1e-6);
//! assert!(fit.weights.iter().any(|&(j, w)| j == 0 && w > 0.0));
//! let path = solver::fit_path(&x, &y, None, &params.clone().into_params().nlambda(10).check()?)?;
//! assert!(path.fits[0].weights.is_empty());
//! Ok::<(), sparsetext::Error>(())
//! ```

mod bitset;
mod certificate;
mod certify;
mod cholesky;
mod cv;
mod design;
mod dot_bound;
mod dual;
mod extrapolate;
mod features_by_length;
mod fit;
mod gradient_check;
mod identical_columns;
mod loss;
mod newton;
mod params;
mod path;
mod predict;
mod problem;
mod quadratic_model;
mod ridge;
mod solve;
mod support_factor;
mod support_step;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

pub use certificate::{Certificate, certify};
pub use cv::{CvResult, cross_validate, stratified_folds};
pub use design::Design;
pub use fit::Fit;
pub use params::{Params, ValidParams};
pub use path::{Path, fit_path, lambda_grid};

use crate::error::Result;
use identical_columns::IdenticalColumns;
pub use problem::check_lambda;
use problem::{Problem, State};
use solve::{Work, solve};

/// Warm-started fits for callers that solve many lambdas themselves (benchmarks,
/// custom grids): keeps the iterate and scratch buffers between calls.
pub struct Solver<'a> {
    prob: Problem<'a>,
    state: State,
    work: Work,
    identical: IdenticalColumns,
}

impl<'a> Solver<'a> {
    /// A solver at w = 0 and the intercept-only fit.
    pub fn new(design: &'a Design, y: &[bool], weights: Option<&[f64]>) -> Result<Self> {
        let prob = Problem::new(design, y, weights)?;
        let state = State::null(&prob);
        let work = Work::new(design.rows(), design.cols());
        Ok(Solver {
            prob,
            state,
            work,
            identical: IdenticalColumns::default(),
        })
    }

    /// lambda_max for this problem (for alpha = 0, where a ridge path starts).
    pub fn lambda_max(&self, alpha: f64) -> f64 {
        self.prob.lambda_max(alpha)
    }

    /// Starts the next fit from `intercept` and the `(feature, weight)` pairs (features
    /// in range, each once): a model refitted on a little more or less data is next to
    /// its answer (warm start, as along a path: Friedman, Hastie and Tibshirani 2010,
    /// section 2.5). The fit's certificate is computed as from any start.
    ///
    /// # Errors
    /// [`Error::InvalidParam`](crate::Error::InvalidParam) for a feature out of range or a
    /// value that is not finite.
    pub fn warm_start(&mut self, intercept: f64, weights: &[(u32, f64)]) -> Result<()> {
        let p = self.prob.x.cols();
        let bad = |value: String, reason: &str| crate::Error::InvalidParam {
            name: "warm start",
            value,
            reason: reason.into(),
        };
        if !intercept.is_finite() {
            return Err(bad(intercept.to_string(), "the intercept must be finite"));
        }
        let mut w = vec![0.0; p];
        for &(j, v) in weights {
            if j as usize >= p || !v.is_finite() {
                return Err(bad(
                    format!("({j}, {v})"),
                    &format!("features below {p}, finite weights"),
                ));
            }
            w[j as usize] = v;
        }
        let nonzero: Vec<(u32, f64)> = weights.iter().copied().filter(|w| w.1 != 0.0).collect();
        self.state.eta = self.prob.x.margins(intercept, &nonzero);
        self.state.b0 = intercept;
        self.state.w = w;
        // The solver keeps every non-zero weight in its working set.
        let features: Vec<u32> = nonzero.iter().map(|&(j, _)| j).collect();
        self.work.working_set.add(&features);
        Ok(())
    }

    /// Fits at `lambda`, starting from the previous solution.
    pub fn fit(&mut self, lambda: f64, params: &ValidParams) -> Result<Fit> {
        check_lambda(lambda)?;
        let out = solve(
            &self.prob,
            lambda,
            &mut self.state,
            &mut self.work,
            &[],
            params,
        );
        Ok(Fit::assemble(
            &self.prob,
            lambda,
            params.alpha(),
            &self.state,
            &self.work.working_set.features,
            &out,
            &mut self.identical,
        ))
    }
}

/// Fits at one `lambda` from w = 0; see the module docs for the method and the
/// certificate in [`Fit::rel_gap`].
///
/// `lambda = 0` (plain logistic regression) is accepted but has no
/// certificate (the dual then needs `X^T theta = 0` exactly): the fit stops
/// when Newton steps no longer move or at `max_iter`, with `converged` false
/// unless the gap closed; on separable data it cannot converge at all.
pub fn fit(
    design: &Design,
    y: &[bool],
    weights: Option<&[f64]>,
    lambda: f64,
    params: &ValidParams,
) -> Result<Fit> {
    check_lambda(lambda)?;
    Solver::new(design, y, weights)?.fit(lambda, params)
}

/// The smallest lambda at which w = 0 is optimal (see the module docs; for
/// alpha = 0, that of alpha = 0.001, where a ridge path starts).
pub fn lambda_max(design: &Design, y: &[bool], weights: Option<&[f64]>, alpha: f64) -> Result<f64> {
    let prob = Problem::new(design, y, weights)?;
    Ok(prob.lambda_max(alpha))
}

/// The objective F(b0, w) of a given solution (for checking one from elsewhere).
pub fn objective(
    design: &Design,
    y: &[bool],
    weights: Option<&[f64]>,
    lambda: f64,
    alpha: f64,
    intercept: f64,
    w: &[(u32, f64)],
) -> Result<f64> {
    let prob = Problem::new(design, y, weights)?;
    let eta = design.margins(intercept, w);
    let pen: f64 = w
        .iter()
        .map(|&(_, v)| lambda * (alpha * v.abs() + 0.5 * (1.0 - alpha) * v * v))
        .sum();
    Ok(loss::loss_at(&prob, &eta) + pen)
}
