//! The mbox format: messages concatenated, each after a `From ` separator
//! line, with mboxrd's `>From ` quoting.

/// Whether `bytes` look like an mbox of two or more messages: a separator
/// line first, and another after a blank line. A single message that starts
/// with a `From ` envelope line (as the SpamAssassin corpus files do) is one
/// message either way. CRLF files count the same.
pub fn is_mbox(bytes: &[u8]) -> bool {
    let mut lines = bytes.split_inclusive(|&b| b == b'\n');
    if !lines.next().is_some_and(is_separator) {
        return false;
    }
    let mut previous_blank = false;
    for line in lines {
        if previous_blank && is_separator(line) {
            return true;
        }
        previous_blank = is_blank(line);
    }
    false
}

/// Splits an mbox into its messages: each starts after a separator line
/// ([`is_separator`]: `From SENDER DATE`, at the start of the file or after a
/// blank line), which is dropped; quoted lines `>From `, `>>From `, ... lose
/// one `>` (mboxrd). CRLF files are split the same way. A body line such as
/// `From here on, ...` after a blank line is not a separator: it has no date.
pub fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    let mut previous_blank = true;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        if previous_blank && is_separator(line) {
            if let Some(mut message) = current.take() {
                trim_separator_blank(&mut message);
                messages.push(message);
            }
            current = Some(Vec::new());
            previous_blank = false;
            continue;
        }
        previous_blank = is_blank(line);
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

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// Whether `line` is an mbox separator, read strictly as `From SENDER DATE`
/// with an asctime date (`Thu Aug 22 13:17:22 2002`, a time zone allowed
/// around the year), as mutt's `is_from` reads it: `From ` alone also starts
/// ordinary body lines. The sender may be missing (`From Thu Aug ...`).
pub fn is_separator(line: &[u8]) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return false;
    };
    let words: Vec<&str> = rest.split_ascii_whitespace().take(12).collect();
    is_asctime(&words) || words.get(1..).is_some_and(is_asctime)
}

/// `Www Mmm d hh:mm[:ss]` followed by a four-digit year among the next
/// three words (time zones such as `GMT` or `+0200` may come before or after it).
fn is_asctime(words: &[&str]) -> bool {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let [day, month, date, time, rest @ ..] = words else {
        return false;
    };
    let named = |word: &str, names: &[&str]| {
        word.len() == 3 && names.iter().any(|n| word.eq_ignore_ascii_case(n))
    };
    let digits = |word: &str, len: std::ops::RangeInclusive<usize>| {
        len.contains(&word.len()) && word.bytes().all(|b| b.is_ascii_digit())
    };
    let mut clock = time.split(':');
    let clock_ok = clock.next().is_some_and(|h| digits(h, 1..=2))
        && clock.next().is_some_and(|m| digits(m, 2..=2))
        && clock.next().is_none_or(|s| digits(s, 2..=2))
        && clock.next().is_none();
    named(day, &DAYS)
        && named(month, &MONTHS)
        && digits(date, 1..=2)
        && clock_ok
        && rest.iter().take(3).any(|w| digits(w, 4..=4))
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
        let mbox = b"From a Mon Jan  1 00:00:00 2001\r\nSubject: x\r\n\r\nbody\r\nFrom this line on\r\n\r\nFrom b Mon Jan  1 00:00:00 2001\r\nSubject: y\r\n\r\nz";
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
    fn a_crlf_mbox_of_three_messages_is_three() {
        // A CRLF mbox has no "\n\nFrom ": its separators must still be found.
        let mbox = b"From a@b Mon Jan  1 00:00:00 2001\r\nSubject: 1\r\n\r\none\r\n\r\n\
From c@d Tue Jan  2 00:00:00 2001\r\nSubject: 2\r\n\r\ntwo\r\n\r\n\
From e@f Wed Jan  3 00:00:00 2001\r\nSubject: 3\r\n\r\nthree\r\n";
        assert!(is_mbox(mbox));
        let messages = split_mbox(mbox);
        assert_eq!(messages.len(), 3);
        assert_eq!(messages[1], b"Subject: 2\r\n\r\ntwo\r\n");
    }

    #[test]
    fn a_from_line_after_a_blank_line_in_a_body_stays_in_the_message() {
        // A "From " line in a body that is no separator must not split the message.
        let mbox = b"From a@b Mon Jan  1 00:00:00 2001\nSubject: 1\n\nHi,\n\n\
From here on, we meet at 10:30.\n\nFrom the desk of Mr. X\n\n\
From c@d  Tue Jan  2 00:00:00 2001\nSubject: 2\n\ntwo\n";
        let messages = split_mbox(mbox);
        assert_eq!(messages.len(), 2);
        assert_eq!(
            messages[0],
            b"Subject: 1\n\nHi,\n\nFrom here on, we meet at 10:30.\n\nFrom the desk of Mr. X\n"
        );
    }

    #[test]
    fn separators_are_from_sender_date() {
        for line in [
            "From a@b Mon Jan  1 00:00:00 2001\n",
            "From 12a1mailbot1@web.de  Thu Aug 22 13:17:22 2002\n",
            "From MAILER-DAEMON Fri Jul  8 12:08:34 2011\r\n",
            "From a@b Sat Jan 3 01:05 GMT 1998\n",
            "From a@b Sat Jan 3 01:05:00 1998 +0100\n",
            "From Thu Aug 22 13:17:22 2002\n",
        ] {
            assert!(is_separator(line.as_bytes()), "{line:?}");
        }
        for line in [
            "From here on\n",
            "From a@b\n",
            "From a@b Mon Jan 1 2001\n",
            "From a@b Mon Foo  1 00:00:00 2001\n",
            "From a@b Mon Jan  1 0000:00 2001\n",
            "From: a@b Mon Jan  1 00:00:00 2001\n",
            "from a@b Mon Jan  1 00:00:00 2001\n",
        ] {
            assert!(!is_separator(line.as_bytes()), "{line:?}");
        }
    }

    #[test]
    fn one_message_with_envelope_line_is_not_an_mbox() {
        let one = b"From a@b Mon Jan  1 00:00:00 2001\nSubject: one\n\nhello\n";
        assert!(!is_mbox(one));
    }
}
