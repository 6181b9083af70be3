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
//!    drops base64 and hash junk), stemmed with a per-thread memo;
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
//! | `header_fields` | [`DEFAULT_HEADER_FIELDS`]: 27 fields (subject, from, to, received, message-id, ...) | fields tokenized with a tag | lower-case field names |
//! | `address_domains` | `true` | `field:@domain` tokens | |
//! | `url_hosts` | `true` | `url:host` tokens | |
//! | `host_suffixes` | `true` | parent domains of hosts too | |
//! | `attachment_tokens` | `true` | `attach:` type and extension tokens | |
//! | `html_tags` | `false` | `html:tag` and `html:tag.attribute` markup tokens | |
//! | `word_pairs` | `false` | adjacent body words as one more token (`click here`) | |
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

mod chain;
mod gate;
mod hosts;
mod memo;
mod stemmer;

pub use stemmer::Stemmer;

use serde::{Deserialize, Serialize};

use crate::mail::{self, Message};
use crate::{Error, Result};
use chain::{Chain, Sink, Text};
use gate::WordGate;
use hosts::HostKind;
use memo::Resolved;
pub(crate) use memo::{NOT_A_FEATURE, WordMemo};

/// Every setting of the analyzer; stored in the model so `classify`
/// tokenizes as `train` did. See the [module docs](self) for a table of
/// defaults and ranges, and [`AnalyzerConfig::check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Stemming language, or [`Stemmer::None`]. Stemming merges `offer`,
    /// `offers`, `offered` into one feature, which the classifier then
    /// learns from three times the evidence.
    pub stemmer: Stemmer,
    /// Fold case. Spam SHOUTS, so keeping case is a possible feature, but
    /// it splits every word's evidence in two or three.
    pub lowercase: bool,
    /// Words shorter than this (in chars, after folding) are dropped. At 2,
    /// CJK text (one word per ideograph under UAX #29) is dropped too: use 1
    /// for such corpora.
    pub min_token_len: usize,
    /// Words longer than this (in chars) are dropped: base64 lines, hashes,
    /// tracking ids, which only ever occur once.
    pub max_token_len: usize,
    /// Header fields (lower case) whose words become tagged tokens
    /// (`subject:word`).
    pub header_fields: Vec<String>,
    /// Emit `field:@domain` (and parent domains if `host_suffixes`) for each
    /// '@' address in a selected header field.
    pub address_domains: bool,
    /// Emit `url:host` for each URL in the body.
    pub url_hosts: bool,
    /// With a host, also emit its parent domains of two or more labels
    /// (`a.b.example.com` -> `b.example.com`, `example.com`).
    pub host_suffixes: bool,
    /// Emit `attach:type/subtype` and `attach:.ext` for non-text parts.
    pub attachment_tokens: bool,
    /// Emit `html:tag` and `html:tag.attribute` for the markup of HTML
    /// parts (`html:font.color`), which the text conversion drops.
    pub html_tags: bool,
    /// Also emit each pair of adjacent body words as one token
    /// (`click here`; the words joined by a space, which no word contains).
    pub word_pairs: bool,
    /// Body text tokenized per message, in bytes (`None`: no cap). Bounds
    /// the work on huge messages; a long message's first pages carry its
    /// character anyway.
    pub max_text_bytes: Option<usize>,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            stemmer: Stemmer::English,
            lowercase: true,
            min_token_len: 2,
            max_token_len: 30,
            header_fields: DEFAULT_HEADER_FIELDS.map(String::from).to_vec(),
            address_domains: true,
            url_hosts: true,
            host_suffixes: true,
            attachment_tokens: true,
            html_tags: false,
            word_pairs: false,
            max_text_bytes: Some(DEFAULT_MAX_TEXT_BYTES),
        }
    }
}

/// Body text tokenized per message by default, in bytes. TREC's spam tracks
/// found the first few kilobytes of a message carry its verdict; on the
/// public corpus (5-fold CV AUC, training portion, alpha 0.5) 10,000 bytes
/// scored 0.99965 against 0.99960 for 3,000 and 0.99962 for 256 KiB, and it
/// bounds the work per message.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 10_000;

/// The fields tagged by default. Measured by `bench/defaults.sh` (5-fold CV
/// AUC on the public corpus): these 27 give 0.99861 against 0.99675 for the
/// six a sender controls and a reader sees (subject, from, reply-to, to,
/// content-type, x-mailer) and 0.99368 for none. Relays, mailers, list
/// headers and threading headers (`in-reply-to`, `references`) tell bulk
/// mail from conversation.
pub const DEFAULT_HEADER_FIELDS: [&str; 27] = [
    "subject",
    "from",
    "reply-to",
    "to",
    "cc",
    "content-type",
    "x-mailer",
    "received",
    "return-path",
    "message-id",
    "user-agent",
    "x-priority",
    "x-msmail-priority",
    "organization",
    "list-id",
    "precedence",
    "x-keywords",
    "in-reply-to",
    "references",
    "date",
    "mime-version",
    "content-transfer-encoding",
    "errors-to",
    "sender",
    "list-unsubscribe",
    "x-mimeole",
    "x-originating-ip",
];

impl AnalyzerConfig {
    /// Checks every field, naming the first bad one in
    /// [`Error::InvalidParam`].
    pub fn check(&self) -> Result<()> {
        let invalid = |name, value: String, reason: &str| {
            Err(Error::InvalidParam {
                name,
                value,
                reason: reason.to_string(),
            })
        };
        if self.min_token_len == 0 {
            return invalid("min_token_len", "0".into(), "must be at least 1");
        }
        if self.max_token_len < self.min_token_len {
            return invalid(
                "max_token_len",
                self.max_token_len.to_string(),
                &format!("must be at least min_token_len = {}", self.min_token_len),
            );
        }
        if self.max_text_bytes == Some(0) {
            return invalid(
                "max_text_bytes",
                "0".into(),
                "must be at least 1 (no value means no cap)",
            );
        }
        for field in &self.header_fields {
            let valid = !field.is_empty()
                && field
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b':' && !b.is_ascii_uppercase());
            if !valid {
                return invalid(
                    "header_fields",
                    field.clone(),
                    "must be a lower-case header field name (printable ASCII, no ':')",
                );
            }
        }
        Ok(())
    }
}

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
/// Cheap to share across threads (`Send + Sync`); a clone rebuilds the
/// stemmer.
pub struct Analyzer {
    config: AnalyzerConfig,
    chain: Chain,
    /// Every kind of token the config asks for.
    all_kinds: TokenKinds,
}

