//! `sparsetext serve` under bad input, faults and abuse: each bad request gets the
//! protocol's error line or a closed connection within the timeout, memory stays
//! bounded, and the daemon keeps serving everyone else.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::daemon::{Daemon, message, model, read_all, request, status_line};

/// The timeout the abuse tests give the daemon, in seconds.
const TIMEOUT: &str = "1";

fn daemon(extra: &[&str]) -> Daemon {
    let mut args = vec!["--timeout", TIMEOUT, "--max-message-bytes", "200000"];
    args.extend_from_slice(extra);
    Daemon::start(model(), &args)
}

/// Asserts the daemon still answers a good request.
fn still_serving(d: &Daemon) {
    assert!(d.check(&message("spam", 5)).starts_with("Spam: True"));
}

fn assert_status(answer: &[u8], expected: &str, what: &str) {
    let line = status_line(answer);
    assert!(line.starts_with(expected), "{what}: {line:?}");
}

#[test]
fn malformed_request_lines_and_unknown_commands_get_ex_protocol() {
    let d = daemon(&[]);
    for bad in [
        &b"\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"FROB SPAMC/1.5\r\n\r\n",
        b"CHECK\r\n\r\n",
        b"CHECK SPAMC/one\r\n\r\n",
        b"CHECK SPAMC/1.5\r\nthis is no header\r\n\r\n",
        b"CHECK SPAMC/1.5\r\nContent-length: 3\r\nCompress: gzip\r\n\r\nabc",
        b"\x00\x01\x02\xff SPAMC/1.5\r\n\r\n",
    ] {
        assert_status(&d.raw(bad), "SPAMD/1.5 76 EX_PROTOCOL", &format!("{bad:?}"));
    }
    let flood = format!("CHECK SPAMC/1.5\r\n{}\r\n", "X-A: b\r\n".repeat(300));
    assert_status(&d.raw(flood.as_bytes()), "SPAMD/1.5 76", "300 headers");
    let endless = vec![b'A'; 100_000];
    assert_status(&d.raw(&endless), "SPAMD/1.5 76", "a line without end");
    still_serving(&d);
}

#[test]
fn missing_or_lying_content_lengths_get_error_answers() {
    let d = daemon(&[]);
    let mail = message("ham", 1);
    let with_length = |length: &str| {
        let mut r = format!("CHECK SPAMC/1.5\r\nContent-length: {length}\r\n\r\n").into_bytes();
        r.extend_from_slice(&mail);
        r
    };
    let mut missing = b"CHECK SPAMC/1.5\r\n\r\n".to_vec();
    missing.extend_from_slice(&mail);
    assert_status(&d.raw(&missing), "SPAMD/1.5 76", "missing");
    assert_status(&d.raw(&with_length("-5")), "SPAMD/1.5 76", "negative");
    assert_status(
        &d.raw(&with_length("10737418240")),
        "SPAMD/1.5 65 EX_DATAERR",
        "10 GB",
    );
    let longer = (mail.len() + 100).to_string();
    assert_status(
        &d.raw(&with_length(&longer)),
        "SPAMD/1.5 76",
        "longer, then EOF",
    );
    // Longer while the client keeps the connection open: the timeout answers.
    let mut s = d.connect();
    s.write_all(&with_length(&longer)).unwrap();
    let start = Instant::now();
    assert_status(&read_all(&mut s), "SPAMD/1.5 79 EX_TIMEOUT", "longer, open");
    assert!(start.elapsed() < Duration::from_secs(3));
    // Shorter: the message is the first Content-length bytes; the rest is ignored.
    let answer = d.raw(&with_length(&(mail.len() / 2).to_string()));
    assert_status(&answer, "SPAMD/1.5 0 EX_OK", "shorter");
    still_serving(&d);
}

#[test]
fn a_byte_a_second_client_times_out_while_others_are_served() {
    let d = daemon(&[]);
    let full = request("CHECK", "", &message("ham", 2));
    let slow = std::thread::spawn({
        let mut s = d.connect();
        move || {
            let start = Instant::now();
            for b in &full {
                if s.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(300));
            }
            (read_all(&mut s), start.elapsed())
        }
    });
    for _ in 0..5 {
        still_serving(&d);
    }
    let (answer, took) = slow.join().unwrap();
    assert_status(&answer, "SPAMD/1.5 79 EX_TIMEOUT", "slow client");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // A silent client gets the same answer.
    let mut s = d.connect();
    assert_status(&read_all(&mut s), "SPAMD/1.5 79", "silent client");
}

