//! A message's identity in the training store: a digest of its bytes without
//! what delivery adds on the way, so that the copy a user moves out of Junk is
//! the message that was filtered.
//!
//! Left out: the mbox `From ` line, and the header fields whose names (compared
//! without regard to case) are in [`TRANSPORT_FIELDS`] or start with one of
//! [`TRANSPORT_PREFIXES`], each with its folded continuation lines. Line ends
//! are hashed as LF, so a message stored with CRLF (Maildir on some servers,
//! IMAP) is the same as with LF.
//!
//! The hash is 128-bit FNV-1a (Fowler, Noll and Vo; parameters from
//! <http://www.isthe.com/chongo/tech/comp/fnv/>): stable across platforms and
//! releases, which a store written by one version and read by the next needs.
//! It is not a cryptographic hash: a sender who could craft a collision could
//! only make one of their own messages stand for another of their own.

/// The digest of a message.
pub type Digest = [u8; 16];

/// Header fields delivery adds or rewrites (lower case).
pub const TRANSPORT_FIELDS: &[&str] = &[
    "received",
    "return-path",
    "delivered-to",
    "x-original-to",
    "x-sparsetext",
    "status",
    "x-status",
    "x-uid",
    "x-keywords",
    "content-length",
    "lines",
];

/// Prefixes of header field names delivery adds (lower case).
pub const TRANSPORT_PREFIXES: &[&str] = &["x-spam-", "x-imap", "x-mozilla-"];

const FNV_OFFSET: u128 = 0x6c62272e07bb014262b821756295c58d;
const FNV_PRIME: u128 = 0x0000000001000000000000000000013b;

struct Fnv(u128);

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u128::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }
}

/// The digest of `message` (see the [module docs](self)).
pub fn digest(message: &[u8]) -> Digest {
    let mut hash = Fnv(FNV_OFFSET);
    let mut rest = message;
    let mut first = true;
    let mut in_header = true;
    // Whether the header field being read (and so its continuation lines) is skipped.
    let mut skipping = false;
    while !rest.is_empty() {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        let body = strip_eol(line);
        if first {
            first = false;
            if body.starts_with(b"From ") {
                continue;
            }
        }
        if in_header {
            if body.is_empty() {
                in_header = false;
            } else if body[0] == b' ' || body[0] == b'\t' {
                if skipping {
                    continue;
                }
            } else {
                skipping = is_transport(body);
                if skipping {
                    continue;
                }
            }
        }
        hash.write(body);
        if body.len() < line.len() {
            hash.write(b"\n");
        }
    }
    hash.0.to_be_bytes()
}

/// The line without its LF or CRLF.
fn strip_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Whether a header line starts a field delivery adds.
fn is_transport(line: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    let name = line[..colon].trim_ascii_end().to_ascii_lowercase();
    TRANSPORT_FIELDS.iter().any(|f| name == f.as_bytes())
        || TRANSPORT_PREFIXES
            .iter()
            .any(|p| name.starts_with(p.as_bytes()))
}

/// The digest as 32 hexadecimal digits.
pub fn hex(digest: &Digest) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENT: &str = "From: a@example.com\nTo: b@example.org\nSubject: hello\n\
                        Message-ID: <1@example.com>\n\nReceived: in the body stays\n";

    #[test]
    fn delivery_headers_and_the_from_line_do_not_change_the_digest() {
        let delivered = "From a@example.com  Thu Dec  3 10:00:00 2026\n\
             Return-Path: <a@example.com>\nDelivered-To: b@example.org\n\
             Received: from mx.example.com (mx [192.0.2.1])\n\tby mail.example.org; Thu, 3 Dec 2026\n\
             X-Original-To: b@example.org\n\
             From: a@example.com\nTo: b@example.org\nSubject: hello\n\
             X-Spam-Status: No, score=1.0\nX-Spam-Flag: NO\nX-Sparsetext: ham p=0.01\n\
             Message-ID: <1@example.com>\nStatus: RO\nX-Status: A\nX-UID: 42\n\
             X-Keywords: $Junk\nContent-Length: 26\nLines: 1\nX-IMAPbase: 1 2\n\
             X-Mozilla-Status: 0001\n\nReceived: in the body stays\n";
        assert_eq!(digest(SENT.as_bytes()), digest(delivered.as_bytes()));
        let crlf = SENT.replace('\n', "\r\n");
        assert_eq!(digest(SENT.as_bytes()), digest(crlf.as_bytes()));
        // Case of the field names does not matter.
        let upper = format!("RECEIVED: from x\n\tby y\nx-spam-level: ***\n{SENT}");
        assert_eq!(digest(SENT.as_bytes()), digest(upper.as_bytes()));
    }

    #[test]
    fn content_changes_the_digest() {
        let base = digest(SENT.as_bytes());
        for changed in [
            SENT.replace("hello", "hullo"),
            SENT.replace("stays", "stays!"),
            SENT.replace("in the body", "in  the body"),
            // A Received line in the body is content.
            SENT.replace("Received: in the body stays\n", ""),
            format!("X-Other: 1\n{SENT}"),
        ] {
            assert_ne!(digest(changed.as_bytes()), base, "{changed}");
        }
        assert_eq!(hex(&base).len(), 32);
    }
}
