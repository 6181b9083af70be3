//! The model file: round trips, every way bytes can be damaged, and atomic saving.

use std::path::PathBuf;

use proptest::prelude::*;

use super::*;
use crate::dataset::Weighting;
use crate::model::ModelParts;
use crate::model::testing::{any_model, scheme, tiny};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/model");

fn p() -> &'static Path {
    Path::new("test.model")
}

/// The reason of an `Error::Model`, or a panic.
fn reason(result: Result<Model>) -> String {
    match result {
        Err(Error::Model { path, reason }) => {
            assert_eq!(path, p());
            reason
        }
        other => panic!("expected Error::Model, got {other:?}"),
    }
}

/// A container around arbitrary payload bytes, with a correct checksum.
fn container(payload: &[u8]) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    b.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    b.extend_from_slice(payload);
    b.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    b
}

fn encode(payload: &Payload<'_>) -> Vec<u8> {
    container(&payload_bytes(payload))
}

/// A payload and the sections later versions append, as the file holds them.
fn payload_bytes(payload: &Payload<'_>) -> Vec<u8> {
    let mut bytes = bincode::serde::encode_to_vec(payload, bincode_config()).unwrap();
    let since4 = Since4 {
        term_kind: TermKind::Tokens,
    };
    bytes.extend(bincode::serde::encode_to_vec(since4, bincode_config()).unwrap());
    bytes
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn round_trip_small() {
    let model = tiny(scheme(Weighting::LogCounts, true));
    let bytes = model.to_bytes();
    assert_eq!(&bytes[..8], b"SPRSTXT\0");
    assert_eq!(Model::from_bytes(&bytes, p()).unwrap(), model);
}

#[test]
fn empty_and_short_files() {
    assert_eq!(reason(Model::from_bytes(b"", p())), "empty file");
    assert_eq!(
        reason(Model::from_bytes(b"abc", p())),
        "not a sparsetext model (bad magic)"
    );
    assert_eq!(
        reason(Model::from_bytes(b"SPR", p())),
        "truncated: header is 3 of 20 bytes"
    );
    assert_eq!(
        reason(Model::from_bytes(b"SPRSTXT!and more bytes", p())),
        "not a sparsetext model (bad magic)"
    );
}

#[test]
fn an_email_is_not_a_model() {
    let path = Path::new(FIXTURES).join("not-a-model.eml");
    match Model::load(&path) {
        Err(Error::Model { path: p, reason }) => {
            assert_eq!(p, path);
            assert_eq!(reason, "not a sparsetext model (bad magic)");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_file_is_an_io_error() {
    let path = PathBuf::from(FIXTURES).join("no-such.model");
    assert!(matches!(Model::load(&path), Err(Error::Io { path: p, .. }) if p == path));
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = tiny(Scheme::default()).to_bytes();
    for len in 0..bytes.len() {
        let r = reason(Model::from_bytes(&bytes[..len], p()));
        if len > 0 {
            assert!(r.starts_with("truncated: "), "prefix {len}: {r}");
        }
    }
    let payload_len = bytes.len() - 24;
    assert_eq!(
        reason(Model::from_bytes(&bytes[..30], p())),
        format!("truncated: expected {payload_len} payload bytes, found 10")
    );
}

#[test]
fn every_bit_flip_is_detected() {
    let bytes = tiny(scheme(Weighting::Counts, true)).to_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut bad = bytes.clone();
            bad[i] ^= 1 << bit;
            let r = reason(Model::from_bytes(&bad, p()));
            if (20..bytes.len() - 4).contains(&i) || i >= bytes.len() - 4 {
                assert_eq!(
                    r, "checksum mismatch (file corrupted)",
                    "byte {i} bit {bit}"
                );
            }
        }
    }
}

#[test]
fn load_reports_like_from_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.model");
    let bytes = tiny(Scheme::default()).to_bytes();
    let on_disk = |content: &[u8]| {
        std::fs::write(&path, content).unwrap();
        match Model::load(&path) {
            Err(Error::Model { reason, .. }) => reason,
            other => panic!("{other:?}"),
        }
    };
    for len in 0..bytes.len() {
        assert_eq!(
            on_disk(&bytes[..len]),
            reason(Model::from_bytes(&bytes[..len], p())),
            "prefix {len}"
        );
    }
    let mut long = bytes.clone();
    long.extend_from_slice(&[0; 1000]);
    assert_eq!(on_disk(&long), "1000 unexpected bytes after the checksum");
    let mut flipped = bytes.clone();
    flipped[30] ^= 4;
    assert_eq!(on_disk(&flipped), "checksum mismatch (file corrupted)");
}

#[cfg(target_os = "linux")]
#[test]
fn load_stops_after_a_bad_header() {
    // An endless stream: load must not read on past the header.
    let r = Model::load(Path::new("/dev/zero"));
    assert!(
        matches!(&r, Err(Error::Model { reason, .. }) if reason.contains("bad magic")),
        "{r:?}"
    );
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut bytes = tiny(Scheme::default()).to_bytes();
    bytes.extend_from_slice(b"xy");
    assert_eq!(
        reason(Model::from_bytes(&bytes, p())),
        "2 unexpected bytes after the checksum"
    );
}

#[test]
fn versions() {
    let mut bytes = tiny(Scheme::default()).to_bytes();
    bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
    let newer =
        format!("format version 7 is newer than this sparsetext supports ({FORMAT_VERSION})");
    assert_eq!(reason(Model::from_bytes(&bytes, p())), newer);
    // The version is read before the rest of the header, whose layout may change.
    assert_eq!(reason(Model::from_bytes(&bytes[..12], p())), newer);
    bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
    assert_eq!(
        reason(Model::from_bytes(&bytes, p())),
        format!(
            "format version 1 is older than this sparsetext reads (2 to {FORMAT_VERSION}): \
             train the model again"
        )
    );
    bytes[8..12].copy_from_slice(&0u32.to_le_bytes());
    assert!(reason(Model::from_bytes(&bytes, p())).contains("version 0"));
    // A version-4 payload labelled version 2 does not fit the old shape; labelled
    // version 3, the section version 4 appended is left over.
    bytes[8..12].copy_from_slice(&2u32.to_le_bytes());
    assert!(reason(Model::from_bytes(&bytes, p())).starts_with("malformed payload"));
    bytes[8..12].copy_from_slice(&3u32.to_le_bytes());
    assert_eq!(
        reason(Model::from_bytes(&bytes, p())),
        "malformed payload: 1 trailing bytes"
    );
}

#[test]
fn huge_payload_length_is_refused_without_allocating() {
    let mut bytes = tiny(Scheme::default()).to_bytes();
    bytes[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(reason(Model::from_bytes(&bytes, p())).contains("over the"));
    bytes[12..20].copy_from_slice(&(MAX_PAYLOAD_LEN as u64).to_le_bytes());
    assert!(reason(Model::from_bytes(&bytes, p())).starts_with("truncated: expected"));
}

#[test]
fn checksummed_garbage_is_malformed() {
    // 2^40 terms, or one term of 2^40 bytes (varint 0xFD + u64), then nothing.
    for count in [&[][..], &[1]] {
        let mut payload = bytes_before_terms();
        payload.extend_from_slice(count);
        payload.push(0xFD);
        payload.extend_from_slice(&(1u64 << 40).to_le_bytes());
        let r = reason(Model::from_bytes(&container(&payload), p()));
        assert!(r.starts_with("malformed payload: "), "{r}");
    }
    let r = reason(Model::from_bytes(&container(b"\xff\xff\xff"), p()));
    assert!(r.starts_with("malformed payload: "), "{r}");
    // A valid payload followed by junk inside the checksummed region.
    let model = tiny(Scheme::default());
    let mut payload = payload_bytes(&Payload::of(&model));
    payload.push(0);
    assert_eq!(
        reason(Model::from_bytes(&container(&payload), p())),
        "malformed payload: 1 trailing bytes"
    );
}

/// The encoded bytes of the fields before `terms`, to craft payloads by hand.
fn bytes_before_terms() -> Vec<u8> {
    let mut b = bincode::serde::encode_to_vec(AnalyzerConfig::default(), bincode_config()).unwrap();
    b.extend(bincode::serde::encode_to_vec(Scheme::default(), bincode_config()).unwrap());
    b
}

#[test]
fn checksummed_invalid_models_are_rejected_on_load() {
    let model = tiny(Scheme::default());
    let check = |tamper: &dyn Fn(&mut Payload<'_>), expected: &str| {
        let mut p_ = Payload::of(&model);
        tamper(&mut p_);
        let r = reason(Model::from_bytes(&encode(&p_), p()));
        assert!(r.starts_with("invalid model: invalid "), "{r}");
        assert!(r.contains(expected), "{r} lacks {expected}");
    };
    check(&|p| p.terms.swap(0, 1), "out of order");
    check(&|p| p.terms[1] = p.terms[0], "duplicate");
    check(&|p| p.terms[0] = "", "must not be empty");
    check(&|p| p.weights[0] = 0.0, "non-zero");
    check(&|p| p.weights[2] = f32::NAN, "finite");
    check(&|p| p.weights.pop().map_or((), drop), "one weight per term");
    check(&|p| p.threshold = 1.5, "threshold");
    check(&|p| p.unsure = Some((0.7, 0.9)), "unsure");
    check(&|p| p.lambda = -0.5, "lambda");
    check(&|p| p.alpha = -0.5, "alpha");
    check(&|p| p.intercept = f64::NAN, "intercept");
    check(&|p| p.summary.cv_auc = Some(f64::NAN), "cv_auc");
}

// ---- saving -------------------------------------------------------------------------

#[test]
fn save_writes_replaces_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spam.model");
    let first = tiny(Scheme::default());
    let n = first.save(&path).unwrap();
    assert_eq!(n, std::fs::metadata(&path).unwrap().len());
    assert_eq!(Model::load(&path).unwrap(), first);
    let mut second = first.clone();
    second.set_decision(0.9, None).unwrap();
    second.save(&path).unwrap();
    assert_eq!(Model::load(&path).unwrap(), second);
    assert_eq!(files_in(dir.path()), ["spam.model"]);
}

#[cfg(unix)]
#[test]
fn saved_models_get_ordinary_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spam.model");
    tiny(Scheme::default()).save(&path).unwrap();
    let plain = dir.path().join("plain");
    File::create(&plain).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), mode(&plain));
}

