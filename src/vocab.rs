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
    fn sorted(&self) -> Vec<(SortKey, u32)> {
        let mut sorted: Vec<(SortKey, u32)> = (0..self.len() as u32)
            .map(|id| (sort_key(self.bytes(id)), id))
            .collect();
        sorted.par_sort_unstable_by(|a, b| self.cmp_keyed(*a, *b));
        sorted
    }

    /// Compares two `(sort key, id)` pairs of this list as their terms' bytes.
    #[inline]
    fn cmp_keyed(&self, a: (SortKey, u32), b: (SortKey, u32)) -> Ordering {
        a.0.cmp(&b.0)
            .then_with(|| self.bytes(a.1).cmp(self.bytes(b.1)))
    }
}

/// The first 16 bytes of a term, zero-padded, as two big-endian numbers:
/// terms whose keys differ compare as their keys do, so most comparisons of
/// a sort or merge are integer compares in the array being sorted, not a
/// `memcmp` of bytes elsewhere (equal keys fall back to the bytes). Sixteen
/// bytes, not eight: many terms share a tag such as `subject:`.
type SortKey = [u64; 2];

#[inline]
fn sort_key(term: &[u8]) -> SortKey {
    let mut head = [0u8; 16];
    let n = term.len().min(16);
    head[..n].copy_from_slice(&term[..n]);
    let word = |i: usize| u64::from_be_bytes(head[i..i + 8].try_into().expect("8 bytes"));
    [word(0), word(8)]
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
    fn merge(lists: &[TermList], runs: &[&[(SortKey, u32)]]) -> Piece {
        let mut terms = TermList::default();
        let mut ranks: Vec<Vec<u32>> = runs
            .iter()
            .map(|run| Vec::with_capacity(run.len()))
            .collect();
        // at[i]: how far runs[i] has been merged; ties: the runs whose head is the least.
        let mut at = vec![0; runs.len()];
        let mut ties = Vec::with_capacity(runs.len());
        loop {
            let mut least: Option<(SortKey, &str)> = None;
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
/// table as three machine words, so a lookup compares words in the slot it
/// probes instead of following a pointer to the term's bytes: the table
/// outgrows the CPU caches, and that second miss per token was the larger
/// part of the cost. The table is a plain array of slots (linear probing),
/// so a lookup costs one cache miss, and [`TokenCounter`] can prefetch a
/// token's slot ahead of looking it up. Each new term is also appended to a
/// [`TermList`], for the merge.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    short: ShortTable,
    long: FxHashMap<Box<str>, u32>,
    terms: TermList,
}

/// Longest term stored inline by [`Interner`], in bytes.
const SHORT_TERM: usize = 23;

/// A term of at most [`SHORT_TERM`] bytes: its bytes zero-padded, its
/// length in the last byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ShortTerm([u64; 3]);

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

    /// The term's bytes, zero-padded, and its length.
    fn padded(self) -> ([u8; 24], usize) {
        let mut padded = [0u8; 24];
        for (chunk, word) in padded.chunks_exact_mut(8).zip(self.0) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        let len = usize::from(padded[23]);
        (padded, len)
    }

    /// A 64-bit hash whose top bits pick the term's home slot: a
    /// multiply-rotate mix of the three words (each product carries every
    /// bit of its input into its top bits).
    #[inline]
    fn hash(self) -> u64 {
        const K: u64 = 0x9e37_79b9_7f4a_7c15; // 2^64 / golden ratio
        let [a, b, c] = self.0;
        let h = a.wrapping_mul(K);
        let h = (h.rotate_left(29) ^ b).wrapping_mul(K);
        (h.rotate_left(29) ^ c).wrapping_mul(K)
    }
}

/// Asks the CPU to fetch `value`'s cache line, so that a read a little later
/// finds it there. Unlike a load, a prefetch does not hold up the
/// instructions after it while the memory answers.
#[inline]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let address: *const T = value;
        // SAFETY: SSE is part of x86-64, and a prefetch is only a hint: it
        // reads nothing into the program and cannot fault (here the address
        // is even that of a live value).
        unsafe { _mm_prefetch::<_MM_HINT_T0>(address.cast()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// [`ShortTerm`] -> id, open addressing with linear probing in a
/// power-of-two array of slots, at most 7/8 full.
#[derive(Clone, Debug)]
struct ShortTable {
    slots: Vec<Slot>,
    len: usize,
    /// 64 minus log2 of the number of slots: `hash >> shift` is a home slot.
    shift: u32,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    key: ShortTerm,
    /// [`EMPTY`] for a free slot.
    id: u32,
}

/// The id of a free [`Slot`] (ids stay below it: see [`Interner::id`]).
const EMPTY: u32 = u32::MAX;

impl Default for ShortTable {
    fn default() -> ShortTable {
        ShortTable::with_slots(1 << 10)
    }
}

impl ShortTable {
    fn with_slots(n: usize) -> ShortTable {
        debug_assert!(n.is_power_of_two());
        let free = Slot {
            key: ShortTerm([0; 3]),
            id: EMPTY,
        };
        ShortTable {
            slots: vec![free; n],
            len: 0,
            shift: 64 - n.trailing_zeros(),
        }
    }

    #[inline]
    fn home(&self, hash: u64) -> usize {
        (hash >> self.shift) as usize
    }

    /// Prefetches the home slot of `hash`.
    #[inline]
    fn prefetch(&self, hash: u64) {
        prefetch(&self.slots[self.home(hash)]);
    }

    /// The id of `key` (whose hash is `hash`), or `next` after storing it
    /// with that id; and whether it was new.
    #[inline]
    fn get_or_insert(&mut self, key: ShortTerm, hash: u64, next: u32) -> (u32, bool) {
        if 8 * (self.len + 1) > 7 * self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        loop {
            let slot = &mut self.slots[i];
            if slot.id == EMPTY {
                *slot = Slot { key, id: next };
                self.len += 1;
                return (next, true);
            }
            if slot.key == key {
                return (slot.id, false);
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the slots, placing every entry anew.
    fn grow(&mut self) {
        let mut bigger = ShortTable::with_slots(2 * self.slots.len());
        for slot in self.slots.iter().filter(|slot| slot.id != EMPTY) {
            bigger.get_or_insert(slot.key, slot.key.hash(), slot.id);
        }
        *self = bigger;
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
        match ShortTerm::new(term) {
            Some(key) => self.short_id(key, key.hash()),
            None => self.long_id(term),
        }
    }

    #[inline]
    fn short_id(&mut self, key: ShortTerm, hash: u64) -> u32 {
        let (id, new) = self.short.get_or_insert(key, hash, self.next_id());
        if new {
            let (padded, len) = key.padded();
            self.terms
                .push(std::str::from_utf8(&padded[..len]).expect("stored from a str"));
        }
        id
    }

    fn long_id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.long.get(term) {
            return id;
        }
        let next = self.next_id();
        self.long.insert(term.into(), next);
        self.terms.push(term);
        next
    }

    fn next_id(&self) -> u32 {
        match u32::try_from(self.len()) {
            Ok(next) if next != EMPTY => next,
            _ => panic!("fewer than 2^32 - 1 distinct terms"),
        }
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
        let sorted: Vec<Vec<(SortKey, u32)>> = lists.par_iter().map(TermList::sorted).collect();
        // Cut points: terms of the longest list at equal steps; each list is
        // cut before its first term not less than each cut term.
        let pieces = 4 * rayon::current_num_threads();
        let longest = (0..lists.len()).max_by_key(|&i| lists[i].len());
        let cuts: Vec<(SortKey, &[u8])> = longest.map_or(Vec::new(), |l| {
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
                let runs: Vec<&[(SortKey, u32)]> = (sorted.iter().zip(&bounds))
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
    /// Prefetches the slot of `id`, if it has one yet.
    #[inline]
    fn prefetch(&self, id: u32) {
        if let Some(slot) = self.slots.get(id as usize) {
            prefetch(slot);
        }
    }

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

/// Counts a message's tokens as ids of an [`Interner`], in batches: each
/// short token's home slot is prefetched when the token arrives and looked
/// up only a batch (32 tokens) later, and its counter slot prefetched then
/// and counted a batch later still, so the cache misses overlap with the
/// tokenizing instead of stalling one token each. Ids are handed out in a
/// different order than token by token, which changes nothing downstream:
/// [`Interner::merge`] orders ids by term.
#[derive(Clone, Debug, Default)]
pub struct TokenCounter {
    interner: Interner,
    counter: IdCounter,
    /// Short tokens seen but not yet looked up, with their hashes.
    pending: Vec<(ShortTerm, u64)>,
    /// Ids looked up but not yet counted (the previous batch).
    ids: Vec<u32>,
    /// The ids of the batch being looked up, reused.
    looked_up: Vec<u32>,
}

impl TokenCounter {
    /// Tokens looked up together.
    const BATCH: usize = 32;

    /// Adds one occurrence of `token` to the current message.
    #[inline]
    pub fn push(&mut self, token: &str) {
        match ShortTerm::new(token) {
            Some(key) => {
                let hash = key.hash();
                self.interner.short.prefetch(hash);
                self.pending.push((key, hash));
                if self.pending.len() == Self::BATCH {
                    self.flush();
                }
            }
            None => {
                let id = self.interner.long_id(token);
                self.counter.push(id);
            }
        }
    }

    /// Looks up the pending tokens and prefetches their counter slots;
    /// counts the previous batch.
    fn flush(&mut self) {
        self.looked_up.clear();
        for &(key, hash) in &self.pending {
            let id = self.interner.short_id(key, hash);
            self.counter.prefetch(id);
            self.looked_up.push(id);
        }
        self.pending.clear();
        for &id in &self.ids {
            self.counter.push(id);
        }
        std::mem::swap(&mut self.ids, &mut self.looked_up);
    }

    /// The current message's `(id, count)` pairs (as [`IdCounter::finish`]);
    /// starts the next message.
    pub fn finish(&mut self) -> Box<[(u32, u32)]> {
        self.flush();
        for &id in &self.ids {
            self.counter.push(id);
        }
        self.ids.clear();
        self.counter.finish()
    }

    /// The interner, holding every term counted so far.
    pub fn into_interner(self) -> Interner {
        self.interner
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
    fn token_counter_counts_as_interner_and_id_counter_do() {
        // Enough distinct terms to grow the table several times, long ones
        // among them, and messages longer and shorter than a batch.
        let token = |i: usize| match i % 5 {
            0 => format!("t{i}"),
            1 => format!("subject:a-longer-term-than-23-bytes-{}", i % 50),
            _ => format!("w{}", (i * 7) % 1000),
        };
        let lengths = [0, 1, 31, 32, 33, 500, 20_000, 7];
        let mut batched = TokenCounter::default();
        let mut direct = Interner::default();
        let mut counter = IdCounter::default();
        let mut next = 0;
        for len in lengths {
            let tokens: Vec<String> = (next..next + len).map(token).collect();
            next += len;
            for t in &tokens {
                batched.push(t);
                counter.push(direct.id(t));
            }
            let as_terms = |counts: Box<[(u32, u32)]>, terms: &TermList| {
                TermCounts::from_counts(counts.iter().map(|&(id, n)| (terms.get(id).into(), n)))
            };
            let got = batched.finish();
            let got = as_terms(got, batched.interner.terms());
            assert_eq!(got, as_terms(counter.finish(), direct.terms()));
            assert_eq!(got, TermCounts::from_tokens(&tokens));
        }
        assert_eq!(batched.interner.len(), direct.len());
        assert!(batched.interner.short.slots.len() >= 4096, "the table grew");
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
