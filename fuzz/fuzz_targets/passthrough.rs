//! Passthrough: for any bytes, cut into chunks of any size, the streamed
//! output is the input less incoming `X-Sparsetext` fields plus our one field,
//! exactly as the whole-line model in tests/passthrough_model.rs says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sparsetext::passthrough::{LineEnding, Stamper, insert_header};

#[path = "../../tests/passthrough_model.rs"]
mod passthrough_model;

const FIELD: &str = "X-Sparsetext: spam; p=0.9931";

fuzz_target!(|input: &[u8]| {
    let Some((&chunk, message)) = input.split_first() else {
        return;
    };
    let whole = insert_header(message, FIELD);
    assert_eq!(whole, passthrough_model::stamped(message, FIELD));
    let mut streamed = Vec::new();
    let mut stamper = Stamper::new(&mut streamed, FIELD, LineEnding::detect(message));
    for piece in message.chunks(usize::from(chunk).max(1)) {
        stamper.write(piece).unwrap();
    }
    stamper.finish().unwrap();
    assert_eq!(streamed, whole, "chunks of {chunk}");
});
