//! Vocabulary: term <-> u32 id, document frequencies, pruning.
//!
//! Ids follow the byte order of the terms, so the same messages give the same
//! ids on any machine and at any thread count. Because each message's
//! [`TermCounts`] is sorted the same way, mapping it to ids yields ids already
//! in increasing order: CSR rows need no sort.
//!
//! The vectorizer takes a faster road to the same vocabulary, through
//! crate-internal parts: each worker thread interns its tokens as ids
//! (`vocab/interner.rs`) and counts each message's ids
//! (`vocab/counter.rs`); the threads' terms are then merged in term order
//! (`vocab/merge.rs`) into one list (`vocab/term_list.rs`), which
//! `Vocabulary::fit_ids` prunes.
//!
//! ```
//! use sparsetext::vocab::{TermCounts, Vocabulary};
//! let docs = [
//!     TermCounts::from_tokens(["free", "money", "free"]),
//!     TermCounts::from_tokens(["meeting", "money"]),
//! ];
//! let vocab = Vocabulary::fit(&docs, 2);
//! assert_eq!(vocab.terms(), ["money"]);
//! assert_eq!(vocab.df(0), 2);
//! assert_eq!(docs[0].terms(), [("free".into(), 2), ("money".into(), 1)]);
//! ```

mod counter;
mod interner;
mod merge;
mod term_list;

pub(crate) use counter::TokenCounter;
pub(crate) use interner::Interner;
pub(crate) use term_list::TermList;

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::OnceLock;

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};

/// The distinct terms of one message with their counts, sorted by term.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TermCounts {
    terms: Vec<(Box<str>, u32)>,
}

impl TermCounts {
    /// From distinct terms and their counts, in any order.
    pub fn from_counts(counts: impl IntoIterator<Item = (Box<str>, u32)>) -> TermCounts {
        let mut terms: Vec<(Box<str>, u32)> = counts.into_iter().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        debug_assert!(terms.windows(2).all(|w| w[0].0 != w[1].0), "distinct terms");
        TermCounts { terms }
    }

    /// Counts `tokens`.
    pub fn from_tokens<S: AsRef<str>>(tokens: impl IntoIterator<Item = S>) -> TermCounts {
        let mut builder = TermCountsBuilder::default();
        for token in tokens {
            builder.push(token.as_ref());
        }
        builder.finish()
    }

    /// `(term, count)` pairs, sorted by term.
    pub fn terms(&self) -> &[(Box<str>, u32)] {
        &self.terms
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether the message had no token.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }
}

/// Counts one message's tokens in a hash map (one allocation per distinct
/// term, not per token), then sorts the distinct terms once.
#[derive(Debug, Default)]
pub struct TermCountsBuilder {
    counts: FxHashMap<Box<str>, u32>,
}

impl TermCountsBuilder {
    /// Adds one token occurrence.
    pub fn push(&mut self, token: &str) {
        match self.counts.get_mut(token) {
            Some(count) => *count += 1,
            None => {
                self.counts.insert(token.into(), 1);
            }
        }
    }

    /// Sorts and returns the tokens seen so far, and resets the builder.
    pub fn finish(&mut self) -> TermCounts {
        let mut terms: Vec<(Box<str>, u32)> = self.counts.drain().collect();
        terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        TermCounts { terms }
    }
}

/// Term <-> id map with document frequencies.
///
/// The term -> id index is built on the first [`Vocabulary::id`] call (or
/// by [`Vocabulary::from_terms`], which checks that terms are distinct): a
/// vocabulary fitted only to be written out never builds it.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    terms: Vec<String>,
    df: Vec<u32>,
    index: OnceLock<FxHashMap<String, u32>>,
}

impl PartialEq for Vocabulary {
    /// Same terms with the same document frequencies (the index follows from the terms).
    fn eq(&self, other: &Vocabulary) -> bool {
        self.terms == other.terms && self.df == other.df
    }
}

impl Eq for Vocabulary {}

