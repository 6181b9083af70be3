//! The shard folder's tests: round trips, the manifest, replacing a folder,
//! and files that do not match.

use super::*;

fn sample(rows: usize) -> (Dataset, Vocabulary) {
    // Row r has terms r % 5 and 5 + r % 3 (binary), and term 8 with count 2 when r is even.
    let mut indptr = vec![0];
    let mut indices = Vec::new();
    let mut values = Vec::new();
    for r in 0..rows {
        indices.extend([(r % 5) as u32, (5 + r % 3) as u32]);
        values.extend([1.0, 1.0]);
        if r % 2 == 0 {
            indices.push(8);
            values.push(2.0);
        }
        indptr.push(indices.len());
    }
    let x = Matrix::new((rows, 9), indptr, indices, values);
    let y = (0..rows).map(|r| r % 3 == 0).collect();
    let terms = (0..9).map(|j| format!("t{j}"));
    (Dataset { x, y }, Vocabulary::from_terms(terms).unwrap())
}

fn provenance() -> Provenance {
    Provenance {
        analyzer: AnalyzerConfig::default(),
        scheme: Scheme::default(),
        min_df: 2,
    }
}

#[test]
fn round_trip_in_shards_with_the_manifest() {
    let (data, vocab) = sample(23);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    let written = write(&out, &data, &vocab, &provenance(), 10).unwrap();
    let rows: Vec<usize> = written.shards.iter().map(|s| s.rows).collect();
    assert_eq!(rows, [10, 10, 3]);
    assert_eq!(written.shards[2].file, "part-00002.svm");
    let (spam, ham) = data.class_counts();
    assert_eq!(
        (written.rows, written.features, written.nnz),
        (23, 9, data.x.nnz())
    );
    assert_eq!((written.spam, written.ham), (spam, ham));
    // Ids are 1-based on disk: row 0 is terms 0, 5 and 8 (count 2).
    let part = std::fs::read_to_string(out.join("part-00000.svm")).unwrap();
    assert_eq!(part.lines().next(), Some("+1 1:1 6:1 9:2"));
    assert_eq!(
        std::fs::read_to_string(out.join(VOCAB))
            .unwrap()
            .lines()
            .nth(8),
        Some("t8")
    );
    let back = read(&out).unwrap();
    assert_eq!(back.manifest, written);
    assert_eq!(back.data, data);
    assert_eq!(back.vocab.terms(), vocab.terms());
    // Nothing but the three kinds of file is left behind, beside or inside.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["s"]);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 5);
}

#[test]
fn a_shard_folder_is_replaced_and_anything_else_is_left_alone() {
    let (data, vocab) = sample(7);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    write(&out, &data, &vocab, &provenance(), 2).unwrap();
    assert_eq!(read_manifest(&out).unwrap().shards.len(), 4);
    write(&out, &data, &vocab, &provenance(), 5).unwrap();
    // The old set's extra parts are gone with it.
    assert_eq!(read_manifest(&out).unwrap().shards.len(), 2);
    assert!(!out.join("part-00003.svm").exists());
    assert_eq!(read(&out).unwrap().data, data);

    let other = dir.path().join("photos");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("cat.jpg"), "meow").unwrap();
    let err = write(&other, &data, &vocab, &provenance(), 5)
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("holds files but no manifest.json: not a shard folder, left alone"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&other).unwrap().count(), 1);
    let file = dir.path().join("f");
    std::fs::write(&file, "x").unwrap();
    assert!(write(&file, &data, &vocab, &provenance(), 5).is_err());
    assert!(
        write(
            &dir.path().join("no/such/dir"),
            &data,
            &vocab,
            &provenance(),
            5
        )
        .is_err()
    );
    assert!(write(&dir.path().join("z"), &data, &vocab, &provenance(), 0).is_err());
}

/// Writes a good folder, lets `damage` change it, and returns read's error.
fn damaged(damage: impl FnOnce(&Path)) -> String {
    let (data, vocab) = sample(12);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("s");
    write(&out, &data, &vocab, &provenance(), 5).unwrap();
    damage(&out);
    read(&out).unwrap_err().to_string()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn files_that_do_not_match_are_named() {
    let err = damaged(|d| std::fs::remove_file(d.join(MANIFEST)).unwrap());
    assert!(err.contains("manifest.json: No such file"), "{err}");
    let err = damaged(|d| std::fs::remove_file(d.join("part-00001.svm")).unwrap());
    assert!(err.contains("part-00001.svm: No such file"), "{err}");
    let err = damaged(|d| std::fs::write(d.join(MANIFEST), "{\"rows\": 3}").unwrap());
    assert!(
        err.ends_with("not a sparsetext shard manifest (no \"format\": \"sparsetext-shards\")"),
        "{err}"
    );
    let err = damaged(|d| edit(&d.join(MANIFEST), "\"version\": 1", "\"version\": 9"));
    assert!(
        err.ends_with("manifest version 9 is not 1, the one this build reads"),
        "{err}"
    );
    let err = damaged(|d| std::fs::write(d.join(MANIFEST), "not json").unwrap());
    assert!(err.contains("manifest.json: not a JSON manifest"), "{err}");
    let err = damaged(|d| edit(&d.join(VOCAB), "t8\n", ""));
    assert!(
        err.ends_with("vocab.txt: 8 terms, but the manifest says 9 features"),
        "{err}"
    );
    let err = damaged(|d| edit(&d.join("part-00001.svm"), " 9:2", " 10:2"));
    assert!(
        err.ends_with("part-00001.svm: feature id 10 is beyond the manifest's 9 features"),
        "{err}"
    );
    let err = damaged(|d| edit(&d.join("part-00002.svm"), " 1:1", " 0:1"));
    assert!(
        err.ends_with("part-00002.svm: feature id 0 in a folder whose ids start at 1"),
        "{err}"
    );
    let err = damaged(|d| edit(&d.join("part-00000.svm"), "-1 ", "+1 "));
    assert!(err.contains("manifest.json: the shards hold"), "{err}");
    let err = damaged(|d| {
        let path = d.join("part-00002.svm");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.lines().next().unwrap()).unwrap();
    });
    assert!(
        err.ends_with("part-00002.svm: 1 rows, but the manifest says 2"),
        "{err}"
    );
    let err = damaged(|d| edit(&d.join(MANIFEST), "\"part-00000.svm\"", "\"../x.svm\""));
    assert!(
        err.ends_with("\"../x.svm\" is not a file name inside the folder"),
        "{err}"
    );
}
