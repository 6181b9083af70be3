//! One connection: read a request within the deadline, score, answer, log one line.
//!
//! Every request must arrive whole within the server's timeout counted from
//! the accept, however slowly its bytes trickle in; the answer must be taken
//! within the timeout too. Bytes are buffered only after their room is reserved
//! from the server's budget, so a crowd of large requests is refused with
//! `EX_TEMPFAIL` instead of exhausting memory.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::protocol::{self, Head, MessageClass, Method, Refusal, Status};
use super::server::Shared;
use super::verdict::{Judgement, REQUIRED_SCORE};
use crate::learn::{Action, LearnOptions};

/// How long a refused client gets to take its answer line.
const REFUSAL_WRITE_TIMEOUT: Duration = Duration::from_secs(1);

/// After a refusal, at most this many unread request bytes are read and dropped (within
/// [`DRAIN_TIME`]), so that closing does not reset the connection before the client
/// reads the answer.
const DRAIN_BYTES: usize = 256 * 1024;
const DRAIN_TIME: Duration = Duration::from_millis(200);

/// A client's socket.
#[derive(Debug)]
pub(super) enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Stream {
    fn set_read_timeout(&self, t: Option<Duration>) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Unix(s) => s.set_read_timeout(t),
        }
    }

    fn set_write_timeout(&self, t: Option<Duration>) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_write_timeout(t),
            Stream::Unix(s) => s.set_write_timeout(t),
        }
    }

    fn shutdown_write(&self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Write),
            Stream::Unix(s) => s.shutdown(Shutdown::Write),
        };
    }

    /// Writes `bytes` whole, or fails after `timeout`.
    pub(super) fn send(&mut self, bytes: &[u8], timeout: Duration) -> std::io::Result<()> {
        self.set_write_timeout(Some(timeout))?;
        self.write_all(bytes)?;
        self.flush()
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// An accepted connection.
#[derive(Debug)]
pub(super) struct Conn {
    pub stream: Stream,
    /// `address:port`, or `unix` for the Unix socket.
    pub peer: String,
    pub accepted: Instant,
}

/// Bytes of requests and answers buffered at once, server-wide.
#[derive(Debug)]
pub(super) struct Budget {
    used: AtomicUsize,
    limit: usize,
}

impl Budget {
    pub(super) fn new(limit: usize) -> Budget {
        Budget {
            used: AtomicUsize::new(0),
            limit,
        }
    }

    /// Room for `bytes`, given back when the reservation drops; `None` if over the limit.
    fn reserve(&self, bytes: usize) -> Option<Reservation<'_>> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .ok()?;
        Some(Reservation {
            budget: self,
            bytes,
        })
    }
}

struct Reservation<'a> {
    budget: &'a Budget,
    bytes: usize,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        self.budget.used.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// Why a request got no verdict.
enum Failure {
    /// `PING` or `SKIP`, answered.
    Answered(Method),
    /// Answered with an error line.
    Refused(Refusal),
    /// The client went away or stopped reading.
    Gone(std::io::Error),
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure::Refused(r)
    }
}

/// Serves one connection to its end and logs it.
pub(super) fn handle(conn: Conn, shared: &Shared) {
    let Conn {
        mut stream,
        peer,
        accepted,
    } = conn;
    let deadline = accepted + shared.timeout;
    match serve(&mut stream, deadline, shared) {
        Ok(Some(done)) => log::info!(
            "{peer} user={} {} {} {:.1}/{REQUIRED_SCORE:.1} p={:.4} bytes={} us={}",
            done.user,
            done.method.as_str(),
            done.judgement.verdict,
            done.judgement.points,
            done.judgement.p_spam,
            done.bytes,
            accepted.elapsed().as_micros()
        ),
        Ok(None) => {}
        Err(Failure::Answered(method)) => log::info!(
            "{peer} {} us={}",
            method.as_str(),
            accepted.elapsed().as_micros()
        ),
        Err(Failure::Refused(refusal)) => {
            log::warn!("{peer} refused: {refusal}");
            refuse(&mut stream, &refusal);
        }
        Err(Failure::Gone(err)) => log::warn!("{peer} dropped: {err}"),
    }
}

