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

use rust_stemmers::Stemmer as SnowballStemmer;
use unicode_segmentation::UnicodeSegmentation;

use super::Stemmer;
use super::cache::{Caches, FEATURE_KEY_BYTES, NO_TOKEN, NOT_A_FEATURE, Resolved, StemCache};
use super::prefix_filter::PrefixFilter;
use super::stemmer::stem_in_place;

/// The configured filters; [`Chain::words`] runs them over a text.
pub(crate) struct Chain {
    lowercase: bool,
    min_len: usize,
    max_len: usize,
    stemmer: Option<SnowballStemmer>,
}

/// Where the chain's tokens go.
pub(crate) trait Sink {
    /// Takes a token; returns what it is to a scorer, for a
    /// [`FeatureCache`](super::cache::FeatureCache) ([`NOT_A_FEATURE`] when
    /// no scorer is asked).
    fn token(&mut self, token: &str) -> Resolved;
    /// Takes, in place of a token, what a cached word's token was to the
    /// scorer (never [`NO_TOKEN`]). Only called when the chain has a
    /// feature cache.
    fn replay(&mut self, resolved: Resolved);
}

/// Any `FnMut(&str)` takes plain tokens (and can have no feature cache).
impl<F: FnMut(&str)> Sink for F {
    #[inline]
    fn token(&mut self, token: &str) -> Resolved {
        self(token);
        NOT_A_FEATURE
    }

    fn replay(&mut self, _: Resolved) {
        unreachable!("a plain token sink is never given a feature cache");
    }
}

/// What the chain knows of the text it splits.
pub(crate) struct Text<'a> {
    /// The kind of text: body or one header field (see [`PrefixFilter`]).
    pub(crate) kind: u32,
    /// Drops ASCII words that cannot become one of the filter's tokens of `kind`.
    pub(crate) filter: Option<&'a PrefixFilter>,
    /// Stems, and what each ASCII word of `kind` made, remembered.
    pub(crate) caches: Caches<'a>,
}

impl<'a> Text<'a> {
    /// A text of no particular kind, with no filter and no feature cache.
    pub(crate) fn plain(caches: &'a mut Caches<'_>) -> Text<'a> {
        Text {
            kind: 0,
            filter: None,
            caches: Caches {
                stems: caches.stems.as_deref_mut(),
                features: None,
            },
        }
    }
}

impl Chain {
    pub(crate) fn new(lowercase: bool, min_len: usize, max_len: usize, stemmer: Stemmer) -> Chain {
        Chain {
            lowercase,
            min_len,
            max_len,
            stemmer: stemmer.algorithm().map(SnowballStemmer::create),
        }
    }

    /// Gives `sink` each token of `text`, in order.
    ///
    /// Words are Unicode (UAX #29) words, further split at ':' so that no
    /// body token contains one: the analyzer's tagged tokens
    /// (`subject:free`) then cannot collide with a body word, which UAX #29
    /// would otherwise allow (`subject:free` is one word to it).
    ///
    /// With a prefix filter, ASCII words it rejects are dropped before
    /// folding and stemming: they cannot become one of the filter's tokens.
    /// With a feature cache, an ASCII word it remembers is replayed to the
    /// sink instead of folded, stemmed and given as a token; one it does not
    /// is, and remembered.
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
        let Caches { stems, features } = &mut ctx.caches;
        if ascii {
            if let Some(filter) = ctx.filter
                && !filter.admits(ctx.kind, word.as_bytes())
            {
                return;
            }
            if let Some(features) = features.as_deref_mut()
                && word.len() <= FEATURE_KEY_BYTES
            {
                let cached = features.resolve(ctx.kind, word.as_bytes(), || {
                    if self.token(word, ascii, letters, buf, stems.as_deref_mut()) {
                        sink.token(buf)
                    } else {
                        NO_TOKEN
                    }
                });
                match cached {
                    None | Some(NO_TOKEN) => {}
                    Some(resolved) => sink.replay(resolved),
                }
                return;
            }
        }
        if self.token(word, ascii, letters, buf, stems.as_deref_mut()) {
            sink.token(buf);
        }
    }

    /// Folds, caps and stems `word` into `buf` (stems remembered in
    /// `stems`); false if it makes no token.
    #[inline]
    fn token(
        &self,
        word: &str,
        ascii: bool,
        letters: bool,
        buf: &mut String,
        stems: Option<&mut StemCache>,
    ) -> bool {
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
        if let Some(stemmer) = &self.stemmer
            && letters
            && stem_in_place(stemmer, buf, stems)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn run(chain: &Chain, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = String::new();
        chain.words(
            text,
            &mut Text::plain(&mut Caches::default()),
            &mut buf,
            &mut |t: &str| out.push(t.to_string()),
        );
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
                        chain.filter(
                            piece,
                            &mut Text::plain(&mut Caches::default()),
                            &mut buf,
                            &mut |t: &str| out.push(t.to_string()),
                        );
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
