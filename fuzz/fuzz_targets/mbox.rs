//! The mbox splitter: any bytes split without a panic, into no more messages
//! than separator lines, none longer than the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sparsetext::corpus::{is_mbox, is_separator, split_mbox};

fuzz_target!(|bytes: &[u8]| {
    let _ = is_mbox(bytes);
    let messages = split_mbox(bytes);
    let separators = bytes
        .split_inclusive(|&b| b == b'\n')
        .filter(|line| is_separator(line))
        .count();
    assert!(messages.len() <= separators);
    let total: usize = messages.iter().map(Vec::len).sum();
    assert!(total <= bytes.len(), "splitting only drops bytes");
});
