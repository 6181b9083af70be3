//! The model: everything `classify` needs to score a message as `train` would, and
//! everything `words` / `inspect` need to explain it, and nothing else.
//!
//! A [`Model`] holds the analyzer configuration (so classification tokenizes exactly as
//! training did), the row [`Scheme`], the surviving non-zero features (term, weight) sorted
//! by term, the intercept, the penalty (`lambda`, `alpha`), the decision rule (threshold and
//! an optional unsure band) and a [`TrainingSummary`]. Its invariants (terms strictly
//! increasing, weights finite and non-zero, threshold in (0, 1), ...) are checked by
//! [`Model::new`] and again on every load: bytes from disk are never trusted.
//!
//! - this file: the type, its invariants and the decision rule;
//! - [`format`](mod@format): the file's bytes (magic, version, checksum) and atomic saving;
//! - `scorer.rs`: the [`Scorer`], which turns raw mail into a [`Score`];
//! - `summary.rs`: the [`TrainingSummary`] and the date it records.
//!
//! ```
//! use sparsetext::model::{Model, ModelParts, Scorer, TrainingSummary, Verdict};
//!
//! let model = Model::new(ModelParts {
//!     features: vec![("cash".into(), 2.0), ("lunch".into(), -1.5)],
//!     intercept: -0.5,
//!     ..ModelParts::new(TrainingSummary::new(10, 12, "fixed"))
//! })?;
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("spam.model");
//! let bytes = model.save(&path)?;
//! assert_eq!(bytes, std::fs::metadata(&path).unwrap().len());
//! let loaded = Model::load(&path)?;
//! assert_eq!(loaded, model);
//!
//! let scorer = Scorer::new(loaded);
//! let score = scorer.score(b"Subject: hi\r\n\r\ncash cash cash\r\n");
//! assert!(score.p_spam > 0.5);
//! assert_eq!(scorer.model().verdict(score.p_spam), Verdict::Spam);
//! # Ok::<(), sparsetext::Error>(())
//! ```

use std::cmp::Ordering;

use crate::analyze::AnalyzerConfig;
use crate::dataset::Scheme;
use crate::error::{Error, Result};

pub mod format;
mod scorer;
mod summary;
#[cfg(test)]
mod testing;

pub use format::{FORMAT_VERSION, MAGIC};
pub use scorer::{Score, Scorer, logistic};
pub use summary::TrainingSummary;

/// What a [`Model`] is built from: the unchecked parts. [`Model::new`] checks them.
///
/// [`ModelParts::new`] fills in defaults (default analyzer and scheme, no features,
/// intercept 0, lambda 0, alpha 1, threshold 0.5, no unsure band) for struct-update syntax.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelParts {
    /// The analyzer configuration training used.
    pub analyzer: AnalyzerConfig,
    /// The row value scheme training used.
    pub scheme: Scheme,
    /// (term, weight) pairs in any order. Zero weights, and weights too small to survive
    /// rounding to `f32`, are dropped; terms must be distinct and non-empty.
    pub features: Vec<(String, f64)>,
    /// The unpenalized intercept (finite).
    pub intercept: f64,
    /// The penalty strength (finite, >= 0).
    pub lambda: f64,
    /// The Elastic-Net mixing parameter: 1 is the lasso (in (0, 1]).
    pub alpha: f64,
    /// Spam when `p_spam >= threshold` (in (0, 1)).
    pub threshold: f64,
    /// Optional `(low, high)` band of "unsure" probabilities; see [`Model::verdict`].
    pub unsure: Option<(f64, f64)>,
    /// What the terms are: the analyzer's tokens, or bare feature ids.
    pub term_kind: TermKind,
    /// How the model was trained.
    pub summary: TrainingSummary,
}

/// What a model's terms are, and so whether it can score mail.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// Tokens the analyzer makes of mail (from a corpus, or a vocabulary file
    /// written by `vectorize`).
    #[default]
    Tokens,
    /// The feature ids of an svmlight file trained without a vocabulary: the
    /// model scores rows of such files, not mail.
    FeatureIds,
}

