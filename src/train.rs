//! Training: labeled mail (or a labeled matrix) -> a sparse logistic regression [`Model`],
//! at a lambda chosen by cross-validation or given.
//!
//! Three steps, so that a caller can report between them:
//!
//! 1. [`TrainParams`] -> [`TrainParams::check`] -> [`ValidTrainParams`];
//! 2. a [`TrainingSet`]: the labeled matrix and its vocabulary, from a [`Corpus`], an
//!    [`Analyzed`] corpus, an svmlight file, or a [`Dataset`] in memory;
//! 3. [`TrainingSet::train`] -> [`Trained`]: the model, the fit at the chosen lambda with its
//!    certificate, the cross-validation that chose it, and warnings.
//!
//! The lambda is chosen as glmnet's `cv.glmnet` does (R/cv.glmnet.R, R/getmin.R): a
//! geometric path from lambda_max down, k stratified folds, and the lambda of least held-out
//! deviance (`lambda_min`) or the largest within one standard error of it (`lambda_1se`).
//! A fixed lambda is reached down a short warm-started path from lambda_max, as glmnet
//! reaches every lambda (Friedman, Hastie and Tibshirani 2010, "Regularization Paths for
//! Generalized Linear Models via Coordinate Descent", section 2.5): each fit starts next to
//! its answer.
//!
//! The model's decision rule, a spam threshold and an unsure band, is given or read off the
//! cross-validation's out-of-fold probabilities ([`DecisionRule`], `train/decision.rs`).
//!
//! The parameters, their defaults and ranges: [`TrainParams`] (`train/params.rs`).
//!
//! # Example
//!
//! ```
//! use sparsetext::corpus::{Corpus, Item, Label};
//! use sparsetext::train::{TrainParams, TrainingSet};
//!
//! let mail = |name: &str, label, text: &str| Item::from_bytes(name, Some(label), text.into());
//! let corpus = Corpus {
//!     items: vec![
//!         mail("1", Label::Spam, "Subject: cash now\n\nWin cash, cheap pills, click now"),
//!         mail("2", Label::Spam, "Subject: cheap pills\n\nCash prizes: click here now"),
//!         mail("3", Label::Ham, "Subject: lunch\n\nLunch at noon? The minutes are attached"),
//!         mail("4", Label::Ham, "Subject: minutes\n\nThe minutes of the lunch meeting"),
//!     ],
//!     ..Corpus::default()
//! };
//! let params = TrainParams::new().min_df(1).lambda(Some(0.01)).check()?;
//! let set = TrainingSet::from_corpus(&corpus, &params)?;
//! assert_eq!(set.class_counts(), (2, 2));
//! let trained = set.train(&params)?;
//! assert!(trained.fit.converged);
//! assert!(trained.model.weight("cash").is_some_and(|w| w > 0.0));
//! Ok::<(), sparsetext::Error>(())
//! ```

use std::path::Path;

use crate::analyze::Analyzer;
use crate::corpus::Corpus;
use crate::dataset::{Dataset, Matrix};
use crate::error::{Error, Result};
use crate::model::{Model, ModelParts, TermKind, TrainingSummary, logistic};
use crate::solver::{self, CvResult, Design, Fit, Solver, ValidParams};
use crate::svmlight;
use crate::vectorize::{self, Analyzed};
use crate::vocab::Vocabulary;

mod columns;
mod decision;
mod params;

pub use columns::Columns;

pub use decision::{DEFAULT_FNR_TARGET, DEFAULT_FPR_TARGET, Decision, DecisionRule};
pub use params::{
    DEFAULT_ALPHA, DEFAULT_FOLDS, DEFAULT_LAMBDA_MIN_RATIO, DEFAULT_MIN_DF, DEFAULT_NLAMBDA,
    DEFAULT_SEED, DEFAULT_TOL, Rule, TrainParams, ValidTrainParams, lambda_alpha,
};

