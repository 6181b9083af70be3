//! Accuracy along the regularization path, for choosing defaults.
//!
//! Trains on one labeled corpus, tests on another, and prints, for every
//! lambda of the path fitted on the training part, the features kept and the
//! held-out AUC, FPR and FNR at p = 0.5 and the spam recall at FPR <= 0.5%;
//! with `CV=k` also the k-fold CV curve on the training part and the lambdas
//! it would pick. Settings come from the environment:
//!
//! - `ANALYZER`: JSON object of [`AnalyzerConfig`] fields to override;
//! - `MIN_DF` (2), `WEIGHTING` (binary|counts|log), `L2` (0|1);
//! - `ALPHA` (1), `NLAMBDA` (100), `RATIO` (lambda_min_ratio), `FDEV` (1e-5),
//!   `MAXDEV` (0.999), `CV` (0: none), `SPAM_WEIGHT` (1: observation weight of spam, ham 1,
//!   rescaled to mean 1).
//!
//! ```text
//! cargo run --release --example accuracy -- TRAIN_HAM TRAIN_SPAM TEST_HAM TEST_SPAM
//! ```

use std::env;
use std::path::PathBuf;

use sparsetext::analyze::{Analyzer, AnalyzerConfig};
use sparsetext::corpus::{Corpus, Label};
use sparsetext::dataset::{Dataset, Scheme};
use sparsetext::metrics::{Confusion, auc, recall_at_fpr};
use sparsetext::model::logistic;
use sparsetext::solver::{self, Design, Params};
use sparsetext::{svmlight, vectorize};

fn var<T: std::str::FromStr>(name: &str, default: T) -> T {
    env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}: cannot parse {v}"))
        })
        .unwrap_or(default)
}

fn analyzer_config() -> AnalyzerConfig {
    let base = serde_json::to_value(AnalyzerConfig::default()).expect("config serializes");
    let mut base = base.as_object().expect("object").clone();
    if let Ok(json) = env::var("ANALYZER") {
        let over: serde_json::Value = serde_json::from_str(&json).expect("ANALYZER is JSON");
        for (k, v) in over.as_object().expect("ANALYZER is an object") {
            assert!(base.contains_key(k), "unknown analyzer field {k}");
            base.insert(k.clone(), v.clone());
        }
    }
    serde_json::from_value(serde_json::Value::Object(base)).expect("valid analyzer config")
}

fn corpus(ham: &str, spam: &str) -> Corpus {
    let mut c = Corpus::default();
    c.add(&PathBuf::from(ham), Some(Label::Ham)).expect("ham");
    c.add(&PathBuf::from(spam), Some(Label::Spam))
        .expect("spam");
    c
}

/// Train and test matrices of two svmlight files (the test one narrowed or
/// widened to the training one's columns).
fn svmlight_pair(train: &str, test: &str) -> (Dataset, Dataset) {
    let train = svmlight::read(train.as_ref()).expect("train svmlight");
    let test = svmlight::read(test.as_ref()).expect("test svmlight");
    let p = train.x.cols();
    let (mut indptr, mut indices, mut values) = (vec![0usize], Vec::new(), Vec::new());
    for row in test.x.outer_iterator() {
        for (j, v) in row.iter().filter(|(j, _)| *j < p) {
            indices.push(j as u32);
            values.push(*v);
        }
        indptr.push(indices.len());
    }
    let x = sparsetext::dataset::Matrix::new((test.x.rows(), p), indptr, indices, values);
    (
        Dataset {
            x: train.x,
            y: train.y,
        },
        Dataset { x, y: test.y },
    )
}

