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
use std::sync::OnceLock;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::cmp::Ordering;
use std::collections::hash_map::Entry;

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

    /// From terms known to be distinct and their document frequencies; the
    /// index is left to the first lookup.
    fn from_distinct(terms: Vec<String>, df: Vec<u32>) -> Vocabulary {
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

/// Distinct terms stored end to end in one string, indexed by id: one
/// allocation for all of them, not one per term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TermList {
    text: String,
    /// `bounds[id]..bounds[id + 1]` is term `id`'s range of `text`.
    bounds: Vec<usize>,
}

impl Default for TermList {
    fn default() -> TermList {
        TermList {
            text: String::new(),
            bounds: vec![0],
        }
    }
}

impl TermList {
    /// Appends `term` as id [`TermList::len`] (before the call).
    pub fn push(&mut self, term: &str) {
        self.text.push_str(term);
        self.bounds.push(self.text.len());
    }

    /// The term with this id.
    #[inline]
    pub fn get(&self, id: u32) -> &str {
        let id = id as usize;
        &self.text[self.bounds[id]..self.bounds[id + 1]]
    }

    /// The bytes of the term with this id (byte order is `str` order).
    #[inline]
    fn bytes(&self, id: u32) -> &[u8] {
        let id = id as usize;
        &self.text.as_bytes()[self.bounds[id]..self.bounds[id + 1]]
    }

    /// Number of terms.
    pub fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    /// True if there is no term.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The terms in id order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len() as u32).map(|id| self.get(id))
    }

    /// Each id with its [`sort_key`], sorted by term.
    fn sorted(&self) -> Vec<(u64, u32)> {
        let mut sorted: Vec<(u64, u32)> = (0..self.len() as u32)
            .map(|id| (sort_key(self.bytes(id)), id))
            .collect();
        sorted.par_sort_unstable_by(|a, b| self.cmp_keyed(*a, *b));
        sorted
    }

    /// Compares two `(sort key, id)` pairs of this list as their terms' bytes.
    #[inline]
    fn cmp_keyed(&self, a: (u64, u32), b: (u64, u32)) -> Ordering {
        a.0.cmp(&b.0)
            .then_with(|| self.bytes(a.1).cmp(self.bytes(b.1)))
    }
}

/// The first 8 bytes of a term, zero-padded, as a big-endian number: terms
/// whose keys differ compare as their keys do, so most comparisons of a
/// sort or merge are one integer compare in the array being sorted, not a
/// `memcmp` of bytes elsewhere (equal keys fall back to the bytes).
#[inline]
fn sort_key(term: &[u8]) -> u64 {
    let mut head = [0u8; 8];
    let n = term.len().min(8);
    head[..n].copy_from_slice(&term[..n]);
    u64::from_be_bytes(head)
}

/// One piece of [`Interner::merge`]: the distinct terms of some consecutive
/// runs of the interners' sorted terms, and where each landed.
struct Piece {
    terms: TermList,
    /// For each interner, the piece-local id of each term of its run, in run order.
    ranks: Vec<Vec<u32>>,
}

impl Piece {
    /// Merges `runs[i]`, a sorted run of `lists[i]`'s `(sort key, id)` pairs.
    fn merge(lists: &[TermList], runs: &[&[(u64, u32)]]) -> Piece {
        let mut terms = TermList::default();
        let mut ranks: Vec<Vec<u32>> = runs
            .iter()
            .map(|run| Vec::with_capacity(run.len()))
            .collect();
        // at[i]: how far runs[i] has been merged; ties: the runs whose head is the least.
        let mut at = vec![0; runs.len()];
        let mut ties = Vec::with_capacity(runs.len());
        loop {
            let mut least: Option<(u64, &str)> = None;
            ties.clear();
            for (i, run) in runs.iter().enumerate() {
                let Some(&(key, id)) = run.get(at[i]) else {
                    continue;
                };
                let term = lists[i].get(id);
                let order = least.map_or(Ordering::Less, |(least_key, least_term)| {
                    key.cmp(&least_key)
                        .then_with(|| term.as_bytes().cmp(least_term.as_bytes()))
                });
                match order {
                    Ordering::Less => {
                        least = Some((key, term));
                        ties.clear();
                        ties.push(i);
                    }
                    Ordering::Equal => ties.push(i),
                    Ordering::Greater => {}
                }
            }
            let Some((_, term)) = least else { break };
            let rank = terms.len() as u32;
            for &i in &ties {
                ranks[i].push(rank);
                at[i] += 1;
            }
            terms.push(term);
        }
        Piece { terms, ranks }
    }
}