impl ModelParts {
    /// Default parts around `summary`; see the type's docs.
    pub fn new(summary: TrainingSummary) -> ModelParts {
        ModelParts {
            analyzer: AnalyzerConfig::default(),
            scheme: Scheme::default(),
            features: Vec::new(),
            intercept: 0.0,
            lambda: 0.0,
            alpha: 1.0,
            threshold: 0.5,
            unsure: None,
            term_kind: TermKind::Tokens,
            summary,
        }
    }
}

/// A trained sparse logistic regression spam filter. See the [module docs](self).
///
/// Fields are private so the invariants checked by [`Model::new`] and [`Model::load`]
/// always hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    analyzer: AnalyzerConfig,
    scheme: Scheme,
    /// Strictly increasing (byte order), non-empty.
    terms: Vec<String>,
    /// Same length as `terms`; finite, non-zero.
    weights: Vec<f32>,
    intercept: f64,
    lambda: f64,
    alpha: f64,
    threshold: f64,
    unsure: Option<(f64, f64)>,
    term_kind: TermKind,
    summary: TrainingSummary,
}

/// A model's decision for one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Spam.
    Spam,
    /// Ham (not spam).
    Ham,
    /// In the unsure band: let a human look.
    Unsure,
}

impl Verdict {
    /// `"spam"`, `"ham"` or `"unsure"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Spam => "spam",
            Verdict::Ham => "ham",
            Verdict::Unsure => "unsure",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A broken model invariant, reported as `invalid {name} = {value}: {reason}`.
#[derive(Debug)]
pub(crate) struct Invalid {
    name: &'static str,
    value: String,
    reason: String,
}

fn invalid(
    name: &'static str,
    value: impl std::fmt::Display,
    reason: impl Into<String>,
) -> Invalid {
    Invalid {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Error {
        Error::InvalidParam {
            name: e.name,
            value: e.value,
            reason: e.reason,
        }
    }
}

/// Checks the decision rule: threshold in (0, 1), unsure band around it.
pub(crate) fn check_decision(threshold: f64, unsure: Option<(f64, f64)>) -> Result<(), Invalid> {
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(invalid("threshold", threshold, "must be in (0, 1)"));
    }
    if let Some((low, high)) = unsure {
        let band = format!("({low}, {high})");
        if !(low > 0.0 && high < 1.0 && low < high) {
            return Err(invalid("unsure", band, "needs 0 < low < high < 1"));
        }
        if !(low <= threshold && threshold <= high) {
            return Err(invalid(
                "unsure",
                band,
                format!("must contain the threshold {threshold}"),
            ));
        }
    }
    Ok(())
}

impl Model {
    /// Checks every invariant.
    fn check(&self) -> Result<(), Invalid> {
        let (terms, weights) = (&self.terms, &self.weights);
        if terms.len() != weights.len() {
            return Err(invalid(
                "features",
                format!("{} terms, {} weights", terms.len(), weights.len()),
                "need one weight per term",
            ));
        }
        for (i, (term, &w)) in terms.iter().zip(weights).enumerate() {
            if term.is_empty() {
                return Err(invalid("term", "\"\"", "terms must not be empty"));
            }
            if i > 0 {
                let prev = &terms[i - 1];
                match prev.cmp(term) {
                    Ordering::Less => {}
                    Ordering::Equal => {
                        return Err(invalid("term", format!("{term:?}"), "duplicate"));
                    }
                    Ordering::Greater => {
                        return Err(invalid(
                            "term",
                            format!("{term:?}"),
                            format!("out of order after {prev:?}"),
                        ));
                    }
                }
            }
            if !w.is_finite() || w == 0.0 {
                return Err(invalid(
                    "weight",
                    w,
                    format!("of {term:?} must be finite and non-zero"),
                ));
            }
        }
        if !self.intercept.is_finite() {
            return Err(invalid("intercept", self.intercept, "must be finite"));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(invalid("lambda", self.lambda, "must be finite and >= 0"));
        }
        if !(self.alpha >= 0.0 && self.alpha <= 1.0) {
            return Err(invalid("alpha", self.alpha, "must be in [0, 1]"));
        }
        check_decision(self.threshold, self.unsure)?;
        let summary = &self.summary;
        if let Some(auc) = summary.cv_auc
            && !(0.0..=1.0).contains(&auc)
        {
            return Err(invalid("cv_auc", auc, "must be in [0, 1]"));
        }
        if let Some(se) = summary.cv_auc_se {
            if !(se.is_finite() && se >= 0.0) {
                return Err(invalid("cv_auc_se", se, "must be finite and >= 0"));
            }
            if summary.cv_auc.is_none() {
                return Err(invalid("cv_auc_se", se, "given without cv_auc"));
            }
        }
        Ok(())
    }
}

impl Model {
    /// Builds a model from its parts, checking every invariant.
    ///
    /// Weights are stored as `f32`; features whose weight is zero after that rounding are
    /// dropped. Features are sorted by term.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the offending part: a duplicate or empty term, a
    /// non-finite weight (or one too large for `f32`), threshold outside (0, 1), an unsure
    /// band not around the threshold, lambda < 0, alpha outside [0, 1], a non-finite
    /// intercept, `cv_auc` outside [0, 1], ...
    pub fn new(parts: ModelParts) -> Result<Model> {
        let mut features: Vec<(String, f32)> = parts
            .features
            .into_iter()
            .map(|(term, w)| (term, w as f32))
            .filter(|&(_, w)| w != 0.0)
            .collect();
        features.sort_by(|a, b| a.0.cmp(&b.0));
        let (terms, weights) = features.into_iter().unzip();
        let model = Model {
            analyzer: parts.analyzer,
            scheme: parts.scheme,
            terms,
            weights,
            intercept: parts.intercept,
            lambda: parts.lambda,
            alpha: parts.alpha,
            threshold: parts.threshold,
            unsure: parts.unsure,
            term_kind: parts.term_kind,
            summary: parts.summary,
        };
        model.check()?;
        Ok(model)
    }

