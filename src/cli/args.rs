//! clap types: they mirror the flags only, and become library configs in each command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use sparsetext::dataset::{Scheme, Weighting};

/// Sparse (L1 / Elastic-Net) logistic regression spam filter.
#[derive(Debug, Parser)]
#[command(name = "sparsetext", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads for parsing, tokenizing and cross-validation (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Turn a labeled mail corpus into an svmlight matrix and a vocabulary file.
    #[command(after_help = "Examples:
  sparsetext vectorize corpora/spamassassin -o matrix.svm --vocab vocab.txt
  sparsetext vectorize --ham Maildir/cur --spam spam.mbox -o m.svm --vocab v.txt")]
    Vectorize(VectorizeArgs),
}

/// Where the labeled mail is.
#[derive(Debug, Args)]
pub struct CorpusArgs {
    /// Corpus folders whose sub-folders are named for their label (`*spam*` is
    /// spam, else `*ham*` is ham), e.g. the SpamAssassin public corpus.
    /// Default (with no --ham/--spam either): the bundled sample corpus.
    #[arg(value_name = "CORPUS")]
    pub corpus: Vec<PathBuf>,

    /// Ham: a folder (every file below it one message), an mbox, a message file, or - for stdin.
    #[arg(long, value_name = "PATH")]
    pub ham: Vec<PathBuf>,

    /// Spam: a folder, an mbox, a message file, or - for stdin.
    #[arg(long, value_name = "PATH")]
    pub spam: Vec<PathBuf>,
}

/// How counts become matrix values.
#[derive(Debug, Args)]
pub struct SchemeArgs {
    /// Keep terms found in at least N messages.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub min_df: u32,

    /// Term weighting: binary, counts or log (log(1+count)).
    #[arg(long, default_value = "binary", value_name = "W")]
    pub weighting: Weighting,

    /// Scale each message's row to unit Euclidean norm.
    #[arg(long)]
    pub l2_normalize: bool,
}

impl SchemeArgs {
    /// The library's scheme.
    pub fn scheme(&self) -> Scheme {
        Scheme {
            weighting: self.weighting,
            l2_normalize: self.l2_normalize,
        }
    }
}

/// `sparsetext vectorize`.
#[derive(Debug, Args)]
pub struct VectorizeArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,

    #[command(flatten)]
    pub scheme: SchemeArgs,

    /// Matrix output, svmlight/libsvm format (+1 spam, -1 ham, 1-based ids).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,

    /// Vocabulary output: one term per line, line N is feature id N.
    #[arg(long, value_name = "FILE")]
    pub vocab: PathBuf,
}
