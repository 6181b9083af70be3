//! Raw bytes -> [`Message`]: decoded header fields and body text.
//!
//! STUB: the interface the rest of the crate relies on; the real decoder
//! (mail-parser based) replaces the body of [`parse`].

/// One decoded header field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Field name, lower-cased (`subject`, `from`, ...).
    pub name: String,
    /// Field value with RFC 2047 encoded words decoded.
    pub value: String,
}

/// A decoded message: what the analyzer reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// Header fields in order of appearance.
    pub headers: Vec<Header>,
    /// The decoded text of each text part (HTML turned into text), in order.
    pub texts: Vec<String>,
    /// URLs found in the body (text and HTML links), as written.
    pub urls: Vec<String>,
}

/// Parses raw mail bytes. Never fails: malformed input yields what could be decoded.
pub fn parse(raw: &[u8]) -> Message {
    Message {
        headers: Vec::new(),
        texts: vec![String::from_utf8_lossy(raw).into_owned()],
        urls: Vec::new(),
    }
}