    /// What the terms are: the analyzer's tokens, or bare feature ids.
    pub fn term_kind(&self) -> TermKind {
        self.term_kind
    }

    /// [`Model::load`], and [`Model::check_scores_mail`]: the model of a mail filter.
    ///
    /// # Errors
    /// As both.
    pub fn load_for_mail(path: &std::path::Path) -> Result<Model> {
        let model = Model::load(path)?;
        model.check_scores_mail(path)?;
        Ok(model)
    }

    /// Checks that the model can score mail: its terms are the analyzer's
    /// tokens, not bare feature ids.
    ///
    /// # Errors
    /// [`Error::Model`] naming `path` (where the model came from) otherwise.
    pub fn check_scores_mail(&self, path: &std::path::Path) -> Result<()> {
        match self.term_kind {
            TermKind::Tokens => Ok(()),
            TermKind::FeatureIds => Err(Error::Model {
                path: path.to_path_buf(),
                reason: "its terms are the feature ids of an svmlight file (trained without \
                         --vocab), not words: it cannot score mail; train it with --vocab \
                         VOCAB, or from mail"
                    .into(),
            }),
        }
    }

    /// The analyzer configuration to tokenize with.
    pub fn analyzer(&self) -> &AnalyzerConfig {
        &self.analyzer
    }

    /// The row value scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The features' terms, strictly increasing.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The features' weights, parallel to [`Model::terms`].
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// The number of features (non-zero weights).
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True for an intercept-only model.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The index of `term` among the features, by binary search.
    pub fn feature_index(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.as_str().cmp(term)).ok()
    }

    /// The weight of `term`, if it is a feature.
    pub fn weight(&self, term: &str) -> Option<f32> {
        self.feature_index(term).map(|i| self.weights[i])
    }

    /// The intercept.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The penalty strength the model was fitted at.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The Elastic-Net mixing parameter (1 = lasso).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// The penalty's L1 weight in the (lambda1, lambda2) form, mean loss
    /// `+ l1 ||w||_1 + l2 ||w||_2^2`: `lambda alpha`.
    pub fn l1(&self) -> f64 {
        self.lambda * self.alpha
    }
    /// The penalty's L2 weight in the (lambda1, lambda2) form (no 1/2 on the
    /// square): `lambda (1 - alpha) / 2`.
    pub fn l2(&self) -> f64 {
        0.5 * self.lambda * (1.0 - self.alpha)
    }

    /// Spam when `p_spam >= threshold`.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The unsure band `(low, high)`, if any.
    pub fn unsure(&self) -> Option<(f64, f64)> {
        self.unsure
    }

    /// How the model was trained.
    pub fn summary(&self) -> &TrainingSummary {
        &self.summary
    }

