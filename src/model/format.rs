//! The model file: a fixed header, a bincode payload, a checksum.
//!
//! # File format (version 4)
//!
//! ```text
//! offset  size  field
//!      0     8  magic b"SPRSTXT\0"
//!      8     4  format version, u32 little-endian
//!     12     8  payload length N, u64 little-endian
//!     20     N  payload: serde + bincode 2, `config::standard()` (varints, little-endian)
//!   20+N     4  CRC-32 (IEEE, crc32fast) of the payload, u32 little-endian
//! ```
//!
//! The payload is the version-3 payload (`Payload`, frozen) followed by the sections later
//! versions append (`Since4`: what the terms are). Appending keeps each old shape spelled
//! out once: a version-3 file is the payload alone, and version 2 has its own shape
//! (`format/v2.rs`).
//!
//! The magic and the version never move, so any future sparsetext can say "this is a model
//! from a newer version" rather than "corrupt". The payload holds the terms as
//! length-prefixed UTF-8 and the weights as `f32`, so a feature costs its term's length plus
//! about five bytes. **Any change to the payload's shape, including a new field in
//! [`AnalyzerConfig`], changes the format and needs a [`FORMAT_VERSION`] bump.** Files older
//! than the oldest version this sparsetext reads are refused with a message that says to
//! train the model again.
//!
//! Validate on load: the payload decodes into a plain shadow struct, `Payload`, which
//! [`Model::try_from`] checks against every invariant of [`Model::new`] (sprs:
//! sprs/src/sparse/serde_traits.rs): bytes from disk are never trusted.
//!
//! Saving is atomic (`src/atomic.rs`): the bytes go to a temporary file in the target's
//! folder, are synced, and the file is renamed over the target, so a crash or error leaves
//! either the old model or the new one, never a torn file.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Invalid, Model, TermKind, TrainingSummary};
use crate::analyze::AnalyzerConfig;
use crate::atomic::write_atomic;
use crate::dataset::Scheme;
use crate::error::{Error, Result};

/// The first eight bytes of every model file.
pub const MAGIC: [u8; 8] = *b"SPRSTXT\0";

/// The format version this sparsetext writes, and the newest it reads. Version 4 appended
/// the terms' kind (tokens or svmlight feature ids; older files are read as tokens).
/// Version 3 added the analyzer's `received` setting and the summary's `decision_rule`;
/// version 2 files are read with `received` whole (as they were trained) and no decision
/// rule recorded (`format/v2.rs`).
pub const FORMAT_VERSION: u32 = 4;

/// The oldest version this sparsetext reads. Version 1 lacks the analyzer's `html_tags` and
/// `word_pairs` fields, so its payload does not decode: it is refused by name, not as corrupt.
const FIRST_READABLE_VERSION: u32 = 2;

/// Bytes before the payload: magic, version, payload length.
const HEADER_LEN: usize = 20;

/// Bytes after the payload: the CRC-32.
const TRAILER_LEN: usize = 4;

/// The largest payload we read (256 MiB, about 20 million features). Also bincode's
/// allocation limit while decoding, so no length field in a file can make us allocate more.
const MAX_PAYLOAD_LEN: usize = 1 << 28;

/// bincode's configuration for the payload.
fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_PAYLOAD_LEN>()
}

/// What version 4 appended after the version-3 payload.
#[derive(Serialize, Deserialize)]
struct Since4 {
    term_kind: TermKind,
}

/// The stored form of a model, in file order. Decoded straight from the file (terms borrow
/// from the bytes, so a bogus length can't make us allocate), then checked by
/// [`Model::try_from`]. Encoding uses the same struct, so the two can't drift apart.
#[derive(Serialize, Deserialize)]
struct Payload<'a> {
    analyzer: AnalyzerConfig,
    scheme: Scheme,
    #[serde(borrow)]
    terms: Vec<&'a str>,
    weights: Vec<f32>,
    intercept: f64,
    lambda: f64,
    alpha: f64,
    threshold: f64,
    unsure: Option<(f64, f64)>,
    summary: TrainingSummary,
}

