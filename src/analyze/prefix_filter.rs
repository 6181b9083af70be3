//! [`PrefixFilter`]: a test on a word's first bytes that its stem *may* be one of
//! a given set of stems, so that a scorer can skip case folding, stemming
//! and lookup for the many words that cannot be one of its model's features.
//!
//! A model keeps a few hundred stems; most words of a message have none of
//! them as their stem, yet each would be folded, stemmed (Snowball, or a cache
//! probe that misses the CPU caches) and looked up. The filter keeps, for each
//! stem `s`, its first `min(exact(s), 5)` bytes (case-folded), where
//! `exact(s)` is a prefix length every word stemming to `s` shares with `s`;
//! a word none of whose first 1 to 5 bytes form such a key cannot stem to
//! any of the set.
//!
//! # Why the prefix is shared (English, Porter 2)
//!
//! Porter 2 (the Snowball `english` algorithm) leaves words under 3 chars
//! alone and otherwise removes suffixes and rewrites the end of what is
//! left. Every rule that puts a char into the stem that the word does not
//! have at that place puts an `e` or an `i` **last**, never in the first two
//! chars: Step 1b's `e` after `at`/`bl`/`iz` or a short stem (`hoping` ->
//! `hope`), 1c's `y` -> `i` (`happy` -> `happi`), 2's `ational` -> `ate`,
//! `enci` -> `ence`, `iviti` -> `ive`, `ization` -> `ize`, ...; all other
//! rules only delete (`tional` -> `tion`, `ness`, `ing`, a doubled
//! consonant, Step 5's `e`). One rewrites two chars: Step 2's `biliti` ->
//! `ble` (`bil` -> `ble`), whose `e` Step 5 may then drop. And the
//! "exceptional forms" `skies`, `dying`, `lying`, `tying` stem to `sky`,
//! `die`, `lie`, `tie`, sharing only their first one or two chars
//! ([`EXCEPTIONS`]; the others, `idly` -> `idl`, `ugly` -> `ugli`, ... follow
//! the rule above).
//!
//! So a word shares with its stem `s` the first `exact(s)` chars: `len(s)`,
//! less one if `s` ends in `e` or `i`, less two if it ends in `ble` or `bl`,
//! never less than `min(len(s), 2)`. The filter keys are the first
//! `min(exact(s), 5)` bytes. With no stemmer a token is the folded word
//! itself, which shares even more. The tests
//! `english_stems_keep_their_filter_prefix` and
//! `generated_words_keep_their_filter_prefix` check the claim on the bundled
//! corpus's words and on words glued from Porter 2's suffixes.
//!
//! Other languages' stemmers rewrite more than the end of a word (German
//! umlauts, ...): no filter is built for them.

use std::hash::Hasher;

use rustc_hash::FxHasher;

use super::Stemmer;

/// Whole-word exceptional forms of Porter 2 whose stem shares fewer than
/// `exact(stem)` leading bytes with the word: (word prefix to admit, stem).
const EXCEPTIONS: [(&str, &str); 4] = [("sk", "sky"), ("dy", "die"), ("ly", "lie"), ("ty", "tie")];

/// Longest key, in bytes.
const MAX_KEY: usize = 5;

/// Bits of the key table (a hash of the kind and the key indexes it): 16 KB,
/// for a model's few hundred keys (false positives only cost time).
const TABLE_BITS: u32 = 17;

/// Case-folded keys of 1 to 5 bytes, each for one kind of word (body text,
/// or one header field): see the module docs.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct PrefixFilter {
    /// Bit `hash(kind, key)` is set for every key.
    table: Box<[u64]>,
    /// Bit `n - 1` is set if some key has `n` bytes.
    lengths: u8,
}

