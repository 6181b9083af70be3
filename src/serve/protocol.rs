//! The SPAMC/SPAMD protocol, version 1.5, as SpamAssassin's `spamd/PROTOCOL`
//! documents it: a request's head (command line and headers) parsed from
//! bytes, and the status lines of answers.
//!
//! A request is `METHOD SPAMC/1.5\r\n`, header lines `Name: value\r\n`, a blank
//! line, then `Content-length` bytes of message. The parser is incremental
//! (call it again with more bytes until it returns a head) and total: every
//! input gives a head, "need more", or a [`Refusal`] carrying the sysexits.h
//! code the answer line sends, never a panic (a fuzz target checks this).
//!
//! ```
//! use sparsetext::serve::protocol::{Method, parse_head};
//! let request = b"CHECK SPAMC/1.5\r\nContent-length: 5\r\nUser: ann\r\n\r\nHello";
//! let (head, used) = parse_head(request).unwrap().unwrap();
//! assert_eq!(head.method, Method::Check);
//! assert_eq!(head.content_length, Some(5));
//! assert_eq!(&request[used..], b"Hello");
//! assert!(parse_head(b"CHECK SPAMC/1.5\r\nContent-le").unwrap().is_none());
//! ```

/// The longest head (command line and headers) accepted, in bytes.
pub const MAX_HEAD_BYTES: usize = 8 * 1024;

/// The most header lines accepted (spamd's limit against header floods).
pub const MAX_HEADERS: usize = 255;

/// The protocol version our answers carry.
pub const VERSION: &str = "1.5";

/// A request's command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// Is it spam: the `Spam:` header only.
    Check,
    /// `Spam:` plus the comma-separated names of the message's strongest features.
    Symbols,
    /// `Spam:` plus a report of the strongest features.
    Report,
    /// As `Report` for spam; an empty body for ham.
    ReportIfSpam,
    /// The message back with our header added.
    Process,
    /// As `Process`, up to and including the blank line after the headers.
    Headers,
    /// Is the daemon alive: `SPAMD/1.5 0 PONG`.
    Ping,
    /// The client changed its mind: no answer.
    Skip,
    /// Learn or forget a message.
    Tell,
}

impl Method {
    /// Every method, for parsing and tests.
    pub const ALL: [Method; 9] = [
        Method::Check,
        Method::Symbols,
        Method::Report,
        Method::ReportIfSpam,
        Method::Process,
        Method::Headers,
        Method::Ping,
        Method::Skip,
        Method::Tell,
    ];

    /// The name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Check => "CHECK",
            Method::Symbols => "SYMBOLS",
            Method::Report => "REPORT",
            Method::ReportIfSpam => "REPORT_IFSPAM",
            Method::Process => "PROCESS",
            Method::Headers => "HEADERS",
            Method::Ping => "PING",
            Method::Skip => "SKIP",
            Method::Tell => "TELL",
        }
    }

    /// Whether a message follows the head.
    pub fn has_body(self) -> bool {
        !matches!(self, Method::Ping | Method::Skip)
    }
}

/// What `TELL`'s `Message-class` says the message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageClass {
    /// Learn as spam.
    Spam,
    /// Learn as ham.
    Ham,
}

/// `TELL`'s headers: `Message-class`, `Set: local, remote`, `Remove: local, remote`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tell {
    /// `Message-class`.
    pub class: Option<MessageClass>,
    /// `Set: local`.
    pub set_local: bool,
    /// `Set: remote`.
    pub set_remote: bool,
    /// `Remove: local`.
    pub remove_local: bool,
    /// `Remove: remote`.
    pub remove_remote: bool,
}

/// A request's command line and the headers we act on; others are ignored, as
/// the protocol asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// The command.
    pub method: Method,
    /// The client's protocol version, `(major, minor)`.
    pub version: (u32, u32),
    /// `Content-length`: the bytes of message (compressed, with `Compress`) that follow.
    pub content_length: Option<u64>,
    /// `User`, checked for control characters only (the server checks names).
    pub user: Option<String>,
    /// `Compress: zlib`.
    pub zlib: bool,
    /// `TELL`'s headers.
    pub tell: Tell,
}

