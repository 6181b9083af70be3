//! Line endings: LF, CRLF, or the lone CR of old Macintosh mail.

/// How lines end: told by the first line ending of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
    /// A lone `\r`.
    Cr,
}

impl LineEnding {
    /// The first line ending in `start` (the first bytes of a message);
    /// LF when there is none.
    pub fn detect(start: &[u8]) -> LineEnding {
        match memchr::memchr2(b'\n', b'\r', start) {
            Some(i) if start[i] == b'\r' => match start.get(i + 1) {
                Some(b'\n') | None => LineEnding::CrLf,
                Some(_) => LineEnding::Cr,
            },
            _ => LineEnding::Lf,
        }
    }

    /// The ending's bytes.
    pub fn bytes(self) -> &'static [u8] {
        match self {
            LineEnding::Lf => b"\n",
            LineEnding::CrLf => b"\r\n",
            LineEnding::Cr => b"\r",
        }
    }

    /// The byte that ends a line: LF for LF and CRLF text.
    pub fn terminator(self) -> u8 {
        match self {
            LineEnding::Cr => b'\r',
            LineEnding::Lf | LineEnding::CrLf => b'\n',
        }
    }
}
