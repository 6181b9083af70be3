//! Where the model is when no `-m` says: the same answer for `train`, which
//! writes it, and for every command that reads it, from any working directory
//! (procmail runs filters from `$HOME`).
//!
//! In order: `-m`/`-o`; `$SPARSETEXT_MODEL`; `models/spam.model` when the
//! working directory has a `models/` folder (a checkout of sparsetext, where
//! the README's first command writes it); else the per-user
//! `$XDG_DATA_HOME/sparsetext/spam.model` (`~/.local/share/sparsetext/spam.model`).

use std::path::{Path, PathBuf};

use sparsetext::{Error, Result};

/// The environment variable naming the model.
pub const ENV: &str = "SPARSETEXT_MODEL";

/// The model in a checkout of sparsetext.
const CHECKOUT: &str = "models/spam.model";

/// A resolved model path and how it was found.
#[derive(Debug, PartialEq, Eq)]
pub struct ModelPath {
    /// The path.
    pub path: PathBuf,
    /// `true` when no `-m` or `$SPARSETEXT_MODEL` chose it.
    pub by_default: bool,
}

/// The model path for `flag` (`-m`/`-o`), else the defaults in order.
pub fn resolve(flag: Option<&Path>) -> ModelPath {
    if let Some(path) = flag {
        return ModelPath {
            path: path.to_path_buf(),
            by_default: false,
        };
    }
    if let Some(path) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        return ModelPath {
            path: path.into(),
            by_default: false,
        };
    }
    let path = if Path::new("models").is_dir() {
        PathBuf::from(CHECKOUT)
    } else {
        user_data_dir().map_or_else(|| PathBuf::from(CHECKOUT), |d| d.join("spam.model"))
    };
    ModelPath {
        path,
        by_default: true,
    }
}

/// The model to read: as [`resolve`], and when the default is missing, an
/// error that lists where it looked and how to choose one.
pub fn for_reading(flag: Option<&Path>) -> Result<PathBuf> {
    let ModelPath { path, by_default } = resolve(flag);
    if by_default && !path.exists() {
        return Err(Error::Model {
            path,
            reason: format!(
                "no model here (looked for -m MODEL, ${ENV}, {CHECKOUT} under a working \
                 directory that has models/, then this per-user file): train one with \
                 `sparsetext train`, or choose one with -m MODEL or {ENV}=MODEL"
            ),
        });
    }
    Ok(path)
}

/// The model to write: as [`resolve`]; the per-user default's folder is created.
pub fn for_writing(flag: Option<&Path>) -> Result<PathBuf> {
    let ModelPath { path, by_default } = resolve(flag);
    if by_default && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    Ok(path)
}

/// `$XDG_DATA_HOME/sparsetext`, else `$HOME/.local/share/sparsetext` (the XDG
/// Base Directory default); `None` without either.
fn user_data_dir() -> Option<PathBuf> {
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    std::env::var_os("XDG_DATA_HOME")
        .and_then(absolute)
        .or_else(|| {
            std::env::var_os("HOME")
                .and_then(absolute)
                .map(|home| home.join(".local/share"))
        })
        .map(|d| d.join("sparsetext"))
}