/// The sysexits.h codes spamd answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0: no problem.
    Ok,
    /// 65: the message is larger than the server accepts.
    DataErr,
    /// 67: a `User` name that cannot name a model.
    NoUser,
    /// 69: a service that is not offered (`TELL` without learning, as spamd without `--allow-tell`).
    Unavailable,
    /// 70: an internal error.
    Software,
    /// 75: busy (too many connections or too many bytes in flight): try again later.
    TempFail,
    /// 76: a malformed request.
    Protocol,
    /// 79: the request did not arrive within the timeout (spamd's own code).
    Timeout,
}

impl Status {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::DataErr => 65,
            Status::NoUser => 67,
            Status::Unavailable => 69,
            Status::Software => 70,
            Status::TempFail => 75,
            Status::Protocol => 76,
            Status::Timeout => 79,
        }
    }

    /// The symbolic name, as spamd writes it after the code.
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "EX_OK",
            Status::DataErr => "EX_DATAERR",
            Status::NoUser => "EX_NOUSER",
            Status::Unavailable => "EX_UNAVAILABLE",
            Status::Software => "EX_SOFTWARE",
            Status::TempFail => "EX_TEMPFAIL",
            Status::Protocol => "EX_PROTOCOL",
            Status::Timeout => "EX_TIMEOUT",
        }
    }
}

/// A request answered with an error line (`SPAMD/1.5 76 EX_PROTOCOL reason`) and a closed
/// connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The code sent.
    pub status: Status,
    /// Why, sent after the code's name and logged.
    pub reason: String,
}

impl Refusal {
    /// A refusal with `status` and `reason`.
    pub fn new(status: Status, reason: impl Into<String>) -> Refusal {
        Refusal {
            status,
            reason: reason.into(),
        }
    }

    /// A malformed request.
    pub fn protocol(reason: impl Into<String>) -> Refusal {
        Refusal::new(Status::Protocol, reason)
    }

    /// The answer: one status line, after which the server closes the connection.
    pub fn line(&self) -> String {
        let reason: String = self
            .reason
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(
            "SPAMD/{VERSION} {} {} {reason}\r\n",
            self.status.code(),
            self.status.name()
        )
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.name(), self.reason)
    }
}

/// Parses a request's head from the bytes received so far.
///
/// `Ok(None)`: the head is incomplete, read more (unless [`MAX_HEAD_BYTES`] are
/// buffered already, which gives a refusal). `Ok(Some((head, used)))`: the
/// head took `used` bytes; the message starts there. Lines may end in CRLF or
/// LF. `PING` and `SKIP` of protocols before 1.5 have no headers.
pub fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, Refusal> {
    let mut lines = Lines { buf, at: 0 };
    let too_long =
        || Refusal::protocol(format!("(request head longer than {MAX_HEAD_BYTES} bytes)"));
    let Some(first) = lines.next() else {
        return if buf.len() >= MAX_HEAD_BYTES {
            Err(too_long())
        } else {
            Ok(None)
        };
    };
    let (method, version) = parse_request_line(first)?;
    let mut head = Head {
        method,
        version,
        content_length: None,
        user: None,
        zlib: false,
        tell: Tell::default(),
    };
    if !method.has_body() && version < (1, 5) {
        return Ok(Some((head, lines.at)));
    }
    for _ in 0..=MAX_HEADERS {
        let Some(line) = lines.next() else {
            return if buf.len() >= MAX_HEAD_BYTES {
                Err(too_long())
            } else {
                Ok(None)
            };
        };
        if line.is_empty() {
            if lines.at > MAX_HEAD_BYTES {
                return Err(too_long());
            }
            return Ok(Some((head, lines.at)));
        }
        header(&mut head, line)?;
    }
    Err(Refusal::protocol("(too many headers)"))
}

