//! The model loader: any bytes give a model or a one-line error, never a
//! panic; a model loaded passes its own checks again after a save/load.
//!
//! Random bytes rarely get past the magic and the CRC-32, so an input that
//! starts with `P` has its remaining bytes wrapped in a valid container
//! (magic, version, length, checksum): the fuzzer then works on the payload
//! decoder and the invariant checks behind it.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sparsetext::model::{FORMAT_VERSION, MAGIC, Model};

fn container(payload: &[u8]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    bytes.extend_from_slice(payload);
    bytes.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    bytes
}

fuzz_target!(|input: &[u8]| {
    let bytes = match input.split_first() {
        Some((b'P', payload)) => container(payload),
        _ => input.to_vec(),
    };
    let path = Path::new("fuzz.model");
    match Model::from_bytes(&bytes, path) {
        Ok(model) => {
            let again = Model::from_bytes(&model.to_bytes(), path).expect("own bytes load");
            assert_eq!(again, model, "save/load identity");
        }
        Err(err) => assert!(!err.to_string().contains('\n'), "one-line error: {err}"),
    }
});
