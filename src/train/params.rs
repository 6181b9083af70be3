//! Training parameters: [`TrainParams`] (unchecked, consuming setters) and
//! [`ValidTrainParams`] (checked by [`TrainParams::check`]); training takes only the latter.

use super::DecisionRule;
use crate::analyze::AnalyzerConfig;
use crate::dataset::Scheme;
use crate::error::Result;
use crate::solver::{Params, ValidParams};

/// Default Elastic-Net mixing: the densest alpha whose model of the public corpus stays under
/// 64 KB; denser models held up better on mail from a later period (docs/defaults.md).
pub const DEFAULT_ALPHA: f64 = 0.2;
/// Default folds of the cross-validation (glmnet's `nfolds`).
pub const DEFAULT_FOLDS: usize = 10;
/// Default seed of the folds.
pub const DEFAULT_SEED: u64 = 1;
/// Default number of lambdas on the path (glmnet's `nlambda`).
pub const DEFAULT_NLAMBDA: usize = 100;
/// Default smallest lambda on the path over lambda_max. glmnet stops at 1e-2 when words
/// outnumber messages, but on mail the best lambda lies below that.
pub const DEFAULT_LAMBDA_MIN_RATIO: f64 = 1e-5;
/// Default relative suboptimality certified at each lambda.
pub const DEFAULT_TOL: f64 = 1e-6;
/// Default least number of messages a term must be found in.
pub const DEFAULT_MIN_DF: u32 = 2;

/// Which lambda the cross-validation picks (glmnet: R/getmin.R).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rule {
    /// The lambda of least held-out deviance (`lambda_min`).
    #[default]
    Min,
    /// The largest lambda within one standard error of the least deviance (`lambda_1se`).
    OneSe,
}

/// Unchecked training parameters, with consuming setters. [`TrainParams::check`] makes them
/// [`ValidTrainParams`].
///
/// | Name | Default | Purpose | Range |
/// |---|---|---|---|
/// | `analyzer` | [`AnalyzerConfig::default`] | How mail becomes tokens; the model keeps it, so `classify` tokenizes as training did | [`AnalyzerConfig::check`] |
/// | `min_df` | 2 | Keep terms found in at least this many messages (mail only) | any |
/// | `scheme` | binary, rows not normalized | How counts become matrix values; the model keeps it | any |
/// | `alpha` | 0.2 | Elastic-Net mixing: 1 is the lasso, smaller adds a ridge part, 0 is ridge | [0, 1] |
/// | `lambda` | none: cross-validate | Fit this lambda instead of choosing one | finite, >= 0 |
/// | `folds` | 10 | Folds of the cross-validation | >= 2; <= messages (checked when training) |
/// | `rule` | [`Rule::Min`] | Which lambda the cross-validation picks | |
/// | `seed` | 1 | Seed of the stratified folds | any |
/// | `nlambda` | 100 | Lambdas on the path | >= 1 |
/// | `lambda_min_ratio` | 1e-5 | Smallest lambda on the path over lambda_max: glmnet's 1e-2 for more words than messages stops above the best lambda on mail | (0, 1) |
/// | `tol` | 1e-6 | Relative suboptimality certified by the duality gap at each lambda | (0, 1) |
/// | `decision` | [`DecisionRule::OutOfFold`], 0.25% of ham, 1% of spam | The threshold and unsure band: read off out-of-fold probabilities, or given | targets in [0, 0.5); a given band contains the threshold |
/// | `date` | now | Unix seconds the model records as its training date: a reproducible build's `SOURCE_DATE_EPOCH` | any |
///
#[derive(Clone, Debug, PartialEq)]
pub struct TrainParams {
    analyzer: AnalyzerConfig,
    min_df: u32,
    scheme: Scheme,
    alpha: f64,
    lambda: Option<f64>,
    folds: usize,
    rule: Rule,
    seed: u64,
    nlambda: usize,
    lambda_min_ratio: f64,
    tol: f64,
    date: Option<u64>,
    decision: DecisionRule,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            analyzer: AnalyzerConfig::default(),
            min_df: DEFAULT_MIN_DF,
            scheme: Scheme::default(),
            alpha: DEFAULT_ALPHA,
            lambda: None,
            folds: DEFAULT_FOLDS,
            rule: Rule::Min,
            seed: DEFAULT_SEED,
            nlambda: DEFAULT_NLAMBDA,
            lambda_min_ratio: DEFAULT_LAMBDA_MIN_RATIO,
            tol: DEFAULT_TOL,
            date: None,
            decision: DecisionRule::default(),
        }
    }
}