/// How a model whose threshold and band were given names its decision rule in its
/// [`TrainingSummary`].
pub const GIVEN_DECISION_RULE: &str = "given (--threshold, --unsure)";

/// How a model trained at a given lambda names its lambda rule in its [`TrainingSummary`]:
/// the command-line flag that gives it.
const FIXED_LAMBDA_RULE: &str = "fixed (--lambda)";

/// Fits on the way down from lambda_max to a fixed lambda below it, the last at the lambda.
const FIXED_LAMBDA_STEPS: usize = 20;

/// A labeled matrix and the terms of its columns: what a model is trained on.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingSet {
    /// One row per message, one column per term of `vocab`.
    pub data: Dataset,
    /// Column `j`'s term is `vocab.term(j)`.
    pub vocab: Vocabulary,
    /// Files passed over while reading mail (not mail, unreadable, ...).
    pub skipped: usize,
    /// What the vocabulary's terms are: tokens of mail, or bare svmlight feature ids.
    pub term_kind: TermKind,
}

impl TrainingSet {
    /// Reads and tokenizes `corpus` with the parameters' analyzer (in parallel), and builds
    /// the matrix over the terms in at least `min_df` messages.
    ///
    /// # Errors
    /// As [`TrainingSet::from_analyzed`].
    pub fn from_corpus(corpus: &Corpus, params: &ValidTrainParams) -> Result<TrainingSet> {
        let analyzer = Analyzer::new(params.analyzer().clone());
        let analyzed = vectorize::analyze(corpus, &analyzer, &|_| ());
        TrainingSet::from_analyzed(&analyzed, params)
    }

    /// The matrix of a corpus already tokenized, with the parameters' analyzer, over the
    /// terms in at least `min_df` messages.
    ///
    /// # Errors
    /// [`Error::Training`] without mail, or without both classes; [`Error::Corpus`] naming
    /// an unlabeled message.
    pub fn from_analyzed(analyzed: &Analyzed, params: &ValidTrainParams) -> Result<TrainingSet> {
        let (data, vocab) = analyzed.to_dataset(params.min_df(), params.scheme())?;
        TrainingSet {
            data,
            vocab,
            skipped: analyzed.skipped.len(),
            term_kind: TermKind::Tokens,
        }
        .with_both_classes()
    }

    /// An svmlight/libsvm file (labels +1/-1 or 1/0) and, optionally, its vocabulary (one
    /// term per line, line N the term of feature N), over the features in at least
    /// `min_df` messages. Without a vocabulary, a feature's term is its id as written in the
    /// file. Values are taken as written: the parameters' scheme is not applied. The matrix
    /// has a column per feature kept, whatever the largest id (see [`svmlight`]).
    ///
    /// # Errors
    /// [`Error::Io`] or [`Error::Svmlight`] reading the file; [`Error::Corpus`] when the
    /// vocabulary has no line for the file's largest feature id; as [`TrainingSet::new`].
    pub fn from_svmlight(
        matrix: &Path,
        vocab: Option<&Path>,
        params: &ValidTrainParams,
    ) -> Result<TrainingSet> {
        let file = svmlight::read(matrix)?;
        let term_kind = match vocab {
            Some(_) => TermKind::Tokens,
            None => TermKind::FeatureIds,
        };
        let vocab = match vocab {
            Some(vocab_path) => {
                let vocab = Vocabulary::read(vocab_path)?;
                let needed = u64::from(file.max_id - file.first_id) + 1;
                if (vocab.len() as u64) < needed {
                    return Err(Error::Corpus {
                        path: vocab_path.to_path_buf(),
                        reason: format!(
                            "{} terms, but {} uses feature ids up to {} ({needed} terms needed)",
                            vocab.len(),
                            matrix.display(),
                            file.max_id,
                        ),
                    });
                }
                Some(vocab)
            }
            None => None,
        };
        let mut data = Dataset {
            x: file.x,
            y: file.y,
        };
        let kept = data.keep_columns_in(params.min_df());
        let ids = kept.iter().map(|&c| file.ids[c]);
        // Distinct ids give distinct terms (a vocabulary file's are checked on reading),
        // so the term index is left to a lookup, which training never makes.
        let terms = match vocab {
            Some(vocab) => ids
                .map(|id| vocab.term(id - file.first_id).to_string())
                .collect(),
            None => ids.map(|id| id.to_string()).collect(),
        };
        let vocab = Vocabulary::from_distinct(terms, vec![0; kept.len()]);
        let mut set = TrainingSet::new(data, vocab)?;
        set.term_kind = term_kind;
        Ok(set)
    }

