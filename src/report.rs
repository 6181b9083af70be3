//! Reports: pictures of what training learned, and of how a model does on labeled mail.
//!
//! [`write_training`] writes, into a folder, `index.html` (the training summary, the
//! pictures, the strongest words, the folders read) and each picture as an SVG file with
//! the numbers behind it as CSV beside it:
//!
//! - `path.svg`: each kept feature's weight along the regularization path;
//! - `cv.svg`: held-out deviance and AUC per lambda, `lambda_min` and `lambda_1se`
//!   (with cross-validation only);
//! - `roc.svg`: the ROC curve at low false-positive rates, the decision marked, of the
//!   out-of-fold probabilities (or, for a fixed lambda, of the training messages, and the
//!   page says so);
//! - `words.svg`: the strongest words of each side.
//!
//! [`write_evaluation`] writes the same kind of folder for a model scored on labeled mail:
//! `roc.svg`, `scores.svg` (histograms of p(spam) with the threshold), and a page with
//! the confusion matrix and the messages nearest the threshold by name.
//!
//! The page embeds the SVGs: it needs no script, no network and no other file. Each file
//! is written atomically ([`crate::atomic`]); `index.html` last.
//!
//! # Example
//!
//! ```
//! use sparsetext::corpus::{Corpus, Item, Label};
//! use sparsetext::train::{Columns, TrainParams, TrainingSet};
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
//! let set = Columns::from_set(TrainingSet::from_corpus(&corpus, &params)?)?;
//! let trained = set.train(&params, &|_, _| ())?;
//! let dir = tempfile::tempdir().unwrap();
//! let written = sparsetext::report::write_training(dir.path(), &set, &trained, &[])?;
//! // A fixed lambda: no cross-validation picture.
//! for name in ["path.svg", "path.csv", "roc.svg", "words.svg", "index.html"] {
//!     assert!(written.contains(&dir.path().join(name)), "{name}");
//! }
//! assert!(!dir.path().join("cv.svg").exists());
//! Ok::<(), sparsetext::Error>(())
//! ```

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::corpus::Source;
use crate::error::{Error, Result};
use crate::model::{Model, logistic};
use crate::train::{Columns, Trained};

mod cv;
mod histogram;
mod html;
mod path;
mod roc;
mod svg;
mod words;

pub use histogram::BINS as SCORE_BINS;
pub use path::MAX_LINES as PATH_MAX_LINES;
pub use roc::{FPR_HI as ROC_FPR_HI, FPR_LO as ROC_FPR_LO};
pub use words::PER_SIDE as WORDS_PER_SIDE;

/// One picture: its SVG document and the numbers behind it as CSV.
struct Figure {
    /// The file stem: `NAME.svg`, `NAME.csv`.
    name: &'static str,
    /// What the picture shows, for the page.
    title: String,
    svg: String,
    csv: String,
}

/// Which messages the training report's ROC curve scores.
enum TrainingScores {
    /// Each message scored by the fold's fit that did not see it.
    OutOfFold { folds: usize },
    /// The training messages, scored by the model that learned them.
    Training,
}

