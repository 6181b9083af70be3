//! Per-thread caches of the word chain's work: [`StemCache`] (a folded
//! word -> its stem) and [`FeatureCache`] (a word as written, with the kind
//! of text it came from -> what a scorer made of it).
//!
//! Both are one mechanism: a [`DirectMapped`] table, a CPU cache in
//! software. A key hashes ([`FxHasher`]) to one slot; a hit is one compare
//! with the slot's bytes, a miss does the work and overwrites the slot. Mail
//! vocabulary is Zipfian, so the frequent words keep their slots, and a
//! table that small stays in the CPU caches where a map of the whole
//! vocabulary would not.
//!
//! The tables of a thread live in one thread-local holder, since the
//! analyzer is shared by rayon workers and a lock would serialize them;
//! [`with_thread_caches`] lends them for one message. A thread sets them up
//! only after its first [`WARMUP_MESSAGES`] message(s): their page faults
//! cost more than they save on one message (`classify` of standard input),
//! and pay off over a batch.
//!
//! # What a feature cache may remember
//!
//! The chain's token for an ASCII word is a function of the word's bytes
//! (folding, the length cap and the stemmer are fixed per analyzer), a
//! header word's tagged token of those bytes and its field (the kind), and
//! a scorer's answer of the token: so `(kind, word)` determines the
//! [`Resolved`] outcome for one analyzer and one set of features. A thread's
//! feature cache serves one [`FeatureSetId`] at a time and is cleared when
//! another comes.

use std::cell::RefCell;
use std::hash::Hasher;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHasher;

use super::Stemmer;

/// What became of a word: no token, a token that is no feature, or the
/// feature index of its token.
pub(crate) type Resolved = u32;

/// The word made no token (too short or long after folding and stemming).
pub(crate) const NO_TOKEN: Resolved = u32::MAX;

/// The word made a token that is not one of the scorer's features.
pub(crate) const NOT_A_FEATURE: Resolved = u32::MAX - 1;

/// Messages a thread analyzes before it sets up its caches.
pub(crate) const WARMUP_MESSAGES: u32 = 1;

/// A slot of a [`DirectMapped`] table.
pub(crate) trait Slot: Copy {
    /// A slot that holds no key.
    const EMPTY: Self;

    /// Whether the slot holds no key.
    fn is_empty(&self) -> bool;
}

/// `SLOTS` slots (a power of two); a key's hash picks its one slot.
pub(crate) struct DirectMapped<S, const SLOTS: usize> {
    slots: Box<[S; SLOTS]>,
}

impl<S: Slot, const SLOTS: usize> Default for DirectMapped<S, SLOTS> {
    fn default() -> Self {
        const { assert!(SLOTS.is_power_of_two()) };
        let slots = vec![S::EMPTY; SLOTS].into_boxed_slice();
        DirectMapped {
            slots: slots
                .try_into()
                .unwrap_or_else(|_| unreachable!("SLOTS slots")),
        }
    }
}

impl<S: Slot, const SLOTS: usize> DirectMapped<S, SLOTS> {
    /// The slot of a key whose [`FxHasher`] hash is `hash`: its low bits,
    /// the ones rustc-hash's `finish` mixes best.
    #[inline]
    fn slot_mut(&mut self, hash: u64) -> &mut S {
        &mut self.slots[hash as usize & (SLOTS - 1)]
    }

    /// Forgets every key.
    fn clear(&mut self) {
        self.slots.fill(S::EMPTY);
    }

    /// How many slots hold a key.
    fn used(&self) -> usize {
        self.slots.iter().filter(|s| !s.is_empty()).count()
    }
}

impl<S: Slot, const SLOTS: usize> std::fmt::Debug for DirectMapped<S, SLOTS> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectMapped")
            .field("slots", &SLOTS)
            .field("used", &self.used())
            .finish()
    }
}

/// Longest word (and stem) a [`StemCache`] keeps, in bytes; longer ones are
/// stemmed every time. 31 fills a 64-byte slot, so that a probe, which often
/// misses the CPU caches, costs one cache line; and it takes every ASCII
/// word under the default 30-char cap.
const STEM_BYTES: usize = 31;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
pub(crate) struct StemSlot {
    /// 0 for an empty slot (the chain never stems an empty word).
    key_len: u8,
    stem_len: u8,
    key: [u8; STEM_BYTES],
    stem: [u8; STEM_BYTES],
}

impl Slot for StemSlot {
    const EMPTY: StemSlot = StemSlot {
        key_len: 0,
        stem_len: 0,
        key: [0; STEM_BYTES],
        stem: [0; STEM_BYTES],
    };

    fn is_empty(&self) -> bool {
        self.key_len == 0
    }
}

/// Folded word -> its stem, for one stemmer: 16,384 slots of 64 bytes.
pub(crate) type StemCache = DirectMapped<StemSlot, { 1 << 14 }>;

