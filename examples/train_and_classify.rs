//! Train a spam filter on labeled mail and classify messages with it, through the library:
//! what `sparsetext train` and `sparsetext classify` do, without their reports.
//!
//! ```text
//! cargo run --release --example train_and_classify [-- CORPUS [MESSAGE...]]
//! ```
//!
//! CORPUS is a folder whose sub-folders are named for their label (`*spam*` is spam, else
//! `*ham*` is ham); by default the bundled sample, `corpora/sample`. Each MESSAGE file is
//! classified; without any, the first message of each class in the corpus.

use std::path::PathBuf;

use sparsetext::corpus::{Corpus, Label};
use sparsetext::model::Scorer;
use sparsetext::train::{Rule, TrainParams, TrainingSet};
use sparsetext::{Error, Result};

fn main() -> Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let root = args
        .next()
        .unwrap_or_else(|| PathBuf::from("corpora/sample"));
    let mut corpus = Corpus::default();
    corpus.add_labeled_root(&root)?;

    // Cross-validation chooses lambda: the largest within one standard error of the least
    // held-out deviance, for a sparser model as good as the best within the noise.
    let params = TrainParams::new().rule(Rule::OneSe).check()?;
    let set = TrainingSet::from_corpus(&corpus, &params)?;
    let trained = set.train(&params)?;
    for warning in &trained.warnings {
        eprintln!("warning: {warning}");
    }
    let (spam, ham) = set.class_counts();
    println!(
        "{spam} spam, {ham} ham: {} of {} words kept at lambda {:.3e} ({})",
        trained.model.len(),
        set.vocab.len(),
        trained.model.lambda(),
        trained.model.summary().lambda_rule
    );
    if let Some(auc) = trained.model.summary().cv_auc {
        println!("cross-validated AUC {auc:.4}");
    }

    let scorer = Scorer::new(trained.model);
    let mut messages: Vec<(String, Vec<u8>)> = Vec::new();
    for path in args {
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        messages.push((path.display().to_string(), bytes));
    }
    if messages.is_empty() {
        for label in [Label::Spam, Label::Ham] {
            if let Some(item) = corpus.items.iter().find(|item| item.label == Some(label)) {
                messages.push((item.name.clone(), item.bytes()?.to_vec()));
            }
        }
    }
    for (name, bytes) in &messages {
        let (score, words) = scorer.score_and_explain(bytes, 3);
        let verdict = scorer.model().verdict(score.p_spam);
        let words: Vec<String> = words.iter().map(|(w, c)| format!("{w}({c:+.2})")).collect();
        println!(
            "{verdict}\t{:.4}\t{name}\t{}",
            score.p_spam,
            words.join(" ")
        );
    }
    Ok(())
}
