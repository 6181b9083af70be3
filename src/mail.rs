//! Raw bytes -> [`Message`]: decoded header fields, body text, URLs.
//!
//! Spam arrives malformed on purpose, so [`parse`] never fails and never
//! panics: whatever could be decoded is returned and the rest is lost
//! lossily (invalid UTF-8 becomes U+FFFD, an unknown charset is read as
//! UTF-8, a broken MIME tree keeps the parts found so far). The MIME work
//! (RFC 2047 encoded words, quoted-printable, base64, charsets, nested
//! multiparts and `message/rfc822` attachments) is done by the
//! [`mail_parser`] crate; this module walks its part tree, turns HTML into
//! text, collects URLs and bounds the amount of text kept.
//!
//! Files of the SpamAssassin corpus start with an mbox `From addr date`
//! line before the headers; it is skipped.
//!
//! Both alternatives of a `multipart/alternative` are kept: the HTML one
//! often differs from its plain twin in spam, and carries the links.
//! Non-text parts keep only their type and file name ([`Attachment`]).
//! Input without a header block (a bare text, binary junk) becomes one text.
//!
//! ```
//! use sparsetext::mail;
//!
//! let raw = b"From: Ann <ann@example.com>\r\n\
//!             Subject: =?utf-8?q?Caf=C3=A9?=\r\n\
//!             Content-Type: text/html\r\n\
//!             \r\n\
//!             <p>Visit <a href=\"http://shop.example.net/x\">us</a></p>\r\n";
//! let message = mail::parse(raw);
//! assert_eq!(message.header("subject"), Some("Café"));
//! assert_eq!(message.texts, vec!["Visit us\n".to_string()]);
//! assert_eq!(message.urls, vec!["http://shop.example.net/x".to_string()]);
//! ```

mod unstructured;

use std::borrow::Cow;
use std::sync::LazyLock;

use mail_parser::{
    Address, HeaderName, HeaderValue, MessageParser, MessagePart, MimeHeaders, PartType,
};

/// One decoded header field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Field name, lower-cased (`subject`, `from`, ...).
    pub name: String,
    /// Field value with RFC 2047 encoded words decoded and folded lines
    /// joined. Address fields are rendered `Name <addr>, ...`; content types
    /// `type/subtype; name=value; ...`.
    pub value: String,
}

/// A non-text MIME part (image, archive, program, ...): its bytes are
/// ignored, only its type and file name are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// Lower-cased `type/subtype`, `application/octet-stream` when absent.
    pub content_type: String,
    /// The file name given in `Content-Disposition` or `Content-Type`, if any.
    pub filename: Option<String>,
}

/// A decoded message: what the analyzer reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// Header fields of the top-level message, in order of appearance.
    pub headers: Vec<Header>,
    /// The decoded text of each text part (HTML turned into text), in order,
    /// including the parts of attached messages.
    pub texts: Vec<String>,
    /// URLs found in the body (text and HTML `href`s), as written.
    pub urls: Vec<String>,
    /// Non-text parts, in order.
    pub attachments: Vec<Attachment>,
    /// The markup of the HTML parts that HTML-to-text conversion drops:
    /// each start tag's name (`font`) and each of its attributes as
    /// `tag.attribute` (`font.color`), lower-cased, in order (at most
    /// [`MAX_HTML_TAGS`] per message). Filled by
    /// [`parse`] and [`parse_limited`], and by [`parse_fields`] only when
    /// asked ([`Fields::with_html_tags`]).
    pub html_tags: Vec<String>,
    /// Charsets named by text parts that could not be decoded (the part was
    /// read as UTF-8, lossily), lower-cased, each once.
    pub unknown_charsets: Vec<String>,
    /// Text was dropped to respect a byte cap ([`parse_limited`]).
    pub truncated: bool,
    /// Something was malformed: bad base64 or quoted-printable, a broken
    /// MIME structure, no header block, or bytes that were not valid in
    /// their charset (replaced by U+FFFD).
    pub damaged: bool,
}

impl Message {
    /// The value of the first header field called `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| h.value.as_str())
    }
}

/// Parses raw mail bytes, keeping all of its text.
///
/// Never fails: malformed input yields what could be decoded (see the
/// module docs). Never panics either: a panic inside mail-parser (none is
/// known) is caught and the input kept as lossy text, flagged `damaged`.
/// Use [`parse_limited`] on untrusted input of unbounded size.
pub fn parse(raw: &[u8]) -> Message {
    parse_limited(raw, None)
}