    /// A matrix in memory and the terms of its columns. A vocabulary may be wider than the
    /// matrix (terms that no message has): the matrix is widened to it.
    ///
    /// # Errors
    /// [`Error::Training`] when the vocabulary has fewer terms than the matrix has columns,
    /// or without both classes.
    pub fn new(data: Dataset, vocab: Vocabulary) -> Result<TrainingSet> {
        if vocab.len() < data.x.cols() {
            return Err(Error::Training(format!(
                "{} terms for a matrix of {} columns",
                vocab.len(),
                data.x.cols()
            )));
        }
        let rows = data.x.rows();
        let (indptr, indices, values) = data.x.into_raw_storage();
        let x = Matrix::new((rows, vocab.len()), indptr, indices, values);
        TrainingSet {
            data: Dataset { x, y: data.y },
            vocab,
            skipped: 0,
            term_kind: TermKind::Tokens,
        }
        .with_both_classes()
    }

    /// Messages labeled spam and ham.
    pub fn class_counts(&self) -> (usize, usize) {
        self.data.class_counts()
    }

    fn with_both_classes(self) -> Result<TrainingSet> {
        let (spam, ham) = self.class_counts();
        if spam == 0 || ham == 0 {
            return Err(no_second_class(spam, ham));
        }
        Ok(self)
    }

    /// Fits the model: at the fixed lambda, or along the path with cross-validation choosing
    /// the lambda; see the [module docs](self).
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for a fixed lambda that is negative or not finite, or more
    /// folds than messages.
    pub fn train(&self, params: &ValidTrainParams) -> Result<Trained> {
        self.train_from(params, None)
    }

    /// As [`TrainingSet::train`]; with a fixed lambda and a model `start`, the fit starts
    /// from the model's weights (its terms that are columns here) instead of coming down a
    /// path from lambda_max: a refit on a little more or less mail is next to its answer.
    /// The new model names its lambda and decision rules as `start` did.
    ///
    /// # Errors
    /// As [`TrainingSet::train`].
    pub fn train_from(&self, params: &ValidTrainParams, start: Option<&Model>) -> Result<Trained> {
        let design = Design::from_csr(&self.data.x)?;
        train_on(
            &design,
            &self.data.y,
            &self.vocab,
            self.term_kind,
            params,
            start,
            &|_, _| (),
        )
    }

    /// As [`TrainingSet::train`], with the matrix dropped as soon as the solver's column
    /// copy is built ([`Columns::from_set`]); `on_lambda` as in [`Columns::train`].
    ///
    /// # Errors
    /// As [`TrainingSet::train`].
    pub fn into_trained(
        self,
        params: &ValidTrainParams,
        on_lambda: &dyn Fn(usize, usize),
    ) -> Result<Trained> {
        Columns::from_set(self)?.train(params, on_lambda)
    }
}

/// The error of a training set without both classes.
fn no_second_class(spam: usize, ham: usize) -> Error {
    Error::Training(format!(
        "need both classes to train, found {spam} spam and {ham} ham message(s)"
    ))
}

