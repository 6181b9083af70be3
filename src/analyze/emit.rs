//! The emitters: a decoded message's tokens of each kind, in order, into a
//! [`Sink`].

use super::ReceivedTokens;
use super::cache::{Caches, NOT_A_FEATURE, Resolved};
use super::chain::{Sink, Text};
use super::hosts::{self, HostKind};
use super::kinds::{BODY_KIND, TokenKinds, field_kind};
use super::received;
use super::{Analyzer, Notes};
use crate::mail::{self, Message};

impl Analyzer {
    /// Gives `sink` the tokens of the given `kinds` in `message`, in order:
    /// tagged header words, body words, markup, URL hosts, attachments (see
    /// the [analyzer's docs](super)). The text cap applies again here, so a
    /// message decoded without it gets the same body tokens.
    pub(super) fn emit(
        &self,
        message: &Message,
        kinds: &TokenKinds,
        caches: Caches<'_>,
        sink: &mut dyn Sink,
    ) -> Notes {
        let mut emitter = Emitter {
            analyzer: self,
            kinds,
            caches,
            count: Counting { tokens: 0, sink },
            buf: String::with_capacity(64),
            host: String::with_capacity(64),
        };
        emitter.header_tokens(&message.headers);
        let truncated = kinds.body_words && emitter.body_tokens(&message.texts);
        if self.config.html_tags && kinds.html_tags {
            emitter.markup_tokens(&message.html_tags);
        }
        if self.config.url_hosts && kinds.url_hosts {
            emitter.url_tokens(&message.urls);
        }
        if self.config.attachment_tokens && kinds.attachments {
            emitter.attachment_tokens(&message.attachments);
        }
        Notes {
            truncated: message.truncated || truncated,
            unknown_charsets: message.unknown_charsets.clone(),
            damaged: message.damaged,
            tokens: emitter.count.tokens,
        }
    }
}

/// One message's emitters, with their scratch buffers.
struct Emitter<'a, 's> {
    analyzer: &'a Analyzer,
    kinds: &'a TokenKinds,
    caches: Caches<'a>,
    count: Counting<'s>,
    buf: String,
    host: String,
}

impl Emitter<'_, '_> {
    /// Each word of the selected fields as `field:word`, the domain after
    /// each '@' as `field:@domain` (and its parents), and a Content-Type's
    /// MIME type and charset.
    fn header_tokens(&mut self, headers: &[mail::Header]) {
        let config = &self.analyzer.config;
        let filter = self.kinds.prefix_filter.as_deref();
        let mut tagged = String::with_capacity(64);
        for header in headers {
            let Some(field) = self
                .kinds
                .header_fields
                .iter()
                .position(|f| *f == header.name)
            else {
                continue;
            };
            tagged.clear();
            tagged.push_str(&header.name);
            tagged.push(':');
            let prefix = tagged.len();
            let mut emit_tagged = Tagged {
                tagged: &mut tagged,
                prefix,
                sink: &mut self.count,
            };
            let buf = &mut self.buf;
            let value = match config.received {
                ReceivedTokens::Route if header.name == "received" => {
                    received::route(&header.value)
                }
                _ => header.value.as_str(),
            };
            if header.name == "content-type" {
                content_type_tokens(&header.value, buf, &mut |t: &str| {
                    emit_tagged.token(t);
                });
            } else {
                let mut text = Text {
                    kind: field_kind(field),
                    filter,
                    caches: self.caches.reborrow(),
                };
                (self.analyzer.chain).words(value, &mut text, buf, &mut emit_tagged);
            }
            if config.address_domains {
                hosts::address_domains(value, &mut self.host, &mut |domain| {
                    hosts::with_suffixes(domain, config.host_suffixes, &mut |d| {
                        buf.clear();
                        buf.push('@');
                        buf.push_str(d);
                        emit_tagged.token(buf);
                    });
                });
            }
        }
    }

    /// The words of the body texts, up to the text cap (and word pairs if
    /// the config asks); true if the cap cut some text.
    fn body_tokens(&mut self, texts: &[String]) -> bool {
        let config = &self.analyzer.config;
        let mut budget = config.max_text_bytes.unwrap_or(usize::MAX);
        let mut truncated = false;
        let mut pairs = WordPairs::default();
        for text in texts {
            let text = if text.len() > budget {
                truncated |= !text.is_empty();
                &text[..mail::floor_char_boundary(text, budget)]
            } else {
                text
            };
            budget -= text.len();
            let count = &mut self.count;
            if config.word_pairs {
                pairs.clear();
                let mut plain = Text::plain(&mut self.caches);
                (self.analyzer.chain).words(text, &mut plain, &mut self.buf, &mut |word: &str| {
                    pairs.push(word, &mut |t| {
                        count.token(t);
                    })
                });
            } else {
                let mut body = Text {
                    kind: BODY_KIND,
                    filter: self.kinds.prefix_filter.as_deref(),
                    caches: self.caches.reborrow(),
                };
                (self.analyzer.chain).words(text, &mut body, &mut self.buf, count);
            }
        }
        truncated
    }

    /// `html:tag` and `html:tag.attribute` for the markup of HTML parts.
    fn markup_tokens(&mut self, tags: &[String]) {
        for tag in tags {
            self.tagged_token("html:", tag);
        }
    }

    /// `url:host` and its parents for each URL, or `url:` its IPv4 address
    /// and `url:[ip]`.
    fn url_tokens(&mut self, urls: &[String]) {
        let suffixes = self.analyzer.config.host_suffixes;
        for url in urls {
            match hosts::url_host(url, &mut self.host) {
                Some(HostKind::Name) => {
                    let (buf, count) = (&mut self.buf, &mut self.count);
                    hosts::with_suffixes(&self.host, suffixes, &mut |h| {
                        buf.clear();
                        buf.push_str("url:");
                        buf.push_str(h);
                        count.token(buf);
                    });
                }
                Some(HostKind::Ipv4) => {
                    self.buf.clear();
                    self.buf.push_str("url:");
                    self.buf.push_str(&self.host);
                    self.count.token(&self.buf);
                    self.count.token("url:[ip]");
                }
                None => {}
            }
        }
    }

    /// `attach:type/subtype`, and `attach:.ext` for a file name's extension.
    fn attachment_tokens(&mut self, attachments: &[mail::Attachment]) {
        for attachment in attachments {
            self.tagged_token("attach:", &attachment.content_type);
            if let Some(ext) = attachment.filename.as_deref().and_then(extension) {
                self.tagged_token("attach:.", &ext);
            }
        }
    }

    /// Emits `tag` followed by `value`.
    fn tagged_token(&mut self, tag: &str, value: &str) {
        self.buf.clear();
        self.buf.push_str(tag);
        self.buf.push_str(value);
        self.count.token(&self.buf);
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
pub(super) struct FeatureHits<'s> {
    pub(super) lookup: &'s dyn Fn(&str) -> Option<u32>,
    pub(super) hit: &'s mut dyn FnMut(u32),
}

impl Sink for FeatureHits<'_> {
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
