//! File names in tab-separated output, escaped C-style so that one name is one
//! field on one line whatever bytes it holds: a name with a newline and a tab
//! cannot add a row, and a name that is not UTF-8 keeps its bytes.

use std::fmt::Write;

/// `name` with `\t`, `\n`, `\r` and `\` written as `\t`, `\n`, `\r` and `\\`, other
/// ASCII control characters and every byte that is not part of valid UTF-8 as `\xNN`
/// (two hex digits); everything else as it is. Reading `\xNN` back as the byte NN
/// and the others as their characters gives the name's bytes again.
pub fn escape_name(name: &[u8]) -> String {
    let mut out = String::with_capacity(name.len());
    for chunk in name.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\\' => out.push_str("\\\\"),
                c if c.is_ascii_control() => hex(&mut out, c as u8),
                c => out.push(c),
            }
        }
        for &byte in chunk.invalid() {
            hex(&mut out, byte);
        }
    }
    out
}

fn hex(out: &mut String, byte: u8) {
    write!(out, "\\x{byte:02x}").expect("writing to a String cannot fail");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_backslashes_and_foreign_bytes_are_escaped() {
        assert_eq!(escape_name(b"ham/1"), "ham/1");
        assert_eq!(
            escape_name("spam/caf\u{e9} \u{1f4e7}".as_bytes()),
            "spam/caf\u{e9} \u{1f4e7}"
        );
        assert_eq!(
            escape_name(b"a\nspam\t0.999999\tfake\r\\x"),
            "a\\nspam\\t0.999999\\tfake\\r\\\\x"
        );
        assert_eq!(escape_name(b"bad\xff\xfe.eml"), "bad\\xff\\xfe.eml");
        assert_eq!(escape_name(b"\x1b[31m\x7f"), "\\x1b[31m\\x7f");
        // A truncated UTF-8 sequence is bytes, not a character.
        assert_eq!(escape_name(b"\xc3"), "\\xc3");
    }
}
