//! `sparsetext train`: labeled mail (or an svmlight matrix) -> a sparse model file. The
//! library trains ([`sparsetext::train`]); this prints what it did.

use std::io::{BufWriter, StdoutLock, Write};
use std::process::ExitCode;

use sparsetext::analyze::Analyzer;
use sparsetext::model::Model;
use sparsetext::solver::Fit;
use sparsetext::store::Store;
use sparsetext::train::{self, Columns, CvChoice, DecisionRule, TrainParams, Trained, TrainingSet};
use sparsetext::{Error, Result};

use super::args::{Rule, TrainArgs};
use super::stdout_error;

/// Runs the command.
pub fn run(args: TrainArgs) -> Result<ExitCode> {
    // The analyzer's flags are checked with the rest, after the solver's.
    // A store brings its own analyzer, scheme and min-df: its messages are tokens already.
    let store = (args.from_store.as_deref())
        .map(|path| Store::open(path, None))
        .transpose()?;
    // A shard folder too: its manifest says how its rows were made.
    let shards = (args.shards.as_deref())
        .map(sparsetext::shards::read)
        .transpose()?;
    let (analyzer, scheme, min_df) = match (&store, &shards) {
        (Some(store), _) => {
            let h = store.header();
            (h.analyzer.clone(), h.scheme, h.min_df)
        }
        (None, Some(s)) => {
            let p = &s.manifest.provenance;
            (p.analyzer.clone(), p.scheme, p.min_df)
        }
        (None, None) => (
            args.analyzer.unchecked_config(),
            args.scheme.scheme(),
            args.scheme.min_df,
        ),
    };
    // The (lambda1, lambda2) form is the same penalty written another way.
    let (alpha, lambda) = match (args.l1, args.l2) {
        (Some(l1), Some(l2)) => {
            let (lambda, alpha) = train::lambda_alpha(l1, l2)?;
            (alpha, Some(lambda))
        }
        _ => (args.alpha, args.lambda),
    };
    let params = TrainParams::new()
        .date(source_date_epoch()?)
        .analyzer(analyzer)
        .min_df(min_df)
        .scheme(scheme)
        .alpha(alpha)
        .lambda(lambda)
        .folds(args.cv)
        .rule(match args.rule {
            Rule::Min => train::Rule::Min,
            Rule::OneSe => train::Rule::OneSe,
        })
        .seed(args.seed)
        .nlambda(args.nlambda)
        .lambda_min_ratio(args.lambda_min_ratio)
        .tol(args.tol)
        .decision(decision_rule(&args))
        .check()?;
    let output = super::model_path::for_writing(args.output.as_deref())?;
    // A path that cannot take the model is reported now, not after the training run.
    sparsetext::atomic::check_target(&output)?;
    if let Some(dir) = &args.report {
        sparsetext::report::check_dir(dir)?;
    }
    let mut sources = Vec::new();
    let mut out = Summary::new();
    let mut analyzed = None;
    let set = match (&args.svmlight, &store) {
        _ if let Some(s) = shards => Columns::from_set(TrainingSet::new(s.data, s.vocab)?)?,
        (Some(path), _) => Columns::from_set(TrainingSet::from_svmlight(
            path,
            args.vocab.as_deref(),
            &params,
        )?)?,
        (None, Some(store)) => {
            for note in store.notes() {
                super::eprint_line(format_args!("warning: {note}"));
            }
            let from_store = store.to_analyzed();
            let set = Columns::from_analyzed(&from_store, &params)?;
            analyzed = Some(from_store);
            set
        }
        (None, None) => {
            let analyzer = Analyzer::new(params.analyzer().clone());
            let (from_corpus, read) = super::analyze_corpus(&args.corpus, &analyzer)?;
            sources = read;
            // A failed write is held by the summary until the model is saved.
            let _ = super::print_sources(&mut out, &sources);
            let set = Columns::from_analyzed(&from_corpus, &params)?;
            analyzed = Some(from_corpus);
            set
        }
    };
    let (spam, ham) = set.class_counts();
    out.line(format_args!(
        "read:        {} messages ({spam} spam, {ham} ham), {} skipped",
        set.y.len(),
        set.skipped
    ));
    if args.svmlight.is_some() {
        // The file's values are used as written: no weighting or normalization applies.
        out.line(format_args!(
            "vocabulary:  {} features (min-df {}, values as in the file)",
            set.vocab.len(),
            args.scheme.min_df,
        ));
    } else {
        out.line(format_args!(
            "vocabulary:  {} terms (min-df {}, {} weighting{})",
            set.vocab.len(),
            args.scheme.min_df,
            args.scheme.weighting,
            if args.scheme.l2_normalize {
                ", L2-normalized rows"
            } else {
                ""
            }
        ));
    }

    // What was read shows before the long part, when stdout is a terminal or a log.
    out.flush_now();
    // The tokens are kept only for the store.
    let analyzed = analyzed.filter(|_| !args.no_store);
    let trained = if args.compare {
        super::compare::run(&set, &params, &mut out)?
    } else {
        let bar = super::progress(0, "fitting");
        let trained = set.train(&params, &|k, n| {
            bar.set_message(format!("fitting lambda {k} of {n}"));
        });
        bar.finish_and_clear();
        trained?
    };
    let Trained {
        model,
        fit,
        cv,
        warnings,
        ..
    } = &trained;
    for warning in warnings {
        super::eprint_line(format_args!("warning: {warning}"));
    }
    print_lambda(&mut out, model, fit, cv.as_ref());
    out.line(format_args!(
        "features:    {} of {} kept (alpha {})",
        fit.weights.len(),
        set.vocab.len(),
        params.alpha()
    ));
    out.line(format_args!(
        "certificate: relative duality gap {:.1e}, largest KKT violation {:.1e}{}",
        fit.rel_gap,
        fit.kkt,
        if fit.converged {
            ""
        } else {
            " (NOT converged: raise --tol or lower lambda)"
        }
    ));

    print_decision(&mut out, model);
    match analyzed.as_ref() {
        Some(analyzed) => {
            let messages = sparsetext::learn::save_with_store(model, &output, analyzed, min_df)?;
            let bytes = model.to_bytes().len();
            out.line(format_args!(
                "model:       {} ({bytes} bytes)",
                output.display()
            ));
            let store = sparsetext::store::store_path(&output);
            let size = std::fs::metadata(&store).map_or(0, |m| m.len());
            out.line(format_args!(
                "store:       {} ({size} bytes, {messages} messages)",
                store.display(),
            ));
        }
        None => {
            let bytes = model.save(&output)?;
            out.line(format_args!(
                "model:       {} ({bytes} bytes)",
                output.display()
            ));
        }
    }
    if let Some(dir) = &args.report {
        sparsetext::report::write_training(dir, &set, &trained, &sources)?;
        out.line(format_args!(
            "report:      {}",
            dir.join("index.html").display()
        ));
    }
    let _ = super::words::print_top(&mut out, model, args.top);
    out.finish()?;
    Ok(ExitCode::SUCCESS)
}

