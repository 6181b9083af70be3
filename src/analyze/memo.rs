//! [`WordMemo`]: what the word chain and a scorer's feature lookup made of
//! a word last time, keyed by the word as written and the kind of text it
//! came from, so a repeated word skips case folding, stemming, tagging and
//! the feature lookup.
//!
//! The chain's token for an ASCII word is a function of the word's bytes
//! (folding, the length cap and the stemmer are fixed per analyzer), a
//! header word's tagged token of those bytes and its field (the kind), and
//! a scorer's answer of the token: so `(kind, word)` determines the
//! [`Resolved`] outcome for one analyzer and one scorer. A memo is only
//! valid for the pair that filled it; its owner clears it before lending it
//! to another.
//!
//! Like the stem memo it is a direct-mapped table, a CPU cache in software:
//! a word hashes to one slot of 32 bytes, a hit is one compare of the
//! zero-padded key, a miss runs the chain and overwrites the slot. Mail
//! vocabulary is Zipfian, so the frequent words keep their slots.

use std::hash::Hasher;

use super::chain::FxHasher;

/// What became of a word: no token, a token that is no feature, or the
/// feature index of its token.
pub(crate) type Resolved = u32;

/// The word made no token (too short or long after folding and stemming).
pub(crate) const NO_TOKEN: Resolved = u32::MAX;

/// The word made a token that is not one of the scorer's features.
pub(crate) const NOT_A_FEATURE: Resolved = u32::MAX - 1;

/// Longest word memoized, in bytes: 22 fills a 32-byte slot and takes all
/// but the rarest words (longer ones run the chain every time).
pub(crate) const KEY_BYTES: usize = 22;

/// Slots: 8,192 x 32 bytes = 256 KB, a quarter of the stem memo.
const SLOTS: usize = 1 << 13;

#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    /// The word, zero-padded (words hold no NUL byte).
    key: [u8; KEY_BYTES],
    /// 0 for an empty slot (words are never empty).
    len: u8,
    kind: u32,
    resolved: Resolved,
}

const EMPTY: Slot = Slot {
    key: [0; KEY_BYTES],
    len: 0,
    kind: 0,
    resolved: NO_TOKEN,
};

/// `(kind, ASCII word) -> Resolved` for one analyzer and one scorer: see the
/// module docs.
pub struct WordMemo {
    slots: Box<[Slot]>,
}

impl Default for WordMemo {
    fn default() -> Self {
        WordMemo {
            slots: vec![EMPTY; SLOTS].into(),
        }
    }
}

impl std::fmt::Debug for WordMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let used = self.slots.iter().filter(|s| s.len != 0).count();
        f.debug_struct("WordMemo").field("used", &used).finish()
    }
}

/// A word's padded key, or `None` if it is too long to memoize.
#[inline]
pub(crate) fn key(word: &[u8]) -> Option<[u8; KEY_BYTES]> {
    let mut key = [0; KEY_BYTES];
    key.get_mut(..word.len())?.copy_from_slice(word);
    Some(key)
}

impl WordMemo {
    /// Forgets every word (before serving another analyzer or scorer).
    pub fn clear(&mut self) {
        self.slots.fill(EMPTY);
    }

    #[inline]
    fn index(kind: u32, key: &[u8; KEY_BYTES]) -> usize {
        let mut hasher = FxHasher::default();
        hasher.write(key);
        hasher.write_u32(kind);
        (hasher.finish() >> (64 - SLOTS.trailing_zeros())) as usize
    }

    /// What `word` (`len` bytes, padded into `key`) of `kind` made last time, if
    /// remembered.
    #[inline]
    pub(crate) fn get(&self, kind: u32, key: &[u8; KEY_BYTES], len: usize) -> Option<Resolved> {
        let slot = &self.slots[Self::index(kind, key)];
        (usize::from(slot.len) == len && slot.kind == kind && slot.key == *key)
            .then_some(slot.resolved)
    }

    /// Remembers what `word` of `kind` made.
    #[inline]
    pub(crate) fn put(&mut self, kind: u32, key: &[u8; KEY_BYTES], len: usize, resolved: Resolved) {
        debug_assert!((1..=KEY_BYTES).contains(&len));
        self.slots[Self::index(kind, key)] = Slot {
            key: *key,
            len: len as u8,
            kind,
            resolved,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_kind_and_word() {
        let mut memo = WordMemo::default();
        let free = key(b"free").unwrap();
        assert_eq!(memo.get(0, &free, 4), None);
        memo.put(0, &free, 4, 7);
        assert_eq!(memo.get(0, &free, 4), Some(7));
        assert_eq!(memo.get(1, &free, 4), None, "another kind");
        let fre = key(b"fre").unwrap();
        assert_eq!(memo.get(0, &fre, 3), None, "a prefix");
        memo.clear();
        assert_eq!(memo.get(0, &free, 4), None);
    }

    #[test]
    fn long_words_have_no_key() {
        assert!(key(&[b'a'; KEY_BYTES]).is_some());
        assert!(key(&[b'a'; KEY_BYTES + 1]).is_none());
    }
}