/// Fits a model on `design` (the columns of the matrix) with labels `y` and the terms of
/// `vocab`; see [`TrainingSet::train_from`].
fn train_on(
    design: &Design,
    y: &[bool],
    vocab: &Vocabulary,
    term_kind: TermKind,
    params: &ValidTrainParams,
    start: Option<&Model>,
    on_lambda: &dyn Fn(usize, usize),
) -> Result<Trained> {
    let mut warnings = Vec::new();
    let mut way_down = Vec::new();
    let (fit, lambda_rule, cv) = match (params.lambda(), start) {
        (Some(lambda), Some(start)) => {
            let mut solver = Solver::new(design, y, None)?;
            let weights: Vec<(u32, f64)> = (start.terms().iter().zip(start.weights()))
                .filter_map(|(term, &w)| Some((vocab.id(term)?, f64::from(w))))
                .collect();
            solver.warm_start(start.intercept(), &weights)?;
            (
                solver.fit(lambda, params.solver())?,
                start.summary().lambda_rule.clone(),
                None,
            )
        }
        (Some(lambda), None) => {
            way_down = fit_fixed(design, y, lambda, params.solver(), on_lambda)?;
            let fit = way_down
                .last()
                .expect("the way down ends at lambda")
                .clone();
            (fit, FIXED_LAMBDA_RULE.to_string(), None)
        }
        (None, _) => {
            let folds = params.folds();
            let seed = params.seed();
            let result = solver::cross_validate(design, y, None, folds, seed, params.solver())?;
            let (index, lambda_rule) = match params.rule() {
                Rule::OneSe => (result.index_1se, format!("lambda_1se of {folds}-fold CV")),
                Rule::Min => (result.index_min, format!("lambda_min of {folds}-fold CV")),
            };
            warnings.extend(result.path.warning.clone());
            let fit = result.path.fits[index].clone();
            (fit, lambda_rule, Some(CvChoice { result, index }))
        }
    };
    warnings.extend(fit.warnings.iter().cloned());
    if fit.weights.is_empty() {
        warnings.push(
            "no word was kept: the model gives every message the training set's spam \
             rate (identical messages, or lambda too large)"
                .into(),
        );
    }

    let decision = match (*params.decision(), &cv) {
        (DecisionRule::Given { threshold, unsure }, _) => Decision {
            threshold,
            unsure,
            rule: GIVEN_DECISION_RULE.into(),
        },
        (
            DecisionRule::OutOfFold {
                fpr_target,
                fnr_target,
            },
            Some(CvChoice { result, index }),
        ) => {
            let p: Vec<f64> = (result.out_of_fold_margins(design, *index).iter())
                .map(|&m| logistic(m))
                .collect();
            decision::out_of_fold(&p, y, fpr_target, fnr_target)
        }
        (DecisionRule::OutOfFold { .. }, None) => Decision {
            threshold: 0.5,
            unsure: None,
            rule: "0.5: a fixed lambda has no out-of-fold probabilities".into(),
        },
    };

    let spam = y.iter().filter(|&&s| s).count();
    let ham = y.len() - spam;
    let mut summary = TrainingSummary::new(spam as u64, ham as u64, &lambda_rule);
    summary.decision_rule = match start {
        Some(start) if matches!(params.decision(), DecisionRule::Given { .. }) => {
            start.summary().decision_rule.clone()
        }
        _ => decision.rule,
    };
    if let Some(unix_seconds) = params.date() {
        summary = summary.dated_at(unix_seconds);
    }
    if let Some(CvChoice { result, index }) = &cv {
        summary.cv_auc = Some(result.auc_mean[*index]).filter(|a| a.is_finite());
        summary.cv_auc_se = Some(result.auc_se[*index]).filter(|a| a.is_finite());
    }
    let model = Model::new(ModelParts {
        analyzer: params.analyzer().clone(),
        scheme: params.scheme(),
        features: fit
            .weights
            .iter()
            .map(|&(j, w)| (vocab.term(j).to_string(), w))
            .collect(),
        intercept: fit.intercept,
        lambda: fit.lambda,
        alpha: params.alpha(),
        threshold: decision.threshold,
        unsure: decision.unsure,
        term_kind,
        ..ModelParts::new(summary)
    })?;
    Ok(Trained {
        model,
        fit,
        cv,
        way_down,
        warnings,
    })
}