/// Which kinds of tokens to emit: see [`Analyzer::kinds_for`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenKinds {
    /// Header fields tokenized (lower case), a subset of the config's.
    header_fields: Vec<String>,
    /// The same, for the decoder: other fields are not decoded.
    fields: mail::Fields,
    /// Words of the body text.
    body_words: bool,
    /// `url:` tokens.
    url_hosts: bool,
    /// `attach:` tokens.
    attachments: bool,
    /// `html:` tokens.
    html_tags: bool,
    /// Drops words that cannot stem to a wanted word token (`None`: keep all).
    gate: Option<std::sync::Arc<WordGate>>,
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
        let all_kinds = TokenKinds {
            header_fields: config.header_fields.clone(),
            fields: mail::Fields::only(&config.header_fields).with_html_tags(config.html_tags),
            body_words: true,
            url_hosts: true,
            attachments: true,
            html_tags: true,
            gate: None,
        };
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

    /// Decodes `raw` honouring `max_text_bytes`, every header field
    /// included; use with [`tokenize_message`](Self::tokenize_message) when
    /// the message is needed too.
    pub fn parse(&self, raw: &[u8]) -> Message {
        mail::parse_limited(raw, self.config.max_text_bytes)
    }

    /// Parses `raw` and calls `sink` once per token, in message order
    /// (duplicates included). Only the configured header fields are
    /// decoded ([`mail::parse_fields`]); the tokens are those of
    /// [`tokenize_message`](Self::tokenize_message) on [`parse`](Self::parse).
    pub fn tokenize(&self, raw: &[u8], sink: &mut dyn FnMut(&str)) -> Notes {
        self.tokenize_needed(raw, &self.all_kinds, sink)
    }

    /// Calls `sink` once per token of an already decoded message. The text
    /// cap is applied again here, so a message from [`mail::parse`] gets the
    /// same body tokens as from [`Analyzer::parse`].
    pub fn tokenize_message(&self, message: &Message, mut sink: &mut dyn FnMut(&str)) -> Notes {
        self.tokenize_kinds(message, &self.all_kinds, None, &mut sink)
    }

    /// Every kind of token this analyzer's config asks for.
    pub fn all_kinds(&self) -> TokenKinds {
        self.all_kinds.clone()
    }

    /// The kinds of tokens that can equal one of `terms` (say a model's
    /// features): the header fields some term is tagged with, body words if
    /// some term has no ':', URL hosts if some term starts with `url:`,
    /// attachments if some with `attach:`, markup if some with `html:`. Tokenizing with them
    /// ([`tokenize_needed`](Self::tokenize_needed)) skips the work for the rest.
    pub fn kinds_for<'t>(&self, terms: impl IntoIterator<Item = &'t str>) -> TokenKinds {
        let mut kinds = TokenKinds {
            header_fields: Vec::new(),
            fields: mail::Fields::only(&[]),
            body_words: false,
            url_hosts: false,
            attachments: false,
            html_tags: false,
            gate: None,
        };
        let mut fields = vec![false; self.config.header_fields.len()];
        // Tokens the word chain may have to produce: body words, and words of tagged fields.
        let mut words: Vec<(Option<&str>, &str)> = Vec::new();
        for term in terms {
            let Some((tag, word)) = term.split_once(':') else {
                kinds.body_words = true;
                words.push((None, term));
                continue;
            };
            words.push((Some(tag), word));
            // A field named `url` or `attach` shares its tag: keep both.
            kinds.url_hosts |= tag == "url";
            kinds.attachments |= tag == "attach";
            kinds.html_tags |= tag == "html";
            for (field, wanted) in self.config.header_fields.iter().zip(&mut fields) {
                *wanted |= field == tag;
            }
        }
        kinds.header_fields = (self.config.header_fields.iter().zip(fields))
            .filter(|(_, wanted)| *wanted)
            .map(|(field, _)| field.clone())
            .collect();
        kinds.fields = mail::Fields::only(&kinds.header_fields)
            .with_html_tags(self.config.html_tags && kinds.html_tags);
        // A word pair needs both of its words, whatever they are.
        if !self.config.word_pairs {
            let kind_of = |tag: Option<&str>| match tag {
                None => Some(BODY_KIND),
                Some(tag) => kinds
                    .header_fields
                    .iter()
                    .position(|f| f == tag)
                    .map(field_kind),
            };
            let stems = words
                .iter()
                .filter_map(|&(tag, word)| Some((kind_of(tag)?, word)));
            kinds.gate = WordGate::new(self.config.stemmer, stems).map(std::sync::Arc::new);
        }
        kinds
    }

    /// [`tokenize`](Self::tokenize), emitting only tokens of the given
    /// kinds (from [`kinds_for`](Self::kinds_for)): every token of those
    /// kinds, in the same order; [`Notes::tokens`] counts those only.
    pub fn tokenize_needed(
        &self,
        raw: &[u8],
        kinds: &TokenKinds,
        mut sink: &mut dyn FnMut(&str),
    ) -> Notes {
        let message = mail::parse_fields(raw, self.config.max_text_bytes, &kinds.fields);
        self.tokenize_kinds(&message, kinds, None, &mut sink)
    }

    /// [`tokenize_needed`](Self::tokenize_needed) for a scorer: each token is
    /// looked up, and `hit` called with the index `lookup` gives it, if any
    /// (indices below [`NOT_A_FEATURE`]). With a `memo`, a repeated word skips
    /// folding, stemming and lookup; the memo must only ever serve this
    /// analyzer with these `kinds` and this `lookup` (clear it otherwise).
    pub(crate) fn tokenize_features(
        &self,
        raw: &[u8],
        kinds: &TokenKinds,
        lookup: &dyn Fn(&str) -> Option<u32>,
        memo: Option<&mut WordMemo>,
        hit: &mut dyn FnMut(u32),
    ) -> Notes {
        let message = mail::parse_fields(raw, self.config.max_text_bytes, &kinds.fields);
        let mut features = Features { lookup, hit };
        self.tokenize_kinds(&message, kinds, memo, &mut features)
    }

    fn tokenize_kinds(
        &self,
        message: &Message,
        kinds: &TokenKinds,
        mut memo: Option<&mut WordMemo>,
        sink: &mut dyn Sink,
    ) -> Notes {
        let cfg = &self.config;
        let mut notes = Notes {
            truncated: message.truncated,
            unknown_charsets: message.unknown_charsets.clone(),
            damaged: message.damaged,
            tokens: 0,
        };
        let mut count = Counting { tokens: 0, sink };
        let gate = kinds.gate.as_deref();
        let mut buf = String::with_capacity(64);
        let mut tagged = String::with_capacity(64);
        let mut host = String::with_capacity(64);

        for header in &message.headers {
            let Some(field) = kinds.header_fields.iter().position(|f| *f == header.name) else {
                continue;
            };
            tagged.clear();
            tagged.push_str(&header.name);
            tagged.push(':');
            let prefix = tagged.len();
            let mut emit_tagged = Tagged {
                tagged: &mut tagged,
                prefix,
                sink: &mut count,
            };
            if header.name == "content-type" {
                content_type_tokens(&header.value, &mut buf, &mut |t: &str| {
                    emit_tagged.token(t);
                });
            } else {
                let mut text = Text {
                    kind: field_kind(field),
                    gate,
                    memo: memo.as_deref_mut(),
                };
                self.chain
                    .words(&header.value, &mut text, &mut buf, &mut emit_tagged);
            }
            if cfg.address_domains {
                hosts::address_domains(&header.value, &mut host, &mut |domain| {
                    hosts::with_suffixes(domain, cfg.host_suffixes, &mut |d| {
                        buf.clear();
                        buf.push('@');
                        buf.push_str(d);
                        emit_tagged.token(&buf);
                    });
                });
            }
        }

        let mut budget = cfg.max_text_bytes.unwrap_or(usize::MAX);
        let mut truncated = false;
        let texts: &[String] = if kinds.body_words {
            &message.texts
        } else {
            &[]
        };
        let mut pairs = WordPairs::default();
        for text in texts {
            let text = if text.len() > budget {
                truncated |= !text.is_empty();
                &text[..mail::floor_char_boundary(text, budget)]
            } else {
                text
            };
            budget -= text.len();
            if cfg.word_pairs {
                pairs.clear();
                self.chain
                    .words(text, &mut Text::plain(), &mut buf, &mut |word: &str| {
                        pairs.push(word, &mut |t| {
                            count.token(t);
                        })
                    });
            } else {
                let mut body = Text {
                    kind: BODY_KIND,
                    gate,
                    memo: memo.as_deref_mut(),
                };
                self.chain.words(text, &mut body, &mut buf, &mut count);
            }
        }

        if cfg.html_tags && kinds.html_tags {
            for tag in &message.html_tags {
                buf.clear();
                buf.push_str("html:");
                buf.push_str(tag);
                count.token(&buf);
            }
        }

        if cfg.url_hosts && kinds.url_hosts {
            for url in &message.urls {
                match hosts::url_host(url, &mut host) {
                    Some(HostKind::Name) => {
                        hosts::with_suffixes(&host, cfg.host_suffixes, &mut |h| {
                            buf.clear();
                            buf.push_str("url:");
                            buf.push_str(h);
                            count.token(&buf);
                        });
                    }
                    Some(HostKind::Ipv4) => {
                        buf.clear();
                        buf.push_str("url:");
                        buf.push_str(&host);
                        count.token(&buf);
                        count.token("url:[ip]");
                    }
                    None => {}
                }
            }
        }

        if cfg.attachment_tokens && kinds.attachments {
            for attachment in &message.attachments {
                buf.clear();
                buf.push_str("attach:");
                buf.push_str(&attachment.content_type);
                count.token(&buf);
                if let Some(ext) = attachment.filename.as_deref().and_then(extension) {
                    buf.clear();
                    buf.push_str("attach:.");
                    buf.push_str(&ext);
                    count.token(&buf);
                }
            }
        }
        notes.tokens = count.tokens;
        notes.truncated |= truncated;
        notes
    }
}

