//! Shared helpers: run the real binary in a temporary directory (ripgrep: tests/util.rs).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use std::sync::OnceLock;

pub use crate::passthrough_model::stamped;

/// A temporary working directory for one test.
pub struct Dir {
    pub tmp: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// Writes `bytes` to `rel`, creating parent folders.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A `sparsetext` command running in this directory.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sparsetext"));
        cmd.args(args).current_dir(self.tmp.path());
        cmd.env_remove("SPARSETEXT_MODEL");
        // The per-user default model goes under the test's own folder.
        cmd.env("HOME", self.tmp.path()).env_remove("XDG_DATA_HOME");
        cmd
    }

    /// Runs with `input` on stdin, closed once written (from a thread: the child
    /// may write before it has read everything, or fail before reading at all).
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sparsetext");
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().expect("run sparsetext");
        writer.join().unwrap();
        out
    }

    /// Runs with no stdin and returns the output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .expect("run sparsetext")
    }

    /// Runs `sparsetext vectorize ARGS... -o x.svm --vocab v.txt`.
    pub fn vectorize(&self, args: &[&str]) -> Output {
        let mut all = vec!["vectorize"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-o", "x.svm", "--vocab", "v.txt"]);
        self.run(&all)
    }
}

/// The repository's bundled sample corpus.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/sample")
}

/// One model trained on the bundled sample at a fixed lambda, shared by the tests that
/// only read it.
pub fn shared_model() -> &'static Path {
    static MODEL: OnceLock<(Dir, PathBuf)> = OnceLock::new();
    let (_, path) = MODEL.get_or_init(|| {
        let dir = Dir::new();
        let out = dir.run(&["train", "--lambda", "0.003", "-o", "shared.model"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let path = dir.path("shared.model");
        (dir, path)
    });
    path
}

pub fn sample_message(label: &str, n: usize) -> PathBuf {
    let dir = sample().join(label);
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names[n].clone()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the run failed with exit code 3 and, besides warnings, one line on
/// stderr starting `sparsetext: ` and containing every one of `needles`; no panic.
pub fn assert_one_line_error(out: &Output, needles: &[&str]) {
    let all = stderr(out);
    assert_eq!(out.status.code(), Some(3), "stderr: {all}");
    let errors: Vec<&str> = all
        .lines()
        .filter(|l| !l.starts_with("sparsetext: warning: "))
        .collect();
    assert_eq!(errors.len(), 1, "one line: {all}");
    let err = errors[0];
    assert!(err.starts_with("sparsetext: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
}