/// What training gives: the model, and what a report of the training needs.
#[derive(Clone, Debug)]
pub struct Trained {
    /// The model, deciding as the [`DecisionRule`] chose.
    pub model: Model,
    /// The fit at the chosen lambda: its certificate ([`Fit::rel_gap`], [`Fit::kkt`],
    /// [`Fit::converged`]) and its weights by column (which the model keeps by term, those
    /// that survive rounding to `f32`).
    pub fit: Fit,
    /// The cross-validation that chose lambda; `None` for a fixed lambda.
    pub cv: Option<CvChoice>,
    /// For a fixed lambda, the fits from lambda_max down to it, the last one `fit`; empty
    /// with cross-validation (whose path is `cv`'s) or a warm start.
    pub way_down: Vec<Fit>,
    /// What the user should know about the fit: a path stopped early on nearly separable
    /// data, a fit without a unique answer, a model without words.
    pub warnings: Vec<String>,
}

impl Trained {
    /// The fitted path, lambdas decreasing: the cross-validation's path on all the data,
    /// or the way down to a fixed lambda, or the one warm-started fit.
    pub fn path(&self) -> &[Fit] {
        match (&self.cv, self.way_down.is_empty()) {
            (Some(cv), _) => &cv.result.path.fits,
            (None, false) => &self.way_down,
            (None, true) => std::slice::from_ref(&self.fit),
        }
    }

    /// The chosen lambda's index on [`Trained::path`].
    pub fn chosen(&self) -> usize {
        self.cv
            .as_ref()
            .map_or(self.path().len() - 1, |cv| cv.index)
    }
}

/// The cross-validation that chose the lambda.
#[derive(Clone, Debug)]
pub struct CvChoice {
    /// Held-out deviance and AUC along the path, `lambda_min` and `lambda_1se`.
    pub result: CvResult,
    /// The chosen lambda's index on the path (`result.lambdas`, `result.path.fits`).
    pub index: usize,
}

