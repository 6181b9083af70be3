//! The parallel pipeline: a [`Corpus`] -> per-message term counts -> a
//! labeled [`Dataset`] and its [`Vocabulary`].
//!
//! Reading, parsing and tokenizing run in parallel over messages (rayon).
//! Each worker thread interns its tokens as `u32` ids in its own interner
//! and counts each message's ids (`vocab/interner.rs`, `vocab/counter.rs`),
//! so a token costs one hash probe (its cache miss overlapped with those of
//! the next tokens) and no allocation; at the end the threads'
//! dictionaries are merged (`vocab/merge.rs`: each sorted, then merged in
//! pieces, in parallel) and the messages' ids remapped (in parallel) to
//! the merged ids, which follow term order. Results are collected in corpus
//! order and the vocabulary orders columns by term, so the output is
//! identical at any thread count, and to what [`Vocabulary::fit`] and
//! [`Dataset::build`] give on the same messages' [`TermCounts`] (tested
//! below).
//!
//! ```
//! use sparsetext::analyze::{Analyzer, AnalyzerConfig};
//! use sparsetext::corpus::Corpus;
//! use sparsetext::dataset::Scheme;
//! use sparsetext::vectorize;
//! let mut corpus = Corpus::default();
//! corpus.add_labeled_root("corpora/sample".as_ref())?;
//! let analyzer = Analyzer::new(AnalyzerConfig::default());
//! let analyzed = vectorize::analyze(&corpus, &analyzer, &|_| ());
//! let (data, vocab) = analyzed.to_dataset(2, Scheme::default())?;
//! assert_eq!(data.x.cols(), vocab.len());
//! Ok::<(), sparsetext::Error>(())
//! ```

use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use crate::analyze::Analyzer;
use crate::corpus::{Corpus, Label, Skipped};
use crate::dataset::{Dataset, Scheme};
use crate::error::{Error, Result};
use crate::store::{Digest, digest};
use crate::vocab::{Interner, TermCounts, TermList, TokenCounter, Vocabulary};

/// The messages of a corpus, tokenized and counted.
#[derive(Clone, Debug, Default)]
pub struct Analyzed {
    /// Every distinct term of the kept messages, indexed by term id, sorted.
    terms: TermList,
    /// Each kept message's `(term id, count)` pairs, each id once, in corpus
    /// order.
    docs: Vec<Box<[(u32, u32)]>>,
    /// Each kept message's name.
    pub names: Vec<String>,
    /// Each kept message's label, when known.
    pub labels: Vec<Option<Label>>,
    /// Each kept message's digest, its identity in a training store
    /// ([`crate::store::digest`]).
    pub digests: Vec<Digest>,
    /// Files passed over (while listing, or because they are not mail), with reasons.
    pub skipped: Vec<Skipped>,
    /// Messages cut for tokenizing at the analyzer's text cap
    /// (`max_text_bytes`: by design, the first pages carry a message's character).
    pub truncated: usize,
    /// Messages read only up to the corpus's byte cap (`max_message_bytes`:
    /// oversized, perhaps hostile, mail).
    pub cut_at_byte_cap: usize,
    /// Bytes of mail read.
    pub bytes: u64,
}

enum Outcome {
    Kept {
        /// The worker whose [`Interner`] the ids refer to.
        worker: usize,
        counts: Box<[(u32, u32)]>,
        digest: Digest,
        truncated: bool,
        cut: bool,
        bytes: u64,
    },
    Skipped(String),
}

