//! clap types: they mirror the flags only, and become library configs in each command.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use sparsetext::train;

mod analysis;
mod serve;

pub use analysis::{AnalyzerArgs, SchemeArgs};
pub use serve::ServeArgs;

/// Sparse (L1 / Elastic-Net) logistic regression spam filter.
#[derive(Debug, Parser)]
#[command(name = "sparsetext", version, about, long_about = None)]
pub struct Cli {
    /// Worker threads for reading, tokenizing and scoring mail, training's
    /// cross-validation and serve's scoring, 1 to 256 [default: one per core].
    #[arg(long, global = true, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,

    /// No progress bars on standard error (they show only when it is a terminal).
    #[arg(long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
// Parsed once per run: the size of the largest variant costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Learn a spam filter from labeled mail (or an svmlight matrix) and save it.
    #[command(
        after_help = "With no corpus, trains on the bundled sample (corpora/sample). Prints each \
folder with its label and message count, what was learned, and where the model went.

Labels come from names read as words: spam, spam_2, Junk, .Junk are spam; ham, easy_ham, \
hard_ham, nonspam, not_spam, good are ham. A CORPUS whose own name carries a label is read \
with it (train spam_2 easy_ham); any other CORPUS must hold labeled sub-folders.

Examples:
  sparsetext train
  sparsetext train corpora/spamassassin -o models/spam.model
  sparsetext train ~/Maildir/.Junk ~/mail/easy_ham
  sparsetext train --ham ~/Maildir/cur --spam ~/spam.mbox --alpha 0.5
  sparsetext train --svmlight matrix.svm --vocab vocab.txt --lambda 0.001"
    )]
    Train(Box<TrainArgs>),

    /// Classify mail: one message on stdin (exit code = verdict), or files, folders and mboxes.
    #[command(
        after_help = "Exit codes with a message on stdin: 0 spam, 1 ham, 2 unsure (only with an \
unsure band), 3 error. With -p (a filter for procmail, maildrop, Sieve): 0 whenever the \
message was written, the verdict in its X-Sparsetext header; 3 on error, so the delivery \
agent keeps the original. With PATHs: 0, or 3 if a file could not be read; files that are \
not mail are skipped with a warning, as train does.

With PATHs, each line is LABEL<TAB>P_SPAM<TAB>NAME.

With PATHs each line is LABEL<TAB>P_SPAM<TAB>NAME. NAME is escaped C-style, so a \
line is one message whatever its file name holds: tab, newline, carriage return \
and backslash as \\t, \\n, \\r and \\\\, other control characters and bytes \
that are not UTF-8 as \\xNN.

Examples:
  sparsetext classify < message.eml
  sparsetext classify -p < message.eml | deliver        # adds X-Sparsetext: spam; p=0.9931
  sparsetext classify --json --explain ~/Maildir/new
  procmail: :0fw / | sparsetext classify -p  then  :0: * ^X-Sparsetext: spam / spam-folder"
    )]
    Classify(ClassifyArgs),

    /// List the model's words: WEIGHT<TAB>TERM, the spam side strongest first, then the ham side strongest first.
    #[command(after_help = "Examples:
  sparsetext words --top 20
  sparsetext words -m models/spam.model | head")]
    Words(WordsArgs),

    /// Measure a model on labeled mail: AUC, accuracy, precision, recall, FPR, FNR.
    #[command(
        after_help = "Labels come from names as for train (spam_2, easy_ham, Junk, \
...); a corpus must be given. Prints each folder with its label and message count.