/// Parses raw mail bytes, keeping at most `max_text_bytes` bytes of body
/// text (summed over parts, cut at a char boundary) and of each header value.
///
/// The cap is applied as early as possible: HTML is converted from a bounded
/// prefix, and input without headers is decoded only up to the cap. The MIME
/// decoder itself still reads the whole input once, which is linear.
pub fn parse_limited(raw: &[u8], max_text_bytes: Option<usize>) -> Message {
    parse_all_fields(raw, max_text_bytes, &PARSER, true)
}

/// What a parse decodes beyond the body text: which header fields, and
/// whether the HTML markup is listed; see [`parse_fields`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    /// Decodes the MIME fields and the address fields named; skips the rest.
    parser: MessageParser,
    /// The text fields named (lower case): skipped by `parser`, then read from the raw
    /// bytes ([`unstructured`]).
    text: Vec<String>,
    /// Decodes the text fields too, for the rare message whose text field
    /// [`unstructured::value`] cannot read as mail-parser does.
    exact: MessageParser,
    /// Fill [`Message::html_tags`] (scanning every HTML part's markup).
    html_tags: bool,
}

impl Fields {
    /// Decode only the fields named (lower case), and the MIME fields the
    /// body needs. Each is decoded as by [`parse`]: address fields as
    /// addresses, the others as text.
    pub fn only(names: &[String]) -> Fields {
        let mut parser = MessageParser::new()
            .with_mime_headers()
            .default_header_ignore();
        let mut exact = parser.clone();
        let mut text = Vec::new();
        for name in names {
            let header = HeaderName::from(name.clone());
            if ADDRESS_FIELDS.contains(&header) {
                parser = parser.header_address(header.clone());
                exact = exact.header_address(header);
            } else if !MIME_FIELDS.contains(&header) {
                exact = exact.header_text(header);
                text.push(name.to_ascii_lowercase());
            }
        }
        Fields {
            parser,
            text,
            exact,
            html_tags: false,
        }
    }

    /// Also list the markup of HTML parts in [`Message::html_tags`] (off by
    /// default: the scan costs time on every HTML part).
    pub fn with_html_tags(self, html_tags: bool) -> Fields {
        Fields { html_tags, ..self }
    }
}

/// [`parse_limited`], decoding only the header `fields`: the others are
/// skipped over and kept with an empty value. The body, and the fields
/// decoded, come out as from [`parse_limited`]; skipping the values of the
/// rest (relays, list headers, spam-filter stamps) spares most of the
/// header work when few fields are tokenized.
pub fn parse_fields(raw: &[u8], max_text_bytes: Option<usize>, fields: &Fields) -> Message {
    parse_with(
        raw,
        max_text_bytes,
        &fields.parser,
        &fields.text,
        fields.html_tags,
    )
    .unwrap_or_else(|| parse_all_fields(raw, max_text_bytes, &fields.exact, fields.html_tags))
}

/// [`parse_with`] of a parser that decodes every field it keeps.
fn parse_all_fields(
    raw: &[u8],
    max_text_bytes: Option<usize>,
    parser: &MessageParser,
    html_tags: bool,
) -> Message {
    parse_with(raw, max_text_bytes, parser, &[], html_tags)
        .expect("with no field to read from the raw bytes, every message is decoded")
}

/// Decodes `raw` with `parser`, reading the `text` fields (lower case; the parser skips them)
/// from the raw bytes; `None` if one of those cannot be read so.
fn parse_with(
    raw: &[u8],
    max_text_bytes: Option<usize>,
    parser: &MessageParser,
    text: &[String],
    html_tags: bool,
) -> Option<Message> {
    let raw = skip_mbox_from_line(raw);
    let limit = max_text_bytes.unwrap_or(usize::MAX);
    // mail-parser promises not to panic; a panic there must still not take
    // the whole training run down, so fall back to the raw bytes as text.
    let parsed = std::panic::catch_unwind(|| decode(raw, limit, parser, text, html_tags));
    Some(match parsed {
        Ok(message) => message?,
        Err(_) => {
            let mut message = Message {
                damaged: true,
                ..Message::default()
            };
            let mut builder = Builder::new(limit, false, &mut message);
            builder.push_raw(raw);
            message
        }
    })
}

