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
//! the Elastic Net. Features are used as given (not standardized).
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
//! correction, see `cd/certify.rs`), made feasible the same way, and reports
//! the larger of the two lower bounds.
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

mod cd;
mod cv;
mod design;
mod params;
mod path;
mod shapes;
mod twins;

pub use cd::{Fit, fit, lambda_max, objective};
pub use cv::{CvResult, cross_validate, stratified_folds};
pub use design::Design;
pub use params::{Params, ValidParams};
pub use path::{Path, fit_path, lambda_grid};

/// Warm-started fits for callers that solve many lambdas themselves (benchmarks,
/// custom grids): keeps the iterate and scratch buffers between calls.
pub struct Solver<'a> {
    prob: cd::Problem<'a>,
    state: cd::State,
    work: cd::Work,
    twins: twins::Twins,
}

impl<'a> Solver<'a> {
    /// A solver at w = 0 and the intercept-only fit.
    pub fn new(design: &'a Design, y: &[bool], weights: Option<&[f64]>) -> crate::Result<Self> {
        let prob = cd::Problem::new(design, y, weights)?;
        let state = cd::State::null(&prob);
        let work = cd::Work::new(design.rows(), design.cols());
        Ok(Solver {
            prob,
            state,
            work,
            twins: twins::Twins::default(),
        })
    }

    /// lambda_max for this problem.
    pub fn lambda_max(&self, alpha: f64) -> f64 {
        self.prob.lambda_max(alpha)
    }

    /// Fits at `lambda`, starting from the previous solution.
    pub fn fit(&mut self, lambda: f64, params: &ValidParams) -> crate::Result<Fit> {
        cd::check_lambda(lambda)?;
        let out = cd::solve(
            &self.prob,
            lambda,
            &mut self.state,
            &mut self.work,
            &[],
            params,
        );
        Ok(cd::make_fit(
            &self.prob,
            lambda,
            params.alpha(),
            &self.state,
            &self.work,
            &out,
            &mut self.twins,
        ))
    }
}