impl<'a> Payload<'a> {
    /// The stored form of `model`, borrowing its terms.
    fn of(model: &'a Model) -> Payload<'a> {
        Payload {
            analyzer: model.analyzer.clone(),
            scheme: model.scheme,
            terms: model.terms.iter().map(String::as_str).collect(),
            weights: model.weights.clone(),
            intercept: model.intercept,
            lambda: model.lambda,
            alpha: model.alpha,
            threshold: model.threshold,
            unsure: model.unsure,
            summary: model.summary.clone(),
        }
    }

    /// The model these fields and the later sections make, checked.
    fn into_model(self, since4: Since4) -> Result<Model, Invalid> {
        let model = Model {
            analyzer: self.analyzer,
            scheme: self.scheme,
            terms: self.terms.into_iter().map(str::to_owned).collect(),
            weights: self.weights,
            intercept: self.intercept,
            lambda: self.lambda,
            alpha: self.alpha,
            threshold: self.threshold,
            unsure: self.unsure,
            term_kind: since4.term_kind,
            summary: self.summary,
        };
        model.check()?;
        Ok(model)
    }
}

/// Checks the 20-byte header at the start of `bytes` and returns the payload length, or
/// the reason the bytes are not a model this sparsetext can read. Fewer than 20 bytes is
/// fine as long as they are enough to tell (a wrong magic, a newer version).
fn parse_header(bytes: &[u8]) -> Result<(u32, usize), String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err("not a sparsetext model (bad magic)".into());
    }
    let truncated = || format!("truncated: header is {} of {HEADER_LEN} bytes", bytes.len());
    let version = match bytes.get(8..12) {
        Some(v) => u32::from_le_bytes(v.try_into().expect("4 bytes")),
        None => return Err(truncated()),
    };
    if version > FORMAT_VERSION {
        return Err(format!(
            "format version {version} is newer than this sparsetext supports ({FORMAT_VERSION})"
        ));
    }
    if (1..FIRST_READABLE_VERSION).contains(&version) {
        return Err(format!(
            "format version {version} is older than this sparsetext reads \
             ({FIRST_READABLE_VERSION} to {FORMAT_VERSION}): train the model again"
        ));
    }
    if version == 0 {
        return Err("format version 0 does not exist (file corrupted)".into());
    }
    let payload_len = match bytes.get(12..HEADER_LEN) {
        Some(v) => u64::from_le_bytes(v.try_into().expect("8 bytes")),
        None => return Err(truncated()),
    };
    if payload_len > MAX_PAYLOAD_LEN as u64 {
        return Err(format!(
            "payload length {payload_len} is over the {MAX_PAYLOAD_LEN}-byte limit (file corrupted?)"
        ));
    }
    Ok((version, payload_len as usize))
}

