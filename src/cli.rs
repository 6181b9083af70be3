//! The commands: one file per command, each with `run(args) -> Result<ExitCode>`.

use std::io::{BufWriter, IsTerminal, StdoutLock, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use sparsetext::analyze::Analyzer;
use sparsetext::corpus::{Corpus, Label, Skipped, Source};
use sparsetext::vectorize::Analyzed;
use sparsetext::{Error, Result};

pub mod args;
mod certify;
mod classify;
mod compare;
mod completions;
mod escape;
mod eval;
mod import;
mod inspect;
mod learn;
mod model_path;
mod online;
mod serve;
mod train;
mod vectorize;
mod words;

/// Exit code for errors in every command (bogofilter's: `classify` uses 0, 1, 2 for verdicts).
pub const EXIT_ERROR: u8 = 3;

/// `writeln!` to a command's standard output, the error as [`stdout_error`]
/// (`println!` would panic on a closed pipe or a full disk).
macro_rules! outln {
    ($out:expr) => {
        writeln!($out).map_err($crate::cli::stdout_error)
    };
    ($out:expr, $($arg:tt)*) => {
        writeln!($out, $($arg)*).map_err($crate::cli::stdout_error)
    };
}
pub(crate) use outln;

/// A failed write to standard output, named `<stdout>`: `main` ends quietly
/// with success on a broken pipe (the reader chose to stop), else exits 3.
pub fn stdout_error(e: std::io::Error) -> Error {
    Error::io("<stdout>", e)
}

/// Standard output, locked and buffered: every command's data goes here.
pub fn stdout() -> BufWriter<StdoutLock<'static>> {
    BufWriter::new(std::io::stdout().lock())
}

/// One line on standard error, `sparsetext: ` first. A write that fails (a
/// full or closed stderr) is ignored: nothing is left to report it on, and
/// `eprintln!` would panic.
pub fn eprint_line(message: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr().lock(), "sparsetext: {message}");
}

/// Runs the chosen command on a rayon pool of the requested size.
pub fn run(cli: args::Cli) -> Result<ExitCode> {
    QUIET.store(cli.quiet, Ordering::Relaxed);
    if let Some(threads) = cli.threads {
        // Fails only if a pool was built already, which cannot happen here.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global();
    }
    match cli.command {
        args::Command::Train(args) => train::run(*args),
        args::Command::Classify(args) => classify::run(args),
        args::Command::Words(args) => words::run(args),
        args::Command::Eval(args) => eval::run(args),
        args::Command::Inspect(args) => inspect::run(args),
        args::Command::Learn(args) => learn::run(args),
        args::Command::Vectorize(args) => vectorize::run(args),
        args::Command::Import(args) => import::run(args),
        args::Command::Certify(args) => certify::run(args),
        args::Command::Completions(args) => completions::completions(args),
        args::Command::Man(args) => completions::man(args),
        args::Command::Serve(args) => serve::run(args, cli.threads),
    }
}

/// The bundled sample corpus: `corpora/sample` under the working directory,
/// else the one beside the sources this binary was built from.
pub fn bundled_sample() -> PathBuf {
    let local = Path::new("corpora/sample");
    if local.is_dir() {
        local.to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/sample")
    }
}

/// Lists the messages named by corpus arguments: positional paths are labeled
/// by their own names, else by their sub-folders' names; `--ham` / `--spam`
/// paths are labeled as given. With no path at all, the bundled sample when
/// `sample_by_default` (`train`, `vectorize`), else an error (`eval`: scoring
/// the training sample would report a perfect filter).
pub fn labeled_corpus(args: &args::CorpusArgs, sample_by_default: bool) -> Result<Corpus> {
    let mut corpus = Corpus::with_max_message_bytes(max_message_bytes(args.max_message_bytes))?;
    if args.corpus.is_empty() && args.ham.is_empty() && args.spam.is_empty() {
        if !sample_by_default {
            return Err(sparsetext::Error::Training(
                "no mail given: name labeled folders (spam/, easy_ham/, ...) or a folder of \
                 them, or use --ham PATH and --spam PATH"
                    .into(),
            ));
        }
        corpus.add_labeled_root(&bundled_sample())?;
    }
    for root in &args.corpus {
        corpus.add_labeled(root)?;
    }
    for path in &args.ham {
        corpus.add(path, Some(Label::Ham))?;
    }
    for path in &args.spam {
        corpus.add(path, Some(Label::Spam))?;
    }
    Ok(corpus)
}

/// Prints each folder or file the corpus was read from, with its label and
/// message count: `folder:      spam     500  corpora/spamassassin/spam`.
pub fn print_sources(out: &mut impl std::io::Write, sources: &[Source]) -> std::io::Result<()> {
    for source in sources {
        let label = source
            .label
            .map_or_else(|| "-".to_string(), |l| l.to_string());
        writeln!(
            out,
            "folder:      {label:<4} {:>7}  {}",
            source.messages,
            source.path.display()
        )?;
    }
    Ok(())
}

