//! Analyzer: raw mail -> tokens, the features the classifier weighs.
//!
//! The [`AnalyzerConfig`] is stored inside the saved model, so `classify`
//! tokenizes exactly as `train` did. An [`Analyzer`] decodes the message
//! ([`crate::mail`]) and emits, in order:
//!
//! 1. tagged header tokens: each word of a selected field, prefixed with the
//!    field name (`subject:free`, distinct from the body word `free`); the
//!    domain after each '@' in it (`from:@example.com` and its parent
//!    domains); for `content-type`, the MIME type and charset
//!    (`content-type:text/html`, `content-type:charset=gb2312`);
//! 2. body words: Unicode (UAX #29) words, case-folded, length-capped (which
//!    drops base64 and hash junk), stemmed (a per-thread cache remembers
//!    the stems of frequent words);
//! 3. URL hosts: `url:shop.example.com`, its parent domains
//!    (`url:example.com`), `url:[ip]` for a numeric host;
//! 4. attachments: `attach:image/gif`, `attach:.exe`.
//!
//! Body tokens never contain ':' (words are split there), so no body word
//! can pose as a tagged token.
//!
//! | Field | Default | Purpose | Range |
//! |---|---|---|---|
//! | `stemmer` | `english` | Snowball stemmer, or `none` | [`Stemmer::ALL`] |
//! | `lowercase` | `true` | fold case (`FREE` = `free`) | |
//! | `min_token_len` | 2 | drop shorter words (chars) | >= 1 |
//! | `max_token_len` | 30 | drop longer words (chars): base64, hashes | >= `min_token_len` |
//! | `header_fields` | [`DEFAULT_HEADER_FIELDS`]: 26 fields (subject, from, to, received, message-id, ...) | fields tokenized with a tag | lower-case field names |
//! | `address_domains` | `true` | `field:@domain` tokens | |
//! | `url_hosts` | `true` | `url:host` tokens | |
//! | `host_suffixes` | `true` | parent domains of hosts too | |
//! | `attachment_tokens` | `true` | `attach:` type and extension tokens | |
//! | `html_tags` | `false` | `html:tag` and `html:tag.attribute` markup tokens | |
//! | `word_pairs` | `false` | adjacent body words as one more token (`click here`) | |
//! | `received` | `route` | words of tagged `Received:` fields: `route` drops each hop's time stamp and `for` recipient; `whole` keeps them | |
//! | `max_text_bytes` | 10,000 | body text tokenized per message (`None`: all) | >= 1 |
//!
//! ```
//! use sparsetext::analyze::{Analyzer, AnalyzerConfig, Stemmer};
//!
//! let config = AnalyzerConfig {
//!     stemmer: "english".parse()?,
//!     ..AnalyzerConfig::default()
//! };
//! config.check()?;
//! let analyzer = Analyzer::new(config);
//! let raw = b"Subject: Winning offers\n\nYou are WINNING! See http://win.example.com/now\n";
//! let mut tokens = Vec::new();
//! let notes = analyzer.tokenize(raw, &mut |t| tokens.push(t.to_string()));
//! assert_eq!(
//!     tokens,
//!     ["subject:win", "subject:offer", "you", "are", "win", "see", "http",
//!      "win.example.com", "now", "url:win.example.com", "url:example.com"]
//! );
//! assert!(!notes.truncated);
//! Ok::<(), sparsetext::Error>(())
//! ```

mod cache;
mod chain;
mod config;
mod emit;
mod hosts;
mod kinds;
mod prefix_filter;
mod received;
mod stemmer;
#[cfg(test)]
mod tests;

pub use config::{AnalyzerConfig, DEFAULT_HEADER_FIELDS, DEFAULT_MAX_TEXT_BYTES, ReceivedTokens};
pub use stemmer::Stemmer;

pub(crate) use cache::NOT_A_FEATURE;
pub(crate) use kinds::TokenKinds;

use crate::mail;
use cache::with_thread_caches;
use chain::Chain;
use emit::FeatureHits;

/// What happened while analyzing one message, for counted warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    /// Body text beyond [`AnalyzerConfig::max_text_bytes`] was not tokenized.
    pub truncated: bool,
    /// Charsets that could not be decoded (read lossily as UTF-8).
    pub unknown_charsets: Vec<String>,
    /// The message was malformed somewhere: bad transfer encoding, broken
    /// MIME structure, no header block, invalid bytes for its charset.
    pub damaged: bool,
    /// How many tokens were emitted; 0 deserves a warning.
    pub tokens: usize,
}

