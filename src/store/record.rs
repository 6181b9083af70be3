//! The training store's file format: a magic and version, then records, each
//! framed so that a record torn by a crash or corrupted on disk is detected,
//! never read as data.
//!
//! ```text
//! file    = MAGIC (8 bytes) version (u32 LE) record*
//! record  = length (u32 LE, of payload) kind (u8) crc (u32 LE) payload
//! crc     = CRC-32 (IEEE) of kind and payload
//! payload = the Record, bincode 2 (standard: varint integers)
//! ```
//!
//! A reader stops at the first record whose frame runs past the end of the
//! file, whose CRC does not match, or whose payload does not decode: what
//! follows is reported and dropped.

use serde::{Deserialize, Serialize};

use super::digest::Digest;
use crate::analyze::AnalyzerConfig;
use crate::dataset::Scheme;

/// The first bytes of a store.
pub const MAGIC: &[u8; 8] = b"SPTXSTOR";
/// The store format this build writes and reads.
pub const VERSION: u32 = 1;
/// Bytes before the first record.
pub const PREAMBLE: usize = MAGIC.len() + 4;
/// Bytes of a record's frame before its payload.
const FRAME: usize = 4 + 1 + 4;

/// What binds a store to the models trained from it: the analyzer and the
/// matrix a refit must build as training did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// The analyzer the messages were tokenized with.
    pub analyzer: AnalyzerConfig,
    /// The row value scheme.
    pub scheme: Scheme,
    /// Terms in fewer messages are not columns of the refit.
    pub min_df: u32,
}

/// One record of the store.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Record {
    /// First record: what the store belongs to.
    Header(Header),
    /// New terms, numbered on from the terms before them.
    Terms(Vec<String>),
    /// A message with its label (replacing one of the same digest): its term ids
    /// ascending, each as the gap from the one before (the first from 0), with its
    /// count. Gaps keep most ids to one varint byte.
    Add {
        /// The message's digest.
        digest: Digest,
        /// `true` for spam.
        spam: bool,
        /// `(id gap, count)` pairs.
        terms: Vec<(u32, u32)>,
    },
    /// A message removed.
    Forget(Digest),
    /// The records since the last commit are about to be committed with the model
    /// whose bytes have this CRC-32: if that model is in place, they are.
    Prepare(u32),
    /// The records so far belong to the model whose bytes have this CRC-32.
    Commit(u32),
}

impl Record {
    fn kind(&self) -> u8 {
        match self {
            Record::Header(_) => 1,
            Record::Terms(_) => 2,
            Record::Add { .. } => 3,
            Record::Forget(_) => 4,
            Record::Prepare(_) => 5,
            Record::Commit(_) => 6,
        }
    }
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard()
}

/// The file's first bytes.
pub fn preamble() -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend(VERSION.to_le_bytes());
    out
}

/// Appends `record`, framed, to `out`.
pub fn encode(record: &Record, out: &mut Vec<u8>) {
    let payload = bincode::serde::encode_to_vec(record, config()).expect("a record always encodes");
    let kind = record.kind();
    let mut crc = crc32fast::Hasher::new();
    crc.update(&[kind]);
    crc.update(&payload);
    out.extend((payload.len() as u32).to_le_bytes());
    out.push(kind);
    out.extend(crc.finalize().to_le_bytes());
    out.extend(payload);
}

/// What [`decode_all`] read.
#[derive(Debug)]
pub struct Decoded {
    /// The records, each with the offset of the byte after it.
    pub records: Vec<(Record, u64)>,
    /// Where the first bad record starts, and why it is bad; `None` when the
    /// file ends cleanly after the last record.
    pub bad: Option<(u64, &'static str)>,
}

/// Checks the preamble; `Err` says what is wrong with it.
pub fn check_preamble(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < PREAMBLE || &bytes[..MAGIC.len()] != MAGIC {
        return Err("not a sparsetext training store (no store header)".into());
    }
    let version = u32::from_le_bytes(bytes[MAGIC.len()..PREAMBLE].try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format!(
            "store format version {version}, this sparsetext reads version {VERSION}"
        ));
    }
    Ok(())
}

/// Reads the records after the preamble, up to the first bad one.
pub fn decode_all(bytes: &[u8]) -> Decoded {
    let mut records = Vec::new();
    let mut at = PREAMBLE;
    let bad = loop {
        if at == bytes.len() {
            break None;
        }
        let rest = &bytes[at..];
        if rest.len() < FRAME {
            break Some((at as u64, "a record's frame is cut short"));
        }
        let len = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
        let kind = rest[4];
        let crc = u32::from_le_bytes(rest[5..9].try_into().expect("4 bytes"));
        if rest.len() - FRAME < len {
            break Some((at as u64, "a record is cut short"));
        }
        let payload = &rest[FRAME..FRAME + len];
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&[kind]);
        hasher.update(payload);
        if hasher.finalize() != crc {
            break Some((at as u64, "a record's checksum does not match"));
        }
        match bincode::serde::decode_from_slice::<Record, _>(payload, config()) {
            Ok((record, used)) if used == len && record.kind() == kind => {
                at += FRAME + len;
                records.push((record, at as u64));
            }
            _ => break Some((at as u64, "a record does not decode")),
        }
    };
    Decoded { records, bad }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(records: &[Record]) -> Vec<u8> {
        let mut out = preamble();
        for r in records {
            encode(r, &mut out);
        }
        out
    }

    #[test]
    fn records_round_trip_and_a_torn_tail_is_found_at_any_cut() {
        let records = vec![
            Record::Terms(vec!["cash".into(), "lunch".into()]),
            Record::Add {
                digest: [7; 16],
                spam: true,
                terms: vec![(0, 2), (1, 1)],
            },
            Record::Forget([7; 16]),
            Record::Commit(42),
        ];
        let bytes = file(&records);
        check_preamble(&bytes).unwrap();
        let decoded = decode_all(&bytes);
        assert!(decoded.bad.is_none());
        let got: Vec<Record> = decoded.records.iter().map(|(r, _)| r.clone()).collect();
        assert_eq!(got, records);
        assert_eq!(decoded.records.last().unwrap().1, bytes.len() as u64);
        // Every cut inside a record keeps exactly the records before it.
        let ends: Vec<u64> = decoded.records.iter().map(|&(_, e)| e).collect();
        for cut in PREAMBLE..bytes.len() {
            let decoded = decode_all(&bytes[..cut]);
            let whole = ends.iter().filter(|&&e| e <= cut as u64).count();
            assert_eq!(decoded.records.len(), whole, "cut at {cut}");
            let clean = cut == PREAMBLE || ends.contains(&(cut as u64));
            assert_eq!(decoded.bad.is_none(), clean, "cut at {cut}");
        }
        // A flipped byte anywhere in a record is caught.
        for at in PREAMBLE..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x5a;
            let decoded = decode_all(&bad);
            assert!(decoded.bad.is_some(), "flip at {at}");
        }
    }

    #[test]
    fn a_foreign_file_or_another_version_is_refused() {
        assert!(check_preamble(b"hello world!").is_err());
        let mut bytes = preamble();
        bytes[MAGIC.len()] = 9;
        let err = check_preamble(&bytes).unwrap_err();
        assert!(err.contains("version 9"), "{err}");
    }
}