/// Writes the report of a training run into `dir` (created if missing): see the
/// [module docs](self). `sources` are the folders read (empty for a matrix or a store).
/// Returns the files written.
///
/// # Errors
/// [`Error::Io`] naming the folder or a file that cannot be written; [`Error::Output`]
/// when a picture cannot be drawn.
pub fn write_training(
    dir: &Path,
    set: &Columns,
    trained: &Trained,
    sources: &[Source],
) -> Result<Vec<PathBuf>> {
    let fits = trained.path();
    let chosen = trained.chosen();
    let model = &trained.model;
    let draw_error = |name: &str| {
        let path = dir.join(format!("{name}.svg"));
        move |reason| Error::Output { path, reason }
    };
    let term = |j: u32| set.vocab.term(j).to_string();
    let rule = &model.summary().lambda_rule;
    let mut figures = vec![path::figure(fits, chosen, rule, &term).map_err(draw_error("path"))?];
    if let Some(choice) = &trained.cv {
        figures.push(cv::figure(&choice.result, chosen).map_err(draw_error("cv"))?);
    }

    let design = &set.design;
    let (margins, scores) = match &trained.cv {
        Some(choice) => (
            choice.result.out_of_fold_margins(design, choice.index),
            TrainingScores::OutOfFold {
                folds: choice.result.fold_paths.len(),
            },
        ),
        None => (
            design.margins(trained.fit.intercept, &trained.fit.weights),
            TrainingScores::Training,
        ),
    };
    let p: Vec<f64> = margins.into_iter().map(logistic).collect();
    let what = match scores {
        TrainingScores::OutOfFold { folds } => {
            format!("out-of-fold probabilities of {folds}-fold cross-validation")
        }
        TrainingScores::Training => {
            "the training messages (a fixed lambda has no held-out scores)".to_string()
        }
    };
    figures.push(roc::figure(&p, &set.y, decision(model), &what).map_err(draw_error("roc"))?);
    figures.push(words::figure(model).map_err(draw_error("words"))?);

    let page = html::training(&html::TrainingPage {
        set,
        trained,
        sources,
        figures: &figures,
        roc_scores: &what,
        fixed_lambda: trained.cv.is_none(),
    });
    write_all(dir, &figures, &page)
}

/// A model scored on labeled mail, for [`write_evaluation`].
#[derive(Clone, Copy, Debug)]
pub struct Evaluation<'a> {
    /// The model file, as named on the page.
    pub model_path: &'a Path,
    /// The model.
    pub model: &'a Model,
    /// Each message's name (its file, or its mbox and position).
    pub names: &'a [String],
    /// Each message's p(spam).
    pub scores: &'a [f64],
    /// Each message's label: spam or not.
    pub labels: &'a [bool],
    /// The folders read.
    pub sources: &'a [Source],
    /// Files passed over as not mail.
    pub skipped: usize,
}

/// Writes the report of `eval` into `dir` (created if missing): see the
/// [module docs](self). Returns the files written.
///
/// # Errors
/// As [`write_training`].
pub fn write_evaluation(dir: &Path, eval: &Evaluation) -> Result<Vec<PathBuf>> {
    assert_eq!(eval.names.len(), eval.scores.len(), "a name per score");
    assert_eq!(eval.labels.len(), eval.scores.len(), "a label per score");
    let decision = decision(eval.model);
    let draw_error = |name: &str| {
        let path = dir.join(format!("{name}.svg"));
        move |reason| Error::Output { path, reason }
    };
    let what = "the evaluated messages";
    let figures = vec![
        roc::figure(eval.scores, eval.labels, decision, what).map_err(draw_error("roc"))?,
        histogram::figure(eval.scores, eval.labels, decision).map_err(draw_error("scores"))?,
    ];
    let page = html::evaluation(eval, &figures);
    write_all(dir, &figures, &page)
}

/// The model's decision rule, as the pictures mark it.
fn decision(model: &Model) -> roc::Decision {
    roc::Decision {
        threshold: model.threshold(),
        unsure: model.unsure(),
    }
}

/// Creates the report folder `dir` if missing and checks that it takes new files, so
/// that a command fails before its long part rather than after it.
///
/// # Errors
/// [`Error::Io`] naming the folder; [`Error::Output`] when something other than a file
/// is at `dir/index.html`.
pub fn check_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    crate::atomic::check_target(&dir.join("index.html"))
}

/// Writes the figures' SVG and CSV files, then the page, into `dir`.
fn write_all(dir: &Path, figures: &[Figure], page: &str) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut written = Vec::new();
    let mut write = |name: String, text: &str| -> Result<()> {
        let path = dir.join(name);
        crate::atomic::write_atomic(&path, |f| std::io::Write::write_all(f, text.as_bytes()))?;
        written.push(path);
        Ok(())
    };
    for figure in figures {
        write(format!("{}.svg", figure.name), &figure.svg)?;
        write(format!("{}.csv", figure.name), &figure.csv)?;
    }
    write("index.html".into(), page)?;
    Ok(written)
}

/// A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote or
/// a line break.
fn csv_field(text: &str) -> Cow<'_, str> {
    if text.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", text.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("cash"), "cash");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