#[cfg(unix)]
#[test]
fn save_replaces_a_symlink_not_its_target() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("real.model");
    let link = dir.path().join("spam.model");
    let old = tiny(Scheme::default());
    old.save(&target).unwrap();
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut new = old.clone();
    new.set_decision(0.9, None).unwrap();
    new.save(&link).unwrap();
    assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(Model::load(&link).unwrap(), new);
    assert_eq!(Model::load(&target).unwrap(), old);
}

#[test]
fn save_into_missing_folder_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone").join("spam.model");
    let err = tiny(Scheme::default()).save(&path).unwrap_err();
    assert!(
        matches!(&err, Error::Io { path: p, .. } if p == &dir.path().join("gone")),
        "{err:?}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn a_folder_at_the_target_is_refused_and_leaves_no_temp_file() {
    // The target is a non-empty folder: refused before a temporary file is made, and
    // checked again before the rename.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spam.model");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("keep"), b"x").unwrap();
    let err = tiny(Scheme::default()).save(&path).unwrap_err();
    assert!(
        matches!(&err, Error::Output { path: p, .. } if p == &path),
        "{err:?}"
    );
    assert_eq!(files_in(dir.path()), ["spam.model"]);
    assert_eq!(files_in(&path), ["keep"]);
}

#[test]
fn failed_write_keeps_the_previous_model() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spam.model");
    let old = tiny(Scheme::default());
    old.save(&path).unwrap();
    let before = std::fs::read(&path).unwrap();
    // Half the bytes, then the disk fills up.
    let new_bytes = tiny(scheme(Weighting::Counts, false)).to_bytes();
    let err = write_atomic(&path, |f| {
        f.write_all(&new_bytes[..new_bytes.len() / 2])?;
        Err(std::io::Error::other("no space left on device"))
    })
    .unwrap_err();
    assert!(
        matches!(&err, Error::Io { path: p, source } if p == &path && source.to_string() == "no space left on device"),
        "{err:?}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(Model::load(&path).unwrap(), old);
    assert_eq!(files_in(dir.path()), ["spam.model"]);
}