/// Lines of `buf` without their CRLF or LF; stops before an unterminated tail.
struct Lines<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = &self.buf[self.at..];
        let end = memchr::memchr(b'\n', rest)?;
        self.at += end + 1;
        let line = &rest[..end];
        Some(line.strip_suffix(b"\r").unwrap_or(line))
    }
}

fn parse_request_line(line: &[u8]) -> Result<(Method, (u32, u32)), Refusal> {
    let bad = || {
        Refusal::protocol(format!(
            "(bad request line {:?})",
            String::from_utf8_lossy(&line[..line.len().min(80)])
        ))
    };
    let text = std::str::from_utf8(line).map_err(|_| bad())?;
    let (name, protocol) = text.split_once(' ').ok_or_else(bad)?;
    let method = Method::ALL
        .into_iter()
        .find(|m| m.as_str() == name)
        .ok_or_else(|| {
            Refusal::protocol(format!(
                "(unknown command {:?})",
                &name[..name.len().min(40)]
            ))
        })?;
    let version = protocol.strip_prefix("SPAMC/").ok_or_else(bad)?;
    let (major, minor) = version.split_once('.').ok_or_else(bad)?;
    let number = |s: &str| -> Option<u32> {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    match (number(major), number(minor)) {
        (Some(major), Some(minor)) if major >= 1 => Ok((method, (major, minor))),
        _ => Err(bad()),
    }
}

/// Applies one `Name: value` header line to `head`.
fn header(head: &mut Head, line: &[u8]) -> Result<(), Refusal> {
    let colon = memchr::memchr(b':', line)
        .ok_or_else(|| Refusal::protocol("(header not in 'Name: value' format)"))?;
    let name = &line[..colon];
    let value = line[colon + 1..].trim_ascii();
    let is = |expected: &str| name.eq_ignore_ascii_case(expected.as_bytes());
    if is("Content-length") {
        let n = content_length(value)?;
        if head.content_length.is_some_and(|m| m != n) {
            return Err(Refusal::protocol("(two different Content-length headers)"));
        }
        head.content_length = Some(n);
    } else if is("User") {
        let user = std::str::from_utf8(value)
            .ok()
            .filter(|u| !u.chars().any(char::is_control))
            .ok_or_else(|| Refusal::protocol("(User header contains control chars)"))?;
        head.user = Some(user.to_string());
    } else if is("Compress") {
        if !value.eq_ignore_ascii_case(b"zlib") {
            return Err(Refusal::protocol(format!(
                "(compression type not supported: {})",
                String::from_utf8_lossy(&value[..value.len().min(40)])
            )));
        }
        head.zlib = true;
    } else if is("Message-class") {
        head.tell.class = Some(if value.eq_ignore_ascii_case(b"spam") {
            MessageClass::Spam
        } else if value.eq_ignore_ascii_case(b"ham") {
            MessageClass::Ham
        } else {
            return Err(Refusal::protocol(
                "(Message-class header contains invalid class)",
            ));
        });
    } else if is("Set") {
        (head.tell.set_local, head.tell.set_remote) = places(value);
    } else if is("Remove") {
        (head.tell.remove_local, head.tell.remove_remote) = places(value);
    }
    Ok(())
}

/// `Content-length`'s value: decimal digits only, so no sign and no space.
fn content_length(value: &[u8]) -> Result<u64, Refusal> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err(Refusal::protocol(
            "(Content-length contains non-numeric bytes)",
        ));
    }
    std::str::from_utf8(value)
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Refusal::protocol("(Content-length out of range)"))
}

/// `(local, remote)` named in a `Set` or `Remove` value such as `local, remote`.
fn places(value: &[u8]) -> (bool, bool) {
    let mut local = false;
    let mut remote = false;
    for place in value.split(|&b| b == b',') {
        let place = place.trim_ascii();
        local |= place.eq_ignore_ascii_case(b"local");
        remote |= place.eq_ignore_ascii_case(b"remote");
    }
    (local, remote)
}

