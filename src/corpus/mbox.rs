//! The mbox format: messages concatenated, each after a `From ` separator
//! line, with mboxrd's `>From ` quoting.

/// Whether `bytes` look like an mbox of two or more messages: a `From ` line
/// first, and another `From ` line after a blank line. A single message that
/// starts with a `From ` envelope line (as the SpamAssassin corpus files do)
/// is one message either way.
pub fn is_mbox(bytes: &[u8]) -> bool {
    bytes.starts_with(b"From ") && memchr::memmem::find(bytes, b"\n\nFrom ").is_some()
}

/// Splits an mbox into its messages: each starts after a `From ` separator
/// line (at the start of the file or after a blank line), which is dropped;
/// quoted lines `>From `, `>>From `, ... lose one `>` (mboxrd). CRLF files
/// are split the same way.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut previous_blank = true;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if previous_blank && line.starts_with(b"From ") {
            if let Some(mut message) = current.take() {
                trim_separator_blank(&mut message);
                messages.push(message);
            }
            current = Some(Vec::new());
            previous_blank = false;
            continue;
        }
        previous_blank = line == b"\n" || line == b"\r\n";
        let Some(message) = current.as_mut() else {
            continue; // text before the first separator is not part of a message
        };
        let quotes = line.iter().take_while(|&&b| b == b'>').count();
        if quotes > 0 && line[quotes..].starts_with(b"From ") {
            message.extend_from_slice(&line[1..]);
        } else {
            message.extend_from_slice(line);
        }
    }
    if let Some(message) = current {
        messages.push(message);
    }
    messages
}

/// The blank line before a `From ` separator belongs to the mbox, not the message.
fn trim_separator_blank(message: &mut Vec<u8>) {
    if message.ends_with(b"\r\n\r\n") {
        message.truncate(message.len() - 2);
    } else if message.ends_with(b"\n\n") {
        message.truncate(message.len() - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mbox_split_unquotes_and_drops_separators() {
        let mbox = b"From a@b Mon Jan  1 00:00:00 2001\nSubject: one\n\n>From here\n>>From there\n\nFrom c@d Tue Jan  2 00:00:00 2001\nSubject: two\n\nbody\n";
        assert!(is_mbox(mbox));
        let messages = split_mbox(mbox);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0], b"Subject: one\n\nFrom here\n>From there\n");
        assert_eq!(messages[1], b"Subject: two\n\nbody\n");
    }

    #[test]
    fn mbox_split_handles_crlf_and_from_inside_a_paragraph() {
        let mbox = b"From a\r\nSubject: x\r\n\r\nbody\r\nFrom this line on\r\n\r\nFrom b\r\nSubject: y\r\n\r\nz";
        let messages = split_mbox(mbox);
        assert_eq!(
            messages.len(),
            2,
            "a From line not after a blank line is body"
        );
        assert_eq!(
            messages[0],
            b"Subject: x\r\n\r\nbody\r\nFrom this line on\r\n"
        );
        assert_eq!(messages[1], b"Subject: y\r\n\r\nz");
    }

    #[test]
    fn one_message_with_envelope_line_is_not_an_mbox() {
        let one = b"From a@b Mon Jan  1 00:00:00 2001\nSubject: one\n\nhello\n";
        assert!(!is_mbox(one));
    }
}
