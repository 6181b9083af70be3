//! The word chain: split text into words, then filter each one in place.
//!
//! ```text
//! text -WordSplit-> word -LowerCase-> buf -LengthCap-> buf -Stem-> buf -> sink
//! ```
//!
//! Each stage reads the token the stage before it left in one reused
//! buffer and either rewrites it or drops it (tantivy's `TokenFilter`
//! chain, flattened into one struct because the chain is fixed and a
//! virtual call per token would cost more than some of the filters).

use std::cell::RefCell;
use std::hash::Hasher;

use rust_stemmers::Stemmer as SnowballStemmer;
use unicode_segmentation::UnicodeSegmentation;

use super::Stemmer;
use super::gate::WordGate;
use super::memo::{self, NO_TOKEN, NOT_A_FEATURE, Resolved, WordMemo};

/// The configured filters; [`Chain::words`] runs them over a text.
pub(crate) struct Chain {
    lowercase: bool,
    min_len: usize,
    max_len: usize,
    stemmer: Option<(Stemmer, SnowballStemmer)>,
}

/// Where the chain's tokens go.
pub(crate) trait Sink {
    /// Takes a token; returns what it is to a scorer, for a [`WordMemo`]
    /// ([`NOT_A_FEATURE`] when no scorer is asked).
    fn token(&mut self, token: &str) -> Resolved;
    /// Takes, in place of a token, what a memoized word's token was to the
    /// scorer (never [`NO_TOKEN`]). Only called when the chain has a memo.
    fn replay(&mut self, resolved: Resolved);
}

/// Any `FnMut(&str)` takes plain tokens (and can have no memo).
impl<F: FnMut(&str)> Sink for F {
    #[inline]
    fn token(&mut self, token: &str) -> Resolved {
        self(token);
        NOT_A_FEATURE
    }

    fn replay(&mut self, _: Resolved) {
        unreachable!("a plain token sink is never given a memo");
    }
}

/// What the chain knows of the text it splits.
pub(crate) struct Text<'a> {
    /// The kind of text: body or one header field (see [`WordGate`]).
    pub(crate) kind: u32,
    /// Drops ASCII words that cannot become one of the gate's tokens of `kind`.
    pub(crate) gate: Option<&'a WordGate>,
    /// Remembers what each ASCII word of `kind` made (see [`WordMemo`]).
    pub(crate) memo: Option<&'a mut WordMemo>,
}

impl Text<'_> {
    /// A text of no particular kind, with no gate and no memo.
    pub(crate) fn plain() -> Text<'static> {
        Text {
            kind: 0,
            gate: None,
            memo: None,
        }
    }
}

impl Chain {
    pub(crate) fn new(lowercase: bool, min_len: usize, max_len: usize, stemmer: Stemmer) -> Chain {
        Chain {
            lowercase,
            min_len,
            max_len,
            stemmer: stemmer
                .algorithm()
                .map(|a| (stemmer, SnowballStemmer::create(a))),
        }
    }

    /// Gives `sink` each token of `text`, in order.
    ///
    /// Words are Unicode (UAX #29) words, further split at ':' so that no
    /// body token contains one: the analyzer's tagged tokens
    /// (`subject:free`) then cannot collide with a body word, which UAX #29
    /// would otherwise allow (`subject:free` is one word to it).
    ///
    /// With a gate, ASCII words it rejects are dropped before folding and
    /// stemming: they cannot become one of the gate's tokens. With a memo, an
    /// ASCII word it remembers is replayed to the sink instead of folded,
    /// stemmed and given as a token; one it does not is, and remembered.
    pub(crate) fn words(
        &self,
        text: &str,
        ctx: &mut Text<'_>,
        buf: &mut String,
        sink: &mut dyn Sink,
    ) {
        // An ASCII text (most are) is scanned in one go. Otherwise line by
        // line: unicode-segmentation takes its ASCII fast path only when the
        // whole string is ASCII, and one stray non-ASCII byte should not slow
        // down a whole part. A line break is always a word boundary, so
        // neither changes a word.
        if text.is_ascii() {
            self.ascii_words(text, ctx, buf, sink);
            return;
        }
        for line in text.split_inclusive('\n') {
            if line.is_ascii() {
                self.ascii_words(line, ctx, buf, sink);
                continue;
            }
            for word in line.unicode_words() {
                if memchr::memchr(b':', word.as_bytes()).is_some() {
                    for piece in word.split(':') {
                        self.filter(piece, ctx, buf, sink);
                    }
                } else {
                    self.filter(word, ctx, buf, sink);
                }
            }
        }
    }