#[test]
fn a_client_that_never_reads_the_answer_does_not_block_others() {
    let d = daemon(&[]);
    // A big PROCESS answer to clients that never read: their sockets fill up, the
    // writes time out.
    let big = {
        let mut m = message("ham", 0);
        while m.len() < 190_000 {
            m.extend_from_slice(b"filler line of the body to make the message big\r\n");
        }
        m
    };
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = d.connect();
            s.write_all(&request("PROCESS", "", &big)).unwrap();
            s
        })
        .collect();
    for _ in 0..5 {
        still_serving(&d);
    }
    std::thread::sleep(Duration::from_secs(2));
    still_serving(&d);
    drop(idle);
}

#[test]
fn oversized_messages_and_bad_zlib_are_refused() {
    let d = daemon(&[]);
    let big = vec![b'a'; 200_001];
    assert_status(
        &d.request("CHECK", "", &big),
        "SPAMD/1.5 65 EX_DATAERR",
        "over the cap",
    );
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![b'a'; 1_000_000]).unwrap();
    let bomb = z.finish().unwrap();
    assert_status(
        &d.request("CHECK", "Compress: zlib\r\n", &bomb),
        "SPAMD/1.5 65",
        "inflates over the cap",
    );
    assert_status(
        &d.request("CHECK", "Compress: zlib\r\n", b"this is not zlib data"),
        "SPAMD/1.5 76",
        "invalid zlib",
    );
    still_serving(&d);
}

#[test]
fn a_user_of_dot_dot_etc_passwd_is_refused() {
    let dir = crate::util::Dir::new();
    std::fs::create_dir(dir.path("users")).unwrap();
    let d = daemon(&["--user-models", dir.path("users").to_str().unwrap()]);
    let answer = d.request("CHECK", "User: ../../etc/passwd\r\n", &message("ham", 0));
    assert_status(&answer, "SPAMD/1.5 67 EX_NOUSER", "path traversal");
    let answer = d.request("CHECK", "User: a\x07b\r\n", &message("ham", 0));
    assert_status(&answer, "SPAMD/1.5 76", "control characters");
    still_serving(&d);
}

/// Open file descriptors this process may have.
fn fd_limit() -> usize {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|n| n.parse().ok())
        .unwrap_or(1024)
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[test]
fn ten_thousand_connections_at_once_are_refused_or_served_within_the_timeout() {
    let d = daemon(&["--max-connections", "64"]);
    // Both ends of each connection live in this test binary's process and the daemon's:
    // stay under this process's descriptor limit.
    let n = 10_000.min(fd_limit().saturating_sub(200));
    let mut open = Vec::with_capacity(n);
    for _ in 0..n {
        match TcpStream::connect(("127.0.0.1", d.port)) {
            Ok(s) => open.push(s),
            Err(e) => panic!("connect {} failed: {e}", open.len()),
        }
    }
    // Past the 64 served at once, the daemon answers EX_TEMPFAIL and closes; the 64
    // silent ones time out. Meanwhile a good client gets through after at most the timeout.
    let start = Instant::now();
    loop {
        let answer = d.request("CHECK", "", &message("spam", 5));
        if status_line(&answer).starts_with("SPAMD/1.5 0") {
            break;
        }
        assert_status(&answer, "SPAMD/1.5 75 EX_TEMPFAIL", "busy");
        assert!(start.elapsed() < Duration::from_secs(10), "never served");
        std::thread::sleep(Duration::from_millis(50));
    }
    let refused = open
        .iter_mut()
        .take(200)
        .map(|s| {
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            read_all(s)
        })
        .filter(|a| !a.is_empty())
        .count();
    assert!(refused > 0);
    drop(open);
    still_serving(&d);
    let peak = peak_rss_kib(d.child.id());
    assert!(peak < 256 * 1024, "peak RSS {peak} KiB");
}
