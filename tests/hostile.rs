//! Hostile input: each case runs the real binary under an
//! address-space limit (`RLIMIT_AS`, what `ulimit -v` sets) of [`LIMIT`], the
//! bound docs/hardening.md promises, and asserts the exit code and the one-line
//! error: svmlight ids far above the non-zeros, output paths that are not files,
//! write errors on standard output and standard error, `--threads` out of range,
//! CRLF and `From `-in-body mboxes, and file names that hold separators.

use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::process::CommandExt;
use std::process::{Command, Output, Stdio};

use crate::util::{Dir, assert_one_line_error, sample, stderr, stdout};

/// The address space each run may use, in bytes (docs/hardening.md: 256 MiB at
/// `--threads 2`, far above what any case needs once fixed, far below what the
/// defects took: the two-line svmlight file reserved about 190 GB).
const LIMIT: u64 = 256 << 20;

/// Runs the binary's `cmd` with [`LIMIT`] on its address space and 2 worker threads.
fn limited(mut cmd: Command) -> Command {
    cmd.arg("--threads").arg("2");
    // A panic's backtrace would be symbolized from debug info, which needs more
    // memory than the limit: the failure this suite exists to report would hang.
    cmd.env("RUST_BACKTRACE", "0");
    with_limit(cmd)
}

/// `cmd` with [`LIMIT`] on its address space.
fn with_limit(mut cmd: Command) -> Command {
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: LIMIT as libc::rlim_t,
                rlim_max: LIMIT as libc::rlim_t,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

/// Runs `args` under the limit, stdin empty, stdout and stderr captured.
fn run(dir: &Dir, args: &[&str]) -> Output {
    limited(dir.command(args))
        .stdin(Stdio::null())
        .output()
        .expect("run sparsetext")
}

/// Runs `args` under the limit with stdout sent to `stdout`.
fn run_to(dir: &Dir, args: &[&str], out: impl Into<Stdio>) -> Output {
    limited(dir.command(args))
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::piped())
        .output()
        .expect("run sparsetext")
}

/// The write end of a pipe whose read end is closed: every write fails with EPIPE,
/// whenever the child makes it (no race with a reader that stops).
fn broken_pipe() -> OwnedFd {
    let mut fds = [0; 2];
    // SAFETY: pipe fills two fresh descriptors, each owned once below.
    unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        drop(OwnedFd::from_raw_fd(fds[0]));
        OwnedFd::from_raw_fd(fds[1])
    }
}

fn dev_full() -> Option<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .ok()
}

/// Exit 0 with nothing on stderr: how a reader that stopped early is treated.
fn assert_quiet_success(out: &Output) {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(out));
    assert_eq!(stderr(out), "");
}

