//! Learning from the user's corrections: messages added to the model's training
//! store as spam or ham (or forgotten), then the model refitted from the store at
//! its lambda, starting from its current weights, and both written so that a
//! kill at any point leaves the old pair or the new one ([`crate::store`]).
//!
//! Learning a message again with the other label relabels it; with the same
//! label it changes nothing (no refit, nothing written). A message is known by
//! its digest ([`crate::store::digest`]), which ignores what delivery adds.
//!
//! [`learn`] is the one entry point, for the `learn` command and for a daemon:
//!
//! ```
//! use sparsetext::learn::{Action, LearnOptions, learn};
//! # let dir = tempfile::tempdir()?;
//! # let model = dir.path().join("spam.model");
//! # sparsetext::learn::testing_train(&model)?;
//! let spam = b"Subject: cheap pills\n\nCheap pills, click now for cash";
//! let outcome = learn(&model, &[(&spam[..], Action::Spam)], &LearnOptions::default())?;
//! assert!(outcome.refit.is_some());
//! // The same message with the same label again: nothing to do.
//! let again = learn(&model, &[(&spam[..], Action::Spam)], &LearnOptions::default())?;
//! assert!(again.refit.is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;

use crate::analyze::Analyzer;
use crate::error::{Error, Result};
use crate::model::{Model, Scorer};
use crate::store::{self, Change, Digest, Store, StoreLock};
use crate::train::{DecisionRule, TrainParams, TrainingSet};
use crate::vocab::TermCountsBuilder;

/// What to do with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Learn it as spam.
    Spam,
    /// Learn it as ham.
    Ham,
    /// Remove it from the store.
    Forget,
}

/// How to learn.
#[derive(Clone, Debug, Default)]
pub struct LearnOptions {
    /// Choose lambda again by K-fold cross-validation (the model's decision rule is
    /// kept); `None` refits at the model's lambda.
    pub cv: Option<usize>,
    /// Give each message's score before and after, and the features that entered or
    /// left the model.
    pub explain: bool,
}

/// What happened to one message.
#[derive(Clone, Debug, PartialEq)]
pub struct MessageOutcome {
    /// Its digest in the store.
    pub digest: Digest,
    /// What the store did.
    pub change: Change,
    /// p(spam) by the model before, with [`LearnOptions::explain`].
    pub before: Option<f64>,
    /// p(spam) by the model after (when it was refitted), with [`LearnOptions::explain`].
    pub after: Option<f64>,
}

/// The refit.
#[derive(Clone, Debug, PartialEq)]
pub struct Refit {
    /// The lambda fitted.
    pub lambda: f64,
    /// The fit's relative duality gap, and whether it met the tolerance.
    pub rel_gap: f64,
    /// Whether the fit converged.
    pub converged: bool,
    /// Features of the new model.
    pub features: usize,
    /// Terms with a weight now that had none (with [`LearnOptions::explain`]).
    pub entered: Vec<String>,
    /// Terms whose weight went to zero (with [`LearnOptions::explain`]).
    pub left: Vec<String>,
}

/// What [`learn`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// One per message, in the order given.
    pub messages: Vec<MessageOutcome>,
    /// The refit, when anything changed.
    pub refit: Option<Refit>,
    /// Spam and ham messages in the store afterwards.
    pub store_counts: (usize, usize),
    /// What recovery found on opening the store (a torn record dropped, an unfinished
    /// run rolled back) and warnings of the fit.
    pub notes: Vec<String>,
    /// Whether the store was compacted.
    pub compacted: bool,
}

/// Adds, relabels or forgets `messages` in the store of the model at `model_path` and
/// refits the model from the store, writing both (see the [module docs](self)).
/// Concurrent callers, in this process or others, take turns on the store's lock.
///
/// # Errors
/// [`Error::Io`] or [`Error::Model`] reading the model; [`Error::Store`] for a store
/// missing, corrupt, or not the model's; [`Error::Training`] when the store would be
/// left with one class only (nothing is written then).
pub fn learn(
    model_path: &Path,
    messages: &[(&[u8], Action)],
    options: &LearnOptions,
) -> Result<Outcome> {
    let store_path = store::store_path(model_path);
    if !store_path.exists() {
        return Err(Error::Store {
            path: store_path,
            reason: "no training store beside the model: train it again (without \
                     --no-store) to make one"
                .into(),
        });
    }
    let _lock = StoreLock::acquire(&store_path)?;
    let model_bytes = std::fs::read(model_path).map_err(|e| Error::io(model_path, e))?;
    let model = Model::from_bytes(&model_bytes, model_path)?;
    model.check_scores_mail(model_path)?;
    let mut store = Store::open(&store_path, Some(store::model_checksum(&model_bytes)))?;
    check_belongs(&store, &model, &store_path)?;
    store.recover()?;
    let mut notes = store.notes().to_vec();

    let analyzer = Analyzer::new(model.analyzer().clone());
    let scorer = Scorer::new(model);
    let mut builder = TermCountsBuilder::default();
    let mut outcomes = Vec::with_capacity(messages.len());
    for &(bytes, action) in messages {
        let bytes = &bytes[..bytes
            .len()
            .min(crate::corpus::DEFAULT_MAX_MESSAGE_BYTES as usize)];
        let digest = store::digest(bytes);
        analyzer.tokenize(bytes, &mut |token| builder.push(token));
        let counts = builder.finish();
        let label = match action {
            Action::Spam => Some(true),
            Action::Ham => Some(false),
            Action::Forget => None,
        };
        let change = store.learn(digest, label, counts.terms());
        let before = options.explain.then(|| scorer.score(bytes).p_spam);
        outcomes.push(MessageOutcome {
            digest,
            change,
            before,
            after: None,
        });
    }
    if !store.has_changes() {
        return Ok(Outcome {
            messages: outcomes,
            refit: None,
            store_counts: store.class_counts(),
            notes,
            compacted: false,
        });
    }

    let old = scorer.model();
    let (new, fit, warnings) = refit(&store, old, options.cv)?;
    notes.extend(warnings);
    let new_bytes = new.to_bytes();
    store.commit(&new_bytes, model_path)?;
    let compacted = store.dead_records() > store.len().max(1000);
    if compacted {
        store.write_all(store::model_checksum(&new_bytes))?;
    }

    let (mut entered, mut left) = (Vec::new(), Vec::new());
    if options.explain {
        entered = (new.terms().iter())
            .filter(|t| old.feature_index(t).is_none())
            .cloned()
            .collect();
        left = (old.terms().iter())
            .filter(|t| new.feature_index(t).is_none())
            .cloned()
            .collect();
        let after = Scorer::new(new.clone());
        for (outcome, &(bytes, _)) in outcomes.iter_mut().zip(messages) {
            outcome.after = Some(after.score(bytes).p_spam);
        }
    }
    Ok(Outcome {
        messages: outcomes,
        refit: Some(Refit {
            lambda: fit.lambda,
            rel_gap: fit.rel_gap,
            converged: fit.converged,
            features: new.len(),
            entered,
            left,
        }),
        store_counts: store.class_counts(),
        notes,
        compacted,
    })
}