Examples:
  sparsetext eval corpora/spamassassin/spam_2 corpora/spamassassin/hard_ham
  sparsetext eval corpora/spamassassin
  sparsetext eval --ham ham/ --spam spam.mbox --json
  sparsetext eval --online corpora/spamassassin --refit-every 10"
    )]
    Eval(EvalArgs),

    /// Show what a model file holds: format, analyzer, lambda, alpha, threshold, summary.
    #[command(after_help = "Examples:
  sparsetext inspect
  sparsetext inspect models/spam.model
  sparsetext inspect --json models/spam.model | jq .lambda")]
    Inspect(InspectArgs),

    /// Print a shell's completion script (bash, zsh, fish, elvish, powershell).
    #[command(after_help = "Examples:
  sparsetext completions bash > ~/.local/share/bash-completion/completions/sparsetext
  sparsetext completions zsh > ~/.zfunc/_sparsetext
  sparsetext completions fish > ~/.config/fish/completions/sparsetext.fish")]
    Completions(CompletionsArgs),

    /// Print the manual page, or write one page per command into a folder.
    #[command(after_help = "Examples:
  sparsetext man | man -l -
  sparsetext man --dir ~/.local/share/man/man1")]
    Man(ManArgs),

    /// Learn messages as spam or ham (or forget them) and update the model from its store.
    #[command(
        after_help = "Adds the messages to the training store beside the model (spam.model -> \
spam.store) with their label, or removes them, then refits the model at its lambda starting \
from its weights (--cv K chooses lambda again). Learning a message again with the other \
label relabels it; with the same label nothing changes. A message is known by a digest of \
its content that ignores delivery headers (Received, Return-Path, X-Spam-*, X-Sparsetext, \
Status, ...), so the copy moved out of Junk is the one that was filtered.

Prints CHANGE<TAB>LABEL<TAB>NAME per message (added, relabeled, unchanged, forgotten, \
not-found), then the refit. Concurrent runs take turns on the store's lock.

Examples:
  sparsetext learn --spam ~/Maildir/.Junk/cur/1733.M1.host:2,S
  sparsetext learn -m ~/spam.model --ham - < message.eml
  sparsetext learn --forget message.eml --verbose"
    )]
    Learn(LearnArgs),

    /// Turn a labeled mail corpus into an svmlight matrix and a vocabulary file.
    #[command(
        after_help = "Labels come from names as for train; with no corpus, the bundled \
sample (corpora/sample).

Examples:
  sparsetext vectorize corpora/spamassassin -o matrix.svm --vocab vocab.txt
  sparsetext vectorize --ham Maildir/cur --spam spam.mbox -o m.svm --vocab v.txt"
    )]
    Vectorize(VectorizeArgs),

    /// Build a model from another engine's weights over a shard folder (Spark MLlib, glmnet, ...).
    #[command(
        after_help = "The weights file: a first line `intercept VALUE`, then one \
`ID WEIGHT` line per weight, ID the 1-based feature id of the shards (line ID of \
vocab.txt). Zero weights are dropped; the model tokenizes mail with the analyzer in \
the shards' manifest, so classify scores mail as the other engine scored the rows.

Examples:
  sparsetext vectorize corpora/spamassassin --shards shards/
  sparsetext import --shards shards/ --weights spark.weights -o spark.model --lambda 1e-4 --alpha 1
  sparsetext classify -m spark.model < message.eml"
    )]
    Import(ImportArgs),

    /// Certify a model's weights on a matrix: objective, duality gap, KKT violations.
    #[command(
        after_help = "Computes F(b0, w) = mean logistic loss + lambda (alpha |w|_1 \
+ (1 - alpha)/2 |w|^2) at the model's weights, a dual value D <= F* (so (F - D) / D \
bounds the relative distance to the optimum), and the largest KKT violation. Works \
for any model: one trained here, or imported from Spark or glmnet.

Examples:
  sparsetext certify --shards shards/ -m spark.model --lambda 1e-4 --alpha 1
  sparsetext certify --svmlight m.svm --vocab v.txt -m models/spam.model --json
  sparsetext certify --svmlight test.svm --vocab v.txt -m spark.model --scores p.tsv"
    )]
    Certify(CertifyArgs),

    /// Serve mail servers: a daemon speaking spamd's SPAMC/SPAMD protocol 1.5.
    #[command(
        after_help = "Answers CHECK, SYMBOLS, REPORT, REPORT_IFSPAM, PROCESS, HEADERS, \
PING and SKIP as spamd does (Spam: True ; S / 5.0, with S >= 5.0 exactly for spam); \
TELL gets EX_UNAVAILABLE (69). A replaced model file, or SIGHUP, is loaded for new \
requests; SIGTERM finishes the requests in flight and exits. One log line per request \
(RUST_LOG=warn for fewer).