/// The summary on standard output. A failed write is kept, not returned, until the
/// model is saved: a reader that stops early (`train | head -1`) or a full disk must
/// not cost the trained model. After a failure the remaining lines are dropped.
struct Summary {
    out: BufWriter<StdoutLock<'static>>,
    error: Option<std::io::Error>,
}

impl Summary {
    fn new() -> Summary {
        Summary {
            out: super::stdout(),
            error: None,
        }
    }

    fn line(&mut self, line: std::fmt::Arguments) {
        let _ = writeln!(self, "{line}");
    }

    fn flush_now(&mut self) {
        let _ = self.flush();
    }

    /// The first write error, once everything is written.
    fn finish(mut self) -> Result<()> {
        self.flush_now();
        self.error.take().map_or(Ok(()), |e| Err(stdout_error(e)))
    }
}

impl Write for Summary {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(buf)
        {
            self.error = Some(e);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.error.is_none()
            && let Err(e) = self.out.flush()
        {
            self.error = Some(e);
        }
        Ok(())
    }
}

/// The decision rule the flags ask for.
fn decision_rule(args: &TrainArgs) -> DecisionRule {
    match (args.threshold, args.unsure) {
        (None, None) => DecisionRule::OutOfFold {
            fpr_target: args.fpr_target,
            fnr_target: args.fnr_target,
        },
        (threshold, unsure) => DecisionRule::Given {
            threshold: threshold.or(unsure.map(|(_, high)| high)).unwrap_or(0.5),
            unsure,
        },
    }
}

/// The model's threshold and band, and how they were chosen.
fn print_decision(out: &mut Summary, model: &Model) {
    let rule = &model.summary().decision_rule;
    match model.unsure() {
        Some((low, high)) => out.line(format_args!(
            "decision:    spam at p >= {high:.4}, ham below {low:.4}, unsure between ({rule})"
        )),
        None => out.line(format_args!(
            "decision:    spam at p >= {:.4} ({rule})",
            model.threshold()
        )),
    }
}

/// The chosen lambda, how it was chosen, and the cross-validation's figures there.
fn print_lambda(out: &mut Summary, model: &Model, fit: &Fit, cv: Option<&CvChoice>) {
    let rule = &model.summary().lambda_rule;
    let Some(CvChoice { result: cv, index }) = cv else {
        out.line(format_args!("lambda:      {:.4e} = {rule}", fit.lambda));
        return;
    };
    out.line(format_args!(
        "lambda:      {:.4e} = {rule} (lambda_max {:.4e}, lambda_min {:.4e}, lambda_1se {:.4e})",
        fit.lambda, cv.path.lambda_max, cv.lambda_min, cv.lambda_1se
    ));
    let auc = cv.auc_mean[*index];
    if auc.is_finite() {
        out.line(format_args!(
            "CV AUC:      {auc:.5} ± {:.5} (held-out deviance {:.4} ± {:.4})",
            cv.auc_se[*index], cv.deviance_mean[*index], cv.deviance_se[*index]
        ));
    } else {
        // Every held-out score tied (no word kept): AUC is undefined.
        out.line(format_args!(
            "CV AUC:      undefined: every held-out message got the same score \
             (held-out deviance {:.4} ± {:.4})",
            cv.deviance_mean[*index], cv.deviance_se[*index]
        ));
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