/// Train and test matrices of labeled mail, on the training vocabulary.
fn mail_pair(args: &[String]) -> (Dataset, Dataset) {
    let config = analyzer_config();
    let analyzer = Analyzer::new(config);
    let scheme = Scheme {
        weighting: var("WEIGHTING", "binary".to_string())
            .parse()
            .expect("weighting"),
        l2_normalize: var("L2", 0u8) == 1,
    };
    let train = vectorize::analyze(&corpus(&args[0], &args[1]), &analyzer, &|_| ());
    let test = vectorize::analyze(&corpus(&args[2], &args[3]), &analyzer, &|_| ());
    let (data, vocab) = train.to_dataset(var("MIN_DF", 2), scheme).expect("train");
    let y_test: Vec<bool> = test
        .labels
        .iter()
        .map(|l| *l == Some(Label::Spam))
        .collect();
    (
        data,
        Dataset::build(&test.term_counts(), y_test, &vocab, scheme),
    )
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let (data, test_data) = match args.len() {
        2 => svmlight_pair(&args[0], &args[1]),
        4 => mail_pair(&args),
        _ => panic!("TRAIN_HAM TRAIN_SPAM TEST_HAM TEST_SPAM, or TRAIN.svm TEST.svm"),
    };
    let y_test = test_data.y.clone();
    let design = Design::from_csr(&data.x).expect("design");
    let test_design = Design::from_csr(&test_data.x).expect("test design");
    let spam_weight: f64 = var("SPAM_WEIGHT", 1.0);
    let weights: Option<Vec<f64>> = (spam_weight != 1.0).then(|| {
        let raw: Vec<f64> = data
            .y
            .iter()
            .map(|&s| if s { spam_weight } else { 1.0 })
            .collect();
        let mean = raw.iter().sum::<f64>() / raw.len() as f64;
        raw.iter().map(|w| w / mean).collect()
    });
    let ratio: f64 = var("RATIO", 1e-4);
    let params = Params::new()
        .alpha(var("ALPHA", 1.0))
        .nlambda(var("NLAMBDA", 100))
        .lambda_min_ratio(Some(ratio))
        .fdev(var("FDEV", 1e-5))
        .max_dev_explained(var("MAXDEV", 0.999))
        .check()
        .expect("params");
    let k: usize = var("CV", 0);
    let (path, cv) = if k > 1 {
        let cv = solver::cross_validate(&design, &data.y, weights.as_deref(), k, 1, &params)
            .expect("cv");
        (cv.path.clone(), Some(cv))
    } else {
        (
            solver::fit_path(&design, &data.y, weights.as_deref(), &params).expect("path"),
            None,
        )
    };
    println!(
        "train {} x {} ({} nnz), test {}; {}",
        data.x.rows(),
        data.x.cols(),
        data.x.nnz(),
        test_data.x.rows(),
        path.warning.as_deref().unwrap_or("")
    );
    println!("idx\tlambda/lmax\tnnz\ttestAUC\tFPR%\tFNR%\trec@.5%\tcvAUC\tcvDev\tmark");
    for (i, fit) in path.fits.iter().enumerate() {
        let margins = test_design.margins(fit.intercept, &fit.weights);
        let p: Vec<f64> = margins.iter().map(|&m| logistic(m)).collect();
        let conf = Confusion::new(&p, &y_test, 0.5);
        let mut mark = String::new();
        let (cv_auc, cv_dev) = match &cv {
            Some(cv) => {
                for (idx, name) in [
                    (cv.index_min, "min"),
                    (cv.index_1se, "1se"),
                    (cv.auc_index_min, "aucmin"),
                    (cv.auc_index_1se, "auc1se"),
                ] {
                    if idx == i {
                        mark.push_str(name);
                        mark.push(' ');
                    }
                }
                (cv.auc_mean[i], cv.deviance_mean[i])
            }
            None => (f64::NAN, f64::NAN),
        };
        println!(
            "{i}\t{:.2e}\t{}\t{:.5}\t{:.2}\t{:.2}\t{:.2}\t{:.5}\t{:.4}\t{mark}",
            fit.lambda / path.lambda_max,
            fit.weights.len(),
            auc(&p, &y_test).unwrap_or(f64::NAN),
            100.0 * conf.fpr(),
            100.0 * conf.fnr(),
            100.0 * recall_at_fpr(&p, &y_test, 0.005),
            cv_auc,
            cv_dev,
        );
    }
}
