//! `sparsetext train`: labeled mail (or an svmlight matrix) -> a sparse model file.

use std::path::Path;
use std::process::ExitCode;

use sparsetext::analyze::{Analyzer, AnalyzerConfig};
use sparsetext::dataset::Dataset;
use sparsetext::model::{Model, ModelParts, TrainingSummary};
use sparsetext::solver::{self, CvResult, Design, Fit, Params, Solver, ValidParams};
use sparsetext::vocab::Vocabulary;
use sparsetext::{Error, Result, svmlight};

use super::args::{Rule, TrainArgs};

/// Runs the command.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    let date = source_date_epoch()?;
    let params = Params::new()
        .alpha(args.alpha)
        .tol(args.tol)
        .nlambda(args.nlambda)
        .lambda_min_ratio(Some(args.lambda_min_ratio))
        .check()?;
    let analyzer_config = args.analyzer.config()?;
    let (data, vocab, skipped) = match &args.svmlight {
        Some(path) => read_svmlight(path, args.vocab.as_deref())?,
        None => read_mail(&args, analyzer_config.clone())?,
    };
    let (spam, ham) = data.class_counts();
    if spam == 0 || ham == 0 {
        return Err(Error::Training(format!(
            "need both classes to train, found {spam} spam and {ham} ham message(s)"
        )));
    }
    println!(
        "read:        {} messages ({spam} spam, {ham} ham), {skipped} skipped",
        data.y.len()
    );
    println!(
        "vocabulary:  {} terms (min-df {}, {} weighting{})",
        vocab.len(),
        args.scheme.min_df,
        args.scheme.weighting,
        if args.scheme.l2_normalize {
            ", L2-normalized rows"
        } else {
            ""
        }
    );

    let design = Design::from_csr(&data.x)?;
    let (fit, rule, cv) = match args.lambda {
        Some(lambda) => (
            fit_fixed(&design, &data.y, lambda, &params)?,
            "fixed (--lambda)".to_string(),
            None,
        ),
        None => {
            let cv = solver::cross_validate(&design, &data.y, None, args.cv, args.seed, &params)?;
            let (index, rule) = match args.rule {
                Rule::OneSe => (cv.index_1se, format!("lambda_1se of {}-fold CV", args.cv)),
                Rule::Min => (cv.index_min, format!("lambda_min of {}-fold CV", args.cv)),
            };
            (cv.path.fits[index].clone(), rule, Some((cv, index)))
        }
    };
    if let Some((cv, _)) = &cv
        && let Some(warning) = &cv.path.warning
    {
        eprintln!("sparsetext: warning: {warning}");
    }
    for warning in &fit.warnings {
        eprintln!("sparsetext: warning: {warning}");
    }
    print_lambda(&fit, &rule, cv.as_ref());
    println!(
        "features:    {} of {} kept (alpha {})",
        fit.weights.len(),
        vocab.len(),
        args.alpha
    );
    if fit.weights.is_empty() {
        eprintln!(
            "sparsetext: warning: no word was kept: the model gives every message \
             the training set's spam rate (identical messages, or lambda too large)"
        );
    }
    println!(
        "certificate: relative duality gap {:.1e}, largest KKT violation {:.1e}{}",
        fit.rel_gap,
        fit.kkt,
        if fit.converged {
            ""
        } else {
            " (NOT converged: raise --tol or lower lambda)"
        }
    );

    let mut summary = TrainingSummary::new(spam as u64, ham as u64, &rule);
    if let Some(secs) = date {
        summary = summary.dated_at(secs);
    }
    if let Some((cv, index)) = &cv {
        summary.cv_auc = Some(cv.auc_mean[*index]).filter(|a| a.is_finite());
        summary.cv_auc_se = Some(cv.auc_se[*index]).filter(|a| a.is_finite());
    }
    let model = Model::new(ModelParts {
        analyzer: analyzer_config,
        scheme: args.scheme.scheme(),
        features: fit
            .weights
            .iter()
            .map(|&(j, w)| (vocab.term(j).to_string(), w))
            .collect(),
        intercept: fit.intercept,
        lambda: fit.lambda,
        alpha: args.alpha,
        threshold: args.threshold,
        unsure: args.unsure,
        ..ModelParts::new(summary)
    })?;
    if args.output == Path::new("models/spam.model") {
        std::fs::create_dir_all("models").map_err(|e| Error::io("models", e))?;
    }
    let bytes = model.save(&args.output)?;
    println!("model:       {} ({bytes} bytes)", args.output.display());
    super::words::print_top(&model, args.top);
    Ok(ExitCode::SUCCESS)
}