impl TrainParams {
    /// The defaults.
    pub fn new() -> TrainParams {
        TrainParams::default()
    }
    /// How mail becomes tokens.
    pub fn analyzer(mut self, analyzer: AnalyzerConfig) -> TrainParams {
        self.analyzer = analyzer;
        self
    }
    /// Keep terms found in at least `min_df` messages.
    pub fn min_df(mut self, min_df: u32) -> TrainParams {
        self.min_df = min_df;
        self
    }
    /// How counts become matrix values.
    pub fn scheme(mut self, scheme: Scheme) -> TrainParams {
        self.scheme = scheme;
        self
    }
    /// Elastic-Net mixing, in (0, 1]; 1 is the lasso.
    pub fn alpha(mut self, alpha: f64) -> TrainParams {
        self.alpha = alpha;
        self
    }
    /// `Some(lambda)`: fit this lambda; `None`: choose it by cross-validation.
    pub fn lambda(mut self, lambda: Option<f64>) -> TrainParams {
        self.lambda = lambda;
        self
    }
    /// Folds of the cross-validation.
    pub fn folds(mut self, folds: usize) -> TrainParams {
        self.folds = folds;
        self
    }
    /// Which lambda the cross-validation picks.
    pub fn rule(mut self, rule: Rule) -> TrainParams {
        self.rule = rule;
        self
    }
    /// Seed of the cross-validation's folds.
    pub fn seed(mut self, seed: u64) -> TrainParams {
        self.seed = seed;
        self
    }
    /// Lambdas on the path, >= 1.
    pub fn nlambda(mut self, nlambda: usize) -> TrainParams {
        self.nlambda = nlambda;
        self
    }
    /// Smallest lambda on the path over lambda_max, in (0, 1).
    pub fn lambda_min_ratio(mut self, ratio: f64) -> TrainParams {
        self.lambda_min_ratio = ratio;
        self
    }
    /// Relative duality-gap tolerance, in (0, 1).
    pub fn tol(mut self, tol: f64) -> TrainParams {
        self.tol = tol;
        self
    }
    /// `Some(seconds)`: the model records this many seconds after 1970-01-01 UTC as its
    /// training date; `None`: the time training finishes.
    pub fn date(mut self, unix_seconds: Option<u64>) -> TrainParams {
        self.date = unix_seconds;
        self
    }

    /// How the model decides: cuts read off the out-of-fold probabilities, or given.
    pub fn decision(mut self, decision: DecisionRule) -> TrainParams {
        self.decision = decision;
        self
    }

    /// Checks the solver's parameters, then the analyzer's, then the decision rule's.
    ///
    /// # Errors
    /// [`Error::InvalidParam`](crate::Error::InvalidParam) naming the first parameter out of its range.
    pub fn check(self) -> Result<ValidTrainParams> {
        let solver = Params::new()
            .alpha(self.alpha)
            .tol(self.tol)
            .nlambda(self.nlambda)
            .lambda_min_ratio(Some(self.lambda_min_ratio))
            .check()?;
        // Checked before any mail is read; the folds' upper bound (the number of
        // messages) is known only after.
        match self.lambda {
            Some(lambda) => crate::solver::check_lambda(lambda)?,
            None if self.folds < 2 => {
                return Err(crate::Error::InvalidParam {
                    name: "cv",
                    value: self.folds.to_string(),
                    reason: "cross-validation needs at least 2 folds (or give --lambda)".into(),
                });
            }
            None => {}
        }
        self.analyzer.check()?;
        self.decision.check()?;
        Ok(ValidTrainParams {
            params: self,
            solver,
        })
    }
}