/// The part of `raw` after a leading mbox `From ` separator line.
fn skip_mbox_from_line(raw: &[u8]) -> &[u8] {
    if raw.starts_with(b"From ") {
        match memchr::memchr(b'\n', raw) {
            Some(eol) => &raw[eol + 1..],
            None => &[],
        }
    } else {
        raw
    }
}

/// mail-parser configured once: MIME and address fields structured, every
/// other field as text with RFC 2047 words decoded. `Received` and `Date`
/// stay text, which is all the analyzer needs and much cheaper than their
/// structured parsers.
static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
    let mut parser = MessageParser::new().with_mime_headers();
    for field in ADDRESS_FIELDS {
        parser = parser.header_address(field);
    }
    parser.default_header_text()
});

/// Fields decoded as address lists (mail-parser's `with_address_headers`).
const ADDRESS_FIELDS: [HeaderName<'static>; 11] = [
    HeaderName::From,
    HeaderName::Sender,
    HeaderName::ReplyTo,
    HeaderName::To,
    HeaderName::Cc,
    HeaderName::Bcc,
    HeaderName::ResentFrom,
    HeaderName::ResentSender,
    HeaderName::ResentTo,
    HeaderName::ResentCc,
    HeaderName::ResentBcc,
];

/// Fields mail-parser's `with_mime_headers` decodes for the body's sake.
const MIME_FIELDS: [HeaderName<'static>; 6] = [
    HeaderName::ContentType,
    HeaderName::ContentDisposition,
    HeaderName::ContentId,
    HeaderName::ContentDescription,
    HeaderName::ContentLocation,
    HeaderName::ContentTransferEncoding,
];

fn decode(
    raw: &[u8],
    limit: usize,
    parser: &MessageParser,
    text: &[String],
    html_tags: bool,
) -> Option<Message> {
    let mut message = Message::default();
    let parsed = has_header_block(raw).then(|| parser.parse(raw)).flatten();
    let parsed = parsed.filter(|m| {
        m.parts
            .first()
            .and_then(|root| root.headers.first())
            .is_none_or(|h| is_field_name(h.name.as_str()) && has_colon(raw, h))
    });
    let Some(parsed) = parsed else {
        // No header block at all (empty input, binary junk, a bare text):
        // read it all as one text.
        message.damaged = !raw.is_empty();
        let mut builder = Builder::new(limit, false, &mut message);
        builder.push_raw(raw);
        return Some(message);
    };
    if let Some(root) = parsed.parts.first() {
        for h in &root.headers {
            let name = h.name.as_str();
            if is_field_name(name) {
                let name = name.to_ascii_lowercase();
                let value = if text.contains(&name) {
                    let (start, end) = (h.offset_start as usize, h.offset_end as usize);
                    unstructured::value(parsed.raw_message.as_ref(), start, end)?
                } else {
                    render_value(&h.value)
                };
                message.headers.push(Header {
                    name,
                    value: truncate_owned(value, limit),
                });
            } else {
                message.damaged = true;
            }
        }
    }
    let mut builder = Builder::new(limit, html_tags, &mut message);
    builder.walk(&parsed, 0);
    Some(message)
}

