//! Passthrough: the message, byte for byte, with our header field in place of
//! any it arrived with.
//!
//! Every incoming `X-Sparsetext` field (any case, with its folded continuation
//! lines) is removed from the header section, so a sender cannot forge a
//! verdict and a message filtered twice carries one field (bogofilter and
//! SpamAssassin remove their own fields the same way). Our field goes at the
//! end of the header section (as bogofilter's `X-Bogosity` does), with the line
//! ending the headers use: LF, CRLF, or a lone CR (old Macintosh mail), told
//! by the first line's ending. A message with no blank line is all header; if
//! it lacks a final line ending, one is added before the field. Everything
//! else is the input unchanged.
//!
//! [`Stamper`] does this on a stream in bounded memory: `classify -p` scores
//! the first `--max-message-bytes` and copies the rest through.
//!
//! ```
//! use sparsetext::passthrough::insert_header;
//! let out = insert_header(b"Subject: hi\r\nX-sparsetext: spam\r\n\r\nbody", "X-Sparsetext: ham; p=0.0100");
//! assert_eq!(out, b"Subject: hi\r\nX-Sparsetext: ham; p=0.0100\r\n\r\nbody");
//! ```

use std::io::Write;

pub use crate::mail::LineEnding;
use crate::model::Verdict;

/// The name of our header field.
pub const FIELD_NAME: &str = "X-Sparsetext";

/// Our header field for a verdict: `X-Sparsetext: spam; p=0.9931`.
pub fn field(verdict: Verdict, p_spam: f64) -> String {
    format!("{FIELD_NAME}: {verdict}; p={p_spam:.4}")
}

/// `message` with incoming `X-Sparsetext` fields removed and `field` (one
/// line, no line ending) added at the end of its header section.
pub fn insert_header(message: &[u8], field: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + field.len() + 2);
    write_with_header(&mut out, message, field).expect("writing to a Vec cannot fail");
    out
}

/// Writes what [`insert_header`] returns to `out`, without copying `message`.
pub fn write_with_header(out: &mut impl Write, message: &[u8], field: &str) -> std::io::Result<()> {
    let mut stamper = Stamper::new(out, field, LineEnding::detect(message));
    stamper.write(message)?;
    stamper.finish()
}

/// A header line's bytes held back until it is known to be ours or not: a
/// field name, spaces before its colon, and no more.
const MAX_UNDECIDED: usize = 256;

/// What the header line being read is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Line {
    /// Its first bytes are in `held`: not yet known.
    Undecided,
    /// Copied to the output.
    Kept,
    /// An incoming `X-Sparsetext` field or its continuation: dropped.
    Dropped,
}

/// Rewrites a message streamed through it in chunks of any size: incoming
/// `X-Sparsetext` fields dropped, our field added at the end of the header
/// section, the body copied as it comes. Memory is bounded by
/// [`MAX_UNDECIDED`] whatever the input.
pub struct Stamper<'a, W: Write> {
    out: &'a mut W,
    field: &'a str,
    ending: LineEnding,
    line: Line,
    /// The start of an undecided line.
    held: Vec<u8>,
    /// The last field was ours: its continuation lines go too.
    in_our_field: bool,
    /// The field is written and the rest is body.
    in_body: bool,
    /// The output so far ends a line (or is empty).
    out_at_line_start: bool,
    /// Any input at all.
    seen_input: bool,
}

impl<'a, W: Write> Stamper<'a, W> {
    /// A stamper writing to `out`, adding `field`; `ending` from
    /// [`LineEnding::detect`] on the message's first bytes.
    pub fn new(out: &'a mut W, field: &'a str, ending: LineEnding) -> Self {
        Stamper {
            out,
            field,
            ending,
            line: Line::Undecided,
            held: Vec::new(),
            in_our_field: false,
            in_body: false,
            out_at_line_start: true,
            seen_input: false,
        }
    }