/// Reads and tokenizes every message of `corpus` on the rayon pool; calls
/// `tick` once per message with the bytes read of it (for a progress bar). A message that cannot be
/// read or is not mail is skipped with its reason; nothing here fails.
pub fn analyze(corpus: &Corpus, analyzer: &Analyzer, tick: &(dyn Fn(u64) + Sync)) -> Analyzed {
    // One worker per pool thread, found by the thread's index: its lock is
    // never contended (it only guards against a caller outside the pool).
    let workers: Vec<Mutex<TokenCounter>> = (0..rayon::current_num_threads().max(1))
        .map(|_| Mutex::default())
        .collect();
    let mut outcomes: Vec<Outcome> = corpus
        .items
        .par_iter()
        .map(|item| {
            let outcome = match item.mail() {
                Err(reason) => Outcome::Skipped(reason),
                Ok(bytes) => {
                    let worker = rayon::current_thread_index().unwrap_or(0) % workers.len();
                    let mut guard = workers[worker]
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    let counter = &mut *guard;
                    let notes = analyzer.tokenize(&bytes, &mut |token| counter.push(token));
                    Outcome::Kept {
                        worker,
                        digest: digest(&bytes),
                        counts: counter.finish(),
                        truncated: notes.truncated,
                        cut: bytes.truncated,
                        bytes: bytes.len() as u64,
                    }
                }
            };
            tick(match &outcome {
                Outcome::Kept { bytes, .. } => *bytes,
                Outcome::Skipped(_) => 0,
            });
            outcome
        })
        .collect();

    // Merge the dictionaries; remaps[w][id] is the merged id of worker w's
    // term id.
    let interners = workers
        .into_iter()
        .map(|w| {
            w.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .into_interner()
        })
        .collect();
    let merged = Interner::merge(interners);
    outcomes.par_iter_mut().for_each(|outcome| {
        if let Outcome::Kept { worker, counts, .. } = outcome {
            let remap = &merged.remaps[*worker];
            for (id, _) in counts.iter_mut() {
                *id = remap[*id as usize];
            }
        }
    });

    let mut analyzed = Analyzed {
        terms: merged.terms,
        skipped: corpus.skipped.clone(),
        ..Analyzed::default()
    };
    for (item, outcome) in corpus.items.iter().zip(outcomes) {
        match outcome {
            Outcome::Kept {
                counts,
                digest,
                truncated,
                cut,
                bytes,
                ..
            } => {
                analyzed.docs.push(counts);
                analyzed.digests.push(digest);
                analyzed.names.push(item.name.clone());
                analyzed.labels.push(item.label);
                analyzed.truncated += usize::from(truncated);
                analyzed.cut_at_byte_cap += usize::from(cut);
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

    /// Number of kept messages.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// True if no message was kept.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Each kept message's term counts, in corpus order (sorted by term).
    pub fn term_counts(&self) -> Vec<TermCounts> {
        self.docs
            .iter()
            .map(|doc| {
                TermCounts::from_counts(
                    doc.iter()
                        .map(|&(id, count)| (self.terms.get(id).into(), count)),
                )
            })
            .collect()
    }

    /// An analyzed corpus of no message over `terms` (sorted, distinct), for
    /// [`Analyzed::push_doc`].
    pub(crate) fn from_terms(terms: TermList) -> Analyzed {
        Analyzed {
            terms,
            ..Analyzed::default()
        }
    }

    /// Appends a message given as `(term id, count)` pairs over the terms.
    pub(crate) fn push_doc(
        &mut self,
        name: String,
        label: Label,
        digest: Digest,
        doc: Box<[(u32, u32)]>,
    ) {
        self.docs.push(doc);
        self.names.push(name);
        self.labels.push(Some(label));
        self.digests.push(digest);
    }

    /// The terms, indexed by id, sorted.
    pub(crate) fn terms(&self) -> &TermList {
        &self.terms
    }

    /// Each kept message's `(term id, count)` pairs.
    pub(crate) fn docs(&self) -> &[Box<[(u32, u32)]>] {
        &self.docs
    }

    /// Fits the vocabulary (terms in at least `min_df` messages) and builds the
    /// labeled matrix. Every message must be labeled, and there must be some.
    ///
    /// Gives what [`Vocabulary::fit`] and [`Dataset::build`] give on
    /// [`Analyzed::term_counts`], without sorting or hashing a string per
    /// message and term: term ids already follow term order.
    pub fn to_dataset(&self, min_df: u32, scheme: Scheme) -> Result<(Dataset, Vocabulary)> {
        let y = self.spam_labels()?;
        let (vocab, column) = Vocabulary::fit_ids(&self.terms, &self.docs, min_df);
        let data = Dataset::build_ids(&self.docs, y, &column, vocab.len(), scheme);
        Ok((data, vocab))
    }

    /// Each message's label as `true` for spam: every message must have one, and there
    /// must be some.
    pub(crate) fn spam_labels(&self) -> Result<Vec<bool>> {
        if self.docs.is_empty() {
            return Err(Error::Training(format!(
                "no mail to learn from ({} file(s) skipped)",
                self.skipped.len()
            )));
        }
        self.labels
            .iter()
            .zip(&self.names)
            .map(|(label, name)| {
                label.map(Label::is_spam).ok_or_else(|| Error::Corpus {
                    path: name.into(),
                    reason: "no label: pass it with --ham or --spam".into(),
                })
            })
            .collect()
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
        let analyzed = analyze(&corpus(), &analyzer, &|_| ());
        assert_eq!(analyzed.names, ["a", "b"]);
        assert_eq!(analyzed.class_counts(), (1, 1));
        let skipped: Vec<_> = analyzed.skipped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(skipped, ["cmds", "empty"]);
        assert!(analyzed.term_counts().iter().all(|d| !d.is_empty()));
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
                let analyzed = analyze(&corpus, &analyzer, &|_| ());
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
    fn interned_path_matches_term_counts_path_bit_for_bit() {
        use crate::dataset::Weighting;
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let analyzed = pool.install(|| {
            let mut corpus = Corpus::default();
            corpus.add_labeled_root("corpora/sample".as_ref()).unwrap();
            analyze(&corpus, &analyzer, &|_| ())
        });
        let docs = analyzed.term_counts();
        assert_eq!(docs.len(), analyzed.len());
        let y: Vec<bool> = analyzed
            .labels
            .iter()
            .map(|l| l.unwrap().is_spam())
            .collect();
        for weighting in [Weighting::Binary, Weighting::Counts, Weighting::LogCounts] {
            for l2_normalize in [false, true] {
                let scheme = Scheme {
                    weighting,
                    l2_normalize,
                };
                for min_df in [1, 2, 5] {
                    let vocab = Vocabulary::fit(&docs, min_df);
                    let expected = Dataset::build(&docs, y.clone(), &vocab, scheme);
                    let (data, got_vocab) = analyzed.to_dataset(min_df, scheme).unwrap();
                    assert_eq!(got_vocab, vocab, "{scheme:?} min_df {min_df}");
                    assert_eq!(data.x.indptr(), expected.x.indptr());
                    assert_eq!(data.x.indices(), expected.x.indices());
                    let bits = |m: &crate::dataset::Matrix| {
                        m.data().iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                    };
                    assert_eq!(bits(&data.x), bits(&expected.x), "{scheme:?}");
                    assert_eq!(data, expected);
                }
            }
        }
    }

    #[test]
    fn empty_or_unlabeled_input_is_an_error() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let empty = analyze(&Corpus::default(), &analyzer, &|_| ());
        assert!(empty.to_dataset(1, Scheme::default()).is_err());
        let corpus = Corpus {
            items: vec![Item::from_bytes("x", None, b"Subject: a\n\nb".to_vec())],
            ..Corpus::default()
        };
        let err = analyze(&corpus, &analyzer, &|_| ())
            .to_dataset(1, Scheme::default())
            .unwrap_err()
            .to_string();
        assert_eq!(err, "x: no label: pass it with --ham or --spam");
    }
}
