//! [`Interner`]: term strings -> dense `u32` ids, in an open-addressing
//! table that keeps short terms inline.

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use super::TermList;

/// Term strings -> dense `u32` ids, in order of first sight: one worker
/// thread's dictionary while a corpus is tokenized.
///
/// A term is hashed once per token and stored once per thread, where a
/// [`TermCountsBuilder`](super::TermCountsBuilder) per message stores it
/// once per message and then sorts, hashes and compares it again in
/// [`Vocabulary::fit`](super::Vocabulary::fit) and
/// [`crate::dataset::Dataset::build`]. Interners of different threads are
/// reconciled with [`Interner::merge`], which sorts each one's terms (in
/// parallel) and merges the sorted lists.
///
/// Terms of up to 23 bytes (nearly all) are kept inside the hash table as
/// three machine words, so a lookup compares words in the slot it probes
/// instead of following a pointer to the term's bytes: the table outgrows
/// the CPU caches, and that pointer would cost a second cache miss per
/// token. The table is a plain array of slots (linear probing), so a lookup
/// costs one cache miss, and a [`TokenCounter`](super::TokenCounter) can
/// prefetch a token's slot ahead of looking it up. Each new term is also
/// appended to a [`TermList`], for the merge.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    pub(super) short: ShortTable,
    long: FxHashMap<Box<str>, u32>,
    pub(super) terms: TermList,
}

/// Longest term stored inline by [`Interner`], in bytes.
const SHORT_TERM: usize = 23;

/// A term of at most [`SHORT_TERM`] bytes: its bytes zero-padded, its
/// length in the last byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ShortTerm([u64; 3]);

impl ShortTerm {
    #[inline]
    pub(super) fn new(term: &str) -> Option<ShortTerm> {
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

    /// The term's [`FxHasher`] hash, of its three words.
    #[inline]
    pub(super) fn hash(self) -> u64 {
        let mut hasher = FxHasher::default();
        for word in self.0 {
            hasher.write_u64(word);
        }
        hasher.finish()
    }
}

/// Asks the CPU to fetch `value`'s cache line, so that a read a little later
/// finds it there. Unlike a load, a prefetch does not hold up the
/// instructions after it while the memory answers.
#[inline]
pub(super) fn prefetch<T>(value: &T) {
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
pub(super) struct ShortTable {
    slots: Vec<Slot>,
    len: usize,
    /// The number of slots less one: `hash & mask` is a home slot (the low
    /// bits, the ones rustc-hash's `finish` mixes best).
    mask: usize,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    key: ShortTerm,
    /// [`EMPTY`] for a free slot.
    id: u32,
}

/// The id of a free [`Slot`] (ids stay below it: see `Interner::next_id`).
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
            mask: n - 1,
        }
    }

    #[inline]
    fn home(&self, hash: u64) -> usize {
        hash as usize & self.mask
    }

    /// How many slots there are.
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Prefetches the home slot of `hash`.
    #[inline]
    pub(super) fn prefetch(&self, hash: u64) {
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

impl Interner {
    /// The id of `term`, a new one (the number of terms so far) if unseen.
    /// The vectorizer goes through a [`TokenCounter`](super::TokenCounter),
    /// which does the same in batches.
    #[cfg(test)]
    pub(crate) fn id(&mut self, term: &str) -> u32 {
        match ShortTerm::new(term) {
            Some(key) => self.short_id(key, key.hash()),
            None => self.long_id(term),
        }
    }

    #[inline]
    pub(super) fn short_id(&mut self, key: ShortTerm, hash: u64) -> u32 {
        let (id, new) = self.short.get_or_insert(key, hash, self.next_id());
        if new {
            let (padded, len) = key.padded();
            self.terms
                .push(std::str::from_utf8(&padded[..len]).expect("stored from a str"));
        }
        id
    }

    pub(super) fn long_id(&mut self, term: &str) -> u32 {
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
    pub(crate) fn len(&self) -> usize {
        self.terms.len()
    }

    /// The terms, indexed by id.
    #[cfg(test)]
    pub(crate) fn terms(&self) -> &TermList {
        &self.terms
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
}