    /// [`Chain::words`] of an ASCII text: the words unicode-segmentation's
    /// ASCII path (`AsciiWordBoundIter`, used for all-ASCII strings) finds,
    /// in one pass with no iterator adapters and no second scan of each
    /// word for letters or ':'.
    ///
    /// A word is a run of letters, digits and '_' that may continue over one
    /// infix: '.', ',', ';' or '\'' between digits (UAX #29 WB11/12), '\'',
    /// '.' or ':' between letters (WB6/7); runs of '_' alone are not words,
    /// and any other byte is a boundary. The test `ascii_words_match_uax29`
    /// checks this against unicode-segmentation on random ASCII text.
    fn ascii_words(&self, line: &str, ctx: &mut Text<'_>, buf: &mut String, sink: &mut dyn Sink) {
        #[inline]
        fn is_infix(b: u8, prev: u8, next: u8) -> bool {
            match b {
                b'.' | b',' | b';' | b'\'' if prev.is_ascii_digit() && next.is_ascii_digit() => {
                    true
                }
                b'\'' | b'.' | b':' if prev.is_ascii_alphabetic() && next.is_ascii_alphabetic() => {
                    true
                }
                _ => false,
            }
        }
        let bytes = line.as_bytes();
        let len = bytes.len();
        let mut i = 0;
        while i < len {
            // The classes of the word's core bytes so far.
            let mut seen = CLASS[usize::from(bytes[i])];
            if seen == 0 {
                i += 1;
                continue;
            }
            let start = i;
            let mut colon = false;
            i += 1;
            while i < len {
                let b = bytes[i];
                let class = CLASS[usize::from(b)];
                if class != 0 {
                    seen |= class;
                } else if i + 1 < len && is_infix(b, bytes[i - 1], bytes[i + 1]) {
                    colon |= b == b':';
                } else {
                    break;
                }
                i += 1;
            }
            if seen & (ALPHA | DIGIT) == 0 {
                continue;
            }
            let letters = seen & ALPHA != 0;
            let word = &line[start..i];
            if colon {
                for piece in word.split(':') {
                    self.filter(piece, ctx, buf, sink);
                }
            } else {
                self.filter_known(word, true, letters, ctx, buf, sink);
            }
        }
    }

    /// Runs one word through lowercase, length cap and stemmer.
    #[inline]
    pub(crate) fn filter(
        &self,
        word: &str,
        ctx: &mut Text<'_>,
        buf: &mut String,
        sink: &mut dyn Sink,
    ) {
        let ascii = word.is_ascii();
        let letters = !ascii || word.bytes().any(|b| b.is_ascii_alphabetic());
        self.filter_known(word, ascii, letters, ctx, buf, sink);
    }

