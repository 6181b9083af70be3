//! Solver parameters: [`Params`] (unchecked, consuming setters) and
//! [`ValidParams`] (checked by [`Params::check`]); the solvers take only the latter.
//!
//! | Name | Default | Purpose | Range |
//! |---|---|---|---|
//! | `alpha` | 1.0 | Elastic-Net mixing: 1 is the lasso, smaller adds a ridge part `(1 - alpha)/2 ‖w‖²`, 0 is ridge | [0, 1] |
//! | `tol` | 1e-6 | Stop when the duality gap is at most `tol` times the dual objective, which certifies `(F - F*) / F* <= tol` | (0, 1) |
//! | `max_iter` | 1000 | Newton (outer) steps allowed per lambda; a fit that reaches it is returned with `converged = false` | >= 1 |
//! | `nlambda` | 100 | Number of lambdas on the path | >= 1 |
//! | `lambda_min_ratio` | auto | Smallest lambda on the path as a fraction of lambda_max; auto is 1e-4 when N > p, else 1e-2 (glmnet's choice) | (0, 1) |
//! | `fdev` | 1e-5 | Path stops once the deviance explained grows by less than `fdev` times itself from one lambda to the next (glmnet's `fdev`); 0 never stops | [0, 1) |
//! | `max_dev_explained` | 0.999 | Path stops (with a warning: the data are nearly separable) once this fraction of the null deviance is explained (glmnet's `devmax`) | (0, 1] |
//!
//! ```
//! use sparsetext::solver::Params;
//! let params = Params::new().alpha(0.5).tol(1e-8).check()?;
//! assert_eq!(params.alpha(), 0.5);
//! assert!(Params::new().alpha(-0.1).check().is_err());
//! Ok::<(), sparsetext::Error>(())
//! ```

use crate::error::{Error, Result};

/// Unchecked solver parameters; see the module docs for the table of defaults and ranges.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    alpha: f64,
    tol: f64,
    max_iter: usize,
    nlambda: usize,
    lambda_min_ratio: Option<f64>,
    fdev: f64,
    max_dev_explained: f64,
}

/// Parameters that passed [`Params::check`].
#[derive(Clone, Debug, PartialEq)]
pub struct ValidParams(Params);

impl Default for Params {
    fn default() -> Self {
        Params {
            alpha: 1.0,
            tol: 1e-6,
            max_iter: 1000,
            nlambda: 100,
            lambda_min_ratio: None,
            fdev: 1e-5,
            max_dev_explained: 0.999,
        }
    }
}

impl Params {
    /// The defaults.
    pub fn new() -> Params {
        Params::default()
    }
    /// Elastic-Net mixing, in [0, 1]; 1 is the lasso, 0 ridge.
    pub fn alpha(mut self, alpha: f64) -> Params {
        self.alpha = alpha;
        self
    }
    /// Relative duality-gap tolerance, in (0, 1).
    pub fn tol(mut self, tol: f64) -> Params {
        self.tol = tol;
        self
    }
    /// Newton steps allowed per lambda, >= 1.
    pub fn max_iter(mut self, max_iter: usize) -> Params {
        self.max_iter = max_iter;
        self
    }
    /// Number of lambdas on the path, >= 1.
    pub fn nlambda(mut self, nlambda: usize) -> Params {
        self.nlambda = nlambda;
        self
    }
    /// Smallest path lambda over lambda_max, in (0, 1); `None` picks 1e-4 if N > p, else 1e-2.
    pub fn lambda_min_ratio(mut self, ratio: Option<f64>) -> Params {
        self.lambda_min_ratio = ratio;
        self
    }
    /// Path early stop on stalled deviance explained, in [0, 1).
    pub fn fdev(mut self, fdev: f64) -> Params {
        self.fdev = fdev;
        self
    }
    /// Path early stop on (nearly) saturated fits, in (0, 1].
    pub fn max_dev_explained(mut self, max: f64) -> Params {
        self.max_dev_explained = max;
        self
    }

    /// Checks every parameter against its range.
    pub fn check(self) -> Result<ValidParams> {
        fn bad(name: &'static str, value: impl ToString, reason: &str) -> Result<ValidParams> {
            Err(Error::InvalidParam {
                name,
                value: value.to_string(),
                reason: reason.to_string(),
            })
        }
        let p = &self;
        if !(p.alpha >= 0.0 && p.alpha <= 1.0) {
            return bad("alpha", p.alpha, "must be in [0, 1]");
        }
        if !(p.tol > 0.0 && p.tol < 1.0) {
            return bad("tol", p.tol, "must be in (0, 1)");
        }
        if p.max_iter < 1 {
            return bad("max_iter", p.max_iter, "must be at least 1");
        }
        if p.nlambda < 1 {
            return bad("nlambda", p.nlambda, "must be at least 1");
        }
        if let Some(r) = p.lambda_min_ratio
            && !(r > 0.0 && r < 1.0)
        {
            return bad("lambda_min_ratio", r, "must be in (0, 1)");
        }
        if !(p.fdev >= 0.0 && p.fdev < 1.0) {
            return bad("fdev", p.fdev, "must be in [0, 1)");
        }
        if !(p.max_dev_explained > 0.0 && p.max_dev_explained <= 1.0) {
            return bad(
                "max_dev_explained",
                p.max_dev_explained,
                "must be in (0, 1]",
            );
        }
        Ok(ValidParams(self))
    }
}

impl ValidParams {
    /// Elastic-Net mixing.
    pub fn alpha(&self) -> f64 {
        self.0.alpha
    }
    /// Relative duality-gap tolerance.
    pub fn tol(&self) -> f64 {
        self.0.tol
    }
    /// Newton steps allowed per lambda.
    pub fn max_iter(&self) -> usize {
        self.0.max_iter
    }
    /// Number of lambdas on the path.
    pub fn nlambda(&self) -> usize {
        self.0.nlambda
    }
    /// The path's smallest lambda over lambda_max for a problem with `n` rows and `p` features.
    pub fn lambda_min_ratio(&self, n: usize, p: usize) -> f64 {
        self.0
            .lambda_min_ratio
            .unwrap_or(if n > p { 1e-4 } else { 1e-2 })
    }
    /// Path early stop on stalled deviance explained.
    pub fn fdev(&self) -> f64 {
        self.0.fdev
    }
    /// Path early stop on saturated fits.
    pub fn max_dev_explained(&self) -> f64 {
        self.0.max_dev_explained
    }
    /// The unchecked parameters back, to change one and check again.
    pub fn into_params(self) -> Params {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_pass() {
        let p = Params::new().check().unwrap();
        assert_eq!(p.alpha(), 1.0);
        assert_eq!(p.tol(), 1e-6);
        assert_eq!(p.nlambda(), 100);
        assert_eq!(p.lambda_min_ratio(10, 5), 1e-4);
        assert_eq!(p.lambda_min_ratio(5, 10), 1e-2);
    }

    #[test]
    fn out_of_range_is_a_typed_error() {
        let cases = [
            Params::new().alpha(-0.1),
            Params::new().alpha(1.5),
            Params::new().alpha(f64::NAN),
            Params::new().tol(0.0),
            Params::new().tol(1.0),
            Params::new().max_iter(0),
            Params::new().nlambda(0),
            Params::new().lambda_min_ratio(Some(1.0)),
            Params::new().lambda_min_ratio(Some(0.0)),
            Params::new().fdev(-1.0),
            Params::new().max_dev_explained(0.0),
        ];
        for params in cases {
            match params.clone().check() {
                Err(Error::InvalidParam { .. }) => {}
                other => panic!("{params:?} gave {other:?}"),
            }
        }
    }
}