    /// Replaces the decision rule (e.g. `classify --unsure`, or `train --threshold`).
    ///
    /// # Errors
    /// [`Error::InvalidParam`] when `threshold` is outside (0, 1) or the band is not
    /// `0 < low <= threshold <= high < 1` with `low < high`; the model is then unchanged.
    pub fn set_decision(&mut self, threshold: f64, unsure: Option<(f64, f64)>) -> Result<()> {
        check_decision(threshold, unsure)?;
        self.threshold = threshold;
        self.unsure = unsure;
        Ok(())
    }

    /// The verdict for a spam probability. Without an unsure band: spam when
    /// `p_spam >= threshold`, else ham. With a band `(low, high)` (which always contains the
    /// threshold): ham below `low`, spam at or above `high`, unsure in between. The threshold
    /// alone is what two-way measures such as [`crate::metrics::Confusion`] should use.
    pub fn verdict(&self, p_spam: f64) -> Verdict {
        match self.unsure {
            Some((low, _)) if p_spam < low => Verdict::Ham,
            Some((_, high)) if p_spam >= high => Verdict::Spam,
            Some(_) => Verdict::Unsure,
            None if p_spam >= self.threshold => Verdict::Spam,
            None => Verdict::Ham,
        }
    }

    /// The features ordered by weight, descending: strongest spam evidence first, strongest
    /// ham evidence last; ties by term.
    pub fn words(&self) -> Vec<(&str, f32)> {
        let mut words: Vec<(&str, f32)> = self
            .terms
            .iter()
            .map(String::as_str)
            .zip(self.weights.iter().copied())
            .collect();
        words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        words
    }

    /// A JSON summary for `sparsetext inspect --json`, with keys `format_version`,
    /// `analyzer`, `scheme`, `lambda`, `alpha`, `l1`, `l2` (the same penalty as
    /// [`Model::l1`] and [`Model::l2`] give it), `intercept`, `threshold`, `unsure` (`null` or
    /// `[low, high]`), `term_kind` (`tokens` or `feature_ids`), `features` (their count) and
    /// `summary`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "format_version": FORMAT_VERSION,
            "analyzer": &self.analyzer,
            "scheme": &self.scheme,
            "lambda": self.lambda,
            "alpha": self.alpha,
            "l1": self.l1(),
            "l2": self.l2(),
            "intercept": self.intercept,
            "threshold": self.threshold,
            "unsure": self.unsure,
            "term_kind": self.term_kind,
            "features": self.terms.len(),
            "summary": &self.summary,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{scheme, summary, tiny};
    use super::*;
    use crate::dataset::Weighting;

    #[test]
    fn new_sorts_features_and_drops_zeros() {
        let model = Model::new(ModelParts {
            features: vec![
                ("zebra".into(), 1.0),
                ("apple".into(), -2.0),
                ("gone".into(), 0.0),
                ("tiny".into(), 1e-50), // rounds to 0 as f32
                ("mango".into(), 0.1),
            ],
            ..ModelParts::new(summary())
        })
        .unwrap();
        assert_eq!(model.terms(), ["apple", "mango", "zebra"]);
        assert_eq!(model.weights(), [-2.0, 0.1f32, 1.0]);
        assert_eq!(model.len(), 3);
        assert_eq!(model.weight("mango"), Some(0.1));
        assert_eq!(model.weight("gone"), None);
        assert_eq!(
            model.words(),
            [("zebra", 1.0), ("mango", 0.1f32), ("apple", -2.0)]
        );
    }

