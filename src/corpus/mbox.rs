//! The mbox format: messages concatenated, each after a `From ` separator
//! line, with mboxrd's `>From ` quoting.

use std::fs::File;
use std::io::{self, BufRead};
use std::os::unix::fs::FileExt;

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

/// Where one message of an mbox file is, as stored (still quoted): from after
/// its separator line to the next separator or the end of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// Byte offset of the message's first line in the file.
    pub offset: u64,
    /// Bytes up to the next separator line (or the end of the file).
    pub len: u64,
    /// A separator follows: the blank line before it is the mbox's, not the message's.
    pub before_separator: bool,
}

/// A line longer than this is no separator (a real one is a few dozen bytes), and only
/// its first bytes are kept while [`index`] scans.
const SEPARATOR_MAX: usize = 4096;

/// The messages of the mbox `reader` holds, as [`split_mbox`] splits them, by their
/// places in the file: `None` unless it is an mbox of two or more messages
/// ([`is_mbox`]). Reads line by line, keeping at most [`SEPARATOR_MAX`] bytes of a
/// line, so a file of any size is listed in constant memory.
pub(crate) fn index(mut reader: impl BufRead) -> io::Result<Option<Vec<Span>>> {
    let mut spans = Vec::new();
    let mut line = Vec::with_capacity(SEPARATOR_MAX);
    let mut offset = 0u64;
    let mut start: Option<u64> = None;
    let mut previous_blank = true;
    loop {
        let len = read_line_head(&mut reader, &mut line)?;
        if len == 0 {
            break;
        }
        let separator = len <= SEPARATOR_MAX as u64 && is_separator(&line);
        if offset == 0 && !separator {
            return Ok(None);
        }
        if previous_blank && separator {
            if let Some(start) = start {
                spans.push(Span {
                    offset: start,
                    len: offset - start,
                    before_separator: true,
                });
            }
            start = Some(offset + len);
            previous_blank = false;
        } else {
            previous_blank = is_blank(&line);
        }
        offset += len;
    }
    if let Some(start) = start {
        spans.push(Span {
            offset: start,
            len: offset - start,
            before_separator: false,
        });
    }
    Ok((spans.len() >= 2).then_some(spans))
}

/// Reads one line (through its `\n`, or to the end), keeping its first
/// [`SEPARATOR_MAX`] + 1 bytes in `line`; gives the line's whole length.
fn read_line_head(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<u64> {
    line.clear();
    let mut len = 0u64;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(len);
        }
        let (used, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = (SEPARATOR_MAX + 1).saturating_sub(line.len());
        line.extend_from_slice(&buf[..used.min(room)]);
        reader.consume(used);
        len += used as u64;
        if done {
            return Ok(len);
        }
    }
}

/// The message at `span` of `file` as [`split_mbox`] gives it (unquoted, the blank
/// line before a separator dropped), cut at `cap` bytes, and whether it was longer.
/// Only about `cap` bytes are read and held, whatever the message's size.
pub(crate) fn read_message(file: &File, span: Span, cap: u64) -> io::Result<(Vec<u8>, bool)> {
    // Dropping the separator's blank line shortens a message by at most 2 bytes: with
    // cap + 3 bytes unquoted, whether the whole is longer than cap is known.
    let limit = usize::try_from(cap.saturating_add(3)).unwrap_or(usize::MAX);
    let mut unquote = Unquote::new(limit);
    let mut out = Vec::new();
    let mut buf = vec![0; span.len.min(1 << 16) as usize];
    let mut read = 0u64;
    while read < span.len && out.len() < limit {
        let n = (span.len - read).min(buf.len() as u64) as usize;
        file.read_exact_at(&mut buf[..n], span.offset + read)?;
        unquote.feed(&buf[..n], &mut out);
        read += n as u64;
    }
    unquote.finish(&mut out);
    if read == span.len && span.before_separator {
        trim_separator_blank(&mut out);
    }
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    let truncated = out.len() > cap;
    out.truncate(cap);
    Ok((out, truncated))
}

/// mboxrd unquoting over bytes in pieces: a line's leading `>`s and the start of
/// `From ` are held until they tell whether it is quoted.
struct Unquote {
    /// The current line's bytes while undecided; `None` once decided.
    pending: Option<Vec<u8>>,
    /// A `>` run longer than this gives the same first bytes either way.
    limit: usize,
}