    /// Takes the next chunk of the message.
    pub fn write(&mut self, mut chunk: &[u8]) -> std::io::Result<()> {
        self.seen_input |= !chunk.is_empty();
        while !chunk.is_empty() {
            if self.in_body {
                return self.out.write_all(chunk);
            }
            let eol = self.ending.terminator();
            let line_end = memchr::memchr(eol, chunk);
            let take = line_end.map_or(chunk.len(), |i| i + 1);
            let (piece, rest) = chunk.split_at(take);
            chunk = rest;
            let complete = line_end.is_some();
            match self.line {
                Line::Undecided => {
                    self.held.extend_from_slice(piece);
                    self.decide(complete)?;
                }
                Line::Kept => self.emit(piece)?,
                Line::Dropped => {}
            }
            if complete && !self.in_body {
                self.line = Line::Undecided;
                self.held.clear();
            }
        }
        Ok(())
    }

    /// Ends the message: adds the field if no blank line came.
    pub fn finish(mut self) -> std::io::Result<()> {
        if !self.in_body {
            if self.line == Line::Undecided && !self.held.is_empty() {
                self.decide(true)?;
            }
            if !self.in_body {
                if !self.out_at_line_start {
                    self.out.write_all(self.ending.bytes())?;
                }
                let ending = if self.seen_input {
                    self.ending
                } else {
                    LineEnding::Lf
                };
                self.out.write_all(self.field.as_bytes())?;
                self.out.write_all(ending.bytes())?;
            }
        }
        self.out.flush()
    }

    fn emit(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if let Some(&last) = bytes.last() {
            self.out_at_line_start = last == self.ending.terminator();
            self.out.write_all(bytes)?;
        }
        Ok(())
    }

    /// Decides what the held line is, if its bytes tell (or it is `complete`).
    fn decide(&mut self, complete: bool) -> std::io::Result<()> {
        let held = std::mem::take(&mut self.held);
        let decision = self.classify(&held, complete);
        match decision {
            None => self.held = held,
            Some(Line::Undecided) => {
                // The blank line that ends the header section.
                let ending = match (self.ending, held.as_slice()) {
                    (LineEnding::Cr, _) => LineEnding::Cr,
                    (_, b"\r\n") => LineEnding::CrLf,
                    _ => LineEnding::Lf,
                };
                self.out.write_all(self.field.as_bytes())?;
                self.out.write_all(ending.bytes())?;
                self.in_body = true;
                self.out.write_all(&held)?;
            }
            Some(Line::Kept) => {
                self.in_our_field = false;
                self.line = Line::Kept;
                self.emit(&held)?;
            }
            Some(Line::Dropped) => self.line = Line::Dropped,
        }
        Ok(())
    }