impl StemCache {
    /// Replaces `buf` by its stem, remembered or made by `stem` (which
    /// stems `buf` in place and says whether it changed it); true if it
    /// changed.
    #[inline]
    pub(crate) fn stem(
        &mut self,
        buf: &mut String,
        stem: impl FnOnce(&mut String) -> bool,
    ) -> bool {
        let len = buf.len();
        if len > STEM_BYTES {
            return stem(buf);
        }
        let mut hasher = FxHasher::default();
        hasher.write(buf.as_bytes());
        let slot = self.slot_mut(hasher.finish());
        if usize::from(slot.key_len) == len && slot.key[..len] == *buf.as_bytes() {
            let cached = &slot.stem[..usize::from(slot.stem_len)];
            if cached == buf.as_bytes() {
                return false;
            }
            // Stems are copied from a `str`, so they are valid UTF-8.
            let cached = std::str::from_utf8(cached).expect("cached stem is UTF-8");
            buf.clear();
            buf.push_str(cached);
            return true;
        }
        let mut key = [0; STEM_BYTES];
        key[..len].copy_from_slice(buf.as_bytes());
        let changed = stem(buf);
        if buf.len() <= STEM_BYTES {
            let mut stemmed = [0; STEM_BYTES];
            stemmed[..buf.len()].copy_from_slice(buf.as_bytes());
            *slot = StemSlot {
                key_len: len as u8,
                stem_len: buf.len() as u8,
                key,
                stem: stemmed,
            };
        }
        changed
    }
}

/// Longest word a [`FeatureCache`] keeps, in bytes: 22 fills a 32-byte slot
/// and takes all but the rarest words (longer ones run the chain every time).
pub(crate) const FEATURE_KEY_BYTES: usize = 22;

#[derive(Clone, Copy)]
#[repr(C, align(32))]
pub(crate) struct FeatureSlot {
    /// The word, zero-padded (words hold no NUL byte).
    key: [u8; FEATURE_KEY_BYTES],
    /// 0 for an empty slot (words are never empty).
    len: u8,
    kind: u32,
    resolved: Resolved,
}

impl FeatureSlot {
    /// Whether the slot holds `word` of `kind`.
    #[inline]
    fn holds(&self, kind: u32, word: &[u8]) -> bool {
        let len = usize::from(self.len);
        len == word.len() && self.kind == kind && self.key[..len] == *word
    }

    /// The slot of a word that fits.
    #[inline]
    fn new(kind: u32, word: &[u8], resolved: Resolved) -> FeatureSlot {
        let mut key = [0; FEATURE_KEY_BYTES];
        key[..word.len()].copy_from_slice(word);
        FeatureSlot {
            key,
            len: word.len() as u8,
            kind,
            resolved,
        }
    }
}

impl Slot for FeatureSlot {
    const EMPTY: FeatureSlot = FeatureSlot {
        key: [0; FEATURE_KEY_BYTES],
        len: 0,
        kind: 0,
        resolved: NO_TOKEN,
    };

    fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// `(kind, ASCII word) -> Resolved` for one analyzer and one set of features
/// (see the module docs): 8,192 slots of 32 bytes.
pub(crate) type FeatureCache = DirectMapped<FeatureSlot, { 1 << 13 }>;

impl FeatureCache {
    /// The hash of `word` of `kind`. The kind comes after the word, so that
    /// a word's slot here is unrelated to its slot in the [`StemCache`]
    /// (whose key is often the same word): words that take turns in one
    /// slot here then find their stems there.
    #[inline]
    fn hash(kind: u32, word: &[u8]) -> u64 {
        let mut hasher = FxHasher::default();
        hasher.write(word);
        hasher.write_u32(kind);
        hasher.finish()
    }

    /// Whether `word` can be cached: not empty (an empty slot has length
    /// 0) and at most [`FEATURE_KEY_BYTES`] long.
    #[inline]
    fn fits(word: &[u8]) -> bool {
        !word.is_empty() && word.len() <= FEATURE_KEY_BYTES
    }

    /// What `word` of `kind` made last time, if remembered; else `None`,
    /// after remembering what `resolve` makes of it now (unless the word
    /// [does not fit](Self::fits)).
    #[inline]
    pub(crate) fn resolve(
        &mut self,
        kind: u32,
        word: &[u8],
        resolve: impl FnOnce() -> Resolved,
    ) -> Option<Resolved> {
        if !Self::fits(word) {
            resolve();
            return None;
        }
        let slot = self.slot_mut(Self::hash(kind, word));
        if slot.holds(kind, word) {
            return Some(slot.resolved);
        }
        *slot = FeatureSlot::new(kind, word, resolve());
        None
    }

    /// What `word` of `kind` made last time, if remembered.
    #[cfg(test)]
    fn get(&self, kind: u32, word: &[u8]) -> Option<Resolved> {
        if !Self::fits(word) {
            return None;
        }
        let slot = &self.slots[Self::hash(kind, word) as usize & (self.slots.len() - 1)];
        slot.holds(kind, word).then_some(slot.resolved)
    }