/// Fits `lambda`, warm-started down a geometric path of [`FIXED_LAMBDA_STEPS`] lambdas
/// from lambda_max (a lambda at or above lambda_max is fitted at once: its weights are 0).
/// Returns every fit on the way, the first at lambda_max (where every weight is 0, so a
/// drawn path starts from nothing), the last at `lambda`.
fn fit_fixed(
    design: &Design,
    y: &[bool],
    lambda: f64,
    params: &ValidParams,
    on_lambda: &dyn Fn(usize, usize),
) -> Result<Vec<Fit>> {
    let mut solver = Solver::new(design, y, None)?;
    let lambda_max = solver.lambda_max(params.alpha());
    let steps = if lambda < lambda_max {
        FIXED_LAMBDA_STEPS
    } else {
        0
    };
    // The way down: lambda_max^(1 - t) lambda^t at t = k / steps, then the lambda itself.
    let mut fits = Vec::with_capacity(steps + 1);
    for k in 0..steps {
        on_lambda(k, steps);
        let t = k as f64 / steps as f64;
        fits.push(solver.fit(lambda_max.powf(1.0 - t) * lambda.powf(t), params)?);
    }
    on_lambda(steps, steps);
    fits.push(solver.fit(lambda, params)?);
    Ok(fits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{Item, Label};

    /// Four spam and four ham messages, with shared words on each side.
    fn corpus() -> Corpus {
        let mail = |name: &str, label, text: &str| Item::from_bytes(name, Some(label), text.into());
        let spam = [
            "Subject: cash now\n\nWin cash, cheap pills, click now",
            "Subject: cheap pills\n\nCash prizes: click here now",
            "Subject: win\n\nClick to win cash today",
            "Subject: offer\n\nCheap offer, click now for cash",
        ];
        let ham = [
            "Subject: lunch\n\nLunch at noon? The minutes are attached",
            "Subject: minutes\n\nThe minutes of the lunch meeting",
            "Subject: meeting\n\nThe meeting moves to noon",
            "Subject: agenda\n\nAgenda for the meeting after lunch",
        ];
        let items = spam
            .iter()
            .map(|text| (Label::Spam, text))
            .chain(ham.iter().map(|text| (Label::Ham, text)))
            .enumerate()
            .map(|(i, (label, text))| mail(&i.to_string(), label, text))
            .collect();
        Corpus {
            items,
            ..Corpus::default()
        }
    }

    fn fixed(lambda: f64) -> ValidTrainParams {
        TrainParams::new()
            .min_df(1)
            .lambda(Some(lambda))
            .date(Some(1_700_000_000))
            .check()
            .unwrap()
    }

    #[test]
    fn fixed_lambda_trains_a_dated_model_with_the_parameters() {
        let params = fixed(0.01);
        let set = TrainingSet::from_corpus(&corpus(), &params).unwrap();
        assert_eq!(set.class_counts(), (4, 4));
        assert_eq!(set.skipped, 0);
        let trained = set.train(&params).unwrap();
        let model = &trained.model;
        assert!(trained.fit.converged && trained.cv.is_none());
        assert_eq!(trained.fit.lambda, 0.01);
        assert_eq!(model.lambda(), 0.01);
        assert_eq!(model.alpha(), DEFAULT_ALPHA);
        assert_eq!((model.threshold(), model.unsure()), (0.5, None));
        assert!(model.weight("cash").is_some_and(|w| w > 0.0));
        assert!(model.weight("meet").is_some_and(|w| w < 0.0));
        assert_eq!(model.len(), trained.fit.weights.len());
        let summary = model.summary();
        assert_eq!(summary.lambda_rule, "fixed (--lambda)");
        assert_eq!((summary.spam_messages, summary.ham_messages), (4, 4));
        assert_eq!(summary.date, "2023-11-14T22:13:20Z");
        assert_eq!((summary.cv_auc, summary.cv_auc_se), (None, None));
        // The fit's weights, by term.
        for &(j, w) in &trained.fit.weights {
            assert_eq!(model.weight(set.vocab.term(j)), Some(w as f32));
        }
    }

    #[test]
    fn a_lambda_above_lambda_max_keeps_no_word_and_says_so() {
        let params = fixed(100.0);
        let trained = TrainingSet::from_corpus(&corpus(), &params)
            .unwrap()
            .train(&params)
            .unwrap();
        assert!(trained.model.is_empty());
        assert!(
            trained
                .warnings
                .iter()
                .any(|w| w.starts_with("no word was kept")),
            "{:?}",
            trained.warnings
        );
    }

    #[test]
    fn cross_validation_records_its_rule_and_auc() {
        for (rule, name) in [(Rule::Min, "lambda_min"), (Rule::OneSe, "lambda_1se")] {
            let params = TrainParams::new()
                .min_df(1)
                .folds(2)
                .nlambda(8)
                .rule(rule)
                .check()
                .unwrap();
            let set = TrainingSet::from_corpus(&corpus(), &params).unwrap();
            let trained = set.train(&params).unwrap();
            let cv = trained.cv.as_ref().expect("cross-validated");
            let chosen = match rule {
                Rule::Min => cv.result.index_min,
                Rule::OneSe => cv.result.index_1se,
            };
            assert_eq!(cv.index, chosen);
            assert_eq!(trained.fit.lambda, cv.result.lambdas[chosen]);
            let summary = trained.model.summary();
            assert_eq!(summary.lambda_rule, format!("{name} of 2-fold CV"));
            let auc = cv.result.auc_mean[chosen];
            assert_eq!(summary.cv_auc, Some(auc).filter(|a| a.is_finite()));
            // The decision is read off the out-of-fold probabilities at the chosen lambda.
            let design = Design::from_csr(&set.data.x).unwrap();
            let p: Vec<f64> = (cv.result.out_of_fold_margins(&design, chosen).iter())
                .map(|&m| logistic(m))
                .collect();
            let expected =
                decision::out_of_fold(&p, &set.data.y, DEFAULT_FPR_TARGET, DEFAULT_FNR_TARGET);
            let model = &trained.model;
            assert_eq!(
                (model.threshold(), model.unsure()),
                (expected.threshold, expected.unsure)
            );
            assert_eq!(summary.decision_rule, expected.rule);
        }
    }

    #[test]
    fn a_given_decision_is_kept_and_checked_before_training() {
        let given = DecisionRule::Given {
            threshold: 0.8,
            unsure: Some((0.3, 0.8)),
        };
        let params = TrainParams::new().min_df(1).folds(2).nlambda(8);
        let checked = params.clone().decision(given).check().unwrap();
        let trained = TrainingSet::from_corpus(&corpus(), &checked)
            .unwrap()
            .train(&checked)
            .unwrap();
        let model = &trained.model;
        assert_eq!((model.threshold(), model.unsure()), (0.8, Some((0.3, 0.8))));
        assert_eq!(model.summary().decision_rule, GIVEN_DECISION_RULE);
        let outside = DecisionRule::Given {
            threshold: 0.9,
            unsure: Some((0.3, 0.8)),
        };
        assert!(params.decision(outside).check().is_err());
    }

    #[test]
    fn out_of_fold_margins_give_the_cross_validated_auc() {
        let params = TrainParams::new()
            .min_df(1)
            .folds(2)
            .nlambda(8)
            .check()
            .unwrap();
        let set = TrainingSet::from_corpus(&corpus(), &params).unwrap();
        let design = Design::from_csr(&set.data.x).unwrap();
        let y = &set.data.y;
        let cv = solver::cross_validate(&design, y, None, 2, 1, params.solver()).unwrap();
        for index in [0, cv.index_min, cv.lambdas.len() - 1] {
            let margins = cv.out_of_fold_margins(&design, index);
            // The CV curve scored each fold's rows with that fold's fit: the mean over
            // folds (weighted by size) of the AUC of these margins is its AUC.
            let (mut sum, mut rows) = (0.0, 0.0);
            for f in 0..2 {
                let (m, yf): (Vec<f64>, Vec<bool>) = (0..y.len())
                    .filter(|&i| cv.folds[i] == f)
                    .map(|i| (margins[i], y[i]))
                    .unzip();
                sum += crate::metrics::auc(&m, &yf).unwrap() * m.len() as f64;
                rows += m.len() as f64;
            }
            assert!((sum / rows - cv.auc_mean[index]).abs() < 1e-12);
        }
    }

    #[test]
    fn one_class_is_a_training_error() {
        let mut corpus = corpus();
        corpus.items.truncate(4);
        let err = TrainingSet::from_corpus(&corpus, &fixed(0.01)).unwrap_err();
        assert!(
            matches!(&err, Error::Training(m) if m.contains("found 4 spam and 0 ham")),
            "{err:?}"
        );
    }

    #[test]
    fn bad_lambda_and_folds_are_errors_before_reading_and_too_many_folds_of_the_fit() {
        for lambda in [f64::INFINITY, -1.0, f64::NAN] {
            let err = TrainParams::new().lambda(Some(lambda)).check().unwrap_err();
            assert!(
                matches!(err, Error::InvalidParam { name: "lambda", .. }),
                "{err}"
            );
        }
        let err = TrainParams::new().folds(1).check().unwrap_err();
        assert!(
            matches!(err, Error::InvalidParam { name: "cv", .. }),
            "{err}"
        );
        let params = fixed(0.01);
        let set = TrainingSet::from_corpus(&corpus(), &params).unwrap();
        let params = TrainParams::new().min_df(1).folds(9).check().unwrap();
        assert!(matches!(
            set.train(&params),
            Err(Error::InvalidParam { name: "folds", .. })
        ));
    }

    fn min_df(min_df: u32) -> ValidTrainParams {
        TrainParams::new()
            .min_df(min_df)
            .lambda(Some(0.01))
            .check()
            .unwrap()
    }

    #[test]
    fn svmlight_ids_are_remapped_and_pruned_by_min_df() {
        let dir = tempfile::tempdir().unwrap();
        let matrix = dir.path().join("m.svm");
        std::fs::write(
            &matrix,
            "+1 5:1 1000000000:1\n-1 3:1\n+1 1000000000:1\n-1 3:1 5:2\n",
        )
        .unwrap();
        // The terms are the ids as written, the matrix as wide as the ids present.
        let set = TrainingSet::from_svmlight(&matrix, None, &min_df(1)).unwrap();
        assert_eq!(set.vocab.terms(), ["3", "5", "1000000000"]);
        assert_eq!(set.data.x.cols(), 3);
        assert_eq!(set.data.x.get(3, 1), Some(&2.0));
        // min-df applies to svmlight input as to mail: id 5 is in 2 rows, the others too.
        let set = TrainingSet::from_svmlight(&matrix, None, &min_df(3)).unwrap();
        assert!(set.vocab.is_empty());
        assert_eq!(set.data.x.cols(), 0);
        std::fs::write(&matrix, "+1 5:1 9:1\n-1 5:1\n").unwrap();
        let set = TrainingSet::from_svmlight(&matrix, None, &min_df(2)).unwrap();
        assert_eq!(set.vocab.terms(), ["5"]);
        assert_eq!(set.data.x.nnz(), 2);
        // Zero-based: line 1 of the vocabulary is id 0, and the error names the largest id.
        std::fs::write(&matrix, "+1 0:1 3:1\n-1 3:1\n").unwrap();
        let vocab = dir.path().join("v.txt");
        std::fs::write(&vocab, "a\nb\nc\nd\n").unwrap();
        let set = TrainingSet::from_svmlight(&matrix, Some(&vocab), &min_df(1)).unwrap();
        assert_eq!(set.vocab.terms(), ["a", "d"]);
        std::fs::write(&vocab, "a\nb\nc\n").unwrap();
        let err = TrainingSet::from_svmlight(&matrix, Some(&vocab), &min_df(1)).unwrap_err();
        assert!(
            err.to_string()
                .contains("uses feature ids up to 3 (4 terms needed)"),
            "{err}"
        );
    }

    #[test]
    fn svmlight_matrices_take_their_terms_from_the_vocabulary() {
        let dir = tempfile::tempdir().unwrap();
        let matrix = dir.path().join("m.svm");
        std::fs::write(&matrix, "+1 1:1 2:1\n-1 3:1\n+1 2:1\n-1 1:0.5 3:1\n").unwrap();
        // Without a vocabulary, a feature's term is its id.
        let set = TrainingSet::from_svmlight(&matrix, None, &min_df(1)).unwrap();
        assert_eq!(set.vocab.terms(), ["1", "2", "3"]);
        assert_eq!(set.data.x.cols(), 3);
        // A wider vocabulary gives the terms of the ids present; a narrower one is an
        // error naming it.
        let wide = dir.path().join("wide.txt");
        std::fs::write(&wide, "cash\nclick\nlunch\nzebra\n").unwrap();
        let set = TrainingSet::from_svmlight(&matrix, Some(&wide), &min_df(1)).unwrap();
        assert_eq!((set.data.x.rows(), set.data.x.cols()), (4, 3));
        assert_eq!(set.vocab.terms(), ["cash", "click", "lunch"]);
        assert_eq!(set.class_counts(), (2, 2));
        let narrow = dir.path().join("narrow.txt");
        std::fs::write(&narrow, "cash\nclick\n").unwrap();
        let err = TrainingSet::from_svmlight(&matrix, Some(&narrow), &min_df(1)).unwrap_err();
        assert!(
            matches!(&err, Error::Corpus { path, reason } if path == &narrow
                && reason.contains("2 terms") && reason.contains("up to 3")),
            "{err:?}"
        );
        let trained = set.train(&fixed(0.01)).unwrap();
        assert!(trained.model.weight("cash").is_some() || trained.model.weight("click").is_some());
    }
}