/// Sends `refusal`'s line, then closes without resetting the connection under a client
/// that is still sending.
pub(super) fn refuse(stream: &mut Stream, refusal: &Refusal) {
    if stream
        .send(refusal.line().as_bytes(), REFUSAL_WRITE_TIMEOUT)
        .is_err()
    {
        return;
    }
    stream.shutdown_write();
    let until = Instant::now() + DRAIN_TIME;
    let mut chunk = [0u8; 16 * 1024];
    let mut drained = 0;
    while drained < DRAIN_BYTES {
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// A request served, for the log line.
struct Served {
    method: Method,
    user: String,
    judgement: Judgement,
    bytes: usize,
}

fn serve(
    stream: &mut Stream,
    deadline: Instant,
    shared: &Shared,
) -> Result<Option<Served>, Failure> {
    let mut buf = Vec::with_capacity(4096);
    let (head, used) = loop {
        if let Some(done) = protocol::parse_head(&buf)? {
            break done;
        }
        let room = protocol::MAX_HEAD_BYTES + 1 - buf.len().min(protocol::MAX_HEAD_BYTES);
        if read_more(stream, &mut buf, room, deadline, shared.timeout)? == 0 {
            if buf.is_empty() {
                return Ok(None);
            }
            return Err(Refusal::protocol("(closed before the end of the headers)").into());
        }
    };
    match head.method {
        Method::Ping => {
            stream
                .send(protocol::pong().as_bytes(), shared.timeout)
                .map_err(Failure::Gone)?;
            return Err(Failure::Answered(Method::Ping));
        }
        Method::Skip => return Err(Failure::Answered(Method::Skip)),
        _ => {}
    }
    let max = shared.max_message_bytes;
    let declared = head
        .content_length
        .ok_or_else(|| Refusal::protocol("(Content-length header required)"))?;
    let len = usize::try_from(declared)
        .ok()
        .filter(|&n| n <= max)
        .ok_or_else(|| {
            Refusal::new(
                Status::DataErr,
                format!("(message of {declared} bytes is over the limit of {max})"),
            )
        })?;
    let room = if head.zlib {
        len + max
    } else if matches!(head.method, Method::Process | Method::Headers) {
        2 * len
    } else {
        len
    };
    let _reservation = shared.budget.reserve(room).ok_or_else(|| {
        Refusal::new(
            Status::TempFail,
            "(too many bytes in flight; try again later)",
        )
    })?;
    // Bytes past Content-length are not the message: they are ignored.
    buf.drain(..used);
    buf.truncate(len);
    while buf.len() < len {
        let want = len - buf.len();
        if read_more(stream, &mut buf, want, deadline, shared.timeout)? == 0 {
            return Err(Refusal::protocol(format!(
                "(Content-length mismatch: expected {len} bytes, got {})",
                buf.len()
            ))
            .into());
        }
    }
    let message = if head.zlib { inflate(&buf, max)? } else { buf };
    let told = if head.method == Method::Tell {
        Some(tell(&head, &message, shared)?)
    } else {
        None
    };
    let scorer = shared.models.for_user(head.user.as_deref())?;
    let explain = matches!(
        head.method,
        Method::Symbols | Method::Report | Method::ReportIfSpam
    );
    let judgement = shared.scoring.install(|| {
        if explain {
            let (score, features) = scorer.score_and_explain(&message, shared.explain_top);
            let features = features.into_iter().map(|(t, c)| (t.to_string(), c));
            Judgement::new(scorer.model(), &score, features.collect())
        } else {
            Judgement::new(scorer.model(), &scorer.score(&message), Vec::new())
        }
    });
    let answer = match &told {
        Some(did) => protocol::told(did).into_bytes(),
        None => answer(&head, &judgement, &message),
    };
    stream
        .send(&answer, shared.timeout)
        .map_err(Failure::Gone)?;
    Ok(Some(Served {
        method: head.method,
        user: printable(head.user.as_deref().unwrap_or("-")),
        judgement,
        bytes: message.len(),
    }))
}

/// Learns a `TELL`'s message into the training store of the requesting user's
/// model and reloads it; what was done, for the answer's `DidSet`/`DidRemove`.
fn tell(head: &Head, message: &[u8], shared: &Shared) -> Result<protocol::Did, Failure> {
    if !shared.allow_tell {
        return Err(Refusal::new(
            Status::Unavailable,
            "(TELL: learning is off; start sparsetext serve with --allow-tell)",
        )
        .into());
    }
    let tell = &head.tell;
    let action = match (tell.set_local, tell.remove_local, tell.class) {
        (true, _, Some(MessageClass::Spam)) => Action::Spam,
        (true, _, Some(MessageClass::Ham)) => Action::Ham,
        (false, true, _) => Action::Forget,
        _ => {
            return Err(Refusal::protocol(
                "(TELL needs Message-class with Set: local, or Remove: local)",
            )
            .into());
        }
    };
    let path = shared.models.path_for_user(head.user.as_deref())?;
    let outcome = crate::learn::learn(&path, &[(message, action)], &LearnOptions::default())
        .map_err(|e| {
            log::error!("TELL: {}", e.to_string().replace('\n', " "));
            Refusal::new(
                Status::Software,
                "(TELL: learning failed; see the server's log)",
            )
        })?;
    shared.models.refresh(false);
    let changed = outcome.refit.is_some();
    Ok(protocol::Did {
        set: changed && action != Action::Forget,
        removed: changed && action == Action::Forget,
    })
}

/// The whole answer to a scoring request.
fn answer(head: &Head, judgement: &Judgement, message: &[u8]) -> Vec<u8> {
    let field = protocol::spam_field(judgement.is_spam(), judgement.points, REQUIRED_SCORE);
    let body: Vec<u8> = match head.method {
        Method::Check => return protocol::answer_head(None, &field).into_bytes(),
        Method::Symbols => judgement.symbols().into_bytes(),
        Method::Report => judgement.report().into_bytes(),
        Method::ReportIfSpam if judgement.is_spam() => judgement.report().into_bytes(),
        Method::ReportIfSpam => Vec::new(),
        Method::Process | Method::Headers => {
            let mut out = crate::passthrough::insert_header(message, &judgement.header_field());
            if head.method == Method::Headers {
                out.truncate(header_section_len(&out));
            }
            out
        }
        Method::Ping | Method::Skip | Method::Tell => unreachable!("answered before scoring"),
    };
    let mut out = protocol::answer_head(Some(body.len()), &field).into_bytes();
    out.extend_from_slice(&body);
    out
}

/// The length of a message's header section with the blank line that ends it; the whole
/// message if it has no blank line.
fn header_section_len(message: &[u8]) -> usize {
    let mut at = 0;
    while at < message.len() {
        let end = memchr::memchr(b'\n', &message[at..]).map_or(message.len(), |i| at + i + 1);
        let line = &message[at..end];
        if line == b"\n" || line == b"\r\n" {
            return end;
        }
        at = end;
    }
    message.len()
}

/// Reads at most `most` bytes onto `buf`; 0 at the end of the stream. Fails with a
/// timeout refusal once `deadline` passes.
fn read_more(
    stream: &mut Stream,
    buf: &mut Vec<u8>,
    most: usize,
    deadline: Instant,
    timeout: Duration,
) -> Result<usize, Failure> {
    let want = most.min(64 * 1024);
    let old = buf.len();
    let timed_out = || {
        Failure::Refused(Refusal::new(
            Status::Timeout,
            format!(
                "({} second timeout reading the request)",
                timeout.as_secs_f64()
            ),
        ))
    };
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        stream.set_read_timeout(Some(left)).map_err(Failure::Gone)?;
        buf.resize(old + want, 0);
        let read = stream.read(&mut buf[old..]);
        buf.truncate(old + *read.as_ref().unwrap_or(&0));
        match read {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out());
            }
            Err(e) => return Err(Failure::Gone(e)),
        }
    }
}