impl PrefixFilter {
    /// The filter for words whose token may be one of `stems` (tokens the word
    /// chain emits, after folding and stemming with `stemmer`), each wanted
    /// in the text of one kind (a number the caller chooses: say 0 for the
    /// body, `i + 1` for the `i`-th header field), or `None` when `stemmer`
    /// rewrites more than the end of words.
    pub(crate) fn new<'s>(
        stemmer: Stemmer,
        stems: impl IntoIterator<Item = (u32, &'s str)>,
    ) -> Option<PrefixFilter> {
        if !matches!(stemmer, Stemmer::English | Stemmer::None) {
            return None;
        }
        let mut filter = PrefixFilter {
            table: vec![0; 1 << TABLE_BITS >> 6].into(),
            lengths: 0,
        };
        for (kind, stem) in stems {
            // Only non-ASCII words stem to non-ASCII stems, and those are never filtered.
            if !stem.is_ascii() || stem.is_empty() {
                continue;
            }
            let key = stem.as_bytes();
            filter.insert(kind, &key[..exact_prefix(key).min(MAX_KEY)]);
            for (word, exceptional) in EXCEPTIONS {
                if stemmer == Stemmer::English && stem.eq_ignore_ascii_case(exceptional) {
                    filter.insert(kind, word.as_bytes());
                }
            }
        }
        Some(filter)
    }

    fn insert(&mut self, kind: u32, key: &[u8]) {
        let mut packed = Packed::new(kind);
        for &byte in key {
            packed.push(byte);
        }
        let i = packed.index();
        self.table[i >> 6] |= 1 << (i & 63);
        self.lengths |= 1 << (key.len() - 1);
    }

    /// False only if no word of this kind starting with these (ASCII) bytes
    /// can stem to one of the filter's stems of that kind.
    #[inline]
    pub(crate) fn admits(&self, kind: u32, word: &[u8]) -> bool {
        let mut packed = Packed::new(kind);
        for (n, &byte) in word.iter().take(MAX_KEY).enumerate() {
            packed.push(byte);
            if self.lengths & (1 << n) != 0 {
                let i = packed.index();
                if self.table[i >> 6] & (1 << (i & 63)) != 0 {
                    return true;
                }
            }
        }
        false
    }
}

/// A key's folded bytes (at most 5, bits 0-39), its length (bits 40-47) and
/// its kind (bits 48-63: kinds beyond 16 bits share keys, which only admits
/// more words) in one u64.
#[derive(Clone, Copy)]
struct Packed(u64);

impl Packed {
    #[inline]
    fn new(kind: u32) -> Packed {
        Packed(u64::from(kind) << 48)
    }

    /// Appends a byte, case-folded.
    #[inline]
    fn push(&mut self, byte: u8) {
        let len = (self.0 >> 40) & 0xff;
        self.0 += 1 << 40;
        self.0 |= u64::from(byte.to_ascii_lowercase()) << (8 * len);
    }

    /// The table bit: the key's [`FxHasher`] hash, its low bits (the ones
    /// rustc-hash's `finish` mixes best).
    #[inline]
    fn index(self) -> usize {
        let mut hasher = FxHasher::default();
        hasher.write_u64(self.0);
        hasher.finish() as usize & ((1 << TABLE_BITS) - 1)
    }
}

/// How many leading bytes every word stemming to `stem` shares with it (see
/// the module docs).
fn exact_prefix(stem: &[u8]) -> usize {
    let len = stem.len();
    let rewritten = if stem.ends_with(b"ble") || stem.ends_with(b"bl") {
        2
    } else if matches!(stem[len - 1].to_ascii_lowercase(), b'e' | b'i') {
        1
    } else {
        0
    };
    (len - rewritten).max(len.min(2))
}

