//! Helpers for the `serve` tests: a running daemon, a raw protocol client, SpamAssassin's
//! `spamc`; the model is the one trained once per test run for every test.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use crate::util::shared_model as model;
use crate::util::{Dir, sample_message};

/// The `n`-th message (by name) of the sample's `label` folder.
pub fn message(label: &str, n: usize) -> Vec<u8> {
    std::fs::read(sample_message(label, n)).unwrap()
}

/// A `sparsetext serve` child on a loopback port and a Unix socket; killed on drop.
pub struct Daemon {
    pub child: Child,
    pub port: u16,
    pub socket: PathBuf,
    log: Arc<Mutex<String>>,
    _dir: Dir,
}

impl Daemon {
    /// Starts `serve -m MODEL --listen 127.0.0.1:0 --socket DIR/serve.sock EXTRA...`.
    pub fn start(model: &Path, extra: &[&str]) -> Daemon {
        let dir = Dir::new();
        let socket = dir.path("serve.sock");
        let mut child = dir
            .command(&["serve", "-m"])
            .arg(model)
            .args(["--listen", "127.0.0.1:0", "--socket"])
            .arg(&socket)
            .args(extra)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sparsetext serve");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on 127.0.0.1:").nth(1) {
                    let _ = tx.send(rest.trim().parse::<u16>().unwrap());
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let port = rx
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no port; log: {}", log.lock().unwrap()));
        let d = Daemon {
            child,
            port,
            socket,
            log,
            _dir: dir,
        };
        d.wait_for_log("listening on /");
        d
    }

    /// Everything logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until the log contains `needle`.
    pub fn wait_for_log(&self, needle: &str) {
        let until = Instant::now() + Duration::from_secs(10);
        while !self.log().contains(needle) {
            assert!(
                Instant::now() < until,
                "{needle:?} not logged: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends `request` whole over TCP, closes our side, returns the answer.
    pub fn raw(&self, request: &[u8]) -> Vec<u8> {
        let mut s = self.connect();
        let _ = s.write_all(request);
        let _ = s.shutdown(Shutdown::Write);
        read_all(&mut s)
    }

    pub fn connect(&self) -> TcpStream {
        let s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s
    }

    /// `METHOD SPAMC/1.5` with a Content-length, extra header lines, then `message`.
    pub fn request(&self, method: &str, headers: &str, message: &[u8]) -> Vec<u8> {
        self.raw(&request(method, headers, message))
    }

    /// The `Spam:` line of a CHECK answer.
    pub fn check(&self, message: &[u8]) -> String {
        let answer = String::from_utf8(self.request("CHECK", "", message)).unwrap();
        answer
            .lines()
            .find(|l| l.starts_with("Spam: "))
            .unwrap_or_else(|| panic!("no Spam line in {answer:?}"))
            .to_string()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A request's bytes.
pub fn request(method: &str, headers: &str, message: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "{method} SPAMC/1.5\r\nContent-length: {}\r\n{headers}\r\n",
        message.len()
    )
    .into_bytes();
    out.extend_from_slice(message);
    out
}

/// Reads until the end of the stream, a reset or the read timeout.
pub fn read_all(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut chunk = [0u8; 8192];
    while let Ok(n) = s.read(&mut chunk) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&chunk[..n]);
    }
    out
}

/// The status line of an answer.
pub fn status_line(answer: &[u8]) -> String {
    String::from_utf8_lossy(answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

/// SpamAssassin's `spamc`; `None` (the test passes without it) only when
/// `SPARSETEXT_SKIP_EXTERNAL=1`, else a missing `spamc` fails the test.
pub fn spamc() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("spamc"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert_eq!(
            std::env::var("SPARSETEXT_SKIP_EXTERNAL").as_deref(),
            Ok("1"),
            "spamc is not installed (Debian package spamc; .ci/run installs it); \
             set SPARSETEXT_SKIP_EXTERNAL=1 to skip"
        );
    }
    found
}

/// Runs `spamc ARGS` with `input` on stdin.
pub fn run_spamc(spamc: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(spamc)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run spamc");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}
