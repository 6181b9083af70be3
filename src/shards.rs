//! A matrix as a folder of svmlight shards that a distributed engine reads:
//! Apache Spark's `spark.read.format("libsvm")` (its 0-based vector index is
//! the id - 1), Hadoop-style tools, or sparsetext again.
//!
//! ```text
//! DIR/part-00000.svm ...   svmlight rows, +1 spam / -1 ham, 1-based feature ids
//! DIR/vocab.txt            line i is the term of feature id i
//! DIR/manifest.json        what the rows are (see Manifest)
//! ```
//!
//! Terms never contain a line break (the analyzer splits on white space, and
//! [`Vocabulary::write`] refuses one), so `vocab.txt` needs no escaping:
//! line i is the term, byte for byte.
//!
//! The folder is written as a whole: every file goes into a temporary folder
//! beside DIR, which is synced and renamed to DIR. A DIR that is already a
//! shard folder (it has a manifest) or empty is replaced: it is renamed aside
//! first and removed after, so a reader sees the old set, the new set or no
//! folder, never a mix of two runs. A DIR holding anything else is refused.
//!
//! Reading checks the parts against the manifest (rows per shard, labels,
//! feature ids within `features`, the vocabulary's length), and names the file
//! at fault.
//!
//! ```
//! use sparsetext::dataset::{Dataset, Matrix, Scheme};
//! use sparsetext::analyze::AnalyzerConfig;
//! use sparsetext::shards::{self, Provenance};
//! use sparsetext::vocab::Vocabulary;
//! let x = Matrix::new((3, 2), vec![0, 1, 2, 4], vec![0, 1, 0, 1], vec![1.0; 4]);
//! let data = Dataset { x, y: vec![true, false, true] };
//! let vocab = Vocabulary::from_terms(["cash".into(), "lunch".into()]).unwrap();
//! let dir = tempfile::tempdir().unwrap();
//! let out = dir.path().join("shards");
//! let provenance = Provenance { analyzer: AnalyzerConfig::default(), scheme: Scheme::default(), min_df: 1 };
//! let manifest = shards::write(&out, &data, &vocab, &provenance, 2)?;
//! assert_eq!(manifest.shards.len(), 2);
//! let back = shards::read(&out)?;
//! assert_eq!(back.data, data);
//! assert_eq!(back.vocab.terms(), vocab.terms());
//! Ok::<(), sparsetext::Error>(())
//! ```

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analyze::AnalyzerConfig;
use crate::dataset::{Dataset, Matrix, Scheme};
use crate::error::{Error, Result};
use crate::svmlight;
use crate::vocab::Vocabulary;

pub mod weights;

/// The manifest's `format` value: a file that lacks it is not ours.
pub const FORMAT: &str = "sparsetext-shards";
/// The manifest's version this build writes and reads.
pub const VERSION: u32 = 1;
/// The manifest's file name in a shard folder.
pub const MANIFEST: &str = "manifest.json";
/// The vocabulary's file name in a shard folder.
pub const VOCAB: &str = "vocab.txt";
/// Rows per shard when not given.
pub const DEFAULT_SHARD_ROWS: usize = 50_000;

/// How the rows were made, recorded so a model built from them (`import`)
/// tokenizes mail the same way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The analyzer that made the tokens.
    pub analyzer: AnalyzerConfig,
    /// The row value scheme (weighting, normalization).
    pub scheme: Scheme,
    /// Terms in fewer messages than this were dropped.
    pub min_df: u32,
}

/// One shard file and its row count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// The file name inside the folder.
    pub file: String,
    /// Its rows.
    pub rows: usize,
}

/// `manifest.json`: what the folder holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// The manifest's version ([`VERSION`]).
    pub version: u32,
    /// The first feature id: 1 (svmlight's convention; Spark's index is id - 1).
    pub id_base: u32,
    /// Label values: spam and ham.
    pub labels: Labels,
    /// Messages (rows) over all shards.
    pub rows: usize,
    /// Feature ids run from 1 to `features`; `vocab.txt` has this many lines.
    pub features: usize,
    /// Stored non-zeros over all shards.
    pub nnz: usize,
    /// Rows labeled spam.
    pub spam: usize,
    /// Rows labeled ham.
    pub ham: usize,
    /// The shards, in row order.
    pub shards: Vec<Shard>,
    /// The vocabulary's file name.
    pub vocab: String,
    /// The analyzer, scheme and pruning that made the rows.
    #[serde(flatten)]
    pub provenance: Provenance,
    /// The sparsetext version that wrote the folder.
    pub written_by: String,
}

/// The svmlight labels of the two classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// Spam's label: +1.
    pub spam: i32,
    /// Ham's label: -1.
    pub ham: i32,
}

/// A shard folder read back.
#[derive(Clone, Debug)]
pub struct Shards {
    /// The folder.
    pub dir: PathBuf,
    /// Its manifest.
    pub manifest: Manifest,
    /// All rows, in shard order; column `j` is feature id `j + 1`, `features` columns.
    pub data: Dataset,
    /// Term of column `j` (line `j + 1` of the vocabulary).
    pub vocab: Vocabulary,
}