/// Turns raw mail into tokens according to an [`AnalyzerConfig`].
///
/// Cheap to share across threads (`Send + Sync`); each thread keeps its own
/// caches of stems and feature lookups. A clone rebuilds the stemmer.
pub struct Analyzer {
    config: AnalyzerConfig,
    chain: Chain,
    /// Every kind of token the config asks for.
    all_kinds: TokenKinds,
}

impl Analyzer {
    /// Builds the analyzer for `config`. Run [`AnalyzerConfig::check`] first:
    /// an unchecked config does not panic, but may emit no tokens at all
    /// (`max_token_len < min_token_len`).
    pub fn new(config: AnalyzerConfig) -> Analyzer {
        let chain = Chain::new(
            config.lowercase,
            config.min_token_len,
            config.max_token_len,
            config.stemmer,
        );
        let all_kinds = TokenKinds::all(&config);
        Analyzer {
            config,
            chain,
            all_kinds,
        }
    }

    /// The configuration this analyzer runs.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Parses `raw` and calls `sink` once per token, in message order
    /// (duplicates included). Only the configured header fields are
    /// decoded ([`mail::parse_fields`]).
    pub fn tokenize(&self, raw: &[u8], mut sink: &mut dyn FnMut(&str)) -> Notes {
        let kinds = &self.all_kinds;
        let message = mail::parse_fields(raw, self.config.max_text_bytes, &kinds.fields);
        with_thread_caches(self.config.stemmer, None, |caches| {
            self.emit(&message, kinds, caches, &mut sink)
        })
    }

    /// Parses `raw` and calls `hit` with the index `lookup` gives each token
    /// of the given kinds (from [`kinds_for`](Self::kinds_for)) that has
    /// one, in message order (indices below [`NOT_A_FEATURE`]); these are
    /// the indices of the tokens of [`tokenize`](Self::tokenize) that
    /// `lookup` finds. [`Notes::tokens`] counts the tokens of those kinds.
    ///
    /// A thread remembers what `lookup` made of each word, under the kinds'
    /// identity: every call with these `kinds` (or a clone) must pass the
    /// same `lookup`.
    pub(crate) fn feature_hits(
        &self,
        raw: &[u8],
        kinds: &TokenKinds,
        lookup: &dyn Fn(&str) -> Option<u32>,
        hit: &mut dyn FnMut(u32),
    ) -> Notes {
        let message = mail::parse_fields(raw, self.config.max_text_bytes, &kinds.fields);
        with_thread_caches(self.config.stemmer, Some(kinds.features_id), |caches| {
            self.emit(&message, kinds, caches, &mut FeatureHits { lookup, hit })
        })
    }
}

impl Clone for Analyzer {
    fn clone(&self) -> Self {
        Analyzer::new(self.config.clone())
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Helpers for tests across the crate.
#[cfg(test)]
pub(crate) mod test_util {
    use super::cache::Caches;
    use super::{Analyzer, AnalyzerConfig, Notes, TokenKinds};
    use crate::mail;
    pub(crate) use crate::mail::test_util::fixture;

    /// All tokens of `raw` under `config`, and the notes.
    pub(crate) fn tokens_with(config: AnalyzerConfig, raw: &[u8]) -> (Vec<String>, Notes) {
        let mut out = Vec::new();
        let notes = Analyzer::new(config).tokenize(raw, &mut |t| out.push(t.to_string()));
        assert_eq!(notes.tokens, out.len(), "Notes::tokens miscounted");
        (out, notes)
    }

    /// All tokens of `raw` under the default config.
    pub(crate) fn tokens(raw: &[u8]) -> Vec<String> {
        tokens_with(AnalyzerConfig::default(), raw).0
    }

    /// Every token of the given kinds in `raw`, as [`Analyzer::feature_hits`]
    /// finds them before its lookup (no caches).
    pub(crate) fn tokens_of_kinds(
        analyzer: &Analyzer,
        raw: &[u8],
        kinds: &TokenKinds,
        mut sink: &mut dyn FnMut(&str),
    ) -> Notes {
        let message = mail::parse_fields(raw, analyzer.config.max_text_bytes, &kinds.fields);
        analyzer.emit(&message, kinds, Caches::default(), &mut sink)
    }
}