/// `Error::Model` for `path`.
fn model_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::Model {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

impl Model {
    /// The model file's bytes: header, payload, checksum (see the [module docs](self)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut payload = bincode::serde::encode_to_vec(Payload::of(self), bincode_config())
            .expect("model payload encodes (serializing plain data into a Vec cannot fail)");
        let since4 = Since4 {
            term_kind: self.term_kind,
        };
        bincode::serde::encode_into_std_write(since4, &mut payload, bincode_config())
            .expect("writing to a Vec cannot fail");
        assert!(
            payload.len() <= MAX_PAYLOAD_LEN,
            "model payload of {} bytes exceeds the {MAX_PAYLOAD_LEN}-byte limit",
            payload.len()
        );
        let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len() + TRAILER_LEN);
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&payload);
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes
    }

    /// Parses and checks a model file's bytes; `path` only labels errors.
    ///
    /// # Errors
    /// [`Error::Model`] with a one-line reason: `empty file`, `not a sparsetext model (bad
    /// magic)`, `truncated: ...`, `format version 7 is newer than this sparsetext supports
    /// (2)`, `checksum mismatch (file corrupted)`, `malformed payload: ...`,
    /// `invalid model: ...`. Never panics, whatever the bytes.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model> {
        let err = |reason: String| model_error(path, reason);
        let (version, payload_len) = parse_header(bytes).map_err(err)?;
        let payload_len = payload_len as u64;
        let rest = (bytes.len() - HEADER_LEN) as u64;
        if rest < payload_len {
            return Err(err(format!(
                "truncated: expected {payload_len} payload bytes, found {rest}"
            )));
        }
        let needed = payload_len + TRAILER_LEN as u64;
        if rest < needed {
            return Err(err(format!(
                "truncated: checksum is {} of {TRAILER_LEN} bytes",
                rest - payload_len
            )));
        }
        if rest > needed {
            return Err(err(format!(
                "{} unexpected bytes after the checksum",
                rest - needed
            )));
        }
        let payload_len = payload_len as usize; // <= MAX_PAYLOAD_LEN
        let payload = &bytes[HEADER_LEN..HEADER_LEN + payload_len];
        let stored = &bytes[HEADER_LEN + payload_len..];
        let stored = u32::from_le_bytes(stored.try_into().expect("4 bytes"));
        if crc32fast::hash(payload) != stored {
            return Err(err("checksum mismatch (file corrupted)".into()));
        }
        let malformed = |e: bincode::error::DecodeError| err(format!("malformed payload: {e}"));
        let (decoded, used): (Payload<'_>, usize) = if version == 2 {
            let (old, used): (v2::PayloadV2<'_>, usize) =
                bincode::serde::borrow_decode_from_slice(payload, bincode_config())
                    .map_err(malformed)?;
            (old.into(), used)
        } else {
            bincode::serde::borrow_decode_from_slice(payload, bincode_config())
                .map_err(malformed)?
        };
        let (since4, used) = if version >= 4 {
            let (since4, more): (Since4, usize) =
                bincode::serde::decode_from_slice(&payload[used..], bincode_config())
                    .map_err(malformed)?;
            (since4, used + more)
        } else {
            let since4 = Since4 {
                term_kind: TermKind::Tokens,
            };
            (since4, used)
        };
        if used != payload_len {
            return Err(err(format!(
                "malformed payload: {} trailing bytes",
                payload_len - used
            )));
        }
        decoded.into_model(since4).map_err(|e| {
            err(format!(
                "invalid model: invalid {} = {}: {}",
                e.name, e.value, e.reason
            ))
        })
    }

    /// Reads and checks the model file at `path`. Reads the 20-byte header first, then only
    /// as many bytes as it announces (so pointing it at a mailbox costs 20 bytes).
    ///
    /// # Errors
    /// [`Error::Io`] when the file can't be read; [`Error::Model`] as for
    /// [`Model::from_bytes`].
    pub fn load(path: &Path) -> Result<Model> {
        Model::load_with_version(path).map(|(model, _)| model)
    }

    /// [`Model::load`], and the file's format version (an older one than this sparsetext
    /// writes when the model was read from a version-2 file).
    ///
    /// # Errors
    /// As [`Model::load`].
    pub fn load_with_version(path: &Path) -> Result<(Model, u32)> {
        let io = |e| Error::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let mut bytes = Vec::with_capacity(HEADER_LEN);
        (&mut file)
            .take(HEADER_LEN as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        // Check the header before reading on: a large file that is not a model costs 20
        // bytes, and the payload length bounds what we read next.
        let (version, payload_len) = parse_header(&bytes).map_err(|r| model_error(path, r))?;
        let expected = (HEADER_LEN + payload_len + TRAILER_LEN) as u64;
        // One byte more than a model needs, to notice trailing bytes without reading them.
        (&mut file)
            .take(expected - HEADER_LEN as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > expected {
            let extra = file
                .metadata()
                .map_or(1, |m| m.len().saturating_sub(expected));
            return Err(model_error(
                path,
                format!("{extra} unexpected bytes after the checksum"),
            ));
        }
        Ok((Model::from_bytes(&bytes, path)?, version))
    }

    /// Writes the model to `path` atomically and returns the number of bytes written.
    ///
    /// The bytes go to a temporary file in the same folder (`.<name>.<random>.tmp`), which is
    /// synced and then renamed over `path`; the folder is then synced where the platform
    /// allows (best effort: the rename has already happened). On any error the temporary
    /// file is removed and a previous file at `path` is untouched. New files get the usual
    /// permissions (0666 less the umask on Unix); a replaced file's permissions are not kept.
    /// If `path` is a symbolic link, the link itself is replaced, not the file it points to.
    /// The folder must exist.
    ///
    /// # Errors
    /// [`Error::Io`] naming the folder (when the temporary file can't be created there) or
    /// `path` (writing, syncing, renaming).
    pub fn save(&self, path: &Path) -> Result<u64> {
        let bytes = self.to_bytes();
        write_atomic(path, |file| file.write_all(&bytes))?;
        Ok(bytes.len() as u64)
    }
}

#[cfg(test)]
mod tests;
mod v2;