/// Counts the tokens on their way to a sink.
struct Counting<'s> {
    tokens: usize,
    sink: &'s mut dyn Sink,
}

impl Sink for Counting<'_> {
    #[inline]
    fn token(&mut self, token: &str) -> Resolved {
        self.tokens += 1;
        self.sink.token(token)
    }

    #[inline]
    fn replay(&mut self, resolved: Resolved) {
        self.tokens += 1;
        self.sink.replay(resolved);
    }
}

/// Prefixes each token with `field:` (the first `prefix` bytes of `tagged`).
struct Tagged<'s> {
    tagged: &'s mut String,
    prefix: usize,
    sink: &'s mut dyn Sink,
}

impl Sink for Tagged<'_> {
    #[inline]
    fn token(&mut self, token: &str) -> Resolved {
        self.tagged.truncate(self.prefix);
        self.tagged.push_str(token);
        self.sink.token(self.tagged)
    }

    #[inline]
    fn replay(&mut self, resolved: Resolved) {
        self.sink.replay(resolved);
    }
}

/// Looks each token up; calls `hit` with the index of those found.
struct Features<'s> {
    lookup: &'s dyn Fn(&str) -> Option<u32>,
    hit: &'s mut dyn FnMut(u32),
}

impl Sink for Features<'_> {
    #[inline]
    fn token(&mut self, token: &str) -> Resolved {
        match (self.lookup)(token) {
            Some(j) => {
                debug_assert!(j < NOT_A_FEATURE);
                (self.hit)(j);
                j
            }
            None => NOT_A_FEATURE,
        }
    }

    #[inline]
    fn replay(&mut self, resolved: Resolved) {
        if resolved != NOT_A_FEATURE {
            (self.hit)(resolved);
        }
    }
}