    /// [`Chain::filter`] of a word known to be ASCII or not, and to hold
    /// ASCII letters or not (`letters` is true for any non-ASCII word).
    #[inline]
    fn filter_known(
        &self,
        word: &str,
        ascii: bool,
        letters: bool,
        ctx: &mut Text<'_>,
        buf: &mut String,
        sink: &mut dyn Sink,
    ) {
        if ascii {
            if let Some(gate) = ctx.gate
                && !gate.admits(ctx.kind, word.as_bytes())
            {
                return;
            }
            if let Some(memo) = ctx.memo.as_deref_mut()
                && word.len() <= memo::KEY_BYTES
            {
                match memo.get(ctx.kind, word.as_bytes()) {
                    Some(NO_TOKEN) => {}
                    Some(resolved) => sink.replay(resolved),
                    None => {
                        let resolved = if self.token(word, ascii, letters, buf) {
                            sink.token(buf)
                        } else {
                            NO_TOKEN
                        };
                        memo.put(ctx.kind, word.as_bytes(), resolved);
                    }
                }
                return;
            }
        }
        if self.token(word, ascii, letters, buf) {
            sink.token(buf);
        }
    }

    /// Folds, caps and stems `word` into `buf`; false if it makes no token.
    #[inline]
    fn token(&self, word: &str, ascii: bool, letters: bool, buf: &mut String) -> bool {
        // Lowercasing never shortens a word below its byte length / 4 in
        // chars, so this rejects base64 lines before copying them.
        if word.is_empty() || word.len() / 4 > self.max_len {
            return false;
        }
        buf.clear();
        lower_case(self.lowercase, ascii, word, buf);
        if !self.len_ok(ascii, buf) {
            return false;
        }
        // Suffixes are letters: numbers ("2002", "3.14") stem to themselves.
        // (ASCII case folding keeps letters letters.)
        if let Some((which, stemmer)) = &self.stemmer
            && letters
            && stem_in_place(*which, stemmer, buf)
            && !self.len_ok(ascii, buf)
        {
            // Stemming shortens, possibly below the minimum.
            return false;
        }
        true
    }

    /// The length cap, in chars.
    #[inline]
    fn len_ok(&self, ascii: bool, token: &str) -> bool {
        let len = if ascii {
            token.len()
        } else {
            token.chars().count()
        };
        (self.min_len..=self.max_len).contains(&len)
    }
}

/// Classes of the bytes that make up words in [`Chain::ascii_words`]:
/// letters, digits and '_' (0 for every other byte).
const ALPHA: u8 = 1;
const DIGIT: u8 = 2;
const UNDERSCORE: u8 = 4;
static CLASS: [u8; 256] = {
    let mut class = [0; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        class[b] = if byte.is_ascii_alphabetic() {
            ALPHA
        } else if byte.is_ascii_digit() {
            DIGIT
        } else if byte == b'_' {
            UNDERSCORE
        } else {
            0
        };
        b += 1;
    }
    class
};

/// Appends `word` to `buf`, lower-cased if `lowercase`; ASCII words take a
/// byte-wise fast path.
#[inline]
fn lower_case(lowercase: bool, ascii: bool, word: &str, buf: &mut String) {
    if !lowercase {
        buf.push_str(word);
    } else if ascii {
        buf.push_str(word);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(word.chars().flat_map(char::to_lowercase));
    }
}

/// Stems are memoized in a small direct-mapped table per thread and per
/// stemmer, like a CPU cache: a word hashes to one slot, a hit is a compare
/// of at most [`SLOT_BYTES`] bytes, a miss stems and overwrites the slot.
///
/// Snowball stemming was a third of the analyzer's time on the SpamAssassin
/// corpus. Mail vocabulary is Zipfian, so the frequent words keep their
/// slots; a `HashMap` memo of the whole vocabulary was barely faster than
/// stemming, its lookups missing the CPU caches. Thread-local, because the
/// analyzer is shared by rayon workers and a lock would serialize them.
const SLOTS: usize = 1 << 14;

/// Longest word (and stem) memoized, in bytes; longer ones are stemmed
/// every time. 31 fills a 64-byte slot, so a slot is one cache line (the
/// table is larger than the CPU's L2, and a probe is often a miss), and
/// takes every ASCII word under the default 30-char cap.
const SLOT_BYTES: usize = 31;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Slot {
    /// 0 for an empty slot (the chain never stems an empty word).
    key_len: u8,
    stem_len: u8,
    key: [u8; SLOT_BYTES],
    stem: [u8; SLOT_BYTES],
}

