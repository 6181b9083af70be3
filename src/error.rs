//! The library's one error type.
//!
//! Every variant carries what a user needs to fix the problem: the file, the
//! parameter and its value, the model's format version. The binary prints
//! `sparsetext: <Display>` on one line and exits 3.

use std::path::PathBuf;

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in sparsetext's library code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A corpus path cannot be used as given (no mail in it, an unlabeled folder, ...).
    #[error("{}: {reason}", path.display())]
    Corpus {
        /// The corpus path.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The labeled messages cannot train a classifier (no messages, one class only).
    #[error("{0}")]
    Training(String),

    /// A parameter is out of its range.
    #[error("invalid {name} = {value}: {reason}")]
    InvalidParam {
        /// The parameter's name, as the user spells it.
        name: &'static str,
        /// The value given.
        value: String,
        /// The allowed range.
        reason: String,
    },

    /// An svmlight/libsvm file is malformed.
    #[error("{}:{line}: {reason}", path.display())]
    Svmlight {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong on that line.
        reason: String,
    },

    /// An output path cannot be written as asked: a device, FIFO, socket or folder is in
    /// the way, or two outputs of one command name the same file.
    #[error("{}: {reason}", path.display())]
    Output {
        /// The output path.
        path: PathBuf,
        /// Why it is refused.
        reason: String,
    },

    /// A model file is truncated, corrupt, foreign or from a newer version.
    #[error("{}: {reason}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// A training store is torn beyond its committed records, corrupt, or does not belong
    /// to the model beside it.
    #[error("{}: {reason}", path.display())]
    Store {
        /// The store file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