/// Inflates a `Compress: zlib` body, refusing one that is not zlib or inflates past `max`.
fn inflate(compressed: &[u8], max: usize) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::with_capacity(compressed.len().saturating_mul(4).min(max));
    let decoder = flate2::read::ZlibDecoder::new(compressed);
    decoder
        .take(max as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| Refusal::protocol(format!("(zlib: {e})")))?;
    if out.len() > max {
        return Err(Refusal::new(
            Status::DataErr,
            format!("(message inflates past the limit of {max} bytes)"),
        ));
    }
    Ok(out)
}

/// `s` with control characters shown as `?`, for log lines.
fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_sections_end_at_the_first_blank_line() {
        assert_eq!(header_section_len(b"A: b\r\n\r\nbody\r\n\r\n"), 8);
        assert_eq!(header_section_len(b"A: b\n\nbody"), 6);
        assert_eq!(header_section_len(b"\nbody"), 1);
        assert_eq!(header_section_len(b"A: b\nC: d"), 9);
    }

    #[test]
    fn zlib_bodies_inflate_within_the_limit() {
        use flate2::{Compression, write::ZlibEncoder};
        let mut enc = ZlibEncoder::new(Vec::new(), Compression::default());
        enc.write_all(&[b'a'; 10_000]).unwrap();
        let z = enc.finish().unwrap();
        assert_eq!(inflate(&z, 10_000).unwrap().len(), 10_000);
        assert_eq!(inflate(&z, 9_999).unwrap_err().status, Status::DataErr);
        assert_eq!(
            inflate(b"not zlib at all", 100).unwrap_err().status,
            Status::Protocol
        );
        assert_eq!(
            inflate(&z[..z.len() / 2], 10_000).unwrap_err().status,
            Status::Protocol
        );
    }

    #[test]
    fn the_budget_refuses_past_its_limit_and_frees_on_drop() {
        let budget = Budget::new(100);
        let a = budget.reserve(60).unwrap();
        assert!(budget.reserve(41).is_none());
        let b = budget.reserve(40).unwrap();
        drop(a);
        drop(b);
        assert!(budget.reserve(100).is_some());
        assert!(budget.reserve(usize::MAX).is_none());
    }
}