const EMPTY_SLOT: Slot = Slot {
    key_len: 0,
    stem_len: 0,
    key: [0; SLOT_BYTES],
    stem: [0; SLOT_BYTES],
};

/// Words a thread stems directly before it sets up the memo table: the table
/// is 1 MB, whose page faults cost more than they save for one message
/// (`classify` on stdin), and pay off over a batch.
const UNCACHED_WARMUP: u32 = 4096;

thread_local! {
    /// Indexed by `Stemmer as usize`, allocated on first use.
    static STEMS: RefCell<Vec<Option<Box<[Slot]>>>> = const { RefCell::new(Vec::new()) };
    /// Words stemmed by this thread so far, up to `UNCACHED_WARMUP`.
    static STEMMED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Replaces `buf` by its stem; true if it changed.
fn stem_in_place(which: Stemmer, stemmer: &SnowballStemmer, buf: &mut String) -> bool {
    let len = buf.len();
    let warm = STEMMED.get() >= UNCACHED_WARMUP;
    if !warm {
        STEMMED.set(STEMMED.get() + 1);
    }
    if !warm || len > SLOT_BYTES {
        return stem_uncached(stemmer, buf);
    }
    let mut hasher = FxHasher::default();
    hasher.write(buf.as_bytes());
    let index = (hasher.finish() >> (64 - SLOTS.trailing_zeros())) as usize;
    STEMS.with_borrow_mut(|tables| {
        if tables.len() <= which as usize {
            tables.resize(Stemmer::ALL.len(), None);
        }
        let table = tables[which as usize].get_or_insert_with(|| vec![EMPTY_SLOT; SLOTS].into());
        let slot = &mut table[index];
        if usize::from(slot.key_len) == len && slot.key[..len] == *buf.as_bytes() {
            let stem = &slot.stem[..usize::from(slot.stem_len)];
            if stem == buf.as_bytes() {
                return false;
            }
            // Stems are copied from a `str`, so they are valid UTF-8.
            let stem = std::str::from_utf8(stem).expect("memoized stem is UTF-8");
            buf.clear();
            buf.push_str(stem);
            return true;
        }
        let mut key = [0; SLOT_BYTES];
        key[..len].copy_from_slice(buf.as_bytes());
        let key_len = len as u8;
        let changed = stem_uncached(stemmer, buf);
        if buf.len() <= SLOT_BYTES {
            let mut stem = [0; SLOT_BYTES];
            stem[..buf.len()].copy_from_slice(buf.as_bytes());
            *slot = Slot {
                key_len,
                stem_len: buf.len() as u8,
                key,
                stem,
            };
        }
        changed
    })
}

fn stem_uncached(stemmer: &SnowballStemmer, buf: &mut String) -> bool {
    match stemmer.stem(buf) {
        std::borrow::Cow::Borrowed(_) => false,
        std::borrow::Cow::Owned(stem) => {
            buf.clear();
            buf.push_str(&stem);
            true
        }
    }
}

/// The Firefox/rustc "Fx" hash: a multiply-rotate over 8-byte words, several
/// times faster than SipHash on short keys (rustc-hash, inlined here to
/// spare a dependency). Not flood-resistant, which a fixed-size table
/// need not be.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chain: &Chain, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = String::new();
        chain.words(text, &mut Text::plain(), &mut buf, &mut |t: &str| {
            out.push(t.to_string())
        });
        out
    }

    #[test]
    fn splits_unicode_words_and_folds_case() {
        let chain = Chain::new(true, 1, 30, Stemmer::None);
        assert_eq!(
            run(&chain, "Hello, WORLD! Grüße ÄRGER can't 3.14 — x"),
            ["hello", "world", "grüße", "ärger", "can't", "3.14", "x"]
        );
    }

    #[test]
    fn keeps_case_when_asked() {
        let chain = Chain::new(false, 1, 30, Stemmer::None);
        assert_eq!(run(&chain, "FREE Money"), ["FREE", "Money"]);
    }

    #[test]
    fn colon_splits_words() {
        let chain = Chain::new(true, 1, 30, Stemmer::None);
        assert_eq!(
            run(&chain, "subject:free re:win"),
            ["subject", "free", "re", "win"]
        );
    }

    #[test]
    fn length_cap_counts_chars() {
        let chain = Chain::new(true, 2, 5, Stemmer::None);
        assert_eq!(
            run(&chain, "a ab abcde abcdef ééééé éééééé"),
            ["ab", "abcde", "ééééé"]
        );
        let base64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg";
        assert!(run(&chain, base64).is_empty());
    }

    #[test]
    fn stems_english() {
        let chain = Chain::new(true, 2, 30, Stemmer::English);
        assert_eq!(
            run(&chain, "Running offers GUARANTEED"),
            ["run", "offer", "guarante"]
        );
    }

    #[test]
    fn stem_below_minimum_is_dropped() {
        // English stems "is" to "is" but "ies" to "i".
        let chain = Chain::new(true, 2, 30, Stemmer::English);
        assert!(run(&chain, "ies").iter().all(|t| t.chars().count() >= 2));
    }

    #[test]
    fn cached_stems_match_uncached() {
        let snowball = SnowballStemmer::create(rust_stemmers::Algorithm::English);
        let words = [
            "running",
            "offers",
            "is",
            "2002",
            "guaranteed",
            "running",
            "offers",
        ];
        for _ in 0..2 {
            for word in words {
                let mut buf = word.to_string();
                let changed = stem_in_place(Stemmer::English, &snowball, &mut buf);
                assert_eq!(buf, snowball.stem(word));
                assert_eq!(changed, buf != word);
            }
        }
        // Another language on the same thread gets its own memo.
        let mut buf = "laufen".to_string();
        stem_in_place(
            Stemmer::German,
            &SnowballStemmer::create(rust_stemmers::Algorithm::German),
            &mut buf,
        );
        assert_eq!(buf, "lauf");
    }

    /// The ASCII fast path gives exactly the words of unicode-segmentation
    /// (split at ':'), on text made of the bytes that matter to UAX #29.
    #[test]
    fn ascii_words_match_uax29() {
        fn reference(chain: &Chain, text: &str) -> Vec<String> {
            let mut out = Vec::new();
            let mut buf = String::new();
            for line in text.split_inclusive('\n') {
                for word in line.unicode_words() {
                    for piece in word.split(':') {
                        chain.filter(piece, &mut Text::plain(), &mut buf, &mut |t: &str| {
                            out.push(t.to_string())
                        });
                    }
                }
            }
            out
        }
        let alphabet = b"aZq09_.,;:'\" \r\n\t-@/=xY";
        let chain = Chain::new(true, 1, 30, Stemmer::None);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for n in 0..20_000 {
            let len = n % 40;
            let text: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize] as char
                })
                .collect();
            assert_eq!(run(&chain, &text), reference(&chain, &text), "{text:?}");
        }
        let stemming = Chain::new(true, 2, 30, Stemmer::English);
        let text = "Re: it's 3,000.50 dollars e.g. http://x.example.com/a_b __ a:b:c 1'2 end.\r\n";
        assert_eq!(run(&stemming, text), reference(&stemming, text));
        assert_eq!(
            run(&chain, "it's 3,000.50 e.g. __ a_b x:y"),
            ["it's", "3,000.50", "e.g", "__", "a_b", "x", "y"]
                .into_iter()
                .filter(|w| *w != "__")
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn lowercase_may_lengthen() {
        // 'İ' lowercases to "i\u{307}": two chars, checked after folding.
        let chain = Chain::new(true, 1, 1, Stemmer::None);
        assert!(run(&chain, "İ").is_empty());
        assert_eq!(run(&chain, "Ä"), ["ä"]);
    }
}
