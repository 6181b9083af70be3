//! Vocabulary: term <-> u32 id, document frequencies, pruning.
//!
//! Ids follow the byte order of the terms, so the same messages give the same
//! ids on any machine and at any thread count. Because each message's
//! [`TermCounts`] is sorted the same way, mapping it to ids yields ids already
//! in increasing order: CSR rows need no sort.
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

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::slice::ParallelSliceMut;
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
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Vocabulary {
    terms: Vec<String>,
    df: Vec<u32>,
    index: FxHashMap<String, u32>,
}

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
        let df = kept.iter().map(|&(_, n)| n).collect();
        let mut vocab = Vocabulary::from_terms(kept.into_iter().map(|(t, _)| t.to_string()))
            .expect("distinct terms");
        vocab.df = df;
        vocab
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
            index,
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
        self.index.get(term).copied()
    }

    /// Number of messages the term with this id occurs in (0 when unknown).
    pub fn df(&self, id: u32) -> u32 {
        self.df[id as usize]
    }

    /// Writes one term per line, in id order, atomically (as [`crate::svmlight::write`]).
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::model::write_atomic(path, |file| {
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

/// Term strings -> dense `u32` ids, in order of first sight: one worker
/// thread's dictionary while a corpus is tokenized.
///
/// A term is hashed once per token and stored once per thread, where a
/// [`TermCountsBuilder`] per message stores it once per message and then
/// sorts, hashes and compares it again in [`Vocabulary::fit`] and
/// [`crate::dataset::Dataset::build`]. Interners of different threads are
/// reconciled with [`Interner::absorb`], which touches each distinct term of
/// the absorbed one once.
///
/// Terms of up to 23 bytes (nearly all) are kept inside the hash
/// table as three machine words, so a lookup compares words in the bucket it
/// probes instead of following a pointer to the term's bytes: the table
/// outgrows the CPU caches, and that second miss per token was the larger
/// part of the cost.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    short: FxHashMap<ShortTerm, u32>,
    long: FxHashMap<Box<str>, u32>,
}

/// Longest term stored inline by [`Interner`], in bytes.
const SHORT_TERM: usize = 23;

/// A term of at most [`SHORT_TERM`] bytes: its bytes zero-padded, its
/// length in the last byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ShortTerm([u64; 3]);

impl std::hash::Hash for ShortTerm {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for word in self.0 {
            state.write_u64(word);
        }
    }
}

impl ShortTerm {
    #[inline]
    fn new(term: &str) -> Option<ShortTerm> {
        let bytes = term.as_bytes();
        if bytes.len() > SHORT_TERM {
            return None;
        }
        let mut padded = [0u8; 24];
        padded[..bytes.len()].copy_from_slice(bytes);
        padded[23] = bytes.len() as u8;
        let word = |i: usize| u64::from_le_bytes(padded[i..i + 8].try_into().expect("8 bytes"));
        Some(ShortTerm([word(0), word(8), word(16)]))
    }

    fn to_boxed_str(self) -> Box<str> {
        let mut padded = [0u8; 24];
        for (chunk, word) in padded.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        let len = usize::from(padded[23]);
        std::str::from_utf8(&padded[..len])
            .expect("stored from a str")
            .into()
    }
}

impl Interner {
    /// The id of `term`, a new one (the number of terms so far) if unseen.
    #[inline]
    pub fn id(&mut self, term: &str) -> u32 {
        let next = self.next_id();
        match ShortTerm::new(term) {
            Some(key) => *self.short.entry(key).or_insert(next),
            None => {
                if let Some(&id) = self.long.get(term) {
                    return id;
                }
                self.long.insert(term.into(), next);
                next
            }
        }
    }

    fn next_id(&self) -> u32 {
        u32::try_from(self.len()).expect("fewer than 2^32 distinct terms")
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.short.len() + self.long.len()
    }

    /// True before the first term.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds the terms of `other`; returns, for each id of `other`, the id of
    /// the same term here.
    pub fn absorb(&mut self, other: Interner) -> Vec<u32> {
        let mut remap = vec![0; other.len()];
        for (key, theirs) in other.short {
            let next = self.next_id();
            remap[theirs as usize] = *self.short.entry(key).or_insert(next);
        }
        for (term, theirs) in other.long {
            let next = self.next_id();
            remap[theirs as usize] = *self.long.entry(term).or_insert(next);
        }
        remap
    }

