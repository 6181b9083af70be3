//! [`Fields`]: which header fields a parse decodes, and how a decoded
//! value is rendered as one line of text.

use std::sync::LazyLock;

use mail_parser::{Address, HeaderName, HeaderValue, MessageParser};

/// What a parse decodes beyond the body text: which header fields, and
/// whether the HTML markup is listed; see [`parse_fields`](super::parse_fields).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fields {
    /// Decodes the MIME fields and the address fields named; skips the rest.
    pub(super) parser: MessageParser,
    /// The text fields named (lower case): skipped by `parser`, then read from the raw
    /// bytes ([`super::unstructured`]).
    pub(super) text: Vec<String>,
    /// Decodes the text fields too, for the rare message whose text field
    /// [`super::unstructured::value`] cannot read as mail-parser does.
    pub(super) exact: MessageParser,
    /// Fill [`Message::html_tags`](super::Message::html_tags) (scanning every HTML part's markup).
    pub(super) html_tags: bool,
}

impl Fields {
    /// Decode only the fields named (lower case), and the MIME fields the
    /// body needs. Each is decoded as by [`parse`](super::parse): address fields as
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

    /// Also list the markup of HTML parts in [`Message::html_tags`](super::Message::html_tags) (off by
    /// default: the scan costs time on every HTML part).
    pub fn with_html_tags(self, html_tags: bool) -> Fields {
        Fields { html_tags, ..self }
    }
}

/// mail-parser configured once: MIME and address fields structured, every
/// other field as text with RFC 2047 words decoded. `Received` and `Date`
/// stay text, which is all the analyzer needs and much cheaper than their
/// structured parsers.
pub(super) static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
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

/// Renders a decoded header value as one line of text.
pub(super) fn render_value(value: &HeaderValue<'_>) -> String {
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

#[cfg(test)]
mod tests {
    use super::super::test_util::fixture;
    use super::super::{parse, parse_all_fields, parse_fields, parse_with};
    use super::*;

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
}
