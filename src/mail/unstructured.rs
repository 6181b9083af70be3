//! Text header fields read from the raw message, as mail-parser's
//! `parse_unstructured` reads them, without its byte-at-a-time loop.
//!
//! mail-parser reads an unstructured value (RFC 5322; `Subject`, `Received`
//! and every field the analyzer takes as text) a byte at a time, copying
//! each line into its own string, a large part of `classify`'s work.
//! [`super::Fields`] has it skip those fields instead (finding only
//! where each ends), and [`value`] rebuilds each from its bytes: a value
//! with no `=?` (no RFC 2047 encoded word, nearly all of them) is its lines,
//! each trimmed of spaces, tabs and CRs, the non-empty ones joined by one
//! space (read as UTF-8, lossily, line by line), which is what
//! `parse_unstructured` gives; any other value is handed to
//! `parse_unstructured` itself. The test `fast_values_match_mail_parser`
//! checks the two agree.

use mail_parser::HeaderValue;
use mail_parser::parsers::MessageStream;

/// The value of the field whose bytes, from after its colon through the
/// line break that ends it, are `raw[start..end]`, as mail-parser's
/// `parse_unstructured` reads it from `start`; `None` if that read would
/// not end at `end` (an encoded word running past the field's last line),
/// when only a parse of the whole message with the field as text agrees.
pub(super) fn value(raw: &[u8], start: usize, end: usize) -> Option<String> {
    let bytes = raw.get(start..end)?;
    if memchr::memchr_iter(b'=', bytes).any(|i| bytes.get(i + 1) == Some(&b'?')) {
        let mut stream = MessageStream::new(&raw[start..]);
        let value = stream.parse_unstructured();
        return (stream.offset() == bytes.len()).then(|| match value {
            HeaderValue::Text(text) => text.into_owned(),
            _ => String::new(),
        });
    }
    // A field cut off by the end of the input has no value to mail-parser.
    if !bytes.ends_with(b"\n") {
        return Some(String::new());
    }
    // Lines end at ASCII bytes, so a valid text's lines are valid too.
    let valid = std::str::from_utf8(bytes).ok();
    let text = |b: &u8| !matches!(b, b' ' | b'\t' | b'\r');
    let mut out = String::new();
    let mut from = 0;
    for eol in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[from..eol];
        let offset = from;
        from = eol + 1;
        let (Some(first), Some(last)) = (line.iter().position(text), line.iter().rposition(text))
        else {
            continue;
        };
        if !out.is_empty() {
            out.push(' ');
        }
        match valid {
            Some(valid) => out.push_str(&valid[offset + first..=offset + last]),
            None => out.push_str(&String::from_utf8_lossy(&line[first..=last])),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// mail-parser's own reading of the field at `raw[start..]`, and where it ends.
    fn reference(raw: &[u8]) -> (String, usize) {
        let mut stream = MessageStream::new(raw);
        let value = match stream.parse_unstructured() {
            HeaderValue::Text(text) => text.into_owned(),
            _ => String::new(),
        };
        (value, stream.offset())
    }

    /// Where mail-parser's skipping of a field (`parse_and_ignore`) ends.
    fn skipped_end(raw: &[u8]) -> usize {
        let mut stream = MessageStream::new(raw);
        stream.parse_and_ignore();
        stream.offset()
    }

    fn check(raw: &[u8]) {
        let end = skipped_end(raw);
        let (expected, parsed_end) = reference(raw);
        match value(raw, 0, end) {
            Some(got) => {
                assert_eq!(parsed_end, end, "{raw:?}");
                assert_eq!(got, expected, "{raw:?}");
            }
            None => assert_ne!(parsed_end, end, "{raw:?}"),
        }
    }

    #[test]
    fn fast_values_match_mail_parser() {
        for raw in [
            &b" Hello world \r\nFrom: x\r\n"[..],
            b" folded\r\n  over\tlines \r\n\t\r\n and more\nNext: y",
            b"\t\r\n",
            b" cut off at the end",
            b" ends at the end\n",
            b" bad \xff\xfe utf-8 \xe2\x82\n \xac split\n",
            b" =?utf-8?q?Caf=C3=A9?= and =?iso-8859-1?q?=E9?=\n",
            b" =?utf-8?q?never ended\n next line ?= x\nA: b\n",
            b" =?\n",
            b" a\x0bb \x0c\n",
        ] {
            check(raw);
        }
    }

    proptest! {
        #[test]
        fn values_match_mail_parser(raw in proptest::collection::vec(
            prop_oneof![
                Just(b' '), Just(b'\t'), Just(b'\r'), Just(b'\n'), Just(b'='), Just(b'?'),
                Just(b'q'), Just(b'Q'), Just(b'b'), Just(b'a'), Just(0xc3), Just(0xa9), Just(0xff),
            ],
            0..60,
        )) {
            check(&raw);
        }

        #[test]
        fn encoded_words_match_mail_parser(
            words in proptest::collection::vec(
                prop_oneof![
                    Just(&b"=?utf-8?q?Caf=C3=A9?="[..]),
                    Just(&b"=?utf-8?b?w6k=?="[..]),
                    Just(&b"=?iso-8859-1?q?=E9t=E9?="[..]),
                    Just(&b"=?bogus?x?zz?="[..]),
                    Just(&b"plain"[..]),
                    Just(&b" "[..]),
                    Just(&b"\r\n "[..]),
                    Just(&b"\n\t"[..]),
                    Just(&b"\n"[..]),
                ],
                0..12,
            ),
        ) {
            check(&words.concat());
        }
    }
}