/// Accumulates texts and URLs under the byte cap.
struct Builder<'m> {
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
    fn new(limit: usize, html_tags: bool, message: &'m mut Message) -> Builder<'m> {
        Builder {
            budget: limit,
            html_tags,
            message,
        }
    }

    fn walk(&mut self, parsed: &mail_parser::Message<'_>, depth: usize) {
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
    fn push_raw(&mut self, raw: &[u8]) {
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

/// RFC 5322 field names are printable ASCII without ':'; mail-parser takes
/// any bytes before a ':' as one, which would make binary junk a header.
fn is_field_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
}

/// Whether `raw` can start with a header block: a blank first line (an
/// empty block) or a ':' on the first line. Checked with one `memchr2`
/// before mail-parser, which would take a colon-free 100 MB line byte by
/// byte for a field name.
fn has_header_block(raw: &[u8]) -> bool {
    raw.starts_with(b"\n")
        || raw.starts_with(b"\r\n")
        || memchr::memchr2(b':', b'\n', raw).is_some_and(|i| raw[i] == b':')
}

/// Whether a ':' ends the name of `header`: mail-parser also takes a
/// line without one (or the whole of a colon-free input) for a field name.
fn has_colon(raw: &[u8], header: &mail_parser::Header<'_>) -> bool {
    raw.get(header.offset_field as usize..header.offset_start as usize)
        .is_some_and(|name| memchr::memchr(b':', name).is_some())
}

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

/// Renders a decoded header value as one line of text.
fn render_value(value: &HeaderValue<'_>) -> String {
    match value {
        HeaderValue::Text(text) => text.to_string(),
        HeaderValue::TextList(list) => list.join(", "),
        HeaderValue::Address(address) => render_address(address),
        HeaderValue::ContentType(ct) => {
            let mut out = ct.c_type.to_string();
            if let Some(sub) = &ct.c_subtype {
                out.push('/');
                out.push_str(sub);
            }
            for attr in ct.attributes.iter().flatten() {
                out.push_str("; ");
                out.push_str(&attr.name);
                out.push('=');
                out.push_str(&attr.value);
            }
            out
        }
        HeaderValue::DateTime(dt) => dt.to_rfc822(),
        HeaderValue::Received(_) | HeaderValue::Empty => String::new(),
    }
}

fn render_address(address: &Address<'_>) -> String {
    fn push_addr(out: &mut String, addr: &mail_parser::Addr<'_>) {
        if !out.is_empty() && !out.ends_with(": ") {
            out.push_str(", ");
        }
        match (addr.name(), addr.address()) {
            (Some(name), Some(address)) => {
                out.push_str(name);
                out.push_str(" <");
                out.push_str(address);
                out.push('>');
            }
            (Some(one), None) | (None, Some(one)) => out.push_str(one),
            (None, None) => {}
        }
    }
    let mut out = String::new();
    match address {
        Address::List(list) => list.iter().for_each(|a| push_addr(&mut out, a)),
        Address::Group(groups) => {
            for group in groups {
                if let Some(name) = &group.name {
                    if !out.is_empty() {
                        out.push_str("; ");
                    }
                    out.push_str(name);
                    out.push_str(": ");
                }
                group.addresses.iter().for_each(|a| push_addr(&mut out, a));
            }
        }
    }
    out
}

fn truncate_owned(mut s: String, limit: usize) -> String {
    if s.len() > limit {
        let end = floor_char_boundary(&s, limit);
        s.truncate(end);
    }
    s
}

/// The largest char boundary of `s` not above `index`.
pub(crate) fn floor_char_boundary(s: &str, index: usize) -> usize {
    if index >= s.len() {
        return s.len();
    }
    let mut end = index;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    end
}

/// Calls `found` with each URL written in plain text: `http://`,
/// `https://`, `ftp://` and bare `www.` addresses, up to the first space,
/// quote or bracket.
pub(crate) fn find_urls(text: &str, found: &mut dyn FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut from = 0;
    // Both markers contain a '/' or '.', rare enough in prose to scan for fast.
    while let Some(start) = next_url_start(bytes, from) {
        let end = url_end(bytes, start);
        let url = trim_url(&text[start..end]);
        if url.len() > start_marker_len(url) {
            found(url);
        }
        from = end.max(start + 1);
    }
}

/// Position of the next `scheme://` (http, https, ftp) or `www.` at or after `from`.
fn next_url_start(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let rel = memchr::memchr2(b':', b'.', &bytes[from..])?;
        let at = from + rel;
        from = at + 1;
        if bytes[at] == b':' {
            if !bytes[at..].starts_with(b"://") {
                continue;
            }
            let scheme_start = bytes[..at]
                .iter()
                .rposition(|b| !b.is_ascii_alphabetic())
                .map_or(0, |p| p + 1);
            let scheme = &bytes[scheme_start..at];
            if scheme.eq_ignore_ascii_case(b"http")
                || scheme.eq_ignore_ascii_case(b"https")
                || scheme.eq_ignore_ascii_case(b"ftp")
            {
                return Some(scheme_start);
            }
        } else if at >= 3
            && bytes[at - 3..at].eq_ignore_ascii_case(b"www")
            && (at == 3 || !is_host_byte(bytes[at - 4]))
        {
            return Some(at - 3);
        }
    }
}

/// A byte that may continue a host name or path on its left.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'@')
}

fn start_marker_len(url: &str) -> usize {
    url.find("://").map_or(4, |p| p + 3)
}

fn url_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| !is_url_byte(b))
        .map_or(bytes.len(), |p| start + p)
}