Examples:
  sparsetext serve -m models/spam.model --listen 127.0.0.1:783
  sparsetext serve --socket /run/sparsetext.sock --socket-mode 660 --socket-owner root:mail
  sparsetext serve --listen 0.0.0.0:783 --allow 192.168.0.0/16 --user-models /var/lib/sparsetext
  spamc -c < message.eml        # prints 13.4/5.0, exit 1 for spam"
    )]
    Serve(ServeArgs),
}

/// Where the labeled mail is.
#[derive(Debug, Args)]
pub struct CorpusArgs {
    /// Labeled mail: a folder or mbox whose own name carries its label (spam_2/,
    /// easy_ham/, Junk/, spam.mbox), or a folder of such sub-folders (the
    /// SpamAssassin public corpus). Names are read as words: spam, junk are spam;
    /// ham, nonspam, not_spam, good are ham.
    #[arg(value_name = "CORPUS")]
    pub corpus: Vec<PathBuf>,

    /// Ham: a folder (every file below it one message), an mbox, a message file, or - for stdin.
    #[arg(long, value_name = "PATH")]
    pub ham: Vec<PathBuf>,

    /// Spam: a folder, an mbox, a message file, or - for stdin.
    #[arg(long, value_name = "PATH")]
    pub spam: Vec<PathBuf>,

    /// Read at most N bytes of each message; a longer one is tokenized up to
    /// there (and counted as truncated) [default: 4194304 = 4 MiB].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_message_bytes: Option<u64>,
}

/// Which model file to read (see `src/cli/model_path.rs`).
#[derive(Debug, Args)]
pub struct ModelArg {
    /// Model file [default: $SPARSETEXT_MODEL, else models/spam.model in a working
    /// directory that has models/, else ~/.local/share/sparsetext/spam.model].
    #[arg(short, long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
}

impl ModelArg {
    /// The model to read; an error listing where it looked when there is none.
    pub fn path(&self) -> sparsetext::Result<PathBuf> {
        super::model_path::for_reading(self.model.as_deref())
    }
}

/// `sparsetext vectorize`.
#[derive(Debug, Args)]
pub struct VectorizeArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,

    #[command(flatten)]
    pub scheme: SchemeArgs,

    /// Matrix output, svmlight/libsvm format (+1 spam, -1 ham, 1-based ids).
    #[arg(short, long, value_name = "FILE", required_unless_present = "shards")]
    pub output: Option<PathBuf>,

    /// Vocabulary output: one term per line, line N is feature id N.
    #[arg(long, value_name = "FILE", required_unless_present = "shards")]
    pub vocab: Option<PathBuf>,

    /// Write a shard folder instead: DIR/part-00000.svm, ..., DIR/vocab.txt and
    /// DIR/manifest.json (for Spark's libsvm reader, `import` and `certify`).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["output", "vocab"])]
    pub shards: Option<PathBuf>,

    /// Rows per shard file.
    #[arg(long, value_name = "N", requires = "shards", default_value_t = sparsetext::shards::DEFAULT_SHARD_ROWS,
          value_parser = parse_shard_rows)]
    pub shard_rows: usize,
}

/// A shard's rows: at least 1.
fn parse_shard_rows(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("{s:?} is not a whole number of rows >= 1")),
    }
}

/// `sparsetext import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The shard folder the weights' feature ids refer to (`vectorize --shards`).
    #[arg(long, value_name = "DIR")]
    pub shards: PathBuf,

    /// Weights: a line `intercept VALUE`, then `ID WEIGHT` lines (1-based feature ids).
    #[arg(long, value_name = "FILE")]
    pub weights: PathBuf,

    /// The model file to write.
    #[arg(short, long, value_name = "MODEL")]
    pub output: PathBuf,

    /// The lambda the weights were fitted at, recorded in the model.
    #[arg(long, value_name = "L")]
    pub lambda: Option<f64>,

    /// The alpha the weights were fitted at, recorded in the model.
    #[arg(long, value_name = "A")]
    pub alpha: Option<f64>,
}

