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
//! a word hashes to one slot of 32 bytes (read in place: copying it into a
//! padded key first stalled each probe on the copy), a hit is one compare
//! with the slot's bytes, a miss runs the chain and overwrites the slot. Mail
//! vocabulary is Zipfian, so the frequent words keep their slots.

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

impl WordMemo {
    /// Forgets every word (before serving another analyzer or scorer).
    pub fn clear(&mut self) {
        self.slots.fill(EMPTY);
    }

    /// The slot of `word` of `kind`: an Fx hash (multiply-rotate, as the stem memo's) of
    /// the kind, the length and the word's bytes, read 8 (or 4) at a time, the last read
    /// overlapping the one before rather than copying a padded tail.
    #[inline]
    fn index(kind: u32, word: &[u8]) -> usize {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut hash = 0u64;
        let mut add = |w: u64| hash = (hash.rotate_left(5) ^ w).wrapping_mul(SEED);
        let len = word.len();
        add(u64::from(kind) << 8 | len as u64);
        if len >= 8 {
            let (chunks, tail) = word.as_chunks::<8>();
            chunks.iter().for_each(|c| add(u64::from_le_bytes(*c)));
            if !tail.is_empty() {
                add(u64::from_le_bytes(
                    word[len - 8..].try_into().expect("8 bytes"),
                ));
            }
        } else if len >= 4 {
            let lo = u32::from_le_bytes(word[..4].try_into().expect("4 bytes"));
            let hi = u32::from_le_bytes(word[len - 4..].try_into().expect("4 bytes"));
            add(u64::from(lo) << 32 | u64::from(hi));
        } else if len > 0 {
            add(u64::from(word[0]) << 16
                | u64::from(word[len / 2]) << 8
                | u64::from(word[len - 1]));
        }
        (hash >> (64 - SLOTS.trailing_zeros())) as usize
    }

    /// What `word` of `kind` made last time, if remembered; `None` too for a word
    /// longer than [`KEY_BYTES`], or empty.
    #[inline]
    pub(crate) fn get(&self, kind: u32, word: &[u8]) -> Option<Resolved> {
        if word.is_empty() || word.len() > KEY_BYTES {
            return None;
        }
        let slot = &self.slots[Self::index(kind, word)];
        let len = usize::from(slot.len);
        (len == word.len() && slot.kind == kind && slot.key[..len] == *word)
            .then_some(slot.resolved)
    }

    /// Remembers what `word` of `kind` made (nothing for a word longer than
    /// [`KEY_BYTES`], or empty).
    #[inline]
    pub(crate) fn put(&mut self, kind: u32, word: &[u8], resolved: Resolved) {
        if word.is_empty() || word.len() > KEY_BYTES {
            return;
        }
        let mut key = [0; KEY_BYTES];
        key[..word.len()].copy_from_slice(word);
        self.slots[Self::index(kind, word)] = Slot {
            key,
            len: word.len() as u8,
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
        assert_eq!(memo.get(0, b"free"), None);
        memo.put(0, b"free", 7);
        assert_eq!(memo.get(0, b"free"), Some(7));
        assert_eq!(memo.get(1, b"free"), None, "another kind");
        assert_eq!(memo.get(0, b"fre"), None, "a prefix");
        assert_eq!(memo.get(0, b"freer"), None, "a longer word");
        memo.clear();
        assert_eq!(memo.get(0, b"free"), None);
    }

    /// Words of every length are told apart, by a byte anywhere or by their length.
    #[test]
    fn words_of_every_length_are_told_apart() {
        let word = b"abcdefghijklmnopqrstuv";
        let mut memo = WordMemo::default();
        for len in 1..=KEY_BYTES {
            memo.put(5, &word[..len], len as Resolved);
        }
        for len in 1..=KEY_BYTES {
            // Colliding slots evict: a word is either found with its own value or not at all.
            let got = memo.get(5, &word[..len]);
            assert!(got.is_none() || got == Some(len as Resolved), "{len}");
            memo.put(5, &word[..len], len as Resolved);
            assert_eq!(memo.get(5, &word[..len]), Some(len as Resolved));
            for at in 0..len {
                let mut changed = word[..len].to_vec();
                changed[at] ^= 1;
                assert_eq!(memo.get(5, &changed), None, "{len} {at}");
            }
        }
    }

    #[test]
    fn long_and_empty_words_are_not_memoized() {
        let mut memo = WordMemo::default();
        let long = [b'a'; KEY_BYTES + 1];
        memo.put(0, &long, 3);
        assert_eq!(memo.get(0, &long), None);
        memo.put(0, b"", 3);
        assert_eq!(memo.get(0, b""), None);
        memo.put(0, &long[..KEY_BYTES], 3);
        assert_eq!(memo.get(0, &long[..KEY_BYTES]), Some(3));
    }
}