impl Vocabulary {
    /// The terms that occur in at least `min_df` messages, ids in term order.
    pub fn fit<'a>(docs: impl IntoIterator<Item = &'a TermCounts>, min_df: u32) -> Vocabulary {
        let mut df: FxHashMap<&str, u32> = FxHashMap::default();
        for doc in docs {
            for (term, _) in doc.terms() {
                *df.entry(term).or_insert(0) += 1;
            }
        }
        let mut kept: Vec<(&str, u32)> = df.into_iter().filter(|&(_, n)| n >= min_df).collect();
        kept.sort_unstable_by(|a, b| a.0.cmp(b.0));
        Vocabulary::from_distinct(
            kept.iter().map(|&(t, _)| t.to_string()).collect(),
            kept.iter().map(|&(_, n)| n).collect(),
        )
    }

    /// [`Vocabulary::fit`] for messages given as `(term id, count)` pairs
    /// over `terms`, which are sorted (as [`Interner::merge`] gives them),
    /// each id at most once per message: the vocabulary, and for each term
    /// id its column, `u32::MAX` if pruned. Columns follow ids, so nothing
    /// is sorted here.
    pub(crate) fn fit_ids(
        terms: &TermList,
        docs: &[Box<[(u32, u32)]>],
        min_df: u32,
    ) -> (Vocabulary, Vec<u32>) {
        debug_assert!((1..terms.len() as u32).all(|id| terms.get(id - 1) < terms.get(id)));
        let mut df = vec![0u32; terms.len()];
        for doc in docs {
            for &(id, _) in doc.iter() {
                df[id as usize] += 1;
            }
        }
        let mut column = vec![u32::MAX; terms.len()];
        let mut kept_terms = Vec::new();
        let mut kept_df = Vec::new();
        for (id, (&n, col)) in df.iter().zip(&mut column).enumerate() {
            if n >= min_df {
                *col = kept_terms.len() as u32;
                kept_terms.push(terms.get(id as u32).to_string());
                kept_df.push(n);
            }
        }
        (Vocabulary::from_distinct(kept_terms, kept_df), column)
    }

    /// From terms known to be distinct and their document frequencies; the
    /// index is left to the first lookup.
    pub(crate) fn from_distinct(terms: Vec<String>, df: Vec<u32>) -> Vocabulary {
        debug_assert_eq!(terms.len(), df.len());
        Vocabulary {
            terms,
            df,
            index: OnceLock::new(),
        }
    }

    /// A vocabulary with the given terms as ids 0, 1, ... (document frequencies unknown: 0).
    /// Fails on a repeated term.
    pub fn from_terms(
        terms: impl IntoIterator<Item = String>,
    ) -> std::result::Result<Vocabulary, String> {
        let terms: Vec<String> = terms.into_iter().collect();
        let mut index = FxHashMap::with_capacity_and_hasher(terms.len(), Default::default());
        for (id, term) in terms.iter().enumerate() {
            if index.insert(term.clone(), id as u32).is_some() {
                return Err(format!("term {term:?} appears twice"));
            }
        }
        Ok(Vocabulary {
            df: vec![0; terms.len()],
            terms,
            index: OnceLock::from(index),
        })
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// Whether there is no term.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// All terms, in id order.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The term with this id.
    pub fn term(&self, id: u32) -> &str {
        &self.terms[id as usize]
    }

    /// The id of `term`, if it is in the vocabulary.
    pub fn id(&self, term: &str) -> Option<u32> {
        let index = self.index.get_or_init(|| {
            let mut index = FxHashMap::with_capacity_and_hasher(self.len(), Default::default());
            for (id, term) in self.terms.iter().enumerate() {
                index.insert(term.clone(), id as u32);
            }
            index
        });
        index.get(term).copied()
    }

    /// Number of messages the term with this id occurs in (0 when unknown).
    pub fn df(&self, id: u32) -> u32 {
        self.df[id as usize]
    }

    /// Writes one term per line, in id order, atomically (as [`crate::svmlight::write`]).
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::atomic::write_atomic(path, |file| {
            let mut out = BufWriter::new(file);
            for term in &self.terms {
                assert!(!term.contains('\n'), "terms never hold a newline");
                out.write_all(term.as_bytes())?;
                out.write_all(b"\n")?;
            }
            out.flush()
        })
    }

    /// Reads a vocabulary written one term per line (line N is id N-1).
    pub fn read(path: &Path) -> Result<Vocabulary> {
        let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Vocabulary::from_terms(text.lines().map(str::to_string)).map_err(|reason| Error::Corpus {
            path: path.to_path_buf(),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_counts_and_sorts() {
        let doc = TermCounts::from_tokens(["b", "a", "b", "subject:b", "a", "b"]);
        let got: Vec<_> = doc.terms().iter().map(|(t, c)| (&**t, *c)).collect();
        assert_eq!(got, [("a", 2), ("b", 3), ("subject:b", 1)]);
    }

    #[test]
    fn fit_orders_by_term_and_prunes() {
        let docs = [
            TermCounts::from_tokens(["z", "y", "x"]),
            TermCounts::from_tokens(["y", "w"]),
            TermCounts::from_tokens(["y", "z"]),
        ];
        let vocab = Vocabulary::fit(&docs, 1);
        assert_eq!(vocab.terms(), ["w", "x", "y", "z"]);
        assert_eq!(
            (0..4).map(|i| vocab.df(i)).collect::<Vec<_>>(),
            [1, 1, 3, 2]
        );
        assert_eq!(vocab.id("y"), Some(2));
        assert_eq!(vocab.id("nope"), None);
        assert_eq!(Vocabulary::fit(&docs, 2).terms(), ["y", "z"]);
        assert!(Vocabulary::fit(&docs, 4).is_empty());
    }

    #[test]
    fn file_round_trip_and_duplicate_rejection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.txt");
        let vocab = Vocabulary::from_terms(["b".into(), "a".into(), "subject:é".into()]).unwrap();
        vocab.write(&path).unwrap();
        assert_eq!(Vocabulary::read(&path).unwrap().terms(), vocab.terms());
        fs::write(&path, "a\nb\na\n").unwrap();
        let err = Vocabulary::read(&path).unwrap_err().to_string();
        assert!(err.contains("\"a\" appears twice"), "{err}");
    }

    proptest::proptest! {
        #[test]
        fn fit_does_not_depend_on_message_order(
            docs in proptest::collection::vec(proptest::collection::vec("[a-d]{1,2}", 0..6), 1..8)
        ) {
            let forward: Vec<_> = docs.iter().map(TermCounts::from_tokens).collect();
            let mut backward = forward.clone();
            backward.reverse();
            proptest::prop_assert_eq!(Vocabulary::fit(&forward, 1), Vocabulary::fit(&backward, 1));
        }
    }
}