/// Checks that `dir` can be written by [`write`] before any work: its parent
/// exists and takes new entries, and `dir` is absent, empty or a shard folder.
///
/// # Errors
/// [`Error::Output`] for a `dir` holding other files or not a folder;
/// [`Error::Io`] for a missing or read-only parent.
pub fn check_target(dir: &Path) -> Result<()> {
    let parent = parent_of(dir);
    tempfile::Builder::new()
        .prefix(".sparsetext-check.")
        .tempdir_in(parent)
        .map(drop)
        .map_err(|e| Error::io(parent, e))?;
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(dir, e)),
        Ok(meta) if !meta.is_dir() => Err(Error::Output {
            path: dir.to_path_buf(),
            reason: "not a folder: shards are written as a folder".into(),
        }),
        Ok(_) => {
            let mut entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
            if entries.next().is_none() || dir.join(MANIFEST).is_file() {
                Ok(())
            } else {
                Err(Error::Output {
                    path: dir.to_path_buf(),
                    reason: format!(
                        "holds files but no {MANIFEST}: not a shard folder, left alone"
                    ),
                })
            }
        }
    }
}

/// The folder `dir` is created in.
fn parent_of(dir: &Path) -> &Path {
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `data` (CSR, one column per term of `vocab`) as shards of at most
/// `shard_rows` rows, the vocabulary and the manifest into the folder `dir`,
/// as a whole (see the module docs). Returns the manifest written.
///
/// # Errors
/// As [`check_target`]; [`Error::InvalidParam`] for `shard_rows` 0;
/// [`Error::Io`] writing.
pub fn write(
    dir: &Path,
    data: &Dataset,
    vocab: &Vocabulary,
    provenance: &Provenance,
    shard_rows: usize,
) -> Result<Manifest> {
    assert_eq!(data.x.cols(), vocab.len(), "one column per term");
    if shard_rows == 0 {
        return Err(Error::InvalidParam {
            name: "shard-rows",
            value: "0".into(),
            reason: "must be at least 1".into(),
        });
    }
    check_target(dir)?;
    let parent = parent_of(dir);
    let name = dir
        .file_name()
        .map_or_else(|| "shards".into(), |n| n.to_string_lossy().into_owned());
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempdir_in(parent)
        .map_err(|e| Error::io(parent, e))?;
    let rows = data.x.rows();
    let mut shards = Vec::new();
    for (k, start) in (0..rows.max(1)).step_by(shard_rows).enumerate() {
        let end = (start + shard_rows).min(rows);
        let file = format!("part-{k:05}.svm");
        let part = data.x.slice_outer(start..end).to_owned();
        svmlight::write(&tmp.path().join(&file), &part, &data.y[start..end])?;
        shards.push(Shard {
            file,
            rows: end - start,
        });
    }
    vocab.write(&tmp.path().join(VOCAB))?;
    let (spam, ham) = data.class_counts();
    let manifest = Manifest {
        format: FORMAT.into(),
        version: VERSION,
        id_base: 1,
        labels: Labels { spam: 1, ham: -1 },
        rows,
        features: vocab.len(),
        nnz: data.x.nnz(),
        spam,
        ham,
        shards,
        vocab: VOCAB.into(),
        provenance: provenance.clone(),
        written_by: format!("sparsetext {}", env!("CARGO_PKG_VERSION")),
    };
    let mut json = serde_json::to_vec_pretty(&manifest).expect("a manifest serializes");
    json.push(b'\n');
    crate::atomic::write_atomic(&tmp.path().join(MANIFEST), |f| {
        std::io::Write::write_all(f, &json)
    })?;
    sync_dir(tmp.path());
    replace_dir(tmp, dir)?;
    Ok(manifest)
}

/// Renames the finished temporary folder to `dir`; an old shard folder (or
/// an empty one) at `dir` is renamed aside first and removed after.
fn replace_dir(tmp: tempfile::TempDir, dir: &Path) -> Result<()> {
    let old = match std::fs::symlink_metadata(dir) {
        Ok(_) => {
            // Checked again: something may have arrived since the first check.
            check_target(dir)?;
            let aside = tempfile::Builder::new()
                .prefix(".sparsetext-old.")
                .tempdir_in(parent_of(dir))
                .map_err(|e| Error::io(dir, e))?;
            let aside_path = aside.path().join("old");
            std::fs::rename(dir, &aside_path).map_err(|e| Error::io(dir, e))?;
            Some(aside)
        }
        Err(_) => None,
    };
    let tmp_path = tmp.keep();
    if let Err(e) = std::fs::rename(&tmp_path, dir) {
        let _ = std::fs::remove_dir_all(&tmp_path);
        if let Some(aside) = &old {
            let _ = std::fs::rename(aside.path().join("old"), dir);
        }
        return Err(Error::io(dir, e));
    }
    sync_dir(parent_of(dir));
    // `old` drops here, removing the previous set.
    Ok(())
}

/// Makes a folder's entries durable. Best effort, as for a single file's rename.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Reads the manifest of the shard folder `dir`.
///
/// # Errors
/// [`Error::Io`] for a missing manifest; [`Error::Corpus`] naming the manifest
/// when it is not JSON, not ours, or from another version.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let bad = |reason: String| Error::Corpus {
        path: path.clone(),
        reason,
    };
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| bad(format!("not a JSON manifest: {e}")))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(bad(format!(
            "not a sparsetext shard manifest (no \"format\": \"{FORMAT}\")"
        )));
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => {}
        v => {
            return Err(bad(format!(
                "manifest version {} is not {VERSION}, the one this build reads",
                v.map_or_else(|| "(none)".to_string(), |v| v.to_string())
            )));
        }
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| bad(format!("bad manifest: {e}")))?;
    manifest
        .provenance
        .analyzer
        .check()
        .map_err(|e| bad(e.to_string()))?;
    if manifest.id_base != 1 || manifest.labels != (Labels { spam: 1, ham: -1 }) {
        return Err(bad("id_base must be 1 and labels spam 1, ham -1".into()));
    }
    if manifest.spam + manifest.ham != manifest.rows
        || manifest.shards.iter().map(|s| s.rows).sum::<usize>() != manifest.rows
    {
        return Err(bad(format!(
            "{} rows, but {} spam + {} ham and the shards' rows sum to {}",
            manifest.rows,
            manifest.spam,
            manifest.ham,
            manifest.shards.iter().map(|s| s.rows).sum::<usize>()
        )));
    }
    for name in manifest
        .shards
        .iter()
        .map(|s| &s.file)
        .chain([&manifest.vocab])
    {
        if Path::new(name).file_name() != Some(name.as_ref()) {
            return Err(bad(format!(
                "{name:?} is not a file name inside the folder"
            )));
        }
    }
    Ok(manifest)
}