    /// The terms, indexed by id.
    pub fn into_terms(self) -> Vec<Box<str>> {
        let mut terms: Vec<Box<str>> = vec![Box::from(""); self.len()];
        for (key, id) in self.short {
            terms[id as usize] = key.to_boxed_str();
        }
        for (term, id) in self.long {
            terms[id as usize] = term;
        }
        terms
    }
}

/// Counts one message's term ids (from an [`Interner`]) without hashing:
/// a slot per id remembers the message it was last seen in and its count
/// there. Reused across messages; [`IdCounter::finish`] hands out each
/// message's `(id, count)` pairs in order of first occurrence.
#[derive(Clone, Debug)]
pub struct IdCounter {
    /// Per id: (message number it was last seen in, count in that message).
    slots: Vec<(u32, u32)>,
    /// The current message's distinct ids, in order of first occurrence.
    distinct: Vec<u32>,
    /// The current message's number, from 1 (0 marks a slot never used).
    message: u32,
}

impl Default for IdCounter {
    fn default() -> Self {
        IdCounter {
            slots: Vec::new(),
            distinct: Vec::new(),
            message: 1,
        }
    }
}

impl IdCounter {
    /// Adds one occurrence of `id`.
    #[inline]
    pub fn push(&mut self, id: u32) {
        let i = id as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, (0, 0));
        }
        let slot = &mut self.slots[i];
        if slot.0 == self.message {
            slot.1 += 1;
        } else {
            *slot = (self.message, 1);
            self.distinct.push(id);
        }
    }

    /// The current message's `(id, count)` pairs, in order of first
    /// occurrence; starts the next message.
    pub fn finish(&mut self) -> Box<[(u32, u32)]> {
        let counts = self
            .distinct
            .iter()
            .map(|&id| (id, self.slots[id as usize].1))
            .collect();
        self.distinct.clear();
        if self.message == u32::MAX {
            self.slots.fill((0, 0));
            self.message = 0;
        }
        self.message += 1;
        counts
    }
}

impl Vocabulary {
    /// [`Vocabulary::fit`] for messages given as `(term id, count)` pairs
    /// over `terms` (each id at most once per message): the vocabulary, and
    /// for each term id its column, `u32::MAX` if pruned.
    pub fn fit_ids(
        terms: &[Box<str>],
        docs: &[Box<[(u32, u32)]>],
        min_df: u32,
    ) -> (Vocabulary, Vec<u32>) {
        let mut df = vec![0u32; terms.len()];
        for doc in docs {
            for &(id, _) in doc.iter() {
                df[id as usize] += 1;
            }
        }
        let mut kept: Vec<u32> = (0..terms.len())
            .filter(|&id| df[id] >= min_df)
            .map(|id| id as u32)
            .collect();
        kept.par_sort_unstable_by(|&a, &b| terms[a as usize].cmp(&terms[b as usize]));
        let mut column = vec![u32::MAX; terms.len()];
        for (col, &id) in kept.iter().enumerate() {
            column[id as usize] = col as u32;
        }
        let mut vocab =
            Vocabulary::from_terms(kept.iter().map(|&id| terms[id as usize].to_string()))
                .expect("interned terms are distinct");
        vocab.df = kept.iter().map(|&id| df[id as usize]).collect();
        (vocab, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_ids_short_and_long_terms_and_absorbs() {
        let long = "subject:averyveryverylongword-beyond-23-bytes";
        let mut a = Interner::default();
        assert_eq!(a.id("free"), 0);
        assert_eq!(a.id(long), 1);
        assert_eq!(a.id(""), 2);
        assert_eq!(a.id("free"), 0);
        assert_eq!(a.id("x".repeat(23).as_str()), 3);
        assert_eq!(a.id("x".repeat(24).as_str()), 4);
        assert_eq!(a.id(long), 1);
        let mut b = Interner::default();
        assert_eq!(b.id("ünïcödé"), 0);
        assert_eq!(b.id("free"), 1);
        assert_eq!(b.id(long), 2);
        assert_eq!(a.absorb(b), [5, 0, 1]);
        let terms = a.into_terms();
        let expected = [
            "free",
            long,
            "",
            &"x".repeat(23),
            &"x".repeat(24),
            "ünïcödé",
        ];
        assert_eq!(terms.iter().map(|t| &**t).collect::<Vec<_>>(), expected);
    }

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