impl Unquote {
    fn new(limit: usize) -> Unquote {
        Unquote {
            pending: Some(Vec::new()),
            limit,
        }
    }

    fn feed(&mut self, mut bytes: &[u8], out: &mut Vec<u8>) {
        while let [b, rest @ ..] = bytes {
            let Some(pending) = self.pending.as_mut() else {
                // The rest of a decided line goes out as it is.
                let end = memchr::memchr(b'\n', bytes).map_or(bytes.len(), |i| i + 1);
                out.extend_from_slice(&bytes[..end]);
                if end <= bytes.len() && bytes[end - 1] == b'\n' {
                    self.pending = Some(Vec::new());
                }
                bytes = &bytes[end..];
                continue;
            };
            let b = *b;
            bytes = rest;
            pending.push(b);
            let quotes = pending.iter().take_while(|&&q| q == b'>').count();
            let rest = &pending[quotes..];
            let quoted = quotes > 0 && rest == b"From ";
            let undecided = quotes > 0
                && b"From ".starts_with(rest)
                && !quoted
                && quotes <= self.limit
                && b != b'\n';
            if undecided {
                continue;
            }
            let skip = usize::from(quoted || quotes > self.limit);
            out.extend_from_slice(&pending[skip..]);
            self.pending = (b == b'\n').then(Vec::new);
        }
    }

    /// The end of the message: a line still undecided is not quoted.
    fn finish(&mut self, out: &mut Vec<u8>) {
        if let Some(pending) = self.pending.take() {
            out.extend_from_slice(&pending);
        }
    }
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

    /// A file holding `bytes`, read from its start.
    fn file_of(bytes: &[u8]) -> File {
        use std::io::{Seek, Write};
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        file.rewind().unwrap();
        file
    }

    /// Every message of `mbox` read from a file by [`index`] and [`read_message`] at
    /// every cap, against [`split_mbox`] in memory then cut.
    fn assert_streamed_reads_equal_split(mbox: &[u8]) {
        let file = file_of(mbox);
        let spans = index(io::BufReader::with_capacity(7, &file))
            .unwrap()
            .expect("an mbox");
        let whole = split_mbox(mbox);
        assert_eq!(spans.len(), whole.len());
        for (span, message) in spans.iter().zip(&whole) {
            for cap in 1..message.len() as u64 + 4 {
                let (got, truncated) = read_message(&file, *span, cap).unwrap();
                let end = message.len().min(cap as usize);
                assert_eq!(got, &message[..end], "cap {cap} of {span:?}");
                assert_eq!(truncated, message.len() as u64 > cap, "cap {cap}");
            }
        }
    }

    #[test]
    fn streamed_reads_equal_the_split_of_the_file_in_memory() {
        assert_streamed_reads_equal_split(
            b"From a@b Mon Jan  1 00:00:00 2001\nSubject: one\n\n>From here\n>>From there\n\
>>Fro\n>\n>>>From\nFrom x\n\nFrom c@d Tue Jan  2 00:00:00 2001\n\n\
From e@f Tue Jan  2 00:00:00 2001\nSubject: three\n\n>From the end",
        );
        assert_streamed_reads_equal_split(
            b"From a Mon Jan  1 00:00:00 2001\r\nSubject: x\r\n\r\n>From y\r\n\r\n\
From b Mon Jan  1 00:00:00 2001\r\nSubject: y\r\n\r\nz\r\n\r\n",
        );
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, b"From a Mon Jan  1 00:00:00 2001\nSubject: 1\n")
            .unwrap();
        assert_eq!(
            index(io::BufReader::new(&file)).unwrap(),
            None,
            "one message"
        );
    }

    #[test]
    fn a_long_run_of_quotes_reads_the_same_at_a_small_cap() {
        let mut mbox = b"From a Mon Jan  1 00:00:00 2001\nSubject: 1\n\n".to_vec();
        mbox.extend(std::iter::repeat_n(b'>', 100));
        mbox.extend_from_slice(b"From x\n\nFrom b Mon Jan  1 00:00:00 2001\nSubject: 2\n");
        assert_streamed_reads_equal_split(&mbox);
    }

    #[test]
    fn one_message_with_envelope_line_is_not_an_mbox() {
        let one = b"From a@b Mon Jan  1 00:00:00 2001\nSubject: one\n\nhello\n";
        assert!(!is_mbox(one));
    }
}