    /// What a line starting with `held` is: `Some(Undecided)` for the blank
    /// line, `None` while more bytes are needed to tell.
    fn classify(&mut self, held: &[u8], complete: bool) -> Option<Line> {
        let blank: &[u8] = match self.ending {
            LineEnding::Cr => b"\r",
            LineEnding::Lf | LineEnding::CrLf => {
                if held == b"\r" && !complete {
                    return None;
                }
                if held == b"\r\n" { b"\r\n" } else { b"\n" }
            }
        };
        if held == blank {
            return Some(Line::Undecided);
        }
        if matches!(held[0], b' ' | b'\t') {
            return Some(if self.in_our_field {
                Line::Dropped
            } else {
                Line::Kept
            });
        }
        let name = FIELD_NAME.as_bytes();
        let n = held.len().min(name.len());
        if !held[..n].eq_ignore_ascii_case(&name[..n]) {
            return Some(Line::Kept);
        }
        if held.len() < name.len() {
            return if complete { Some(Line::Kept) } else { None };
        }
        // The name matches; obsolete syntax allows blanks before the colon.
        match held[name.len()..]
            .iter()
            .find(|&&b| b != b' ' && b != b'\t')
        {
            Some(b':') => {
                self.in_our_field = true;
                Some(Line::Dropped)
            }
            Some(_) => Some(Line::Kept),
            None if complete || held.len() >= MAX_UNDECIDED => Some(Line::Kept),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELD: &str = "X-Sparsetext: spam; p=0.9931";

    fn stamp(message: &[u8]) -> String {
        String::from_utf8(insert_header(message, FIELD)).unwrap()
    }

    #[test]
    fn lf_crlf_cr_and_envelope_line() {
        assert_eq!(
            stamp(b"From a b\nSubject: x\n\nbody\n"),
            format!("From a b\nSubject: x\n{FIELD}\n\nbody\n")
        );
        assert_eq!(
            stamp(b"Subject: x\r\nTo: y\r\n\r\nbody"),
            format!("Subject: x\r\nTo: y\r\n{FIELD}\r\n\r\nbody")
        );
        assert_eq!(
            stamp(b"Subject: x\rTo: y\r\rbody\rmore\r"),
            format!("Subject: x\rTo: y\r{FIELD}\r\rbody\rmore\r")
        );
    }

    #[test]
    fn no_blank_line_no_trailing_newline_and_empty() {
        assert_eq!(stamp(b"Subject: x"), format!("Subject: x\n{FIELD}\n"));
        assert_eq!(stamp(b"Subject: x\n"), format!("Subject: x\n{FIELD}\n"));
        assert_eq!(
            stamp(b"Subject: x\r\nTo: y"),
            format!("Subject: x\r\nTo: y\r\n{FIELD}\r\n")
        );
        assert_eq!(stamp(b""), format!("{FIELD}\n"));
        assert_eq!(stamp(b"\nbody"), format!("{FIELD}\n\nbody"));
        assert_eq!(stamp(b"\r\nbody"), format!("{FIELD}\r\n\r\nbody"));
    }

    #[test]
    fn incoming_fields_are_removed_with_their_continuations() {
        assert_eq!(
            stamp(b"X-Sparsetext: ham\nSubject: x\nx-SPARSETEXT : spam;\n\tp=0.1\n  more\nTo: y\n\nX-Sparsetext: body\n"),
            format!("Subject: x\nTo: y\n{FIELD}\n\nX-Sparsetext: body\n")
        );
        // Other fields that share the prefix stay, and so do their continuations.
        assert_eq!(
            stamp(b"X-Sparsetext-Version: 1\n folded\nX-Sparsetextual: 2\n\n"),
            format!("X-Sparsetext-Version: 1\n folded\nX-Sparsetextual: 2\n{FIELD}\n\n")
        );
        // Filtering twice gives one field.
        let once = insert_header(b"Subject: x\r\n\r\nbody", FIELD);
        assert_eq!(insert_header(&once, FIELD), once);
        // A last field with no line ending goes too.
        assert_eq!(
            stamp(b"Subject: x\nX-Sparsetext: ham"),
            format!("Subject: x\n{FIELD}\n")
        );
    }

    /// The output does not depend on how the input is cut into chunks.
    #[test]
    fn chunking_does_not_matter() {
        let message = b"From a\r\nX-Sparsetext:  ham\r\n  p=1\r\nSubject: x\r\n\r\nbody\r\n";
        let whole = insert_header(message, FIELD);
        for size in 1..message.len() {
            let mut out = Vec::new();
            let mut stamper = Stamper::new(&mut out, FIELD, LineEnding::detect(message));
            for chunk in message.chunks(size) {
                stamper.write(chunk).unwrap();
            }
            stamper.finish().unwrap();
            assert_eq!(out, whole, "chunks of {size}");
        }
    }

    #[test]
    fn a_long_blank_run_after_our_name_is_not_held_past_max_undecided() {
        let mut message = b"X-Sparsetext".to_vec();
        message.extend(std::iter::repeat_n(b' ', 1000));
        message.extend_from_slice(b"x\n\nbody");
        let mut out = Vec::new();
        let mut stamper = Stamper::new(&mut out, FIELD, LineEnding::Lf);
        for chunk in message.chunks(7) {
            stamper.write(chunk).unwrap();
            assert!(stamper.held.len() < MAX_UNDECIDED + 7);
        }
        stamper.finish().unwrap();
        assert_eq!(
            out,
            [&message[..message.len() - 5], FIELD.as_bytes(), b"\n\nbody"].concat()
        );
    }
}
