//! The online evaluation of the TREC spam track (Cormack and Lynam, "TREC 2005 Spam
//! Track Overview"): messages replayed in date order, each first classified by the
//! filter as it stands, then learned with its true label (all of them, or with
//! `on_error` only the misclassified and the unsure), the model refitted every
//! `refit_every` messages learned. The figures are those of the scores given before
//! each message was learned: 1-AUC, FPR and FNR at the threshold, cumulative errors.
//!
//! Each refit fits lambda (fixed, or chosen by CV) on every message learned so far,
//! warm-started from the last fit ([`Solver::warm_start`]): what `learn` does after
//! each message, without the files. Until both classes have been learned there is no model and
//! every message scores 0.5.

mod columns;

use std::time::Instant;

use rayon::prelude::*;

use columns::LearnedColumns;

use crate::corpus::{Corpus, Item};
use crate::dataset::Scheme;
use crate::error::{Error, Result};
use crate::model::logistic;
use crate::solver::{self, Solver};
use crate::vectorize::Analyzed;

/// Messages per point of the learning curve.
pub const CURVE_STEP: usize = 500;

/// Messages learned before lambda is first chosen by cross-validation: fewer
/// give folds too small for a held-out deviance worth trusting.
pub const CV_FROM: usize = 100;

/// Lambda is chosen again once the messages learned have grown by this factor
/// since the last choice. Choosing at each quarter rather than at each doubling
/// follows the right lambda closely while the filter is young and costs a CV
/// per quarter, ever rarer.
pub const CV_GROWTH: f64 = 1.25;

/// How to replay.
#[derive(Clone, Debug)]
pub struct OnlineParams {
    /// Refit after this many messages learned (at least 1).
    pub refit_every: usize,
    /// Learn only the misclassified messages and those scored inside `unsure`.
    pub on_error: bool,
    /// The penalty; with `cv_folds`, only until the first cross-validation.
    pub lambda: f64,
    /// Choose lambda again by this many folds of cross-validation (lambda_min, as
    /// `train` picks it) over the messages learned so far, each time their number
    /// has grown by [`CV_GROWTH`] since the last choice, from [`CV_FROM`] messages on. Between
    /// choices the penalty on the summed loss, n * lambda, is held at the chosen
    /// value (a prior of fixed strength, as in MAP estimation): lambda = lambda_cv
    /// * n_cv / n, since the objective's loss is the mean over the n messages.
    pub cv_folds: Option<usize>,
    /// The Elastic-Net mixing.
    pub alpha: f64,
    /// Terms in fewer messages learned so far are not columns.
    pub min_df: u32,
    /// Row values.
    pub scheme: Scheme,
    /// Spam at and above this p(spam).
    pub threshold: f64,
    /// With `on_error`, scores in `(low, high)` count as unsure and are learned.
    pub unsure: (f64, f64),
}

/// What a replay measured.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OnlineReport {
    /// ROC AUC of the scores given before learning; `None` with one class only.
    pub auc: Option<f64>,
    /// Share of ham scored at or above the threshold.
    pub fpr: f64,
    /// Share of spam scored below the threshold.
    pub fnr: f64,
    /// Messages replayed.
    pub messages: usize,
    /// Messages learned.
    pub learned: usize,
    /// Refits made.
    pub refits: usize,
    /// Wall-clock seconds of the replay (tokenizing excluded).
    pub seconds: f64,
    /// Cumulative errors after every [`CURVE_STEP`] messages (and after the last).
    pub curve: Vec<(usize, usize)>,
    /// The lambda given, then each chosen by cross-validation, with the number
    /// of messages learned when it was set.
    pub lambdas: Vec<(usize, f64)>,
    /// The lambda of the last refit.
    pub lambda: f64,
    /// p(spam) given to each message before it was learned, in replay order.
    #[serde(skip)]
    pub scores: Vec<f64>,
}

/// A message's date in seconds since 1970: its `Date:` header, else the date of its
/// first `Received:` field (the one added last, at delivery); `None` without either.
pub fn message_date(bytes: &[u8]) -> Option<i64> {
    let message = mail_parser::MessageParser::default().parse_headers(bytes)?;
    if let Some(date) = message.date().filter(|d| d.is_valid()) {
        return Some(date.to_timestamp());
    }
    message
        .received_all()
        .find_map(|r| r.date.as_ref().filter(|d| d.is_valid()))
        .map(|d| d.to_timestamp())
}