fn is_url_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`' | b'{' | b'}')
}

/// Drops punctuation that ends a sentence rather than the URL.
fn trim_url(url: &str) -> &str {
    url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']'])
}

/// The most tags and attributes kept per message in [`Message::html_tags`].
pub const MAX_HTML_TAGS: usize = 4096;

/// Calls `found` with the lower-cased name of each start tag in `html`
/// (`<FONT color=red size=+2>`: `font`) and with `tag.attribute` for each of
/// its attributes (`font.color`, `font.size`). Names longer than 16 bytes
/// are passed over: they are not markup a mail client would render.
pub(crate) fn find_tags(html: &str, found: &mut dyn FnMut(&str)) {
    const MAX_NAME: usize = 16;
    let bytes = html.as_bytes();
    let name_len = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
            .count()
    };
    let skip_space_and_slashes = |mut j: usize| {
        while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
            j += 1;
        }
        j
    };
    let mut name = String::with_capacity(2 * MAX_NAME + 1);
    let mut from = 0;
    while let Some(rel) = memchr::memchr(b'<', &bytes[from..]) {
        let start = from + rel + 1;
        from = start;
        let len = name_len(start);
        if len == 0 || len > MAX_NAME || !bytes[start].is_ascii_alphabetic() {
            continue; // `</p>`, `<!-- -->`, `< 5`: not a start tag.
        }
        // Names and attributes are ASCII, so every cut is a char boundary.
        name.clear();
        name.push_str(&html[start..start + len]);
        name.make_ascii_lowercase();
        found(&name);
        let tag_len = name.len();
        let mut j = start + len;
        loop {
            j = skip_space_and_slashes(j);
            if j >= bytes.len() || matches!(bytes[j], b'>' | b'<') {
                break;
            }
            let len = name_len(j);
            if len == 0 {
                j += 1; // stray punctuation inside the tag
                continue;
            }
            if len <= MAX_NAME {
                name.truncate(tag_len);
                name.push('.');
                name.push_str(&html[j..j + len]);
                name.make_ascii_lowercase();
                found(&name);
            }
            j = skip_space(bytes, j + len);
            if bytes.get(j) == Some(&b'=') {
                j = skip_space(bytes, j + 1);
                j = match bytes.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        memchr::memchr(q, &bytes[j + 1..]).map_or(bytes.len(), |p| j + 2 + p)
                    }
                    _ => {
                        j + bytes[j..]
                            .iter()
                            .take_while(|b| !b.is_ascii_whitespace() && **b != b'>')
                            .count()
                    }
                };
            }
        }
        from = j.max(from);
    }
}

/// The first index at or after `j` that is not ASCII white space.
fn skip_space(bytes: &[u8], mut j: usize) -> usize {
    while j < bytes.len() && bytes[j].is_ascii_whitespace() {
        j += 1;
    }
    j
}

/// Calls `found` with the value of each `href` attribute in `html`.
///
/// Scans for `=` and looks left for the attribute name: '=' is rarer than
/// letters, and the name may be in any case.
pub(crate) fn find_hrefs(html: &str, found: &mut dyn FnMut(&str)) {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(rel) = memchr::memchr(b'=', &bytes[from..]) {
        let eq = from + rel;
        from = eq + 1;
        let name_end = bytes[..eq]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        if name_end < 4 || !bytes[name_end - 4..name_end].eq_ignore_ascii_case(b"href") {
            continue;
        }
        if name_end > 4 && !bytes[name_end - 5].is_ascii_whitespace() {
            continue; // `data-href=`, `xhref=`: another attribute.
        }
        let i = skip_space(bytes, eq + 1);
        let (start, end) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = memchr::memchr(q, &bytes[start..]).map_or(bytes.len(), |p| start + p);
                (start, end)
            }
            Some(_) => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || *b == b'>')
                    .map_or(bytes.len(), |p| i + p);
                (i, end)
            }
            None => break,
        };
        // Quotes, spaces and '>' are ASCII, so both ends are char boundaries.
        let url = html[start..end].trim();
        if !url.is_empty() {
            found(url);
        }
        from = end.max(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/mail/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn all_text(m: &Message) -> String {
        m.texts.join("\n")
    }

    /// Reading the text fields from the raw bytes gives the message mail-parser's own
    /// reading of them gives, on every fixture and the bundled sample, and on headers made
    /// of folded lines, encoded words and odd bytes.
    #[test]
    fn text_fields_read_from_raw_bytes_match_mail_parser() {
        let names: Vec<String> = crate::analyze::DEFAULT_HEADER_FIELDS
            .iter()
            .map(|f| f.to_string())
            .chain(["x-spam-status".to_string(), "comments".to_string()])
            .collect();
        let fields = Fields::only(&names);
        assert!(fields.text.contains(&"subject".to_string()));
        let mut mails: Vec<Vec<u8>> = Vec::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/mail");
        for dir in [dir.to_string()].into_iter().chain(
            ["spam", "ham"].map(|l| format!("{}/corpora/sample/{l}", env!("CARGO_MANIFEST_DIR"))),
        ) {
            for entry in std::fs::read_dir(dir).unwrap() {
                mails.push(std::fs::read(entry.unwrap().path()).unwrap());
            }
        }
        let pieces: [&[u8]; 10] = [
            b"Subject: =?utf-8?q?Caf=C3=A9?= \r\n =?utf-8?b?w6k=?=\r\n",
            b"Subject: =?utf-8?q?runs\n over?= x\n",
            b"X-Mailer:  tab\tinside \r\n\t\r\n folded\n",
            b"Received: from a (b [1.2.3.4])\n\tby c; Thu, 1 Jan 2002\n",
            b"Comments: \xff\xfe not utf-8 \xc3\n",
            b"To: Ann <a@b.example>\n",
            b"Date: =?\n",
            b"Message-ID: <x@y>\n",
            b"\nbody text\n",
            b"Subject: cut off",
        ];
        for i in 0..pieces.len() {
            for j in 0..pieces.len() {
                mails.push([pieces[i], pieces[j], pieces[(i + j) % pieces.len()]].concat());
            }
        }
        for raw in &mails {
            for limit in [None, Some(40)] {
                let fast = parse_with(raw, limit, &fields.parser, &fields.text, false);
                let exact = parse_all_fields(raw, limit, &fields.exact, false);
                if let Some(fast) = fast {
                    assert_eq!(fast, exact, "{}", String::from_utf8_lossy(raw));
                }
                assert_eq!(parse_fields(raw, limit, &fields), exact);
            }
        }
    }

    #[test]
    fn parse_fields_decodes_the_body_and_the_named_fields_alone() {
        let names: Vec<String> = ["subject", "from", "x-mailer", "message-id"]
            .map(String::from)
            .to_vec();
        let fields = Fields::only(&names);
        for name in [
            "base64.eml",
            "html.eml",
            "nested-multipart.eml",
            "subject-latin1.eml",
            "windows-1252.eml",
            "no-headers.eml",
            "binary-junk.bin",
        ] {
            let raw = fixture(name);
            let full = parse(&raw);
            let some = parse_fields(&raw, None, &fields);
            assert_eq!(some.texts, full.texts, "{name}");
            assert_eq!(some.urls, full.urls, "{name}");
            assert_eq!(some.attachments, full.attachments, "{name}");
            assert_eq!(some.damaged, full.damaged, "{name}");
            assert_eq!(some.headers.len(), full.headers.len(), "{name}");
            for (a, b) in some.headers.iter().zip(&full.headers) {
                assert_eq!(a.name, b.name, "{name}");
                if names.contains(&a.name) || a.name.starts_with("content-") {
                    assert_eq!(a.value, b.value, "{name}: {}", a.name);
                } else {
                    assert_eq!(a.value, "", "{name}: {}", a.name);
                }
            }
        }
        let raw = b"From: Ann <ann@example.com>\nTo: bob@example.org\nX-Mailer: Foo 1.0\n\nhi\n";
        let some = parse_fields(raw, None, &fields);
        assert_eq!(some.header("from"), Some("Ann <ann@example.com>"));
        assert_eq!(some.header("x-mailer"), Some("Foo 1.0"));
        assert_eq!(some.header("to"), Some(""));
    }

    #[test]
    fn encoded_word_subject_utf8() {
        let m = parse(&fixture("subject-utf8.eml"));
        assert_eq!(m.header("subject"), Some("Grüße aus Köln – 日本"));
        assert!(!m.damaged);
    }

    #[test]
    fn encoded_word_subject_latin1() {
        let m = parse(&fixture("subject-latin1.eml"));
        assert_eq!(m.header("subject"), Some("Café crème à volonté"));
        assert_eq!(m.header("from"), Some("José Müller <jose@example.es>"));
    }

    #[test]
    fn quoted_printable_body() {
        let m = parse(&fixture("quoted-printable.eml"));
        let text = all_text(&m);
        assert!(
            text.contains("a soft line break joins this line"),
            "{text:?}"
        );
        assert!(text.contains("naïve façade = 100%"), "{text:?}");
        assert!(!text.contains("=3D"));
    }

    #[test]
    fn base64_body() {
        let m = parse(&fixture("base64.eml"));
        assert_eq!(m.texts, vec!["Hello from a base64 body.\n".to_string()]);
    }

    #[test]
    fn latin1_body() {
        let m = parse(&fixture("latin1.eml"));
        assert!(all_text(&m).contains("Ça coûte 5 €? Non, 5 £ à Zürich."));
        assert!(m.unknown_charsets.is_empty());
    }

    #[test]
    fn windows1252_body() {
        // 0x80 is the euro sign and 0x93/0x94 curly quotes in windows-1252,
        // control characters in latin-1.
        let m = parse(&fixture("windows-1252.eml"));
        assert!(
            all_text(&m).contains("“Only 9€ today” – don’t miss it"),
            "{:?}",
            m.texts
        );
    }

    #[test]
    fn koi8_body() {
        let m = parse(&fixture("koi8-r.eml"));
        assert!(all_text(&m).contains("Привет мир"), "{:?}", m.texts);
    }

    #[test]
    fn find_tags_names_start_tags_and_their_attributes() {
        let mut seen = Vec::new();
        find_tags(
            "<HTML><body BGCOLOR=\"#fff\"><p>x < y</p><!-- c --><FONT color='red' size=+2>Buy</font>\
             <a href=\"http://e.com/?a>b\">z</a><br/><img\nsrc=x.gif width = 1>",
            &mut |t| seen.push(t.to_string()),
        );
        assert_eq!(
            seen,
            [
                "html",
                "body",
                "body.bgcolor",
                "p",
                "font",
                "font.color",
                "font.size",
                "a",
                "a.href",
                "br",
                "img",
                "img.src",
                "img.width"
            ]
        );
    }

    #[test]
    fn find_tags_survives_truncated_markup() {
        for html in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href=\"x",
            "<a b='",
            "<é>",
            "<a\u{e9}=1>",
        ] {
            find_tags(html, &mut |_| ());
        }
    }

    #[test]
    fn html_part_becomes_text_with_links() {
        let m = parse(&fixture("html.eml"));
        let text = all_text(&m);
        assert!(text.contains("Cheap meds here"), "{text:?}");
        assert!(!text.contains("<a"), "markup left in {text:?}");
        assert!(!text.contains("color:red"), "style left in {text:?}");
        assert!(text.contains("Tom & Jerry"), "entity not decoded: {text:?}");
        assert_eq!(
            m.urls,
            vec![
                "http://pills.example.biz/buy?id=7".to_string(),
                "HTTPS://Unsubscribe.Example.org/u".to_string(),
                "http://visible.example.com/page".to_string(),
            ]
        );
    }

    #[test]
    fn nested_multipart() {
        let m = parse(&fixture("nested-multipart.eml"));
        assert_eq!(m.header("subject"), Some("nested"));
        let text = all_text(&m);
        assert!(text.contains("plain alternative"), "{text:?}");
        assert!(text.contains("html alternative"), "{text:?}");
        assert!(text.contains("forwarded body text"), "{text:?}");
        assert!(!text.contains("R0lGODlh"), "attachment bytes in {text:?}");
        assert_eq!(
            m.attachments,
            vec![Attachment {
                content_type: "image/gif".to_string(),
                filename: Some("dot.gif".to_string()),
            }]
        );
        assert!(m.urls.contains(&"http://inner.example.com/".to_string()));
    }

    #[test]
    fn unknown_charset_is_read_lossily_and_reported() {
        let m = parse(&fixture("unknown-charset.eml"));
        assert_eq!(m.unknown_charsets, vec!["x-martian-7".to_string()]);
        assert!(all_text(&m).contains("plain ascii survives"));
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        let m = parse(&fixture("invalid-utf8.eml"));
        let text = all_text(&m);
        assert!(text.contains("before"), "{text:?}");
        assert!(text.contains("after"), "{text:?}");
        assert!(text.contains('\u{FFFD}'));
        assert!(m.damaged);
    }

    #[test]
    fn undeclared_latin1_is_read_as_windows_1252() {
        let m = parse(b"Subject: x\n\nCaf\xe9 cr\xe8me \x80 5\n");
        assert_eq!(m.texts, vec!["Café crème € 5\n".to_string()]);
        let m = parse(b"Subject: x\nContent-Type: text/html\n\n<p>Gr\xfc\xdfe</p>\n");
        assert_eq!(m.texts, vec!["Grüße\n".to_string()]);
        // A declared charset is obeyed, even when wrong.
        let m = parse(b"Subject: x\nContent-Type: text/plain; charset=utf-8\n\nCaf\xe9\n");
        assert_eq!(m.texts, vec!["Caf\u{FFFD}\n".to_string()]);
    }

    #[test]
    fn message_without_headers() {
        let m = parse(&fixture("no-headers.eml"));
        assert!(m.headers.is_empty());
        assert!(all_text(&m).contains("just a body"), "{:?}", m.texts);
    }

    #[test]
    fn text_without_colon_is_body_not_header() {
        let m = parse(b"hello\nthere\n");
        assert!(m.headers.is_empty(), "{:?}", m.headers);
        assert_eq!(m.texts, vec!["hello\nthere\n".to_string()]);
    }

    #[test]
    fn mbox_from_line_is_skipped() {
        let m = parse(b"From spammer@example.com  Thu Aug 22 13:17:22 2002\nSubject: hi\n\nbody\n");
        assert_eq!(m.headers[0].name, "subject");
        assert_eq!(m.texts, vec!["body\n".to_string()]);
    }

    #[test]
    fn empty_input() {
        let m = parse(b"");
        assert!(m.headers.is_empty());
        assert!(m.texts.iter().all(|t| t.is_empty()));
        assert!(m.urls.is_empty());
        assert!(!m.damaged);
    }

    #[test]
    fn binary_junk_does_not_panic() {
        let junk = fixture("binary-junk.bin");
        let m = parse(&junk);
        assert!(m.damaged);
        assert!(m.headers.is_empty(), "{:?}", m.headers);
        assert!(m.texts.iter().map(String::len).sum::<usize>() > 2000);
        // Every byte prefix too: truncation inside a header or boundary.
        for end in (0..junk.len()).step_by(7) {
            let _ = parse(&junk[..end]);
        }
    }

    #[test]
    fn every_prefix_of_a_mime_message_parses() {
        let raw = fixture("nested-multipart.eml");
        for end in 0..raw.len() {
            let _ = parse_limited(&raw[..end], Some(64));
        }
    }

    #[test]
    fn limit_caps_text_and_sets_truncated() {
        let mut raw = b"Subject: big\n\n".to_vec();
        raw.extend(std::iter::repeat_n(b"word ".as_slice(), 10_000).flatten());
        let m = parse_limited(&raw, Some(1000));
        assert!(m.truncated);
        assert_eq!(m.texts.iter().map(String::len).sum::<usize>(), 1000);
        let m = parse_limited(&raw, None);
        assert!(!m.truncated);
        assert_eq!(m.texts[0].len(), 50_000);
    }

    #[test]
    fn limit_applies_to_input_without_headers() {
        let raw = vec![b'x'; 5000];
        let m = parse_limited(&raw, Some(100));
        assert!(m.truncated);
        assert_eq!(m.texts, vec!["x".repeat(100)]);
    }

    #[test]
    fn limit_cuts_at_char_boundary() {
        let raw = "Subject: x\nContent-Type: text/plain; charset=utf-8\n\nééééé".as_bytes();
        let m = parse_limited(raw, Some(3));
        assert_eq!(m.texts, vec!["é".to_string()]);
    }

    #[test]
    fn urls_in_text() {
        let mut urls = Vec::new();
        find_urls(
            "see http://a.example.com/x?y=1, or www.b.example.org. Also \
             (https://c.example.net) and mailto:x@y.z and ftp://d.example/ and http://",
            &mut |u| urls.push(u.to_string()),
        );
        assert_eq!(
            urls,
            [
                "http://a.example.com/x?y=1",
                "www.b.example.org",
                "https://c.example.net",
                "ftp://d.example/",
            ]
        );
    }

    #[test]
    fn www_inside_scheme_url_reported_once() {
        let mut urls = Vec::new();
        find_urls("go to http://www.example.com now", &mut |u| {
            urls.push(u.to_string())
        });
        assert_eq!(urls, ["http://www.example.com"]);
    }

    #[test]
    fn hrefs() {
        let mut urls = Vec::new();
        find_hrefs(
            r#"<a HREF = "http://x.example/1">a</a><a href='http://y.example/2'>
               <a href=http://z.example/3>z</a><link rel="x"><a data-href="no">"#,
            &mut |u| urls.push(u.to_string()),
        );
        assert_eq!(
            urls,
            [
                "http://x.example/1",
                "http://y.example/2",
                "http://z.example/3"
            ]
        );
    }
}