/// `(lambda, alpha)` of the penalty `l1 ||w||_1 + l2 ||w||_2^2` (the (lambda1,
/// lambda2) form, no 1/2 on the square): `lambda = l1 + 2 l2`,
/// `alpha = l1 / (l1 + 2 l2)`, so that `lambda (alpha ||w||_1 + (1 - alpha)/2 ||w||_2^2)`
/// is the same penalty; no penalty at all is lambda 0, alpha 1.
///
/// ```
/// let (lambda, alpha) = sparsetext::train::lambda_alpha(0.001, 0.0005)?;
/// assert!((lambda - 0.002).abs() < 1e-15 && (alpha - 0.5).abs() < 1e-12);
/// Ok::<(), sparsetext::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidParam`](crate::Error::InvalidParam) for a weight that is negative or not finite.
pub fn lambda_alpha(l1: f64, l2: f64) -> Result<(f64, f64)> {
    for (name, value) in [("l1", l1), ("l2", l2)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(crate::Error::InvalidParam {
                name,
                value: value.to_string(),
                reason: "must be finite and >= 0".into(),
            });
        }
    }
    let lambda = l1 + 2.0 * l2;
    Ok(if lambda > 0.0 {
        (lambda, (l1 / lambda).min(1.0))
    } else {
        (0.0, 1.0)
    })
}

/// Training parameters that passed [`TrainParams::check`].
#[derive(Clone, Debug, PartialEq)]
pub struct ValidTrainParams {
    params: TrainParams,
    solver: ValidParams,
}

impl ValidTrainParams {
    /// The same parameters with another Elastic-Net mixing, checked.
    ///
    /// # Errors
    /// [`Error::InvalidParam`](crate::Error::InvalidParam) for alpha outside [0, 1].
    pub fn with_alpha(&self, alpha: f64) -> Result<ValidTrainParams> {
        let mut params = self.params.clone();
        params.alpha = alpha;
        params.check()
    }
    /// How mail becomes tokens.
    pub fn analyzer(&self) -> &AnalyzerConfig {
        &self.params.analyzer
    }
    /// The least number of messages a term is found in.
    pub fn min_df(&self) -> u32 {
        self.params.min_df
    }
    /// How counts become matrix values.
    pub fn scheme(&self) -> Scheme {
        self.params.scheme
    }
    /// Elastic-Net mixing.
    pub fn alpha(&self) -> f64 {
        self.params.alpha
    }
    /// The fixed lambda, or `None` to cross-validate.
    pub fn lambda(&self) -> Option<f64> {
        self.params.lambda
    }
    /// Folds of the cross-validation.
    pub fn folds(&self) -> usize {
        self.params.folds
    }
    /// Which lambda the cross-validation picks.
    pub fn rule(&self) -> Rule {
        self.params.rule
    }
    /// Seed of the cross-validation's folds.
    pub fn seed(&self) -> u64 {
        self.params.seed
    }
    /// The training date the model records, in seconds after 1970-01-01 UTC; `None`: now.
    pub fn date(&self) -> Option<u64> {
        self.params.date
    }
    /// How the model decides.
    pub fn decision(&self) -> &DecisionRule {
        &self.params.decision
    }
    /// The solver's parameters.
    pub fn solver(&self) -> &ValidParams {
        &self.solver
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn invalid_name(result: Result<ValidTrainParams>) -> &'static str {
        match result {
            Err(Error::InvalidParam { name, .. }) => name,
            other => panic!("expected InvalidParam, got {other:?}"),
        }
    }

    #[test]
    fn check_names_the_bad_parameter_solver_first() {
        assert_eq!(
            invalid_name(TrainParams::new().alpha(-0.1).check()),
            "alpha"
        );
        assert_eq!(invalid_name(TrainParams::new().tol(1.0).check()), "tol");
        assert_eq!(
            invalid_name(TrainParams::new().nlambda(0).check()),
            "nlambda"
        );
        assert_eq!(
            invalid_name(TrainParams::new().lambda_min_ratio(0.0).check()),
            "lambda_min_ratio"
        );
        let bad_analyzer = AnalyzerConfig {
            min_token_len: 0,
            ..AnalyzerConfig::default()
        };
        let params = TrainParams::new().analyzer(bad_analyzer);
        assert_eq!(invalid_name(params.clone().check()), "min_token_len");
        assert_eq!(invalid_name(params.alpha(2.0).check()), "alpha");
    }

    #[test]
    fn defaults_are_the_tables() {
        let params = TrainParams::new().check().unwrap();
        assert_eq!(params.alpha(), 0.2);
        assert_eq!(params.min_df(), 2);
        assert_eq!(params.folds(), 10);
        assert_eq!(params.rule(), Rule::Min);
        assert_eq!(params.seed(), 1);
        assert_eq!(params.lambda(), None);
        assert_eq!(params.date(), None);
        assert_eq!(params.solver().nlambda(), 100);
        assert_eq!(params.solver().tol(), 1e-6);
        assert_eq!(params.solver().lambda_min_ratio(10, 1000), 1e-5);
    }
}
