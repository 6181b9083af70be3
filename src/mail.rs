//! Raw bytes -> [`Message`]: decoded header fields, body text, URLs.
//!
//! Spam arrives malformed on purpose, so [`parse`] never fails and never
//! panics: whatever could be decoded is returned and the rest is lost
//! lossily (invalid UTF-8 becomes U+FFFD, an unknown charset is read as
//! UTF-8, a broken MIME tree keeps the parts found so far). The MIME work
//! (RFC 2047 encoded words, quoted-printable, base64, charsets, nested
//! multiparts and `message/rfc822` attachments) is done by the
//! [`mail_parser`] crate; this module walks its part tree (`mail/body.rs`),
//! turns HTML into text, collects URLs (`mail/urls.rs`, `mail/html.rs`) and
//! bounds the amount of text kept. `mail/fields.rs` chooses the header
//! fields decoded and renders their values; `mail/unstructured.rs` reads the
//! text fields straight from the raw bytes.
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

mod body;
mod fields;
mod html;
mod line_ending;
mod unstructured;
mod urls;

pub use fields::Fields;
pub use html::MAX_HTML_TAGS;
pub use line_ending::LineEnding;

use mail_parser::MessageParser;

use body::Builder;
use fields::{PARSER, render_value};

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
    let raw = cr_lines_to_lf(raw);
    let raw = skip_mbox_from_line(&raw);
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

/// `raw` with its lines ending in LF if they end in a lone CR (old Macintosh
/// mail), which the MIME decoder would read as one header line; else `raw`.
fn cr_lines_to_lf(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if LineEnding::detect(raw) != LineEnding::Cr {
        return raw.into();
    }
    let mut lf = raw.to_vec();
    for i in 0..lf.len() {
        if lf[i] == b'\r' && lf.get(i + 1) != Some(&b'\n') {
            lf[i] = b'\n';
        }
    }
    lf.into()
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

/// Helpers for tests across the crate.
#[cfg(test)]
pub(crate) mod test_util {
    /// A test mail from tests/data/mail.
    pub(crate) fn fixture(name: &str) -> Vec<u8> {
        let path = format!("{}/tests/data/mail/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::fixture;
    use super::*;

    fn all_text(m: &Message) -> String {
        m.texts.join("\n")
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
    fn cr_only_mail_has_headers_and_a_body() {
        let m = parse(b"Subject: old mac\rFrom: a@b.example\r\rthe body text\r");
        assert_eq!(m.header("subject"), Some("old mac"));
        assert!(
            m.texts.iter().any(|t| t.contains("the body text")),
            "{:?}",
            m.texts
        );
    }
}