/// Term strings -> dense `u32` ids, in order of first sight: one worker
/// thread's dictionary while a corpus is tokenized.
///
/// A term is hashed once per token and stored once per thread, where a
/// [`TermCountsBuilder`] per message stores it once per message and then
/// sorts, hashes and compares it again in [`Vocabulary::fit`] and
/// [`crate::dataset::Dataset::build`]. Interners of different threads are
/// reconciled with [`Interner::merge`], which sorts each one's terms (in
/// parallel) and merges the sorted lists.
///
/// Terms of up to 23 bytes (nearly all) are kept inside the hash
/// table as three machine words, so a lookup compares words in the bucket it
/// probes instead of following a pointer to the term's bytes: the table
/// outgrows the CPU caches, and that second miss per token was the larger
/// part of the cost. Each new term is also appended to a [`TermList`], for
/// the merge.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    short: FxHashMap<ShortTerm, u32>,
    long: FxHashMap<Box<str>, u32>,
    terms: TermList,
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
}

/// The terms of several [`Interner`]s merged: each distinct term once, ids
/// in term order.
#[derive(Clone, Debug, Default)]
pub struct Merged {
    /// The distinct terms, sorted.
    pub terms: TermList,
    /// For each interner, in the order given, and each of its ids: the id of
    /// the same term in `terms`.
    pub remaps: Vec<Vec<u32>>,
}

impl Interner {
    /// The id of `term`, a new one (the number of terms so far) if unseen.
    #[inline]
    pub fn id(&mut self, term: &str) -> u32 {
        let next = self.next_id();
        let known = match ShortTerm::new(term) {
            Some(key) => match self.short.entry(key) {
                Entry::Occupied(entry) => Some(*entry.get()),
                Entry::Vacant(entry) => {
                    entry.insert(next);
                    None
                }
            },
            None => match self.long.get(term) {
                Some(&id) => Some(id),
                None => {
                    self.long.insert(term.into(), next);
                    None
                }
            },
        };
        known.unwrap_or_else(|| {
            self.terms.push(term);
            next
        })
    }

    fn next_id(&self) -> u32 {
        u32::try_from(self.len()).expect("fewer than 2^32 distinct terms")
    }

    /// Number of distinct terms.
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True before the first term.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The terms, indexed by id.
    pub fn terms(&self) -> &TermList {
        &self.terms
    }