fn train_sample(dir: &Dir) {
    let sample = sample();
    let out = run(
        dir,
        &[
            "train",
            sample.to_str().unwrap(),
            "--lambda",
            "0.01",
            "-o",
            "m.model",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn svmlight_ids_far_above_the_non_zeros_train_in_bounded_memory() {
    let dir = Dir::new();
    dir.write("big.svm", "+1 1000000000:1\n-1 1:1\n");
    let args = [
        "train",
        "--svmlight",
        "big.svm",
        "--lambda",
        "0.1",
        "--min-df",
        "1",
        "-o",
        "x.model",
    ];
    let out = run(&dir, &args);
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    assert!(
        stdout(&out).contains("vocabulary:  2 features (min-df 1, values as in the file)"),
        "{}",
        stdout(&out)
    );
    // The model keeps the user's feature numbers as its terms.
    let words = stdout(&run(&dir, &["words", "-m", "x.model"]));
    assert!(words.contains("\t1000000000\n"), "{words}");
    // The largest id taken, and one more: an error naming the line.
    dir.write("top.svm", "+1 4294967294:1\n-1 1:1\n");
    let out = run(
        &dir,
        &[
            "train",
            "--svmlight",
            "top.svm",
            "--lambda",
            "0.1",
            "-o",
            "t.model",
        ],
    );
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
    dir.write("over.svm", "+1 1:1\n-1 4294967295:1\n");
    let out = run(
        &dir,
        &["train", "--svmlight", "over.svm", "--lambda", "0.1"],
    );
    assert_one_line_error(&out, &["over.svm:2: feature id 4294967295 is too large"]);
    // Many rows of ids spread over the whole range: memory follows the non-zeros.
    let mut text = String::new();
    let mut state = 7u64;
    for row in 0..2000 {
        text.push_str(if row % 2 == 0 { "+1" } else { "-1" });
        let mut ids: Vec<u64> = (0..20)
            .map(|_| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                1 + (state >> 33) % 4_294_967_000
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            text.push_str(&format!(" {id}:1"));
        }
        text.push('\n');
    }
    dir.write("wide.svm", text);
    let out = run(
        &dir,
        &[
            "train",
            "--svmlight",
            "wide.svm",
            "--lambda",
            "0.1",
            "--min-df",
            "1",
            "-o",
            "w.model",
        ],
    );
    assert!(out.status.success(), "{:?} {}", out.status, stderr(&out));
}

#[test]
fn svmlight_min_df_is_applied_and_the_summary_says_so() {
    let dir = Dir::new();
    // Ids 1 and 2 are in two rows each, 9 in one: min-df 2 keeps two features.
    dir.write("m.svm", "+1 1:1 2:1 9:1\n-1 1:1\n+1 2:1\n-1 3:1\n");
    let out = run(
        &dir,
        &[
            "train",
            "--svmlight",
            "m.svm",
            "--lambda",
            "0.01",
            "-o",
            "m.model",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("vocabulary:  2 features (min-df 2, values as in the file)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_zero_based_svmlight_file_reports_its_true_largest_id() {
    let dir = Dir::new();
    dir.write("z.svm", "+1 0:1 3:1\n-1 3:1\n");
    dir.write("v.txt", "a\nb\nc\n");
    let out = run(
        &dir,
        &[
            "train",
            "--svmlight",
            "z.svm",
            "--vocab",
            "v.txt",
            "--lambda",
            "0.1",
        ],
    );
    assert_one_line_error(
        &out,
        &["v.txt: 3 terms, but z.svm uses feature ids up to 3 ("],
    );
}

#[test]
fn output_paths_that_are_not_files_are_refused_before_any_work() {
    let dir = Dir::new();
    let fifo = dir.path("fifo");
    let name = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let _socket = std::os::unix::net::UnixListener::bind(dir.path("socket")).unwrap();
    std::fs::create_dir(dir.path("folder")).unwrap();
    let sample = sample();
    let corpus = sample.to_str().unwrap();
    for (target, what) in [
        ("fifo", "is a FIFO"),
        ("socket", "is a socket"),
        ("folder", "is a folder"),
    ] {
        let out = run(&dir, &["train", corpus, "--lambda", "0.01", "-o", target]);
        assert_one_line_error(&out, &[target, what, "refusing to replace it"]);
        assert_eq!(stdout(&out), "", "refused before training");
        let out = run(
            &dir,
            &["vectorize", corpus, "-o", "x.svm", "--vocab", target],
        );
        assert_one_line_error(&out, &[target, what]);
        assert!(!dir.path("x.svm").exists());
    }
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the FIFO is still a FIFO");
    assert!(
        std::fs::symlink_metadata(dir.path("socket"))
            .unwrap()
            .file_type()
            .is_socket()
    );
    // A missing folder for -o is reported before the training run, not after it.
    let out = run(
        &dir,
        &["train", corpus, "--lambda", "0.01", "-o", "no/such/m.model"],
    );
    assert_one_line_error(&out, &["no/such", "No such file"]);
    assert_eq!(stdout(&out), "", "refused before training");
    // Two outputs of one command naming the same file.
    for (matrix, vocab) in [
        ("same", "same"),
        ("same", "./same"),
        ("folder/../same", "same"),
    ] {
        let out = run(&dir, &["vectorize", corpus, "-o", matrix, "--vocab", vocab]);
        assert_one_line_error(&out, &[vocab, "names the same file as", matrix]);
        assert!(!dir.path("same").exists());
    }
}

#[test]
fn a_closed_stdout_ends_listings_quietly_and_train_keeps_its_model() {
    let dir = Dir::new();
    let sample = sample();
    let corpus = sample.to_str().unwrap();
    let out = run_to(
        &dir,
        &["train", corpus, "--lambda", "0.01", "-o", "m.model"],
        broken_pipe(),
    );
    assert_quiet_success(&out);
    assert!(dir.path("m.model").is_file(), "the model was saved");
    for args in [
        vec!["eval", "-m", "m.model", corpus],
        vec!["eval", "-m", "m.model", "--json", corpus],
        vec!["inspect", "m.model"],
        vec!["inspect", "--json", "m.model"],
        vec!["words", "-m", "m.model"],
        vec!["classify", "-m", "m.model", corpus],
        vec!["vectorize", corpus, "-o", "x.svm", "--vocab", "v.txt"],
    ] {
        let out = run_to(&dir, &args, broken_pipe());
        assert_quiet_success(&out);
    }
    assert!(dir.path("x.svm").is_file() && dir.path("v.txt").is_file());
}

#[test]
fn a_full_stdout_or_stderr_is_one_line_and_exit_3_never_a_panic() {
    let Some(_) = dev_full() else {
        return; // no /dev/full on this system
    };
    let dir = Dir::new();
    let sample = sample();
    let corpus = sample.to_str().unwrap();
    let out = run_to(
        &dir,
        &["train", corpus, "--lambda", "0.01", "-o", "m.model"],
        dev_full().unwrap(),
    );
    assert_one_line_error(&out, &["<stdout>", "No space left"]);
    assert!(dir.path("m.model").is_file(), "the model was saved first");
    for args in [
        vec!["eval", "-m", "m.model", corpus],
        vec!["inspect", "m.model"],
        vec!["words", "-m", "m.model"],
        vec!["classify", "-m", "m.model", corpus],
        vec!["vectorize", corpus, "-o", "x.svm", "--vocab", "v.txt"],
    ] {
        let out = run_to(&dir, &args, dev_full().unwrap());
        assert_one_line_error(&out, &["<stdout>", "No space left"]);
    }
    // The error line itself cannot be written: still exit 3, not a panic's 101.
    let out = limited(dir.command(&["inspect", "missing.model"]))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(dev_full().unwrap())
        .status()
        .unwrap();
    assert_eq!(out.code(), Some(3));
}

#[test]
fn threads_above_256_are_a_one_line_error() {
    let dir = Dir::new();
    for n in ["257", "10000", "1000000000", "0"] {
        let out = dir.run(&["--threads", n, "words", "-m", "none.model"]);
        assert_one_line_error(&out, &["--threads", "1 to 256"]);
    }
    train_sample(&dir);
    let out = dir.run(&["--threads", "256", "inspect", "m.model"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// The names classify prints for `path`, one per line, and its exit code.
fn classify_names(dir: &Dir, path: &str) -> Vec<String> {
    let out = run(dir, &["classify", "-m", "m.model", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "{line:?}");
            fields[2].to_string()
        })
        .collect()
}

#[test]
fn crlf_mboxes_and_from_lines_in_bodies_split_right() {
    let dir = Dir::new();
    train_sample(&dir);
    let mut crlf = Vec::new();
    for (n, day) in [(1, "Mon"), (2, "Tue"), (3, "Wed")] {
        write!(
            crlf,
            "From a{n}@example.com {day} Jan  {n} 10:00:00 2001\r\nSubject: m{n}\r\n\r\nbody {n}\r\n\r\n"
        )
        .unwrap();
    }
    dir.write("crlf.mbox", crlf);
    assert_eq!(
        classify_names(&dir, "crlf.mbox"),
        ["crlf.mbox:1", "crlf.mbox:2", "crlf.mbox:3"]
    );
    dir.write(
        "body.mbox",
        "From a@example.com Mon Jan  1 10:00:00 2001\nSubject: one\n\nHello,\n\n\
         From here on we meet at noon.\n\n\
         From b@example.com Tue Jan  2 10:00:00 2001\nSubject: two\n\nbye\n",
    );
    assert_eq!(
        classify_names(&dir, "body.mbox"),
        ["body.mbox:1", "body.mbox:2"]
    );
}

#[test]
fn file_names_in_tab_separated_output_are_escaped() {
    let dir = Dir::new();
    train_sample(&dir);
    let mail = "Subject: hi\n\nsee you\n";
    dir.write("in/a\nspam\t0.999999\tfake", mail);
    dir.write("in/back\\slash", mail);
    let odd = dir
        .path("in")
        .join(std::ffi::OsStr::from_bytes(b"bad\xff.eml"));
    std::fs::write(&odd, mail).unwrap();
    let mut names = classify_names(&dir, "in");
    names.sort();
    let root = "in/";
    assert_eq!(
        names,
        [
            format!("{root}a\\nspam\\t0.999999\\tfake"),
            format!("{root}back\\\\slash"),
            format!("{root}bad\\xff.eml"),
        ]
    );
    let help = stdout(&dir.run(&["classify", "--help"]));
    assert!(help.contains("escaped C-style"), "{help}");
}

#[test]
fn the_harness_sets_the_limit() {
    let out = with_limit(Command::new("sh"))
        .args(["-c", "ulimit -v"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        (LIMIT >> 10).to_string()
    );
}
