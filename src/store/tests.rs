use super::*;
use crate::analyze::AnalyzerConfig;
use crate::dataset::Scheme;

fn header() -> Header {
    Header {
        analyzer: AnalyzerConfig::default(),
        scheme: Scheme::default(),
        min_df: 1,
    }
}

/// A store of two messages committed with "model" bytes `m1`, in a temp dir.
fn two_messages() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.store");
    let model = dir.path().join("s.model");
    std::fs::write(&model, b"m1").unwrap();
    let mut store = Store::new(&path, header());
    assert_eq!(
        store.learn([1; 16], Some(true), &[("cash", 2), ("now", 1)]),
        Change::Added
    );
    assert_eq!(
        store.learn([2; 16], Some(false), &[("lunch", 1), ("now", 1)]),
        Change::Added
    );
    store.write_all(model_checksum(b"m1")).unwrap();
    (dir, path, model)
}

fn terms_of(store: &Store) -> Vec<Vec<(String, u32)>> {
    let a = store.to_analyzed();
    a.docs()
        .iter()
        .map(|d| {
            d.iter()
                .map(|&(id, c)| (a.terms().get(id).to_string(), c))
                .collect()
        })
        .collect()
}

#[test]
fn add_relabel_forget_and_idempotence_survive_a_reopen() {
    let (_dir, path, model) = two_messages();
    let mut store = Store::open(&path, Some(model_checksum(b"m1"))).unwrap();
    assert!(store.notes().is_empty());
    assert_eq!(store.class_counts(), (1, 1));
    assert_eq!(
        store.learn([1; 16], Some(true), &[("cash", 2)]),
        Change::Unchanged
    );
    assert!(!store.has_changes());
    assert_eq!(
        store.learn([2; 16], Some(true), &[("lunch", 1), ("now", 1)]),
        Change::Relabeled
    );
    assert_eq!(
        store.learn([1; 16], None, &[] as &[(&str, u32)]),
        Change::Forgotten
    );
    assert_eq!(
        store.learn([9; 16], None, &[] as &[(&str, u32)]),
        Change::NotFound
    );
    assert_eq!(
        store.learn([3; 16], Some(false), &[("zebra", 1), ("cash", 1)]),
        Change::Added
    );
    store.commit(b"m2", &model).unwrap();
    assert_eq!(std::fs::read(&model).unwrap(), b"m2");
    let again = Store::open(&path, Some(model_checksum(b"m2"))).unwrap();
    assert!(again.notes().is_empty());
    assert_eq!(again.class_counts(), (1, 1));
    assert_eq!(again.label(&[2; 16]), Some(true));
    assert_eq!(again.label(&[1; 16]), None);
    assert_eq!(terms_of(&again), terms_of(&store));
    assert_eq!(
        terms_of(&again),
        [
            vec![("lunch".to_string(), 1), ("now".to_string(), 1)],
            vec![("cash".to_string(), 1), ("zebra".to_string(), 1)],
        ]
    );
    // The old model's checksum no longer opens it: the store belongs to the new one.
    let err = Store::open(&path, Some(model_checksum(b"m1"))).unwrap_err();
    assert!(
        err.to_string().contains("belongs to another model"),
        "{err}"
    );
}

#[test]
fn compaction_keeps_the_messages_and_drops_the_rest() {
    let (_dir, path, model) = two_messages();
    let mut store = Store::open(&path, Some(model_checksum(b"m1"))).unwrap();
    for round in 0..5 {
        store.learn([1; 16], Some(round % 2 == 0), &[("cash", 1)]);
        store.commit(b"m1", &model).unwrap();
    }
    let before = std::fs::metadata(&path).unwrap().len();
    let expected = terms_of(&store);
    assert!(store.dead_records() >= 5);
    store.write_all(model_checksum(b"m1")).unwrap();
    assert_eq!(store.dead_records(), 0);
    assert!(std::fs::metadata(&path).unwrap().len() < before);
    let again = Store::open(&path, Some(model_checksum(b"m1"))).unwrap();
    assert_eq!(terms_of(&again), expected);
    assert_eq!(again.label(&[1; 16]), Some(true));
}

#[test]
fn a_torn_or_unfinished_tail_is_rolled_back_and_reported() {
    let (_dir, path, model) = two_messages();
    let committed = std::fs::read(&path).unwrap();
    let mut store = Store::open(&path, Some(model_checksum(b"m1"))).unwrap();
    store.learn([5; 16], Some(true), &[("pills", 3)]);
    store.commit(b"m2", &model).unwrap();
    let full = std::fs::read(&path).unwrap();
    // A kill before the model was replaced: the model in place is still m1. At every
    // cut the store opens as it was, and says what it dropped.
    std::fs::write(&model, b"m1").unwrap();
    for cut in committed.len() + 1..full.len() {
        std::fs::write(&path, &full[..cut]).unwrap();
        let mut store = Store::open(&path, Some(model_checksum(b"m1"))).unwrap();
        assert_eq!(store.len(), 2, "cut at {cut}");
        assert_eq!(store.label(&[5; 16]), None);
        assert!(!store.notes().is_empty(), "cut at {cut}: nothing reported");
        store.recover().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), committed, "cut at {cut}");
    }
    // A kill after the model was replaced, before the commit: the prepared records
    // belong to the model in place and are rolled forward.
    let prepared = full.len() - {
        let mut commit = Vec::new();
        record::encode(&Record::Commit(model_checksum(b"m2")), &mut commit);
        commit.len()
    };
    std::fs::write(&path, &full[..prepared]).unwrap();
    let mut store = Store::open(&path, Some(model_checksum(b"m2"))).unwrap();
    assert_eq!(store.label(&[5; 16]), Some(true));
    store.recover().unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), full);
    assert!(
        Store::open(&path, Some(model_checksum(b"m2")))
            .unwrap()
            .notes()
            .is_empty()
    );
}

#[test]
fn foreign_and_empty_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.store");
    std::fs::write(&path, b"From a@b\nSubject: x\n\nhi\n").unwrap();
    let err = Store::open(&path, Some(0)).unwrap_err().to_string();
    assert!(err.contains("not a sparsetext training store"), "{err}");
    let mut bytes = record::preamble();
    record::encode(&Record::Header(header()), &mut bytes);
    std::fs::write(&path, &bytes).unwrap();
    let err = Store::open(&path, Some(0)).unwrap_err().to_string();
    assert!(err.contains("no committed record"), "{err}");
}

#[test]
fn store_paths_replace_or_append_the_extension() {
    assert_eq!(
        store_path(Path::new("a/spam.model")),
        Path::new("a/spam.store")
    );
    assert_eq!(
        store_path(Path::new("spam.bin")),
        Path::new("spam.bin.store")
    );
    assert_eq!(store_path(Path::new("spam")), Path::new("spam.store"));
}