/// Reads a shard folder: the manifest, the vocabulary and every shard, checked
/// against each other (see the module docs).
///
/// # Errors
/// As [`read_manifest`]; [`Error::Io`] for a missing shard or vocabulary;
/// [`Error::Svmlight`] for a malformed line; [`Error::Corpus`] naming the file
/// that does not match the manifest.
pub fn read(dir: &Path) -> Result<Shards> {
    let manifest = read_manifest(dir)?;
    let vocab_path = dir.join(&manifest.vocab);
    let vocab = Vocabulary::read(&vocab_path)?;
    if vocab.len() != manifest.features {
        return Err(Error::Corpus {
            path: vocab_path,
            reason: format!(
                "{} terms, but the manifest says {} features",
                vocab.len(),
                manifest.features
            ),
        });
    }
    let mut indptr: Vec<usize> = vec![0];
    let mut indices: Vec<u32> = Vec::with_capacity(manifest.nnz);
    let mut values: Vec<f64> = Vec::with_capacity(manifest.nnz);
    let mut y = Vec::with_capacity(manifest.rows);
    for shard in &manifest.shards {
        let path = dir.join(&shard.file);
        let part = svmlight::read(&path)?;
        let bad = |reason: String| Error::Corpus {
            path: path.clone(),
            reason,
        };
        if part.y.len() != shard.rows {
            return Err(bad(format!(
                "{} rows, but the manifest says {}",
                part.y.len(),
                shard.rows
            )));
        }
        if part.first_id == 0 {
            return Err(bad("feature id 0 in a folder whose ids start at 1".into()));
        }
        if part.max_id as usize > manifest.features {
            return Err(bad(format!(
                "feature id {} is beyond the manifest's {} features",
                part.max_id, manifest.features
            )));
        }
        let offset = indices.len();
        let (p_indptr, p_indices, p_values) = part.x.into_raw_storage();
        indices.extend(p_indices.iter().map(|&c| part.ids[c as usize] - 1));
        values.extend(p_values);
        indptr.extend(p_indptr[1..].iter().map(|&k| k + offset));
        y.extend(part.y);
    }
    let x = Matrix::new((y.len(), manifest.features), indptr, indices, values);
    let data = Dataset { x, y };
    let (spam, ham) = data.class_counts();
    if (spam, ham) != (manifest.spam, manifest.ham) || data.x.nnz() != manifest.nnz {
        return Err(Error::Corpus {
            path: dir.join(MANIFEST),
            reason: format!(
                "the shards hold {spam} spam, {ham} ham and {} non-zeros; the manifest says \
                 {}, {} and {}",
                data.x.nnz(),
                manifest.spam,
                manifest.ham,
                manifest.nnz
            ),
        });
    }
    Ok(Shards {
        dir: dir.to_path_buf(),
        manifest,
        data,
        vocab,
    })
}

#[cfg(test)]
mod tests;