#[cfg(unix)]
#[test]
fn read_only_folder_keeps_the_previous_model() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spam.model");
    let old = tiny(Scheme::default());
    old.save(&path).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let writable = File::create(dir.path().join("probe")).is_ok();
    if !writable {
        let mut new = old.clone();
        new.set_decision(0.9, None).unwrap();
        assert!(matches!(new.save(&path), Err(Error::Io { .. })));
        assert_eq!(Model::load(&path).unwrap(), old);
        assert_eq!(files_in(dir.path()), ["spam.model"]);
    } // else: running as root, permissions don't bind; other tests cover the failure paths.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn size_of_a_500_word_model() {
    let words = std::fs::read_to_string(Path::new(FIXTURES).join("words.txt")).unwrap();
    let words: Vec<&str> = words.lines().collect();
    assert_eq!(words.len(), 500);
    let chars: usize = words.iter().map(|w| w.len()).sum();
    let model = Model::new(ModelParts {
        features: words
            .iter()
            .enumerate()
            .map(|(i, w)| ((*w).to_owned(), (i as f64 - 250.0) / 97.0 + 0.001))
            .collect(),
        ..ModelParts::new(TrainingSummary::new(1000, 1000, "lambda_1se of 10-fold CV"))
    })
    .unwrap();
    assert_eq!(model.len(), 500);
    let size = model.to_bytes().len();
    let empty = Model::new(ModelParts::new(model.summary.clone()))
        .unwrap()
        .to_bytes()
        .len();
    // Each feature: 1 length byte + the term's bytes + a 4-byte f32; and the two
    // sequence lengths grow from 1-byte to 3-byte varints (bincode: 251..=65535).
    assert_eq!(size - empty, chars + 500 * 5 + 2 * 2);
    eprintln!(
        "500 features ({:.2} chars/term): {size} bytes, {empty} without features, \
         {:.2} bytes/feature",
        chars as f64 / 500.0,
        (size - empty) as f64 / 500.0
    );
    assert!(size < 24 + 200 + 500 * 12, "{size}");
}

