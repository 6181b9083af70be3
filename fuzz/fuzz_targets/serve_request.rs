//! The serve daemon's request parser: any bytes give a head, "need more" or a
//! refusal, never a panic; a head never claims more bytes than it was given,
//! and every prefix of a complete head is incomplete or refused.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sparsetext::serve::protocol::{MAX_HEAD_BYTES, parse_head};

fuzz_target!(|bytes: &[u8]| {
    match parse_head(bytes) {
        Ok(Some((head, used))) => {
            assert!(used <= bytes.len() && used <= MAX_HEAD_BYTES);
            assert_eq!(parse_head(&bytes[..used]).ok().flatten().map(|(h, _)| h), Some(head));
            if used > 0 {
                assert!(!matches!(parse_head(&bytes[..used - 1]), Ok(Some(_))));
            }
        }
        Ok(None) => assert!(bytes.len() < MAX_HEAD_BYTES),
        Err(refusal) => assert!(refusal.line().ends_with("\r\n")),
    }
});