/// The `Spam:` header's value: `True ; 13.4 / 5.0`.
pub fn spam_field(is_spam: bool, score: f64, threshold: f64) -> String {
    let word = if is_spam { "True" } else { "False" };
    format!("Spam: {word} ; {score:.1} / {threshold:.1}")
}

/// The head of a successful answer: status line, `Content-length` (unless `None`, as for
/// `CHECK`), the `Spam:` field and the blank line.
pub fn answer_head(content_length: Option<usize>, spam_field: &str) -> String {
    let mut head = format!("SPAMD/{VERSION} 0 EX_OK\r\n");
    if let Some(n) = content_length {
        head.push_str(&format!("Content-length: {n}\r\n"));
    }
    head.push_str(spam_field);
    head.push_str("\r\n\r\n");
    head
}

/// What a `TELL` did to the local store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Did {
    /// The message was added or relabeled.
    pub set: bool,
    /// The message was removed.
    pub removed: bool,
}

/// `TELL`'s answer: `DidSet: local` or `DidRemove: local` when the store changed
/// (spamc then says the message was learned; without it, that it already was).
pub fn told(did: &Did) -> String {
    let mut head = format!("SPAMD/{VERSION} 0 EX_OK\r\n");
    if did.set {
        head.push_str("DidSet: local\r\n");
    }
    if did.removed {
        head.push_str("DidRemove: local\r\n");
    }
    head.push_str("\r\n");
    head
}