    /// Merges the terms of `interners`: each one's ids are sorted by term
    /// (the interners in parallel), then the sorted lists are cut at the
    /// same terms into pieces, and the pieces merged in parallel. The result
    /// depends only on the set of terms, not on how they were spread over
    /// the interners, nor on the number of pieces.
    pub fn merge(interners: Vec<Interner>) -> Merged {
        let lists: Vec<TermList> = interners.into_iter().map(|i| i.terms).collect();
        let sorted: Vec<Vec<(u64, u32)>> = lists.par_iter().map(TermList::sorted).collect();
        // Cut points: terms of the longest list at equal steps; each list is
        // cut before its first term not less than each cut term.
        let pieces = 4 * rayon::current_num_threads();
        let longest = (0..lists.len()).max_by_key(|&i| lists[i].len());
        let cuts: Vec<(u64, &[u8])> = longest.map_or(Vec::new(), |l| {
            let len = sorted[l].len();
            let mut at: Vec<usize> = (1..pieces).map(|p| p * len / pieces).collect();
            at.dedup();
            (at.into_iter().filter(|&a| a > 0))
                .map(|a| (sorted[l][a].0, lists[l].bytes(sorted[l][a].1)))
                .collect()
        });
        let bounds: Vec<Vec<usize>> = (lists.iter().zip(&sorted))
            .map(|(list, run)| {
                let mut bounds = vec![0];
                for &(key, term) in &cuts {
                    bounds.push(run.partition_point(|&(k, id)| (k, list.bytes(id)) < (key, term)));
                }
                bounds.push(run.len());
                bounds
            })
            .collect();
        let pieces: Vec<Piece> = (0..=cuts.len())
            .into_par_iter()
            .map(|p| {
                let runs: Vec<&[(u64, u32)]> = (sorted.iter().zip(&bounds))
                    .map(|(run, b)| &run[b[p]..b[p + 1]])
                    .collect();
                Piece::merge(&lists, &runs)
            })
            .collect();

        let mut terms = TermList::default();
        let mut offsets = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            offsets.push(terms.len() as u32);
            terms.text.push_str(&piece.terms.text);
            let base = terms.bounds[terms.bounds.len() - 1];
            (terms.bounds).extend(piece.terms.bounds[1..].iter().map(|end| base + end));
        }
        let remaps = (0..lists.len())
            .into_par_iter()
            .map(|i| {
                let mut remap = vec![0; lists[i].len()];
                let ids = sorted[i].iter().map(|&(_, id)| id as usize);
                let merged = (pieces.iter().zip(&offsets))
                    .flat_map(|(piece, &offset)| piece.ranks[i].iter().map(move |r| offset + r));
                for (id, merged) in ids.zip(merged) {
                    remap[id] = merged;
                }
                remap
            })
            .collect();
        Merged { terms, remaps }
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
    /// over `terms`, which are sorted (as [`Interner::merge`] gives them),
    /// each id at most once per message: the vocabulary, and for each term
    /// id its column, `u32::MAX` if pruned. Columns follow ids, so nothing
    /// is sorted here.
    pub fn fit_ids(
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interner_ids_short_and_long_terms_and_merges() {
        let long = "subject:averyveryverylongword-beyond-23-bytes";
        let mut a = Interner::default();
        assert_eq!(a.id("free"), 0);
        assert_eq!(a.id(long), 1);
        assert_eq!(a.id(""), 2);
        assert_eq!(a.id("free"), 0);
        assert_eq!(a.id("x".repeat(23).as_str()), 3);
        assert_eq!(a.id("x".repeat(24).as_str()), 4);
        assert_eq!(a.id(long), 1);
        assert_eq!(a.terms().get(1), long);
        let mut b = Interner::default();
        assert_eq!(b.id("ünïcödé"), 0);
        assert_eq!(b.id("free"), 1);
        assert_eq!(b.id(long), 2);
        let merged = Interner::merge(vec![a, Interner::default(), b]);
        let expected = [
            "",
            "free",
            long,
            &"x".repeat(23),
            &"x".repeat(24),
            "ünïcödé",
        ];
        assert_eq!(merged.terms.iter().collect::<Vec<_>>(), expected);
        assert_eq!(merged.remaps, [vec![1, 2, 0, 3, 4], vec![], vec![5, 1, 2]]);
        assert!(Interner::merge(Vec::new()).terms.is_empty());
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
        /// However the tokens are spread over interners, the merge holds each
        /// distinct term once, sorted, and every remapped id names the term
        /// its interner gave that id.
        #[test]
        fn merge_sorts_the_union_and_remaps_consistently(
            parts in proptest::collection::vec(proptest::collection::vec("[a-cé]{0,3}|[a-c]{22,26}", 0..20), 0..4)
        ) {
            let mut interners = Vec::new();
            let mut ids = Vec::new();
            for part in &parts {
                let mut interner = Interner::default();
                ids.push(part.iter().map(|t| interner.id(t)).collect::<Vec<_>>());
                interners.push(interner);
            }
            let merged = Interner::merge(interners);
            let mut union: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
            union.sort_unstable();
            union.dedup();
            proptest::prop_assert_eq!(merged.terms.iter().collect::<Vec<_>>(), union);
            for ((part, ids), remap) in parts.iter().zip(&ids).zip(&merged.remaps) {
                for (term, &id) in part.iter().zip(ids) {
                    proptest::prop_assert_eq!(merged.terms.get(remap[id as usize]), term.as_str());
                }
            }
        }

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