fn read_mail(args: &TrainArgs, config: AnalyzerConfig) -> Result<(Dataset, Vocabulary, usize)> {
    let analyzed = super::analyze_corpus(&args.corpus, &Analyzer::new(config))?;
    let (data, vocab) = analyzed.to_dataset(args.scheme.min_df, args.scheme.scheme())?;
    Ok((data, vocab, analyzed.skipped.len()))
}

fn read_svmlight(path: &Path, vocab: Option<&Path>) -> Result<(Dataset, Vocabulary, usize)> {
    let file = svmlight::read(path)?;
    let vocab = match vocab {
        Some(vocab_path) => {
            let vocab = Vocabulary::read(vocab_path)?;
            if vocab.len() < file.x.cols() {
                return Err(Error::Corpus {
                    path: vocab_path.to_path_buf(),
                    reason: format!(
                        "{} terms, but {} uses feature ids up to {}",
                        vocab.len(),
                        path.display(),
                        file.x.cols()
                    ),
                });
            }
            vocab
        }
        None => Vocabulary::from_terms(
            (0..file.x.cols()).map(|c| (c as u32 + file.first_id).to_string()),
        )
        .expect("distinct ids"),
    };
    // A vocabulary may be wider than the highest id used in the file: widen in place.
    let rows = file.x.rows();
    let (indptr, indices, data) = file.x.into_raw_storage();
    let x = sprs::CsMatI::new((rows, vocab.len()), indptr, indices, data);
    Ok((Dataset { x, y: file.y }, vocab, 0))
}

/// Fits one lambda, warm-started down a short geometric path from lambda_max.
fn fit_fixed(design: &Design, y: &[bool], lambda: f64, params: &ValidParams) -> Result<Fit> {
    let mut solver = Solver::new(design, y, None)?;
    let lambda_max = solver.lambda_max(params.alpha());
    let steps = if lambda < lambda_max { 20 } else { 1 };
    let mut fit = None;
    for k in 1..=steps {
        let t = k as f64 / steps as f64;
        let at = if steps == 1 {
            lambda
        } else {
            lambda_max.powf(1.0 - t) * lambda.powf(t)
        };
        fit = Some(solver.fit(if k == steps { lambda } else { at }, params)?);
    }
    Ok(fit.expect("at least one step"))
}

fn print_lambda(fit: &Fit, rule: &str, cv: Option<&(CvResult, usize)>) {
    match cv {
        Some((cv, index)) => {
            println!(
                "lambda:      {:.4e} = {rule} (lambda_max {:.4e}, lambda_min {:.4e}, lambda_1se {:.4e})",
                fit.lambda, cv.path.lambda_max, cv.lambda_min, cv.lambda_1se
            );
            let auc = cv.auc_mean[*index];
            if auc.is_finite() {
                println!(
                    "CV AUC:      {auc:.5} ± {:.5} (held-out deviance {:.4} ± {:.4})",
                    cv.auc_se[*index], cv.deviance_mean[*index], cv.deviance_se[*index]
                );
            } else {
                // Every held-out score tied (no word kept): AUC is undefined.
                println!(
                    "CV AUC:      undefined: every held-out message got the same score \
                     (held-out deviance {:.4} ± {:.4})",
                    cv.deviance_mean[*index], cv.deviance_se[*index]
                );
            }
        }
        None => println!("lambda:      {:.4e} = {rule}", fit.lambda),
    }
}

/// `SOURCE_DATE_EPOCH`, the reproducible-builds convention for "the time this artifact was
/// made" (https://reproducible-builds.org/specs/source-date-epoch/): the model's training
/// date when set. A malformed value is an error, as the specification asks.
fn source_date_epoch() -> Result<Option<u64>> {
    let Some(value) = std::env::var_os("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let value = value.to_string_lossy();
    value
        .trim()
        .parse::<u64>()
        .map(Some)
        .map_err(|_| Error::InvalidParam {
            name: "SOURCE_DATE_EPOCH",
            value: value.into_owned(),
            reason: "must be a whole number of seconds since 1970-01-01 UTC".into(),
        })
}