/// Puts `corpus`'s items in date order (stable: equal dates keep the corpus order);
/// messages without a date go last, in corpus order. Returns how many had no date.
pub fn sort_by_date(corpus: &mut Corpus) -> usize {
    let dates: Vec<Option<i64>> = corpus
        .items
        .par_iter()
        .map(|item: &Item| item.mail().ok().and_then(|b| message_date(&b)))
        .collect();
    let undated = dates.iter().filter(|d| d.is_none()).count();
    let mut keyed: Vec<(Option<i64>, Item)> =
        dates.into_iter().zip(corpus.items.drain(..)).collect();
    keyed.sort_by_key(|(d, _)| d.map_or((1, 0), |d| (0, d)));
    corpus.items = keyed.into_iter().map(|(_, item)| item).collect();
    undated
}

/// Replays the analyzed messages in their order (see the [module docs](self)).
///
/// # Errors
/// [`Error::Corpus`] for an unlabeled message; [`Error::InvalidParam`] for a bad lambda,
/// alpha or `refit_every`.
pub fn replay(analyzed: &Analyzed, params: &OnlineParams) -> Result<OnlineReport> {
    if params.refit_every == 0 {
        return Err(Error::InvalidParam {
            name: "refit-every",
            value: "0".into(),
            reason: "must be at least 1".into(),
        });
    }
    let solver_params = solver::Params::new()
        .alpha(params.alpha)
        .lambda_min_ratio(Some(crate::train::DEFAULT_LAMBDA_MIN_RATIO))
        .check()?;
    solver::check_lambda(params.lambda)?;
    let y: Vec<bool> = (analyzed.labels.iter().zip(&analyzed.names))
        .map(|(label, name)| {
            label.map(|l| l.is_spam()).ok_or_else(|| Error::Corpus {
                path: name.into(),
                reason: "no label: pass it with --ham or --spam".into(),
            })
        })
        .collect::<Result<_>>()?;
    let start = Instant::now();
    let docs = analyzed.docs();
    let terms = analyzed.terms().len();
    let mut columns = LearnedColumns::new(terms, params.min_df, params.scheme != Scheme::default());
    let mut weight = vec![0.0f64; terms];
    let mut support: Vec<(u32, f64)> = Vec::new();
    let mut intercept = 0.0;
    let mut have_model = false;
    // The label of each message learned, in the order learned: the rows of the refits.
    let mut learned: Vec<bool> = Vec::new();
    let (mut spam_learned, mut pending, mut refits) = (0usize, 0usize, 0usize);
    let (mut errors, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut scores = Vec::with_capacity(docs.len());
    let mut curve = Vec::new();
    let mut lambda = params.lambda;
    let mut lambdas = vec![(0, lambda)];
    // n * lambda as last chosen by cross-validation.
    let mut strength: Option<f64> = None;
    let mut next_cv = CV_FROM;
    let (mut counts, mut values) = (Vec::new(), Vec::new());

    for (i, doc) in docs.iter().enumerate() {
        counts.clear();
        counts.extend(doc.iter().map(|&(_, c)| c));
        let norm = params.scheme.row_norm(counts.iter().copied());
        params.scheme.row_values(&counts, norm, &mut values);
        let p = if have_model {
            let margin = intercept
                + (doc.iter().zip(&values))
                    .map(|(&(id, _), v)| weight[id as usize] * v)
                    .sum::<f64>();
            logistic(margin)
        } else {
            0.5
        };
        scores.push(p);
        let wrong = (p >= params.threshold) != y[i];
        if wrong {
            errors += 1;
            if y[i] {
                fn_ += 1;
            } else {
                fp += 1;
            }
        }
        if (i + 1) % CURVE_STEP == 0 || i + 1 == docs.len() {
            curve.push((i + 1, errors));
        }
        let unsure = p > params.unsure.0 && p < params.unsure.1;
        if params.on_error && !wrong && !unsure {
            continue;
        }
        columns.add(learned.len() as u32, doc.iter().map(|&(id, _)| id), &values);
        learned.push(y[i]);
        spam_learned += usize::from(y[i]);
        pending += 1;
        let both = spam_learned > 0 && spam_learned < learned.len();
        if pending < params.refit_every || !both {
            continue;
        }
        pending = 0;
        refits += 1;
        let design = columns.design(learned.len())?;
        if let Some(folds) = params.cv_folds.filter(|&k| {
            learned.len() >= next_cv && spam_learned >= k && learned.len() - spam_learned >= k
        }) {
            let cv = solver::cross_validate(
                &design,
                &learned,
                None,
                folds,
                crate::train::DEFAULT_SEED,
                &solver_params,
            )?;
            strength = Some(cv.lambda_min * learned.len() as f64);
            lambdas.push((learned.len(), cv.lambda_min));
            next_cv = (learned.len() as f64 * CV_GROWTH).ceil() as usize;
        }
        if let Some(strength) = strength {
            lambda = strength / learned.len() as f64;
        }
        let mut solver = Solver::new(&design, &learned, None)?;
        let start_weights: Vec<(u32, f64)> = (support.iter())
            .filter_map(|&(id, w)| Some((columns.column(id)?, w)))
            .collect();
        solver.warm_start(intercept, &start_weights)?;
        let fit = solver.fit(lambda, &solver_params)?;
        for &(id, _) in &support {
            weight[id as usize] = 0.0;
        }
        support = (fit.weights.iter())
            .map(|&(j, w)| (columns.term(j), w))
            .collect();
        for &(id, w) in &support {
            weight[id as usize] = w;
        }
        intercept = fit.intercept;
        have_model = true;
    }
    let spam = y.iter().filter(|&&s| s).count();
    let ham = y.len() - spam;
    let share = |k: usize, n: usize| if n == 0 { 0.0 } else { k as f64 / n as f64 };
    Ok(OnlineReport {
        auc: crate::metrics::auc(&scores, &y),
        fpr: share(fp, ham),
        fnr: share(fn_, spam),
        messages: docs.len(),
        learned: learned.len(),
        refits,
        seconds: start.elapsed().as_secs_f64(),
        curve,
        lambdas,
        lambda,
        scores,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{Analyzer, AnalyzerConfig};

    fn params(refit_every: usize, on_error: bool) -> OnlineParams {
        OnlineParams {
            refit_every,
            on_error,
            lambda: 0.003,
            cv_folds: None,
            alpha: 0.2,
            min_df: 2,
            scheme: Scheme::default(),
            threshold: 0.5,
            unsure: (0.2, 0.8),
        }
    }

    #[test]
    fn the_sample_replayed_learns_and_refits_as_asked() {
        let mut corpus = Corpus::default();
        corpus.add_labeled_root("corpora/sample".as_ref()).unwrap();
        let undated = sort_by_date(&mut corpus);
        assert!(undated < corpus.items.len() / 10, "{undated}");
        let analyzed =
            crate::vectorize::analyze(&corpus, &Analyzer::new(AnalyzerConfig::default()), &|_| ());
        let every = replay(&analyzed, &params(10, false)).unwrap();
        assert_eq!(every.messages, analyzed.len());
        assert_eq!(every.learned, analyzed.len());
        assert!(every.refits >= analyzed.len() / 10 - 1);
        assert!(every.auc.unwrap() > 0.9, "{every:?}");
        assert_eq!(every.curve.last().unwrap().0, analyzed.len());
        let errors = every.curve.last().unwrap().1;
        let ham = analyzed.class_counts().1;
        let spam = analyzed.class_counts().0;
        let expected = every.fpr * ham as f64 + every.fnr * spam as f64;
        assert!((expected - errors as f64).abs() < 1e-6);
        assert_eq!(every.lambdas, vec![(0, 0.003)]);
        let by_cv = replay(
            &analyzed,
            &OnlineParams {
                cv_folds: Some(5),
                ..params(10, false)
            },
        )
        .unwrap();
        // Lambda is chosen at the first refit from CV_FROM learned messages on,
        // then at the first refit after each growth by CV_GROWTH; refits come every 10.
        let points: Vec<usize> = by_cv.lambdas.iter().map(|&(n, _)| n).collect();
        assert!(points.len() >= 6, "{:?}", by_cv.lambdas);
        assert!((CV_FROM..CV_FROM + 10).contains(&points[1]), "{points:?}");
        for pair in points[1..].windows(2) {
            let due = (pair[0] as f64 * CV_GROWTH).ceil() as usize;
            assert!((due..due + 10).contains(&pair[1]), "{points:?}");
        }
        assert!(by_cv.lambdas.iter().all(|&(_, l)| l > 0.0 && l.is_finite()));
        assert!(by_cv.auc.unwrap() > 0.9, "{by_cv:?}");
        let on_error = replay(&analyzed, &params(1, true)).unwrap();
        assert!(on_error.learned < on_error.messages);
        assert!(replay(&analyzed, &params(0, false)).is_err());
    }

    #[test]
    fn dates_come_from_the_date_field_else_the_first_received() {
        let dated = b"Date: Thu, 1 Jan 2004 00:00:00 +0000\nSubject: a\n\nb\n";
        assert_eq!(message_date(dated), Some(1_072_915_200));
        let received = b"Received: from a by b; Thu, 1 Jan 2004 00:00:10 +0000\n\
                         Received: from c by d; Thu, 1 Jan 2004 00:00:00 +0000\nSubject: a\n\nb\n";
        assert_eq!(message_date(received), Some(1_072_915_210));
        assert_eq!(message_date(b"Subject: a\n\nb\n"), None);
    }
}