/// [`Error::Store`] when the store's analyzer or scheme is not the model's.
fn check_belongs(store: &Store, model: &Model, path: &Path) -> Result<()> {
    let header = store.header();
    if &header.analyzer != model.analyzer() || header.scheme != model.scheme() {
        return Err(Error::Store {
            path: path.to_path_buf(),
            reason: "was made with another analyzer or scheme than the model beside it: \
                     train again to rewrite both"
                .into(),
        });
    }
    Ok(())
}

/// The model refitted on the store's messages: at `model`'s lambda from its weights, or
/// at a lambda chosen by `cv`-fold cross-validation; `model`'s decision rule is kept.
/// Returns the model, the fit and its warnings.
///
/// # Errors
/// [`Error::Training`] without both classes in the store.
pub fn refit(
    store: &Store,
    model: &Model,
    cv: Option<usize>,
) -> Result<(Model, crate::solver::Fit, Vec<String>)> {
    let header = store.header();
    let mut params = TrainParams::new()
        .analyzer(header.analyzer.clone())
        .min_df(header.min_df)
        .scheme(header.scheme)
        .alpha(model.alpha())
        .decision(DecisionRule::Given {
            threshold: model.threshold(),
            unsure: model.unsure(),
        });
    params = match cv {
        Some(folds) => params.lambda(None).folds(folds),
        None => params.lambda(Some(model.lambda())),
    };
    let params = params.check()?;
    let analyzed = store.to_analyzed();
    let set = TrainingSet::from_analyzed(&analyzed, &params)?;
    let trained = set.train_from(&params, Some(model))?;
    Ok((trained.model, trained.fit, trained.warnings))
}

/// Trains a small model with its store at `path`, for examples.
#[doc(hidden)]
pub fn testing_train(path: &Path) -> Result<()> {
    use crate::corpus::{Corpus, Item, Label};
    let mail = |name: &str, label, text: &str| Item::from_bytes(name, Some(label), text.into());
    let corpus = Corpus {
        items: vec![
            mail(
                "1",
                Label::Spam,
                "Subject: cash now\n\nWin cash, cheap pills",
            ),
            mail(
                "2",
                Label::Spam,
                "Subject: offer\n\nCash prizes: click here now",
            ),
            mail(
                "3",
                Label::Ham,
                "Subject: lunch\n\nLunch at noon? The minutes",
            ),
            mail(
                "4",
                Label::Ham,
                "Subject: minutes\n\nThe minutes of the meeting",
            ),
        ],
        ..Corpus::default()
    };
    let params = TrainParams::new().min_df(1).lambda(Some(0.01)).check()?;
    let analyzer = Analyzer::new(params.analyzer().clone());
    let analyzed = crate::vectorize::analyze(&corpus, &analyzer, &|_| ());
    let set = TrainingSet::from_analyzed(&analyzed, &params)?;
    let trained = set.train(&params)?;
    save_with_store(&trained.model, path, &analyzed, params.min_df()).map(drop)
}

/// Saves `model` at `path` and, beside it, the store of the `analyzed` corpus it was
/// trained on (terms in at least `min_df` messages become its columns on a refit),
/// holding the store's lock. The model is written first: a kill between the two leaves
/// a store that names another model, which [`learn`] refuses rather than misread.
///
/// Returns the messages in the store (a message given twice is there once).
///
/// # Errors
/// [`Error::Io`] writing either file.
pub fn save_with_store(
    model: &Model,
    path: &Path,
    analyzed: &crate::vectorize::Analyzed,
    min_df: u32,
) -> Result<usize> {
    let store_path = store::store_path(path);
    let _lock = StoreLock::acquire(&store_path)?;
    let bytes = model.to_bytes();
    crate::atomic::write_atomic(path, |f| std::io::Write::write_all(f, &bytes))?;
    let header = store::Header {
        analyzer: model.analyzer().clone(),
        scheme: model.scheme(),
        min_df,
    };
    let mut store = Store::from_analyzed(&store_path, header, analyzed);
    store.write_all(store::model_checksum(&bytes))?;
    Ok(store.len())
}

#[cfg(test)]
mod tests;
