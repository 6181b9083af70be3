//! The parallel pipeline: a [`Corpus`] -> per-message [`TermCounts`] -> a
//! labeled [`Dataset`] and its [`Vocabulary`].
//!
//! Reading, parsing and tokenizing run in parallel over messages (rayon);
//! results are collected in corpus order and the vocabulary orders ids by
//! term, so the output is identical at any thread count.
//!
//! ```
//! use sparsetext::analyze::{Analyzer, AnalyzerConfig};
//! use sparsetext::corpus::Corpus;
//! use sparsetext::dataset::Scheme;
//! use sparsetext::vectorize;
//! let mut corpus = Corpus::default();
//! corpus.add_labeled_root("corpora/sample".as_ref())?;
//! let analyzer = Analyzer::new(AnalyzerConfig::default());
//! let analyzed = vectorize::analyze(&corpus, &analyzer, &|| ());
//! let (data, vocab) = analyzed.to_dataset(2, Scheme::default())?;
//! assert_eq!(data.x.cols(), vocab.len());
//! Ok::<(), sparsetext::Error>(())
//! ```

use rayon::prelude::*;

use crate::analyze::Analyzer;
use crate::corpus::{Corpus, Label, Skipped};
use crate::dataset::{Dataset, Scheme};
use crate::error::{Error, Result};
use crate::vocab::{TermCounts, TermCountsBuilder, Vocabulary};

/// The messages of a corpus, tokenized and counted.
#[derive(Clone, Debug, Default)]
pub struct Analyzed {
    /// Each kept message's term counts, in corpus order.
    pub docs: Vec<TermCounts>,
    /// Each kept message's name.
    pub names: Vec<String>,
    /// Each kept message's label, when known.
    pub labels: Vec<Option<Label>>,
    /// Files passed over (while listing, or because they are not mail), with reasons.
    pub skipped: Vec<Skipped>,
    /// Messages cut for tokenizing: at the corpus's byte cap or the analyzer's text cap.
    pub truncated: usize,
    /// Bytes of mail read.
    pub bytes: u64,
}

enum Outcome {
    Kept {
        counts: TermCounts,
        truncated: bool,
        bytes: u64,
    },
    Skipped(String),
}

/// Reads and tokenizes every message of `corpus` on the rayon pool; calls
/// `tick` once per message (for a progress bar). A message that cannot be
/// read or is not mail is skipped with its reason; nothing here fails.
pub fn analyze(corpus: &Corpus, analyzer: &Analyzer, tick: &(dyn Fn() + Sync)) -> Analyzed {
    let outcomes: Vec<Outcome> = corpus
        .items
        .par_iter()
        .map_init(TermCountsBuilder::default, |builder, item| {
            let outcome = match item.mail() {
                Err(reason) => Outcome::Skipped(reason),
                Ok(bytes) => {
                    let notes = analyzer.tokenize(&bytes, &mut |token| builder.push(token));
                    Outcome::Kept {
                        counts: builder.finish(),
                        truncated: notes.truncated || bytes.truncated,
                        bytes: bytes.len() as u64,
                    }
                }
            };
            tick();
            outcome
        })
        .collect();

    let mut analyzed = Analyzed {
        skipped: corpus.skipped.clone(),
        ..Analyzed::default()
    };
    for (item, outcome) in corpus.items.iter().zip(outcomes) {
        match outcome {
            Outcome::Kept {
                counts,
                truncated,
                bytes,
            } => {
                analyzed.docs.push(counts);
                analyzed.names.push(item.name.clone());
                analyzed.labels.push(item.label);
                analyzed.truncated += usize::from(truncated);
                analyzed.bytes += bytes;
            }
            Outcome::Skipped(reason) => analyzed.skipped.push(Skipped {
                name: item.name.clone(),
                reason,
            }),
        }
    }
    analyzed
}

impl Analyzed {
    /// Number of messages labeled spam and ham.
    pub fn class_counts(&self) -> (usize, usize) {
        let spam = self
            .labels
            .iter()
            .filter(|l| **l == Some(Label::Spam))
            .count();
        let ham = self
            .labels
            .iter()
            .filter(|l| **l == Some(Label::Ham))
            .count();
        (spam, ham)
    }

    /// Fits the vocabulary (terms in at least `min_df` messages) and builds the
    /// labeled matrix. Every message must be labeled, and there must be some.
    pub fn to_dataset(&self, min_df: u32, scheme: Scheme) -> Result<(Dataset, Vocabulary)> {
        if self.docs.is_empty() {
            return Err(Error::Training(format!(
                "no mail to learn from ({} file(s) skipped)",
                self.skipped.len()
            )));
        }
        let y = self
            .labels
            .iter()
            .zip(&self.names)
            .map(|(label, name)| {
                label.map(Label::is_spam).ok_or_else(|| Error::Corpus {
                    path: name.into(),
                    reason: "no label: pass it with --ham or --spam".into(),
                })
            })
            .collect::<Result<Vec<bool>>>()?;
        let vocab = Vocabulary::fit(&self.docs, min_df);
        Ok((Dataset::build(&self.docs, y, &vocab, scheme), vocab))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::AnalyzerConfig;
    use crate::corpus::Item;

    fn corpus() -> Corpus {
        let mail = |name: &str, label, text: &str| Item::from_bytes(name, Some(label), text.into());
        let items = vec![
            mail("a", Label::Spam, "Subject: win money\n\nWin win money now"),
            mail("cmds", Label::Ham, "mv 00001.abc 00001.def\n"),
            mail(
                "b",
                Label::Ham,
                "Subject: lunch\n\nLunch at noon, money later",
            ),
            mail("empty", Label::Ham, ""),
        ];
        Corpus {
            items,
            ..Corpus::default()
        }
    }

    #[test]
    fn non_mail_is_skipped_with_reason_and_the_rest_kept_in_order() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let analyzed = analyze(&corpus(), &analyzer, &|| ());
        assert_eq!(analyzed.names, ["a", "b"]);
        assert_eq!(analyzed.class_counts(), (1, 1));
        let skipped: Vec<_> = analyzed.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["cmds", "empty"]);
        assert!(analyzed.docs.iter().all(|d| !d.is_empty()));
    }

    #[test]
    fn same_result_at_one_and_two_threads() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let run = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut corpus = Corpus::default();
                corpus.add_labeled_root("corpora/sample".as_ref()).unwrap();
                let analyzed = analyze(&corpus, &analyzer, &|| ());
                analyzed.to_dataset(2, Scheme::default()).unwrap()
            })
        };
        let (one, vocab_one) = run(1);
        let (two, vocab_two) = run(2);
        assert_eq!(vocab_one, vocab_two);
        assert_eq!(one, two);
        assert!(one.x.nnz() > 10_000);
    }

    #[test]
    fn empty_or_unlabeled_input_is_an_error() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let empty = analyze(&Corpus::default(), &analyzer, &|| ());
        assert!(empty.to_dataset(1, Scheme::default()).is_err());
        let corpus = Corpus {
            items: vec![Item::from_bytes("x", None, b"Subject: a\n\nb".to_vec())],
            ..Corpus::default()
        };
        let err = analyze(&corpus, &analyzer, &|| ())
            .to_dataset(1, Scheme::default())
            .unwrap_err()
            .to_string();
        assert_eq!(err, "x: no label: pass it with --ham or --spam");
    }
}