proptest! {
    #[test]
    fn save_load_identity(model in any_model()) {
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes, p()).unwrap();
        prop_assert_eq!(&back, &model);
        // Bit-identical weights (PartialEq would accept -0.0 == 0.0, which can't occur).
        prop_assert!(back.weights.iter().zip(&model.weights).all(|(a, b)| a.to_bits() == b.to_bits()));
        prop_assert_eq!(back.to_bytes(), bytes);
    }

    #[test]
    fn file_round_trip(model in any_model()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.model");
        let n = model.save(&path).unwrap();
        prop_assert_eq!(n as usize, model.to_bytes().len());
        prop_assert_eq!(Model::load(&path).unwrap(), model);
    }

    #[test]
    fn no_checksummed_bytes_panic(payload in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = Model::from_bytes(&container(&payload), p());
    }

    #[test]
    fn mutated_payloads_never_panic(
        model in any_model(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut payload = bincode::serde::encode_to_vec(Payload::of(&model), bincode_config()).unwrap();
        for (i, b) in edits {
            let i = i.index(payload.len());
            payload[i] = b;
        }
        // Whatever decodes must satisfy every invariant again.
        if let Ok(m) = Model::from_bytes(&container(&payload), p()) {
            prop_assert!(m.check().is_ok());
        }
    }
}

#[test]
fn term_kind_round_trips_and_feature_ids_cannot_score_mail() {
    let model = Model::new(ModelParts {
        features: vec![("17".into(), 1.0), ("4".into(), -1.0)],
        term_kind: TermKind::FeatureIds,
        ..ModelParts::new(crate::model::testing::summary())
    })
    .unwrap();
    let loaded = Model::from_bytes(&model.to_bytes(), p()).unwrap();
    assert_eq!(loaded.term_kind(), TermKind::FeatureIds);
    let err = loaded.check_scores_mail(p()).unwrap_err().to_string();
    assert!(
        err.starts_with("test.model: ") && err.contains("--vocab"),
        "{err}"
    );
    assert!(tiny(Scheme::default()).check_scores_mail(p()).is_ok());
}