/// `sparsetext certify`.
#[derive(Debug, Args)]
pub struct CertifyArgs {
    /// The matrix: an svmlight/libsvm file.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "shards",
        conflicts_with = "shards"
    )]
    pub svmlight: Option<PathBuf>,

    /// With --svmlight: its vocabulary (line N = feature N), which maps the model's
    /// terms to columns. Without it, the model's terms are feature ids.
    #[arg(long, value_name = "FILE", requires = "svmlight")]
    pub vocab: Option<PathBuf>,

    /// The matrix: a shard folder (`vectorize --shards`).
    #[arg(long, value_name = "DIR")]
    pub shards: Option<PathBuf>,

    #[command(flatten)]
    pub model: ModelArg,

    /// The penalty's lambda [default: the model's].
    #[arg(long, value_name = "L")]
    pub lambda: Option<f64>,

    /// The Elastic-Net mixing alpha [default: the model's].
    #[arg(long, value_name = "A")]
    pub alpha: Option<f64>,

    /// Print one JSON object: objective, dual, relative_gap, max_kkt_violation, ...
    #[arg(long)]
    pub json: bool,

    /// Also write the model's score of every row: LABEL<TAB>P_SPAM per line, in row
    /// order (LABEL +1 spam, -1 ham; P_SPAM in full precision).
    #[arg(long, value_name = "FILE")]
    pub scores: Option<PathBuf>,
}

/// Which lambda the cross-validation picks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Rule {
    /// The lambda of least held-out deviance.
    Min,
    /// The largest lambda within one standard error of the least deviance (glmnet's lambda.1se).
    #[value(name = "1se")]
    OneSe,
}