/// `PING`'s answer.
pub fn pong() -> String {
    format!("SPAMD/{VERSION} 0 PONG\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(request: &[u8]) -> Head {
        let (head, used) = parse_head(request).unwrap().expect("complete");
        assert!(used <= request.len());
        head
    }

    fn refused(request: &[u8]) -> Refusal {
        parse_head(request).expect_err("refused")
    }

    #[test]
    fn every_command_parses_with_its_headers() {
        for method in Method::ALL {
            let request = format!(
                "{} SPAMC/1.5\r\nContent-length: 12\r\n\r\n",
                method.as_str()
            );
            let h = head(request.as_bytes());
            assert_eq!(h.method, method);
            assert_eq!(h.version, (1, 5));
            assert_eq!(h.content_length, Some(12));
        }
        let h = head(
            b"TELL SPAMC/1.3\nMessage-class: SPAM\nSet: local, remote\nRemove: local\nUser: a.b\nCompress: zlib\nX-Other: ignored\n\n",
        );
        assert_eq!(h.tell.class, Some(MessageClass::Spam));
        assert!(h.tell.set_local && h.tell.set_remote && h.tell.remove_local);
        assert!(!h.tell.remove_remote);
        assert_eq!(h.user.as_deref(), Some("a.b"));
        assert!(h.zlib);
    }

    #[test]
    fn old_ping_has_no_headers_and_new_ping_has_a_blank_line() {
        assert_eq!(head(b"PING SPAMC/1.2\r\n").method, Method::Ping);
        assert!(parse_head(b"PING SPAMC/1.5\r\n").unwrap().is_none());
        assert_eq!(head(b"PING SPAMC/1.5\r\n\r\n").method, Method::Ping);
    }

    #[test]
    fn incomplete_heads_ask_for_more_until_the_cap() {
        for cut in 0..40 {
            let request = b"CHECK SPAMC/1.5\r\nContent-length: 3\r\n\r\nabc";
            let end = request.len() - 3;
            if cut < end {
                assert!(parse_head(&request[..cut]).unwrap().is_none(), "{cut}");
            }
        }
        let mut endless = b"CHECK SPAMC/1.5\r\n".to_vec();
        endless.extend(std::iter::repeat_n(b'x', MAX_HEAD_BYTES));
        assert_eq!(refused(&endless).status, Status::Protocol);
        let mut many = b"CHECK SPAMC/1.5\r\n".to_vec();
        for _ in 0..=MAX_HEADERS {
            many.extend_from_slice(b"A: b\r\n");
        }
        assert!(refused(&many).reason.contains("too many"));
    }

    #[test]
    fn malformed_requests_are_protocol_errors() {
        for bad in [
            &b"\r\n"[..],
            b"CHECK\r\n\r\n",
            b"check SPAMC/1.5\r\n\r\n",
            b"FROB SPAMC/1.5\r\n\r\n",
            b"CHECK HTTP/1.1\r\n\r\n",
            b"CHECK SPAMC/x.5\r\n\r\n",
            b"CHECK SPAMC/0.9\r\n\r\n",
            b"CHECK SPAMC/1.5\r\nno colon\r\n\r\n",
            b"CHECK SPAMC/1.5\r\nContent-length: -1\r\n\r\n",
            b"CHECK SPAMC/1.5\r\nContent-length: 1e3\r\n\r\n",
            b"CHECK SPAMC/1.5\r\nContent-length: 99999999999999999999999\r\n\r\n",
            b"CHECK SPAMC/1.5\r\nContent-length: 1\r\nContent-length: 2\r\n\r\n",
            b"CHECK SPAMC/1.5\r\nCompress: gzip\r\n\r\n",
            b"TELL SPAMC/1.5\r\nMessage-class: maybe\r\n\r\n",
            b"CHECK SPAMC/1.5\r\nUser: a\x01b\r\n\r\n",
            b"\xff\xfe SPAMC/1.5\r\n\r\n",
        ] {
            assert_eq!(refused(bad).status, Status::Protocol, "{bad:?}");
        }
        // A length the client cannot mean is still a number: the server refuses its size.
        let h = head(b"CHECK SPAMC/1.5\r\nContent-length: 10737418240\r\n\r\n");
        assert_eq!(h.content_length, Some(10_737_418_240));
    }

    proptest::proptest! {
        // The fuzz target's invariants (fuzz/fuzz_targets/serve_request.rs), on inputs
        // near valid requests.
        #[test]
        fn any_bytes_give_a_head_more_or_a_refusal(
            method in "(CHECK|PROCESS|TELL|PING|FROB) SPAMC/[0-9.]{1,4}",
            lines in proptest::collection::vec("[A-Za-z-]{0,14}:? ?[ -~]{0,12}", 0..6),
            cut in 0usize..200,
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..8),
        ) {
            let mut bytes = format!("{method}\r\n{}\r\n", lines.join("\r\n")).into_bytes();
            bytes.truncate(cut.max(1).min(bytes.len()));
            bytes.extend_from_slice(&tail);
            match parse_head(&bytes) {
                Ok(Some((head, used))) => {
                    proptest::prop_assert!(used <= bytes.len());
                    let again = parse_head(&bytes[..used]).ok().flatten().map(|(h, _)| h);
                    proptest::prop_assert_eq!(again, Some(head));
                    proptest::prop_assert!(!matches!(parse_head(&bytes[..used - 1]), Ok(Some(_))));
                }
                Ok(None) => proptest::prop_assert!(bytes.len() < MAX_HEAD_BYTES),
                Err(refusal) => proptest::prop_assert!(refusal.line().ends_with("\r\n")),
            }
        }
    }

    #[test]
    fn answers_are_framed_as_spamd_frames_them() {
        assert_eq!(spam_field(true, 13.44, 5.0), "Spam: True ; 13.4 / 5.0");
        assert_eq!(
            answer_head(Some(3), &spam_field(false, -2.0, 5.0)),
            "SPAMD/1.5 0 EX_OK\r\nContent-length: 3\r\nSpam: False ; -2.0 / 5.0\r\n\r\n"
        );
        assert_eq!(pong(), "SPAMD/1.5 0 PONG\r\n");
        let refusal = Refusal::protocol("(bad\r\nline)");
        assert_eq!(refusal.line(), "SPAMD/1.5 76 EX_PROTOCOL (bad  line)\r\n");
    }
}