    /// Remembers what `word` of `kind` made.
    #[cfg(test)]
    fn put(&mut self, kind: u32, word: &[u8], resolved: Resolved) {
        if Self::fits(word) {
            *self.slot_mut(Self::hash(kind, word)) = FeatureSlot::new(kind, word, resolved);
        }
    }
}

/// Names one set of features (one scorer's), whose lookups a thread's
/// [`FeatureCache`] may remember; a copy names the same set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FeatureSetId(u64);

impl FeatureSetId {
    /// An id no other call gave.
    pub(crate) fn new() -> FeatureSetId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        FeatureSetId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// The caches the word chain may use for one text (any may be absent).
#[derive(Default)]
pub(crate) struct Caches<'a> {
    pub(crate) stems: Option<&'a mut StemCache>,
    pub(crate) features: Option<&'a mut FeatureCache>,
}

impl Caches<'_> {
    /// The same caches, for a shorter while.
    #[inline]
    pub(crate) fn reborrow(&mut self) -> Caches<'_> {
        Caches {
            stems: self.stems.as_deref_mut(),
            features: self.features.as_deref_mut(),
        }
    }
}

/// One thread's caches.
struct ThreadCaches {
    /// Messages this thread has analyzed, up to [`WARMUP_MESSAGES`].
    messages: u32,
    /// Indexed by `Stemmer as usize`, set up on first use.
    stems: [Option<StemCache>; Stemmer::ALL.len()],
    /// The feature cache, and the set of features it serves.
    features: Option<(FeatureSetId, FeatureCache)>,
}

thread_local! {
    static CACHES: RefCell<ThreadCaches> = const {
        RefCell::new(ThreadCaches {
            messages: 0,
            stems: [const { None }; Stemmer::ALL.len()],
            features: None,
        })
    };
}

/// Runs `f`, the analysis of one message, with this thread's cache of
/// `stemmer`'s stems and, if `features` is given, its feature cache for that
/// set; with no caches while the thread warms up (see the module docs), or
/// when they are already lent (an analysis from within an analysis).
pub(crate) fn with_thread_caches<T>(
    stemmer: Stemmer,
    features: Option<FeatureSetId>,
    f: impl FnOnce(Caches<'_>) -> T,
) -> T {
    CACHES.with(|cell| {
        let Ok(mut caches) = cell.try_borrow_mut() else {
            return f(Caches::default());
        };
        if caches.messages < WARMUP_MESSAGES {
            caches.messages += 1;
            drop(caches);
            return f(Caches::default());
        }
        let ThreadCaches {
            stems,
            features: feature_cache,
            ..
        } = &mut *caches;
        let stems = (stemmer != Stemmer::None)
            .then(|| stems[stemmer as usize].get_or_insert_with(StemCache::default));
        let features = features.map(|id| {
            let (cached_id, cache) =
                feature_cache.get_or_insert_with(|| (id, FeatureCache::default()));
            if *cached_id != id {
                cache.clear();
                *cached_id = id;
            }
            cache
        });
        f(Caches { stems, features })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_by_kind_and_word() {
        let mut cache = FeatureCache::default();
        assert_eq!(cache.get(0, b"free"), None);
        cache.put(0, b"free", 7);
        assert_eq!(cache.get(0, b"free"), Some(7));
        assert_eq!(cache.get(1, b"free"), None, "another kind");
        assert_eq!(cache.get(0, b"fre"), None, "a prefix");
        assert_eq!(cache.get(0, b"freer"), None, "a longer word");
        cache.clear();
        assert_eq!(cache.get(0, b"free"), None);
    }

    /// Words of every length are told apart, by a byte anywhere or by their length.
    #[test]
    fn words_of_every_length_are_told_apart() {
        let word = b"abcdefghijklmnopqrstuv";
        let mut cache = FeatureCache::default();
        for len in 1..=FEATURE_KEY_BYTES {
            cache.put(5, &word[..len], len as Resolved);
        }
        for len in 1..=FEATURE_KEY_BYTES {
            // Colliding slots evict: a word is either found with its own value or not at all.
            let got = cache.get(5, &word[..len]);
            assert!(got.is_none() || got == Some(len as Resolved), "{len}");
            cache.put(5, &word[..len], len as Resolved);
            assert_eq!(cache.get(5, &word[..len]), Some(len as Resolved));
            for at in 0..len {
                let mut changed = word[..len].to_vec();
                changed[at] ^= 1;
                assert_eq!(cache.get(5, &changed), None, "{len} {at}");
            }
        }
    }

    #[test]
    fn long_and_empty_words_are_not_cached() {
        let mut cache = FeatureCache::default();
        let long = [b'a'; FEATURE_KEY_BYTES + 1];
        cache.put(0, &long, 3);
        assert_eq!(cache.get(0, &long), None);
        cache.put(0, b"", 3);
        assert_eq!(cache.get(0, b""), None);
        cache.put(0, &long[..FEATURE_KEY_BYTES], 3);
        assert_eq!(cache.get(0, &long[..FEATURE_KEY_BYTES]), Some(3));
    }

    /// Slots are what the module docs say: one cache line for a stem, half
    /// of one for a word's feature.
    #[test]
    fn slot_sizes() {
        assert_eq!(std::mem::size_of::<StemSlot>(), 64);
        assert_eq!(std::mem::size_of::<FeatureSlot>(), 32);
    }
}
