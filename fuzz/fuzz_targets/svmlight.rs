//! The svmlight reader: any bytes give a matrix or an error, never a panic; a
//! matrix read is a valid CSR with one column per feature id present (so its
//! memory follows the non-zeros, never the largest id: `fuzz/run.sh` runs this
//! target under a lower `-rss_limit_mb` and `-malloc_limit_mb` than the others),
//! and it writes and reads back to itself.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use sparsetext::dataset::Dataset;
use sparsetext::svmlight::{self, MAX_FEATURE_ID};

fuzz_target!(|bytes: &[u8]| {
    let Ok(data) = svmlight::read_from(bytes, Path::new("fuzz.svm")) else {
        return;
    };
    assert_eq!(data.x.rows(), data.y.len());
    assert!(data.x.is_csr());
    // Columns are the ids present: as many as distinct ids, at most the non-zeros.
    assert_eq!(data.x.cols(), data.ids.len());
    assert!(data.x.cols() <= data.x.nnz());
    assert!(data.ids.windows(2).all(|w| w[0] < w[1]));
    assert!(data.ids.last().is_none_or(|&id| id <= data.max_id && id <= MAX_FEATURE_ID));
    // Values round-trip through text only when finite; the writer prints what it has.
    if data.x.data().iter().all(|v| v.is_finite()) {
        let mut out = Vec::new();
        svmlight::write_to(&mut out, &data.x, &data.y).expect("writing to memory");
        let back = svmlight::read_from(&out[..], Path::new("back.svm")).expect("own output reads");
        assert_eq!(back.y, data.y);
        assert_eq!(back.x.indices(), data.x.indices());
        assert_eq!(back.x.data(), data.x.data());
    }
    // min-df keeps a valid matrix of the columns in at least 2 rows.
    let mut set = Dataset {
        x: data.x,
        y: data.y,
    };
    let kept = set.keep_columns_in(2);
    assert_eq!(set.x.cols(), kept.len());
    assert!(set.x.is_csr());
});