/// Lists, reads and tokenizes the labeled corpus (progress bar on a
/// terminal), warning about skipped and oversized messages: the first half of
/// `train` and `vectorize`.
pub fn analyze_corpus(
    args: &args::CorpusArgs,
    analyzer: &Analyzer,
) -> Result<(Analyzed, Vec<Source>)> {
    let corpus = labeled_corpus(args, true)?;
    let bar = progress(corpus.items.len(), "reading");
    let bytes = Arc::new(AtomicU64::new(0));
    bar.bar.set_style(reading_style(Arc::clone(&bytes)));
    let analyzed = sparsetext::vectorize::analyze(&corpus, analyzer, &|read| {
        bytes.fetch_add(read, Ordering::Relaxed);
        bar.inc(1);
    });
    bar.finish_and_clear();
    warn_skipped(&analyzed.skipped);
    warn_truncated(analyzed.cut_at_byte_cap);
    Ok((analyzed, corpus.sources))
}

/// The `--max-message-bytes` value, or the library's default.
pub fn max_message_bytes(flag: Option<u64>) -> u64 {
    flag.unwrap_or(sparsetext::corpus::DEFAULT_MAX_MESSAGE_BYTES)
}

/// Warns, once per run, how many messages were cut for tokenizing.
pub fn warn_truncated(truncated: usize) {
    if truncated > 0 {
        eprint_line(format_args!(
            "warning: {truncated} message(s) tokenized only in part \
             (longer than --max-message-bytes)"
        ));
    }
}

/// Set by `--quiet`: no progress bars.
static QUIET: AtomicBool = AtomicBool::new(false);

/// Whether progress bars show: stderr is a terminal and no `--quiet`.
pub fn shows_progress() -> bool {
    !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// A progress bar on stderr, drawn once its run has lasted a second (a short run shows
/// none), and never unless [`shows_progress`].
pub struct Progress {
    bar: ProgressBar,
    shown: AtomicBool,
    start: Instant,
    after: Duration,
}

impl Progress {
    /// Counts `n` more done.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
        self.reveal();
    }

    /// Sets the text before the bar.
    pub fn set_message(&self, message: String) {
        self.bar.set_message(message);
        self.reveal();
    }

    /// Removes the bar from the terminal.
    pub fn finish_and_clear(&self) {
        self.bar.finish_and_clear();
    }

    fn reveal(&self) {
        if !self.shown.load(Ordering::Relaxed)
            && self.start.elapsed() >= self.after
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

/// A [`Progress`] of `len` steps named `what`; with no steps (0), the text alone.
pub fn progress(len: usize, what: &str) -> Progress {
    let bar = ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::hidden());
    let template = match len {
        0 => "{msg} ({elapsed})",
        _ => "{msg} {bar:40} {pos}/{len} ({per_sec}, {eta})",
    };
    bar.set_style(ProgressStyle::with_template(template).expect("valid template"));
    bar.set_message(what.to_string());
    Progress {
        bar,
        // A bar that must not show counts as shown already.
        shown: AtomicBool::new(!shows_progress()),
        start: Instant::now(),
        // The tests set the delay to 0, to see a bar on a short run.
        after: std::env::var("SPARSETEXT_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map_or(Duration::from_secs(1), Duration::from_millis),
    }
}

/// The reading bar's style: messages, and the bytes of mail read so far (`bytes`),
/// each with its rate.
fn reading_style(bytes: Arc<AtomicU64>) -> ProgressStyle {
    let rate = Arc::clone(&bytes);
    ProgressStyle::with_template(
        "{msg} {bar:20} {pos}/{len} messages, {mail} ({rate}, {mail_rate}, eta {eta})",
    )
    .expect("valid template")
    .with_key(
        "rate",
        |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{:.0}/s", state.per_sec());
        },
    )
    .with_key(
        "mail",
        move |_: &ProgressState, w: &mut dyn std::fmt::Write| {
            let _ = write!(w, "{}", HumanBytes(bytes.load(Ordering::Relaxed)));
        },
    )
    .with_key(
        "mail_rate",
        move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let seconds = state.elapsed().as_secs_f64().max(1e-3);
            let per_second = rate.load(Ordering::Relaxed) as f64 / seconds;
            let _ = write!(w, "{}/s", HumanBytes(per_second as u64));
        },
    )
}

/// Prints skipped files as warnings on stderr: the first few by name, then a count.
pub fn warn_skipped(skipped: &[Skipped]) {
    const SHOWN: usize = 5;
    for s in skipped.iter().take(SHOWN) {
        // Escaped as in classify's output: a newline in a file name cannot fake a line.
        let name = escape::escape_name(s.name.as_bytes());
        eprint_line(format_args!("warning: {name}: skipped: {}", s.reason));
    }
    if skipped.len() > SHOWN {
        eprint_line(format_args!(
            "warning: ... and {} more file(s) skipped",
            skipped.len() - SHOWN
        ));
    }
}
