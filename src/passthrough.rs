//! Passthrough: the message, byte for byte, with one header field added.
//!
//! The field goes at the end of the header section (as bogofilter's
//! `X-Bogosity` does), with the line ending the headers use (LF or CRLF).
//! A message with no blank line is all header; if it lacks a final newline,
//! one is added before the field. Everything else is the input unchanged.
//!
//! ```
//! use sparsetext::passthrough::insert_header;
//! let out = insert_header(b"Subject: hi\r\n\r\nbody", "X-Sparsetext: ham; p=0.0100");
//! assert_eq!(out, b"Subject: hi\r\nX-Sparsetext: ham; p=0.0100\r\n\r\nbody");
//! ```

/// `message` with `field` (one line, no line ending) added at the end of its header section.
pub fn insert_header(message: &[u8], field: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + field.len() + 2);
    write_with_header(&mut out, message, field).expect("writing to a Vec cannot fail");
    out
}

/// Writes what [`insert_header`] returns to `out`, without copying `message`:
/// a huge message is held in memory once, not twice.
pub fn write_with_header(
    out: &mut impl std::io::Write,
    message: &[u8],
    field: &str,
) -> std::io::Result<()> {
    match header_end(message) {
        Some((end, crlf)) => {
            out.write_all(&message[..end])?;
            out.write_all(field.as_bytes())?;
            out.write_all(if crlf { b"\r\n" } else { b"\n" })?;
            out.write_all(&message[end..])
        }
        None => {
            let crlf = message.ends_with(b"\r\n")
                || (!message.ends_with(b"\n") && memchr::memmem::find(message, b"\r\n").is_some());
            let eol: &[u8] = if crlf { b"\r\n" } else { b"\n" };
            out.write_all(message)?;
            if !message.is_empty() && !message.ends_with(b"\n") {
                out.write_all(eol)?;
            }
            out.write_all(field.as_bytes())?;
            out.write_all(eol)
        }
    }
}

/// Where the blank line that ends the headers starts, and whether lines end in CRLF.
/// `None` when there is no blank line.
fn header_end(message: &[u8]) -> Option<(usize, bool)> {
    // A message that starts with its blank line has an empty header section.
    if message.starts_with(b"\r\n") {
        return Some((0, true));
    }
    if message.starts_with(b"\n") {
        return Some((0, false));
    }
    let mut from = 0;
    while let Some(i) = memchr::memchr(b'\n', &message[from..]).map(|i| from + i) {
        let rest = &message[i + 1..];
        if rest.starts_with(b"\n") {
            return Some((i + 1, false));
        }
        if rest.starts_with(b"\r\n") {
            return Some((i + 1, true));
        }
        from = i + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELD: &str = "X-Sparsetext: spam; p=0.9931";

    #[test]
    fn lf_crlf_and_envelope_line() {
        assert_eq!(
            insert_header(b"From a b\nSubject: x\n\nbody\n", FIELD),
            format!("From a b\nSubject: x\n{FIELD}\n\nbody\n").as_bytes()
        );
        assert_eq!(
            insert_header(b"Subject: x\r\nTo: y\r\n\r\nbody", FIELD),
            format!("Subject: x\r\nTo: y\r\n{FIELD}\r\n\r\nbody").as_bytes()
        );
    }

    #[test]
    fn no_blank_line_no_trailing_newline_and_empty() {
        assert_eq!(
            insert_header(b"Subject: x", FIELD),
            format!("Subject: x\n{FIELD}\n").as_bytes()
        );
        assert_eq!(
            insert_header(b"Subject: x\n", FIELD),
            format!("Subject: x\n{FIELD}\n").as_bytes()
        );
        assert_eq!(
            insert_header(b"Subject: x\r\nTo: y", FIELD),
            format!("Subject: x\r\nTo: y\r\n{FIELD}\r\n").as_bytes()
        );
        assert_eq!(insert_header(b"", FIELD), format!("{FIELD}\n").as_bytes());
        assert_eq!(
            insert_header(b"\nbody", FIELD),
            format!("{FIELD}\n\nbody").as_bytes()
        );
    }

    proptest::proptest! {
        /// Removing the added line (and a newline added before it) gives the input back.
        #[test]
        fn output_is_input_plus_one_line(message in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let out = insert_header(&message, FIELD);
            let at = memchr::memmem::find(&out, FIELD.as_bytes()).unwrap();
            let mut eol = 1;
            if out[at + FIELD.len()] == b'\r' { eol = 2; }
            let mut back = out[..at].to_vec();
            back.extend_from_slice(&out[at + FIELD.len() + eol..]);
            if back.len() == message.len() + eol && !message.ends_with(b"\n") && !message.is_empty() {
                back.truncate(message.len());
            }
            proptest::prop_assert_eq!(back, message);
        }
    }
}
