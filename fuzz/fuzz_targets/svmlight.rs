//! The svmlight reader: any bytes give a matrix or an error, never a panic; a
//! matrix read is a valid CSR that writes and reads back to itself.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sparsetext::svmlight;

fuzz_target!(|bytes: &[u8]| {
    let Ok(data) = svmlight::read_from(bytes, Path::new("fuzz.svm")) else {
        return;
    };
    assert_eq!(data.x.rows(), data.y.len());
    assert!(data.x.is_csr());
    // Values round-trip through text only when finite; the writer prints what it has.
    if data.x.data().iter().all(|v| v.is_finite()) {
        let mut out = Vec::new();
        svmlight::write_to(&mut out, &data.x, &data.y).expect("writing to memory");
        let back = svmlight::read_from(&out[..], Path::new("back.svm")).expect("own output reads");
        assert_eq!(back.y, data.y);
        assert_eq!(back.x.indices(), data.x.indices());
        assert_eq!(back.x.data(), data.x.data());
    }
});