/// The [`WordGate`] kind of body words.
const BODY_KIND: u32 = 0;

/// The [`WordGate`] kind of the words of `TokenKinds::header_fields[i]`.
fn field_kind(i: usize) -> u32 {
    u32::try_from(i + 1).expect("fewer than 2^32 header fields")
}

/// Emits each word, and each pair of adjacent words joined by a space.
#[derive(Default)]
struct WordPairs {
    previous: String,
    pair: String,
}

impl WordPairs {
    /// Forgets the previous word: no pair spans two texts.
    fn clear(&mut self) {
        self.previous.clear();
    }

    fn push(&mut self, word: &str, emit: &mut dyn FnMut(&str)) {
        emit(word);
        if !self.previous.is_empty() {
            self.pair.clear();
            self.pair.push_str(&self.previous);
            self.pair.push(' ');
            self.pair.push_str(word);
            emit(&self.pair);
        }
        self.previous.clear();
        self.previous.push_str(word);
    }
}

/// `type/subtype` and `charset=...` of a rendered Content-Type value, lower-cased.
fn content_type_tokens(value: &str, buf: &mut String, emit: &mut dyn FnMut(&str)) {
    let mut params = value.split(';');
    let mime = params.next().unwrap_or("").trim();
    if !mime.is_empty() && mime.len() <= 100 {
        buf.clear();
        buf.push_str(mime);
        buf.make_ascii_lowercase();
        emit(buf);
    }
    for param in params {
        if let Some((name, charset)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
        {
            let charset = charset.trim().trim_matches('"');
            if !charset.is_empty() && charset.len() <= 40 {
                buf.clear();
                buf.push_str("charset=");
                buf.push_str(charset);
                buf.make_ascii_lowercase();
                emit(buf);
            }
        }
    }
}

/// The lower-cased extension of a file name, if short and alphanumeric.
fn extension(filename: &str) -> Option<String> {
    let (_, ext) = filename.trim().rsplit_once('.')?;
    let ok = (1..=8).contains(&ext.len()) && ext.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then(|| ext.to_ascii_lowercase())
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
    use super::{Analyzer, AnalyzerConfig, Notes};

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
}

#[cfg(test)]
mod tests {
    use super::test_util::{tokens, tokens_with};
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/mail/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn no_stem() -> AnalyzerConfig {
        AnalyzerConfig {
            stemmer: Stemmer::None,
            ..AnalyzerConfig::default()
        }
    }

    /// Tokenizing only the kinds some terms need finds exactly the
    /// occurrences of those terms that full tokenizing finds.
    #[test]
    fn needed_kinds_keep_every_occurrence_of_the_terms() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let mut mails: Vec<Vec<u8>> = ["html.eml", "base64.eml", "nested-multipart.eml"]
            .iter()
            .map(|name| fixture(name))
            .collect();
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/sample/spam");
        let mut names: Vec<_> = std::fs::read_dir(sample)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        mails.extend(names.iter().take(40).map(|p| std::fs::read(p).unwrap()));
        let mut all = Vec::new();
        for raw in &mails {
            analyzer.tokenize(raw, &mut |t| all.push(t.to_string()));
        }
        all.sort();
        all.dedup();
        // Term sets of one kind each, and mixtures (every 7th, 13th term).
        let subject: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("subject:"))
            .collect();
        let urls: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("url:"))
            .collect();
        let body: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|t| !t.contains(':'))
            .collect();
        let every = |n: usize| {
            all.iter()
                .step_by(n)
                .map(String::as_str)
                .collect::<Vec<_>>()
        };
        for terms in [
            subject,
            urls,
            body,
            every(7),
            every(13),
            vec!["received:from"],
            vec![],
        ] {
            let kinds = analyzer.kinds_for(terms.iter().copied());
            assert_ne!(
                kinds,
                analyzer.all_kinds(),
                "{:?}",
                &terms[..terms.len().min(3)]
            );
            for raw in &mails {
                let mut full = Vec::new();
                analyzer.tokenize(raw, &mut |t| {
                    if terms.contains(&t) {
                        full.push(t.to_string())
                    }
                });
                let mut needed = Vec::new();
                let notes = analyzer.tokenize_needed(raw, &kinds, &mut |t| {
                    if terms.contains(&t) {
                        needed.push(t.to_string())
                    }
                });
                assert_eq!(needed, full);
                assert!(notes.tokens >= needed.len());
            }
        }
        let kinds = analyzer.kinds_for(["subject:free", "url:example.com", "cash", "attach:.exe"]);
        assert_eq!(kinds.header_fields, ["subject"]);
        assert!(kinds.body_words && kinds.url_hosts && kinds.attachments);
    }

    #[test]
    fn header_words_are_tagged_and_distinct_from_body() {
        let t = tokens(b"Subject: free money\nX-Relay: from relay\n\nfree lunch\n");
        assert_eq!(t, ["subject:free", "subject:money", "free", "lunch"]);
    }

    #[test]
    fn body_cannot_forge_a_tagged_token() {
        let t = tokens(b"Subject: x\n\nsubject:free\n");
        assert!(!t.iter().any(|t| t == "subject:free"), "{t:?}");
        assert!(t.contains(&"free".to_string()));
    }

    #[test]
    fn header_fields_are_configurable() {
        let raw = b"Subject: hello\nX-Mailer: Bulk Blaster 3\nX-Relay: from relay.example.net\n\n";
        let (t, _) = tokens_with(no_stem(), raw);
        assert_eq!(t, ["subject:hello", "x-mailer:bulk", "x-mailer:blaster"]);
        let config = AnalyzerConfig {
            header_fields: vec!["x-relay".into()],
            ..no_stem()
        };
        let (t, _) = tokens_with(config, raw);
        assert_eq!(t, ["x-relay:from", "x-relay:relay.example.net"]);
    }

    #[test]
    fn encoded_subject_is_decoded_before_tokenizing() {
        let t = tokens(&fixture("subject-latin1.eml"));
        assert!(t.contains(&"subject:café".to_string()), "{t:?}");
        assert!(t.contains(&"from:müller".to_string()), "{t:?}");
    }

    #[test]
    fn content_type_gives_type_and_charset() {
        let t =
            tokens(b"Content-Type: text/plain; charset=\"GB2312\"; format=flowed\n\nhi there\n");
        assert_eq!(
            t,
            [
                "content-type:text/plain",
                "content-type:charset=gb2312",
                "hi",
                "there"
            ]
        );
    }

    #[test]
    fn address_domains_with_suffixes() {
        let t = tokens(b"From: Deals <promo@mx1.deals.example.biz>\n\n");
        assert_eq!(
            t,
            [
                "from:deal",
                "from:promo",
                // UAX #29 breaks between a digit and '.' + letter.
                "from:mx1",
                "from:deals.example.biz",
                "from:@mx1.deals.example.biz",
                "from:@deals.example.biz",
                "from:@example.biz",
            ]
        );
        let config = AnalyzerConfig {
            address_domains: false,
            ..no_stem()
        };
        let (t, _) = tokens_with(config, b"From: promo@example.biz\n\n");
        assert_eq!(t, ["from:promo", "from:example.biz"]);
    }

    #[test]
    fn word_pairs_join_adjacent_body_words_within_one_text() {
        let config = AnalyzerConfig {
            word_pairs: true,
            header_fields: vec![],
            ..no_stem()
        };
        let raw = b"Content-Type: multipart/alternative; boundary=b\n\n--b\n\
            Content-Type: text/plain\n\nclick here now\n--b\n\
            Content-Type: text/plain\n\nfree offer\n--b--\n";
        let (t, _) = tokens_with(config.clone(), raw);
        assert_eq!(
            t,
            [
                "click",
                "here",
                "click here",
                "now",
                "here now",
                "free",
                "offer",
                "free offer"
            ]
        );
        let (t, _) = tokens_with(
            AnalyzerConfig {
                word_pairs: false,
                ..config
            },
            raw,
        );
        assert!(!t.iter().any(|t| t.contains(' ')), "{t:?}");
    }

    #[test]
    fn html_tags_tokens_name_the_markup() {
        let raw = b"Subject: x\nContent-Type: text/html\n\n\
            <html><body bgcolor=white><font COLOR=\"red\">Buy</font></body></html>\n";
        let config = AnalyzerConfig {
            html_tags: true,
            header_fields: vec![],
            ..no_stem()
        };
        let (t, _) = tokens_with(config.clone(), raw);
        assert_eq!(
            t,
            [
                "buy",
                "html:html",
                "html:body",
                "html:body.bgcolor",
                "html:font",
                "html:font.color"
            ]
        );
        let (t, _) = tokens_with(
            AnalyzerConfig {
                html_tags: false,
                ..config
            },
            raw,
        );
        assert_eq!(t, ["buy"]);
    }

    #[test]
    fn url_hosts_and_ip() {
        let (t, _) = tokens_with(
            AnalyzerConfig {
                min_token_len: 3,
                ..no_stem()
            },
            b"Subject: x\n\ngo http://a.b.example.com/p now or http://10.1.2.3/x\n",
        );
        let urls: Vec<_> = t.iter().filter(|t| t.starts_with("url:")).collect();
        assert_eq!(
            urls,
            [
                "url:a.b.example.com",
                "url:b.example.com",
                "url:example.com",
                "url:10.1.2.3",
                "url:[ip]"
            ]
        );
        let config = AnalyzerConfig {
            host_suffixes: false,
            ..no_stem()
        };
        let (t, _) = tokens_with(config, b"Subject: x\n\nhttp://a.b.example.com/\n");
        assert!(t.contains(&"url:a.b.example.com".to_string()));
        assert!(!t.contains(&"url:example.com".to_string()));
        let config = AnalyzerConfig {
            url_hosts: false,
            ..no_stem()
        };
        let (t, _) = tokens_with(config, b"Subject: x\n\nhttp://a.b.example.com/\n");
        assert!(!t.iter().any(|t| t.starts_with("url:")), "{t:?}");
    }

    #[test]
    fn html_href_hosts_become_tokens() {
        let t = tokens(&fixture("html.eml"));
        for want in [
            "url:pills.example.biz",
            "url:unsubscribe.example.org",
            "cheap",
        ] {
            assert!(t.contains(&want.to_string()), "{want} not in {t:?}");
        }
        assert!(!t.iter().any(|t| t == "href" || t == "color"), "{t:?}");
    }

    #[test]
    fn attachments_give_type_and_extension() {
        let t = tokens(&fixture("nested-multipart.eml"));
        assert!(t.contains(&"attach:image/gif".to_string()), "{t:?}");
        assert!(t.contains(&"attach:.gif".to_string()), "{t:?}");
        assert!(t.contains(&"forward".to_string()), "{t:?}");
        let config = AnalyzerConfig {
            attachment_tokens: false,
            ..AnalyzerConfig::default()
        };
        let (t, _) = tokens_with(config, &fixture("nested-multipart.eml"));
        assert!(!t.iter().any(|t| t.starts_with("attach:")));
    }

    #[test]
    fn text_cap_truncates_and_says_so() {
        let mut raw = b"Subject: x\n\n".to_vec();
        raw.extend(b"spam ".repeat(1000));
        let config = AnalyzerConfig {
            max_text_bytes: Some(50),
            ..no_stem()
        };
        let (t, notes) = tokens_with(config.clone(), &raw);
        assert!(notes.truncated);
        assert_eq!(t.iter().filter(|t| *t == "spam").count(), 10);
        // The same cap applies to a message decoded without it.
        let analyzer = Analyzer::new(config);
        let mut again = Vec::new();
        let notes =
            analyzer.tokenize_message(&mail::parse(&raw), &mut |t| again.push(t.to_string()));
        assert_eq!(again, t);
        assert!(notes.truncated);
        let (t, notes) = tokens_with(no_stem(), &raw);
        assert!(!notes.truncated);
        assert_eq!(t.len(), 1000);
    }

    #[test]
    fn notes_report_charset_and_damage() {
        let (_, notes) = tokens_with(no_stem(), &fixture("unknown-charset.eml"));
        assert_eq!(notes.unknown_charsets, ["x-martian-7"]);
        let (_, notes) = tokens_with(no_stem(), &fixture("invalid-utf8.eml"));
        assert!(notes.damaged);
        let (t, notes) = tokens_with(no_stem(), &fixture("base64.eml"));
        assert_eq!(t[4..], ["hello", "from", "base64", "body"]);
        assert_eq!(t[3], "content-transfer-encoding:base64");
        assert_eq!(
            notes,
            Notes {
                tokens: 8,
                ..Notes::default()
            }
        );
    }

    #[test]
    fn every_fixture_yields_tokens() {
        let dir = format!("{}/tests/data/mail", env!("CARGO_MANIFEST_DIR"));
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let (t, _) = tokens_with(AnalyzerConfig::default(), &std::fs::read(&path).unwrap());
            assert!(!t.is_empty(), "{}", path.display());
            n += 1;
        }
        assert!(n >= 13);
    }

    #[test]
    fn empty_input_yields_nothing() {
        let (t, notes) = tokens_with(AnalyzerConfig::default(), b"");
        assert!(t.is_empty());
        assert_eq!(notes, Notes::default());
    }

    #[test]
    fn check_rejects_nonsense() {
        assert!(AnalyzerConfig::default().check().is_ok());
        let bad = |c: AnalyzerConfig, field: &str| match c.check() {
            Err(Error::InvalidParam { name, .. }) => assert_eq!(name, field),
            other => panic!("{field}: {other:?}"),
        };
        bad(
            AnalyzerConfig {
                min_token_len: 0,
                ..AnalyzerConfig::default()
            },
            "min_token_len",
        );
        bad(
            AnalyzerConfig {
                min_token_len: 5,
                max_token_len: 4,
                ..AnalyzerConfig::default()
            },
            "max_token_len",
        );
        bad(
            AnalyzerConfig {
                max_text_bytes: Some(0),
                ..AnalyzerConfig::default()
            },
            "max_text_bytes",
        );
        for field in ["Subject", "", "x y", "a:b"] {
            bad(
                AnalyzerConfig {
                    header_fields: vec![field.into()],
                    ..AnalyzerConfig::default()
                },
                "header_fields",
            );
        }
    }

    #[test]
    fn config_round_trips_through_serde() {
        let config = AnalyzerConfig {
            stemmer: Stemmer::German,
            max_text_bytes: None,
            header_fields: vec!["subject".into(), "received".into()],
            ..AnalyzerConfig::default()
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            serde_json::from_str::<AnalyzerConfig>(&json).unwrap(),
            config
        );
        let bytes = bincode::serde::encode_to_vec(&config, bincode::config::standard()).unwrap();
        let (back, _): (AnalyzerConfig, _) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, config);
    }

    /// Sample mails: a few fixtures and the first `n` bundled spam and ham.
    fn sample_mails(n: usize) -> Vec<Vec<u8>> {
        let mut mails: Vec<Vec<u8>> = ["html.eml", "latin1.eml", "nested-multipart.eml"]
            .iter()
            .map(|name| fixture(name))
            .collect();
        for label in ["spam", "ham"] {
            let dir = format!("{}/corpora/sample/{label}", env!("CARGO_MANIFEST_DIR"));
            let mut names: Vec<_> = std::fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            names.sort();
            mails.extend(names.iter().take(n).map(|p| std::fs::read(p).unwrap()));
        }
        mails
    }

    /// Features of `terms` (index = position) as a scorer looks them up.
    fn feature_index(terms: &[String]) -> HashMap<&str, u32> {
        (terms.iter().enumerate())
            .map(|(j, t)| (t.as_str(), j as u32))
            .collect()
    }

    /// `tokenize_features` with and without `memo` hits the features of
    /// `tokenize_needed`'s tokens, in the same order, and counts the same tokens.
    fn assert_features_match_tokens(
        analyzer: &Analyzer,
        terms: &[String],
        raw: &[u8],
        memo: &mut WordMemo,
    ) {
        let index = feature_index(terms);
        let lookup = |t: &str| index.get(t).copied();
        let kinds = analyzer.kinds_for(terms.iter().map(String::as_str));
        let mut expected = Vec::new();
        let notes = analyzer.tokenize_needed(raw, &kinds, &mut |t| {
            expected.extend(lookup(t));
        });
        for memo in [None, Some(&mut *memo)] {
            let with_memo = memo.is_some();
            let mut hits = Vec::new();
            let got = analyzer.tokenize_features(raw, &kinds, &lookup, memo, &mut |j| hits.push(j));
            assert_eq!(hits, expected, "memo {with_memo}");
            assert_eq!(got, notes, "memo {with_memo}");
        }
    }

    /// Terms of every kind from the sample mails: every `n`-th token.
    fn sample_terms(analyzer: &Analyzer, mails: &[Vec<u8>], n: usize) -> Vec<String> {
        let mut all = Vec::new();
        for raw in mails {
            analyzer.tokenize(raw, &mut |t| all.push(t.to_string()));
        }
        all.sort();
        all.dedup();
        all.into_iter().step_by(n).collect()
    }

    /// The word memo changes nothing: a warm memo replays what the chain and
    /// the lookup would give, for every analyzer set-up (gated or not, word
    /// pairs, other stemmers, no folding).
    #[test]
    fn features_with_a_memo_match_tokens() {
        let mails = sample_mails(25);
        let configs = [
            AnalyzerConfig::default(),
            no_stem(),
            AnalyzerConfig {
                word_pairs: true,
                ..AnalyzerConfig::default()
            },
            AnalyzerConfig {
                stemmer: Stemmer::German,
                lowercase: false,
                min_token_len: 3,
                max_token_len: 12,
                ..AnalyzerConfig::default()
            },
        ];
        for config in configs {
            let analyzer = Analyzer::new(config);
            for n in [2, 5] {
                let terms = sample_terms(&analyzer, &mails, n);
                let mut memo = WordMemo::default();
                // Twice over: the second round finds the words in the memo.
                for raw in mails.iter().chain(&mails) {
                    assert_features_match_tokens(&analyzer, &terms, raw, &mut memo);
                }
            }
        }
    }

    #[test]
    fn analyzer_is_shareable_across_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Analyzer>();
    }

    #[test]
    fn clone_tokenizes_alike() {
        let a = Analyzer::new(AnalyzerConfig::default());
        let b = a.clone();
        let raw = fixture("html.eml");
        let (mut x, mut y) = (Vec::new(), Vec::new());
        a.tokenize(&raw, &mut |t| x.push(t.to_string()));
        b.tokenize(&raw, &mut |t| y.push(t.to_string()));
        assert_eq!(x, y);
        assert_eq!(a.config(), b.config());
    }

    /// Bytes that look like mail often enough to reach the MIME code.
    fn mailish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop_oneof![
            Just(b"Subject: ".to_vec()),
            Just(b"From: a@b.example.com\r\n".to_vec()),
            Just(b"Content-Type: multipart/mixed; boundary=b\n".to_vec()),
            Just(b"Content-Type: text/html; charset=koi8-r\n".to_vec()),
            Just(b"Content-Transfer-Encoding: base64\n".to_vec()),
            Just(b"Content-Transfer-Encoding: quoted-printable\n".to_vec()),
            Just(b"=?utf-8?b?w6k=?= =?iso-8859-1?q?=E9?=".to_vec()),
            Just(b"\n--b\n".to_vec()),
            Just(b"\n--b--\n".to_vec()),
            Just(b"\n\n".to_vec()),
            Just(b"<a href=\"http://x.example.org/\">".to_vec()),
            Just("Grüße 日本語 İ ".as_bytes().to_vec()),
            proptest::collection::vec(any::<u8>(), 0..40),
            "[a-zA-Z0-9 .:/@<>=-]{0,40}".prop_map(String::into_bytes),
        ];
        proptest::collection::vec(piece, 0..20).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(raw in proptest::collection::vec(any::<u8>(), 0..2000)) {
            let _ = tokens(&raw);
        }

        #[test]
        fn never_panics_on_mailish_bytes(raw in mailish()) {
            let _ = tokens(&raw);
        }

        #[test]
        fn features_with_a_warm_memo_match_tokens(raw in mailish()) {
            thread_local! {
                static SETUP: (Analyzer, Vec<String>, std::cell::RefCell<WordMemo>) = {
                    let analyzer = Analyzer::new(AnalyzerConfig::default());
                    let mails = sample_mails(10);
                    let terms = sample_terms(&analyzer, &mails, 3);
                    let mut memo = WordMemo::default();
                    for raw in &mails {
                        assert_features_match_tokens(&analyzer, &terms, raw, &mut memo);
                    }
                    (analyzer, terms, std::cell::RefCell::new(memo))
                };
            }
            SETUP.with(|(analyzer, terms, memo)| {
                assert_features_match_tokens(analyzer, terms, &raw, &mut memo.borrow_mut());
            });
        }

        #[test]
        fn deterministic(raw in mailish()) {
            prop_assert_eq!(tokens(&raw), tokens(&raw));
        }

        #[test]
        fn no_empty_tokens(raw in mailish()) {
            prop_assert!(tokens(&raw).iter().all(|t| !t.is_empty()));
        }

        #[test]
        fn body_token_lengths_within_bounds(
            body in "\\PC{0,300}",
            min in 1usize..5,
            extra in 0usize..12,
            stem in any::<bool>(),
        ) {
            let config = AnalyzerConfig {
                stemmer: if stem { Stemmer::English } else { Stemmer::None },
                min_token_len: min,
                max_token_len: min + extra,
                header_fields: Vec::new(),
                url_hosts: false,
                attachment_tokens: false,
                ..AnalyzerConfig::default()
            };
            let raw = format!("Subject: x\n\n{body}");
            let (t, _) = tokens_with(config, raw.as_bytes());
            for token in t {
                let n = token.chars().count();
                prop_assert!((min..=min + extra).contains(&n), "{:?} has {} chars", token, n);
                prop_assert!(!token.contains(':'));
            }
        }
    }

    /// The SpamAssassin corpus: every message tokenizes, and how fast.
    /// `cargo test --release --lib corpus_throughput -- --ignored --nocapture`
    /// (`SPARSETEXT_CORPUS` overrides the directory).
    #[test]
    #[ignore = "needs the corpus; run in release mode"]
    fn corpus_throughput() {
        let root = std::env::var("SPARSETEXT_CORPUS")
            .unwrap_or_else(|_| "/work/data/npm-spam-assassin".to_string());
        let mut mails = Vec::new();
        for folder in ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"] {
            let dir = std::path::Path::new(&root).join(folder);
            let mut paths: Vec<_> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|x| x == "txt"))
                .collect();
            paths.sort();
            mails.extend(paths.into_iter().map(|p| (std::fs::read(&p).unwrap(), p)));
        }
        let bytes: usize = mails.iter().map(|(m, _)| m.len()).sum();
        let mb = bytes as f64 / 1e6;
        // Best of three passes, timed in this thread's CPU time
        // (/proc/thread-self/schedstat, ns on CPU) where Linux offers it,
        // since the machine may be shared.
        let cpu_time = || {
            std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .map(std::time::Duration::from_nanos)
        };
        let best = |f: &dyn Fn() -> usize| {
            (0..3)
                .map(|_| {
                    let (wall, cpu) = (std::time::Instant::now(), cpu_time());
                    let n = f();
                    let secs = match (cpu, cpu_time()) {
                        (Some(a), Some(b)) => (b - a).as_secs_f64(),
                        _ => wall.elapsed().as_secs_f64(),
                    };
                    (secs, n)
                })
                .fold((f64::MAX, 0), |a, b| if b.0 < a.0 { b } else { a })
        };
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let (parse_secs, texts) = best(&|| {
            mails
                .iter()
                .map(|(raw, _)| analyzer.parse(raw).texts.len())
                .sum()
        });
        let unstemmed = Analyzer::new(AnalyzerConfig {
            stemmer: Stemmer::None,
            ..AnalyzerConfig::default()
        });
        let (unstemmed_secs, _) = best(&|| {
            let mut n = 0;
            for (raw, _) in &mails {
                unstemmed.tokenize(raw, &mut |_| n += 1);
            }
            n
        });
        let (secs, _) = best(&|| {
            let mut n = 0;
            for (raw, _) in &mails {
                analyzer.tokenize(raw, &mut |_| n += 1);
            }
            n
        });

        let (mut tokens, mut truncated, mut damaged, mut charsets) = (0, 0, 0, 0);
        let mut chars = 0;
        for (raw, path) in &mails {
            let mut n = 0;
            let notes = analyzer.tokenize(raw, &mut |t| {
                n += 1;
                chars += t.len();
            });
            assert!(n > 0, "no tokens from {}", path.display());
            tokens += n;
            truncated += usize::from(notes.truncated);
            damaged += usize::from(notes.damaged);
            charsets += usize::from(!notes.unknown_charsets.is_empty());
        }
        eprintln!(
            "{} messages, {mb:.1} MB, {texts} text parts: parse alone {:.1} MB/s; \
             parse+tokenize {secs:.2} s = {:.1} MB/s (unstemmed {:.1} MB/s), {tokens} tokens \
             ({:.0}/message, {:.1} bytes avg), {truncated} truncated, {damaged} damaged, \
             {charsets} with unknown charsets",
            mails.len(),
            mb / parse_secs,
            mb / secs,
            mb / unstemmed_secs,
            tokens as f64 / mails.len() as f64,
            chars as f64 / tokens as f64,
        );
        assert_eq!(mails.len(), 6046);
    }

    /// Huge inputs stay bounded: a 50 MB message with a big attachment and a
    /// big text part, and a 100 MB single line.
    /// `cargo test --release --lib huge_inputs -- --ignored --nocapture`
    #[test]
    #[ignore = "allocates ~300 MB; run in release mode"]
    fn huge_inputs() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let mut big = b"Subject: big\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\n\
                        Content-Type: text/plain\n\n"
            .to_vec();
        big.extend(b"lorem ipsum dolor sit amet\n".repeat(1_000_000));
        big.extend(b"--zz\nContent-Type: application/zip\nContent-Transfer-Encoding: base64\n\n");
        big.extend(
            b"UEsDBBQAAAAIAAAAIQBQSwMEFAAAAAgAAAAhAFBLAwQUAAAACAAAACEAUEsDBBQAAAAI\n"
                .repeat(350_000),
        );
        big.extend(b"--zz--\n");
        let line = vec![b'a'; 100_000_000];
        let mut line_words = b"Subject: one line\n\n".to_vec();
        line_words.extend(b"word ".repeat(20_000_000));
        for (name, raw) in [
            ("50 MB mime", &big),
            ("100 MB line", &line),
            ("100 MB body line", &line_words),
        ] {
            let start = std::time::Instant::now();
            let mut n = 0;
            let notes = analyzer.tokenize(raw, &mut |_| n += 1);
            let secs = start.elapsed().as_secs_f64();
            eprintln!(
                "{name}: {} MB, {secs:.2} s, {n} tokens, {notes:?}",
                raw.len() / 1_000_000
            );
            assert!(secs < 10.0, "{name} took {secs} s");
            assert!(n <= DEFAULT_MAX_TEXT_BYTES, "{name}: cap not applied");
        }
    }

    /// Prints the tokens of the mail files named in `SPARSETEXT_DUMP`
    /// (separated by ':'), for eyeballing what the analyzer makes of them.
    #[test]
    #[ignore = "diagnostic: set SPARSETEXT_DUMP"]
    fn dump_tokens() {
        let Ok(paths) = std::env::var("SPARSETEXT_DUMP") else {
            return;
        };
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        for path in paths.split(':') {
            let raw = std::fs::read(path).unwrap();
            let mut out = Vec::new();
            let notes = analyzer.tokenize(&raw, &mut |t| out.push(t.to_string()));
            eprintln!("== {path}: {notes:?}\n{}", out.join(" "));
        }
    }
}
