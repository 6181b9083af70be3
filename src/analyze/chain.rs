//! The word chain: split text into words, then filter each one in place.
//!
//! ```text
//! text -WordSplit-> word -LowerCase-> buf -LengthCap-> buf -Stem-> buf -> emit
//! ```
//!
//! Each stage reads the token the stage before it left in one reused
//! buffer and either rewrites it or drops it (tantivy's `TokenFilter`
//! chain, flattened into one struct because the chain is fixed and a
//! virtual call per token would cost more than some of the filters).

use rust_stemmers::Stemmer as SnowballStemmer;
use unicode_segmentation::UnicodeSegmentation;

/// The configured filters; [`Chain::words`] runs them over a text.
pub(crate) struct Chain {
    lowercase: bool,
    min_len: usize,
    max_len: usize,
    stemmer: Option<SnowballStemmer>,
}

impl Chain {
    pub(crate) fn new(
        lowercase: bool,
        min_len: usize,
        max_len: usize,
        stemmer: Option<SnowballStemmer>,
    ) -> Chain {
        Chain {
            lowercase,
            min_len,
            max_len,
            stemmer,
        }
    }

    /// Calls `emit` with each token of `text`, in order.
    ///
    /// Words are Unicode (UAX #29) words, further split at ':' so that no
    /// body token contains one: the analyzer's tagged tokens
    /// (`subject:free`) then cannot collide with a body word, which UAX #29
    /// would otherwise allow (`subject:free` is one word to it).
    pub(crate) fn words(&self, text: &str, buf: &mut String, emit: &mut dyn FnMut(&str)) {
        // unicode-segmentation takes its ASCII fast path only when the whole
        // string is ASCII; going line by line keeps one stray non-ASCII byte
        // from slowing down a whole part. A line break is always a word
        // boundary, so this changes no word.
        for line in text.split_inclusive('\n') {
            for word in line.unicode_words() {
                if memchr::memchr(b':', word.as_bytes()).is_some() {
                    for piece in word.split(':') {
                        self.filter(piece, buf, emit);
                    }
                } else {
                    self.filter(word, buf, emit);
                }
            }
        }
    }

    /// Runs one word through lowercase, length cap and stemmer.
    #[inline]
    pub(crate) fn filter(&self, word: &str, buf: &mut String, emit: &mut dyn FnMut(&str)) {
        // Lowercasing never shortens a word below its byte length / 4 in
        // chars, so this rejects base64 lines before copying them.
        if word.is_empty() || word.len() / 4 > self.max_len {
            return;
        }
        let ascii = word.is_ascii();
        buf.clear();
        lower_case(self.lowercase, ascii, word, buf);
        if !self.len_ok(ascii, buf) {
            return;
        }
        if let Some(stemmer) = &self.stemmer
            && let std::borrow::Cow::Owned(stem) = stemmer.stem(buf)
        {
            buf.clear();
            buf.push_str(&stem);
            // Stemming shortens, possibly below the minimum.
            if !self.len_ok(ascii, buf) {
                return;
            }
        }
        emit(buf);
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
    use rust_stemmers::Algorithm;

    fn run(chain: &Chain, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut buf = String::new();
        chain.words(text, &mut buf, &mut |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn splits_unicode_words_and_folds_case() {
        let chain = Chain::new(true, 1, 30, None);
        assert_eq!(
            run(&chain, "Hello, WORLD! Grüße ÄRGER can't 3.14 — x"),
            ["hello", "world", "grüße", "ärger", "can't", "3.14", "x"]
        );
    }

    #[test]
    fn keeps_case_when_asked() {
        let chain = Chain::new(false, 1, 30, None);
        assert_eq!(run(&chain, "FREE Money"), ["FREE", "Money"]);
    }

    #[test]
    fn colon_splits_words() {
        let chain = Chain::new(true, 1, 30, None);
        assert_eq!(
            run(&chain, "subject:free re:win"),
            ["subject", "free", "re", "win"]
        );
    }

    #[test]
    fn length_cap_counts_chars() {
        let chain = Chain::new(true, 2, 5, None);
        assert_eq!(
            run(&chain, "a ab abcde abcdef ééééé éééééé"),
            ["ab", "abcde", "ééééé"]
        );
        let base64 = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5eg";
        assert!(run(&chain, base64).is_empty());
    }

    #[test]
    fn stems_english() {
        let chain = Chain::new(
            true,
            2,
            30,
            Some(SnowballStemmer::create(Algorithm::English)),
        );
        assert_eq!(
            run(&chain, "Running offers GUARANTEED"),
            ["run", "offer", "guarante"]
        );
    }

    #[test]
    fn stem_below_minimum_is_dropped() {
        // English stems "is" to "is" but "ies" to "i".
        let chain = Chain::new(
            true,
            2,
            30,
            Some(SnowballStemmer::create(Algorithm::English)),
        );
        assert!(run(&chain, "ies").iter().all(|t| t.chars().count() >= 2));
    }

    #[test]
    fn lowercase_may_lengthen() {
        // 'İ' lowercases to "i\u{307}": two chars, checked after folding.
        let chain = Chain::new(true, 1, 1, None);
        assert!(run(&chain, "İ").is_empty());
        assert_eq!(run(&chain, "Ä"), ["ä"]);
    }
}