/// `sparsetext train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Train on an svmlight/libsvm file instead of mail (labels +1/-1 or 1/0).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["corpus", "ham", "spam"])]
    pub svmlight: Option<PathBuf>,

    /// With --svmlight: the vocabulary (one term per line, line N = feature N).
    /// Without it, a feature's term is its id as written in the file.
    #[arg(long, value_name = "FILE", requires = "svmlight")]
    pub vocab: Option<PathBuf>,

    /// Train on a shard folder written by `vectorize --shards` (its analyzer, scheme
    /// and vocabulary).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["corpus", "ham", "spam", "svmlight", "from_store"])]
    pub shards: Option<PathBuf>,

    #[command(flatten)]
    pub analyzer: AnalyzerArgs,

    #[command(flatten)]
    pub scheme: SchemeArgs,

    /// Where to write the model [default: $SPARSETEXT_MODEL, else models/spam.model in a
    /// working directory that has models/, else ~/.local/share/sparsetext/spam.model].
    #[arg(
        short,
        long,
        visible_short_alias = 'm',
        visible_alias = "model",
        value_name = "MODEL"
    )]
    pub output: Option<PathBuf>,

    /// Elastic-Net mixing: 1 is the lasso (L1), 0 < alpha < 1 adds an L2 part, 0 is ridge
    /// (L2 alone: every word kept). The default 0.2 held up best on mail from a later
    /// period within a 64 KB model (docs/defaults.md).
    #[arg(long, default_value_t = train::DEFAULT_ALPHA)]
    pub alpha: f64,

    /// Fit this lambda instead of choosing one by cross-validation.
    #[arg(long, conflicts_with = "cv")]
    pub lambda: Option<f64>,

    /// With --l2, instead of --lambda and --alpha: minimize the mean logistic loss
    /// + L1 ||w||_1 + L2 ||w||_2^2 (lambda = L1 + 2 L2, alpha = L1 / (L1 + 2 L2)).
    #[arg(long, value_name = "L1", requires = "l2", conflicts_with_all = ["lambda", "alpha", "cv", "compare"])]
    pub l1: Option<f64>,

    /// The L2 weight of --l1's form (no 1/2 on the square).
    #[arg(long, value_name = "L2", requires = "l1")]
    pub l2: Option<f64>,

    /// Also fit L1 (alpha 1), the Elastic Net (alpha 0.5) and L2 (alpha 0) with the same
    /// cross-validation folds and print them side by side; the model written is --alpha's.
    #[arg(long, conflicts_with = "lambda")]
    pub compare: bool,

    /// Folds of the cross-validation that chooses lambda.
    #[arg(long, default_value_t = train::DEFAULT_FOLDS, value_name = "K")]
    pub cv: usize,

    /// Which lambda the cross-validation picks.
    #[arg(long, value_enum, default_value = "min")]
    pub rule: Rule,

    /// Number of lambdas on the path, from lambda_max down.
    #[arg(long, default_value_t = train::DEFAULT_NLAMBDA, value_name = "N")]
    pub nlambda: usize,

    /// Smallest lambda on the path as a fraction of lambda_max. glmnet stops at 1e-2 when
    /// words outnumber messages, but on mail the best lambda lies below that.
    #[arg(long, default_value_t = train::DEFAULT_LAMBDA_MIN_RATIO, value_name = "RATIO")]
    pub lambda_min_ratio: f64,

    /// Relative suboptimality certified by the duality gap at each lambda.
    #[arg(long, default_value_t = train::DEFAULT_TOL)]
    pub tol: f64,

    /// Seed of the cross-validation folds.
    #[arg(long, default_value_t = train::DEFAULT_SEED)]
    pub seed: u64,

    /// Share of the training ham, scored out of fold, that may fall at or above the spam
    /// cut (the threshold).
    #[arg(long, default_value_t = train::DEFAULT_FPR_TARGET, value_name = "SHARE")]
    pub fpr_target: f64,

    /// Share of the training spam, scored out of fold, that may fall below the ham cut
    /// (between the cuts a message is unsure: classify exits 2).
    #[arg(long, default_value_t = train::DEFAULT_FNR_TARGET, value_name = "SHARE")]
    pub fnr_target: f64,

    /// Give the threshold instead: spam at and above this probability of spam [default: the
    /// spam cut chosen by --fpr-target; 0.5 with --lambda].
    #[arg(long, value_name = "P")]
    pub threshold: Option<f64>,

    /// Give the unsure band instead (classify exits 2 between LOW and HIGH; with no
    /// --threshold, the threshold is HIGH) [default: the cuts chosen by the targets].
    #[arg(long, value_name = "LOW,HIGH", value_parser = parse_band)]
    pub unsure: Option<(f64, f64)>,

    /// Do not write the training store beside the model (spam.model -> spam.store) that
    /// `learn` needs.
    #[arg(long)]
    pub no_store: bool,

    /// Train from a training store alone (its analyzer, scheme and min-df), lambda
    /// chosen by cross-validation unless --lambda.
    #[arg(long, value_name = "STORE", conflicts_with_all = ["corpus", "ham", "spam", "svmlight"])]
    pub from_store: Option<PathBuf>,

    /// How many words of each sign to print after training.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub top: usize,

    /// Also write a report into DIR: index.html and the pictures (path.svg, cv.svg,
    /// roc.svg, words.svg), each with its numbers as CSV.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,
}

/// `sparsetext learn`.
#[derive(Debug, Args)]
pub struct LearnArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Learn as spam: a folder, an mbox, a message file, or - for stdin.
    #[arg(long, value_name = "PATH")]
    pub spam: Vec<PathBuf>,

    /// Learn as ham: a folder, an mbox, a message file, or - for stdin.
    #[arg(long, value_name = "PATH")]
    pub ham: Vec<PathBuf>,

    /// Forget: remove these messages from the store.
    #[arg(long, value_name = "PATH")]
    pub forget: Vec<PathBuf>,

    /// Choose lambda again by K-fold cross-validation (slower; the decision rule is kept).
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(2..))]
    pub cv: Option<u64>,

    /// Say what changed: each message's p(spam) before and after, the words that
    /// entered or left the model.
    #[arg(short, long)]
    pub verbose: bool,
}

