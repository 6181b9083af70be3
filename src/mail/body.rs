//! [`Builder`]: walks mail-parser's tree of MIME parts, keeping the text
//! of text parts, the text and links of HTML parts and the type and name of
//! the others, under the byte cap.

use std::borrow::Cow;

use mail_parser::{MessagePart, MimeHeaders, PartType};

use super::html::{MAX_HTML_TAGS, find_hrefs, find_tags};
use super::urls::find_urls;
use super::{Attachment, Message, floor_char_boundary};

/// Accumulates texts and URLs under the byte cap.
pub(super) struct Builder<'m> {
    /// Bytes of text that may still be kept.
    budget: usize,
    /// Whether to list the markup of HTML parts.
    html_tags: bool,
    message: &'m mut Message,
}

/// Nested `message/rfc822` parts are followed this deep (mail-parser itself
/// stops at 3).
const MAX_DEPTH: usize = 8;

impl<'m> Builder<'m> {
    pub(super) fn new(limit: usize, html_tags: bool, message: &'m mut Message) -> Builder<'m> {
        Builder {
            budget: limit,
            html_tags,
            message,
        }
    }

    pub(super) fn walk(&mut self, parsed: &mail_parser::Message<'_>, depth: usize) {
        for part in &parsed.parts {
            self.message.damaged |= part.is_encoding_problem;
            match &part.body {
                PartType::Text(text) => {
                    self.note_charset(part);
                    match undeclared_8bit(parsed, part, text) {
                        Some(text) => self.push_text(Cow::Owned(text)),
                        None => self.push_text(Cow::Borrowed(text.as_ref())),
                    }
                }
                PartType::Html(html) => {
                    self.note_charset(part);
                    match undeclared_8bit(parsed, part, html) {
                        Some(html) => self.push_html(&html),
                        None => self.push_html(html),
                    }
                }
                PartType::Binary(_) | PartType::InlineBinary(_) => {
                    self.message.attachments.push(attachment(part));
                }
                PartType::Message(nested) => {
                    if depth < MAX_DEPTH {
                        self.walk(nested, depth + 1);
                    }
                }
                PartType::Multipart(_) => {}
            }
        }
    }

    /// Records the charset of a text part if mail-parser could not decode it.
    fn note_charset(&mut self, part: &MessagePart<'_>) {
        let Some(charset) = part.content_type().and_then(|ct| ct.attribute("charset")) else {
            return;
        };
        let charset = charset.trim();
        if charset.is_empty()
            || is_utf8_name(charset)
            || mail_parser::decoders::charsets::map::charset_decoder(charset.as_bytes()).is_some()
        {
            return;
        }
        let charset = charset.to_ascii_lowercase();
        if !self.message.unknown_charsets.contains(&charset) {
            self.message.unknown_charsets.push(charset);
        }
    }

    /// Keeps undecodable input as text, decoding no more than the budget.
    pub(super) fn push_raw(&mut self, raw: &[u8]) {
        let end = raw.len().min(self.budget);
        self.message.truncated |= end < raw.len();
        self.push_text(String::from_utf8_lossy(&raw[..end]));
    }

    /// Keeps `text` (up to the budget) and the URLs written in it.
    fn push_text(&mut self, text: Cow<'_, str>) {
        if self.budget == 0 {
            self.message.truncated |= !text.is_empty();
            return;
        }
        let text = if text.len() > self.budget {
            self.message.truncated = true;
            let end = floor_char_boundary(&text, self.budget);
            match text {
                Cow::Borrowed(s) => Cow::Borrowed(&s[..end]),
                Cow::Owned(mut s) => {
                    s.truncate(end);
                    Cow::Owned(s)
                }
            }
        } else {
            text
        };
        self.budget -= text.len();
        self.message.damaged |= has_replacement_char(&text);
        find_urls(&text, &mut |url| self.message.urls.push(url.to_string()));
        self.message.texts.push(text.into_owned());
    }

    /// Keeps the `href` targets and the visible text of an HTML part.
    fn push_html(&mut self, html: &str) {
        if self.budget == 0 {
            self.message.truncated |= !html.is_empty();
            return;
        }
        // Markup outweighs text, so convert a prefix several times the
        // budget; what lies beyond would be cut anyway.
        let cap = self.budget.saturating_mul(HTML_MARKUP_FACTOR);
        let html = if html.len() > cap {
            self.message.truncated = true;
            &html[..floor_char_boundary(html, cap)]
        } else {
            html
        };
        let mut hrefs = Vec::new();
        find_hrefs(html, &mut |url| hrefs.push(url.to_string()));
        if self.html_tags {
            let tags = &mut self.message.html_tags;
            find_tags(html, &mut |tag| {
                if tags.len() < MAX_HTML_TAGS {
                    tags.push(tag.to_string());
                }
            });
        }
        let text = mail_parser::decoders::html::html_to_text(html);
        let first_text_url = self.message.urls.len();
        self.push_text(Cow::Owned(text));
        // A link is often written out as its own text: count it once.
        let text_urls = self.message.urls.split_off(first_text_url);
        self.message.urls.extend(hrefs.iter().cloned());
        self.message
            .urls
            .extend(text_urls.into_iter().filter(|u| !hrefs.contains(u)));
    }
}

/// The part's text re-read as windows-1252, when it declares no charset,
/// has no transfer encoding and was not valid UTF-8.
///
/// Old mailers sent Latin-1 without saying so; read as UTF-8 each accented
/// letter becomes U+FFFD and splits its word (`caf\u{FFFD}`). windows-1252
/// is what browsers assume in that case, and decodes every byte.
fn undeclared_8bit(
    parsed: &mail_parser::Message<'_>,
    part: &MessagePart<'_>,
    text: &str,
) -> Option<String> {
    let declared = part
        .content_type()
        .and_then(|ct| ct.attribute("charset"))
        .is_some();
    if declared || part.encoding != mail_parser::Encoding::None || !has_replacement_char(text) {
        return None;
    }
    let raw = parsed
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)?;
    if raw.len() > text.len() * 2 || std::str::from_utf8(raw).is_ok() {
        return None; // Offsets that do not match the text: keep it.
    }
    let cp1252 = mail_parser::decoders::charsets::map::charset_decoder(b"windows-1252")?;
    Some(cp1252(raw))
}

/// How many bytes of HTML are converted per byte of text budget.
const HTML_MARKUP_FACTOR: usize = 8;

fn is_utf8_name(charset: &str) -> bool {
    charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
}

fn has_replacement_char(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), "\u{FFFD}".as_bytes()).is_some()
}

fn attachment(part: &MessagePart<'_>) -> Attachment {
    let content_type = match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        },
        None => "application/octet-stream".to_string(),
    };
    Attachment {
        content_type: content_type.to_ascii_lowercase(),
        filename: part.attachment_name().map(str::to_string),
    }
}