    #[test]
    fn new_rejects_broken_parts() {
        let base = || ModelParts::new(summary());
        let f = |t: &str, w: f64| vec![(t.to_owned(), w)];
        let cases: Vec<(&str, ModelParts)> = vec![
            (
                "term",
                ModelParts {
                    features: vec![("a".into(), 1.0), ("a".into(), 2.0)],
                    ..base()
                },
            ),
            (
                "term",
                ModelParts {
                    features: f("", 1.0),
                    ..base()
                },
            ),
            (
                "weight",
                ModelParts {
                    features: f("a", f64::NAN),
                    ..base()
                },
            ),
            (
                "weight",
                ModelParts {
                    features: f("a", 1e39), // overflows f32
                    ..base()
                },
            ),
            (
                "intercept",
                ModelParts {
                    intercept: f64::INFINITY,
                    ..base()
                },
            ),
            (
                "lambda",
                ModelParts {
                    lambda: -1.0,
                    ..base()
                },
            ),
            (
                "lambda",
                ModelParts {
                    lambda: f64::NAN,
                    ..base()
                },
            ),
            (
                "alpha",
                ModelParts {
                    alpha: -0.1,
                    ..base()
                },
            ),
            (
                "alpha",
                ModelParts {
                    alpha: 1.5,
                    ..base()
                },
            ),
            (
                "threshold",
                ModelParts {
                    threshold: 1.0,
                    ..base()
                },
            ),
            (
                "threshold",
                ModelParts {
                    threshold: f64::NAN,
                    ..base()
                },
            ),
            (
                "unsure",
                ModelParts {
                    unsure: Some((0.6, 0.9)), // threshold 0.5 outside
                    ..base()
                },
            ),
            (
                "unsure",
                ModelParts {
                    unsure: Some((0.5, 0.5)),
                    ..base()
                },
            ),
            (
                "unsure",
                ModelParts {
                    unsure: Some((0.0, 0.9)),
                    ..base()
                },
            ),
            (
                "cv_auc",
                ModelParts {
                    summary: TrainingSummary {
                        cv_auc: Some(1.5),
                        ..summary()
                    },
                    ..base()
                },
            ),
            (
                "cv_auc_se",
                ModelParts {
                    summary: TrainingSummary {
                        cv_auc: None,
                        ..summary()
                    },
                    ..base()
                },
            ),
        ];
        for (expected, parts) in cases {
            let dbg = format!("{parts:?}");
            match Model::new(parts) {
                Err(Error::InvalidParam { name, .. }) => assert_eq!(name, expected, "{dbg}"),
                other => panic!("{dbg}: expected InvalidParam {expected}, got {other:?}"),
            }
        }
    }

    #[test]
    fn set_decision_checks_and_keeps_model_on_error() {
        let mut model = tiny(Scheme::default());
        assert!(model.set_decision(0.0, None).is_err());
        assert!(model.set_decision(0.5, Some((0.6, 0.7))).is_err());
        assert_eq!((model.threshold(), model.unsure()), (0.6, Some((0.4, 0.8))));
        model.set_decision(0.3, None).unwrap();
        assert_eq!((model.threshold(), model.unsure()), (0.3, None));
    }

    #[test]
    fn verdicts() {
        let mut model = tiny(Scheme::default());
        // Band (0.4, 0.8): ham below 0.4, spam from 0.8, unsure between.
        assert_eq!(model.verdict(0.399), Verdict::Ham);
        assert_eq!(model.verdict(0.4), Verdict::Unsure);
        assert_eq!(model.verdict(0.7999), Verdict::Unsure);
        assert_eq!(model.verdict(0.8), Verdict::Spam);
        model.set_decision(0.6, None).unwrap();
        assert_eq!(model.verdict(0.5999), Verdict::Ham);
        assert_eq!(model.verdict(0.6), Verdict::Spam);
        assert_eq!(Verdict::Unsure.to_string(), "unsure");
    }

    #[test]
    fn json_has_the_inspect_keys() {
        let model = tiny(scheme(Weighting::Counts, true));
        let json = model.to_json();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "format_version",
            "analyzer",
            "scheme",
            "lambda",
            "alpha",
            "l1",
            "l2",
            "intercept",
            "threshold",
            "unsure",
            "term_kind",
            "features",
            "summary",
        ];
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(json["features"], 3);
        assert_eq!(json["format_version"], FORMAT_VERSION);
        assert_eq!(json["unsure"], serde_json::json!([0.4, 0.8]));
        // Whatever serde shape the scheme and analyzer config have, the same one here.
        assert_eq!(
            json["scheme"],
            serde_json::to_value(model.scheme()).unwrap()
        );
        assert_eq!(
            json["analyzer"],
            serde_json::to_value(model.analyzer()).unwrap()
        );
        assert_eq!(json["summary"]["cv_auc"], 0.97);
        assert_eq!(json["summary"]["lambda_rule"], "lambda_1se of 10-fold CV");
    }
}