/// `sparsetext classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Messages to classify: files, folders (every file below), mbox files. Default: one
    /// message on stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Write the message from stdin to stdout with an X-Sparsetext header (incoming ones
    /// removed); exit 0 whenever it was written, 3 on error.
    #[arg(short, long, conflicts_with_all = ["paths", "json"])]
    pub passthrough: bool,

    /// Between LOW and HIGH a message is unsure (exit 2) [default: the model's band, if any].
    #[arg(long, value_name = "LOW,HIGH", value_parser = parse_band)]
    pub unsure: Option<(f64, f64)>,

    /// Print JSON lines.
    #[arg(long)]
    pub json: bool,

    /// Add the words that drove each decision, with their contributions to the log-odds
    /// (with -p, on standard error).
    #[arg(long)]
    pub explain: bool,

    /// How many words --explain shows.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub explain_top: usize,

    /// Read at most N bytes of each message for tokenizing; a longer one is
    /// scored on its first N bytes (--passthrough still copies it whole) [default: 4194304 = 4 MiB].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_message_bytes: Option<u64>,
}

/// `sparsetext words`.
#[derive(Debug, Args)]
pub struct WordsArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Only the N strongest words of each sign.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
}

/// `sparsetext eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    #[command(flatten)]
    pub model: ModelArg,

    #[command(flatten)]
    pub corpus: CorpusArgs,

    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,

    /// Replay the messages in date order, each classified and then learned with its
    /// label (the TREC spam track's online evaluation). The model gives the analyzer,
    /// scheme, lambda, alpha and threshold; its weights are not used: the filter
    /// starts empty.
    #[arg(long)]
    pub online: bool,

    /// With --online: learn only the misclassified messages and those scored
    /// between 0.2 and 0.8.
    #[arg(long, requires = "online")]
    pub on_error: bool,

    /// With --online: refit after every K messages learned.
    #[arg(long, value_name = "K", default_value_t = 1, requires = "online",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub refit_every: u64,

    /// With --online: the lambda to refit at [default: the model's].
    #[arg(long, requires = "online")]
    pub lambda: Option<f64>,

    /// With --online: choose lambda again by K-fold cross-validation over the
    /// messages learned so far, each time their number has grown by a quarter (from
    /// 100 on), as `learn --cv K` would; --lambda (or the model's) holds until then.
    #[arg(long, value_name = "K", requires = "online",
          value_parser = clap::value_parser!(u64).range(2..=1000))]
    pub cv: Option<u64>,

    /// With --online: write LABEL<TAB>P_SPAM<TAB>NAME per message, in replay order,
    /// the score given before it was learned (for replaying other filters the same way).
    #[arg(long, value_name = "FILE", requires = "online")]
    pub scores: Option<std::path::PathBuf>,

    /// With --online: terms in fewer messages learned so far are left out.
    #[arg(long, value_name = "N", default_value_t = train::DEFAULT_MIN_DF, requires = "online")]
    pub min_df: u32,

    /// Also write a report into DIR: index.html, roc.svg and scores.svg (with their
    /// numbers as CSV), the confusion matrix, the messages nearest the threshold.
    #[arg(long, value_name = "DIR", conflicts_with = "online")]
    pub report: Option<PathBuf>,
}

/// `sparsetext inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The model file (or give it with -m) [default: as for -m].
    #[arg(value_name = "MODEL", conflicts_with = "model")]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub model: ModelArg,

    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `sparsetext completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `sparsetext man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write sparsetext.1 and sparsetext-COMMAND.1 into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// The most worker threads `--threads` takes: more only adds start-up cost and
/// memory per thread (each a stack and a scratch buffer) on any machine sparsetext
/// targets, and an unbounded count let a typo create threads until the system gave out.
pub const MAX_THREADS: usize = 256;

/// Parses `--threads`: 1 to [`MAX_THREADS`].
fn parse_threads(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number from 1 to {MAX_THREADS}")),
    }
}

/// Parses `LOW,HIGH` with 0 < LOW <= HIGH < 1.
fn parse_band(s: &str) -> Result<(f64, f64), String> {
    let (low, high) = s.split_once(',').ok_or("expected LOW,HIGH, e.g. 0.3,0.7")?;
    let low: f64 = low
        .trim()
        .parse()
        .map_err(|_| format!("{low:?} is not a number"))?;
    let high: f64 = high
        .trim()
        .parse()
        .map_err(|_| format!("{high:?} is not a number"))?;
    if !(0.0 < low && low <= high && high < 1.0) {
        return Err("need 0 < LOW <= HIGH < 1".into());
    }
    Ok((low, high))
}