impl std::fmt::Debug for PrefixFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: u32 = self.table.iter().map(|w| w.count_ones()).sum();
        f.debug_struct("PrefixFilter")
            .field("keys", &keys)
            .field("lengths", &self.lengths)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_stemmers::{Algorithm, Stemmer as Snowball};

    /// Every word must be admitted by the filter of its own stem.
    fn check(snowball: &Snowball, word: &str) {
        let lower = word.to_ascii_lowercase();
        let stem = snowball.stem(&lower);
        let filter = PrefixFilter::new(Stemmer::English, [(0, stem.as_ref())])
            .expect("english has a filter");
        assert!(
            filter.admits(0, word.as_bytes()),
            "{word:?} stems to {stem:?}, which its filter rejects"
        );
    }

    #[test]
    fn english_stems_keep_their_filter_prefix() {
        let snowball = Snowball::create(Algorithm::English);
        // The bundled sample, and the full public corpus when it has been fetched.
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora");
        let mut dirs: Vec<String> =
            vec![format!("{root}/sample/ham"), format!("{root}/sample/spam")];
        for set in ["easy_ham", "easy_ham_2", "hard_ham", "spam", "spam_2"] {
            let dir = format!("{root}/spamassassin/{set}");
            if std::path::Path::new(&dir).is_dir() {
                dirs.push(dir);
            }
        }
        let mut words = std::collections::BTreeSet::new();
        for dir in dirs {
            for entry in std::fs::read_dir(&dir).expect("corpus folder") {
                let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
                for word in
                    String::from_utf8_lossy(&bytes).split(|c: char| !c.is_ascii_alphanumeric())
                {
                    if !word.is_empty() && word.len() <= 30 {
                        words.insert(word.to_string());
                    }
                }
            }
        }
        assert!(
            words.len() > 10_000,
            "only {} words in the sample",
            words.len()
        );
        for word in &words {
            check(&snowball, word);
        }
        for word in [
            "dying",
            "lying",
            "tying",
            "skies",
            "skis",
            "idly",
            "ugly",
            "only",
            "early",
            "gently",
            "singly",
            "possibility",
            "abilities",
            "hoping",
            "cries",
            "ties",
            "used",
            "relational",
            "happily",
            "news",
            "Yelling",
            "YYYY",
        ] {
            check(&snowball, word);
        }
    }

    proptest! {
        /// Stems and words glued from Porter 2's suffixes.
        #[test]
        fn generated_words_keep_their_filter_prefix(
            stem in "[a-zy]{1,6}",
            suffixes in proptest::collection::vec(prop_oneof![
                Just("ing"), Just("ed"), Just("ies"), Just("ied"), Just("s"), Just("sses"),
                Just("y"), Just("ly"), Just("li"), Just("biliti"), Just("bli"), Just("ational"),
                Just("tional"), Just("enci"), Just("anci"), Just("abli"), Just("izer"),
                Just("ization"), Just("ation"), Just("ator"), Just("alism"), Just("aliti"),
                Just("iviti"), Just("fulness"), Just("ousness"), Just("iveness"), Just("ogi"),
                Just("icate"), Just("iciti"), Just("ical"), Just("ative"), Just("alize"),
                Just("ment"), Just("ence"), Just("ible"), Just("ion"), Just("e"), Just("l"),
                Just("eed"), Just("eedly"), Just("ingly"), Just("edly"), Just("at"), Just("bl"),
                Just("iz"), Just("'s"), Just("'"),
            ], 0..3),
        ) {
            let snowball = Snowball::create(Algorithm::English);
            let word: String = std::iter::once(stem.as_str()).chain(suffixes).collect();
            check(&snowball, &word);
        }
    }

    #[test]
    fn rejects_words_of_other_stems_and_kinds() {
        let filter = PrefixFilter::new(
            Stemmer::English,
            [(0, "money"), (0, "free"), (0, "viagra"), (3, "hello")],
        )
        .expect("filter");
        for word in ["Money", "FREE", "freely", "viagras", "freed"] {
            assert!(filter.admits(0, word.as_bytes()), "{word}");
        }
        assert!(filter.admits(3, b"Hello"));
        let rejected = [
            (0, "the"),
            (0, "and"),
            (0, "hello"),
            (0, "q"),
            (0, "fr"),
            (3, "money"),
            (1, "free"),
        ]
        .iter()
        .filter(|(kind, w)| !filter.admits(*kind, w.as_bytes()))
        .count();
        // A hash collision may admit one; the rest must go.
        assert!(rejected >= 6, "{rejected}");
        assert!(PrefixFilter::new(Stemmer::German, [(0, "geld")]).is_none());
    }
}
