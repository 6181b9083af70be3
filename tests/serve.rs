//! `sparsetext serve` driven by SpamAssassin's own `spamc` over TCP and a Unix socket,
//! and by raw protocol requests: verdicts as `classify`'s, returned bytes as `classify -p`'s,
//! learning refused, per-user models, hot reload, SIGTERM.

use std::io::Write;
use std::time::Duration;

use crate::daemon::{Daemon, message, model, request, run_spamc, spamc, status_line};
use crate::util::{Dir, stderr, stdout};

/// Messages of each class the spamc tests send.
const PER_CLASS: usize = 12;

fn classify(input: &[u8], args: &[&str]) -> std::process::Output {
    let mut all = vec!["classify", "-m", model().to_str().unwrap()];
    all.extend_from_slice(args);
    Dir::new().run_with_stdin(&all, input)
}

#[test]
fn spamc_check_gives_classify_verdicts_over_tcp_and_unix_socket() {
    let Some(spamc) = spamc() else { return };
    let d = Daemon::start(model(), &[]);
    let port = d.port.to_string();
    let socket = d.socket.to_str().unwrap().to_string();
    for label in ["ham", "spam"] {
        for n in 0..PER_CLASS {
            let mail = message(label, n);
            let expected = classify(&mail, &[]).status.code();
            let spam = expected == Some(0);
            for transport in [
                vec!["-d", "127.0.0.1", "-p", port.as_str()],
                vec!["-U", socket.as_str()],
            ] {
                let mut args = transport.clone();
                args.push("-c");
                let out = run_spamc(&spamc, &args, &mail);
                // spamc -c: exit 1 for spam, 0 for ham; prints SCORE/THRESHOLD.
                assert_eq!(out.status.code(), Some(i32::from(spam)), "{label} {n}");
                let line = stdout(&out);
                let (score, threshold) = line.trim().split_once('/').unwrap();
                assert_eq!(threshold, "5.0");
                assert_eq!(score.parse::<f64>().unwrap() >= 5.0, spam, "{line}");
            }
        }
    }
    assert!(d.log().contains("user="), "{}", d.log());
}

#[test]
fn spamc_process_and_headers_return_classify_passthrough_bytes() {
    let Some(spamc) = spamc() else { return };
    let d = Daemon::start(model(), &[]);
    let port = d.port.to_string();
    for label in ["ham", "spam"] {
        for n in 0..PER_CLASS {
            let mail = message(label, n);
            let expected = classify(&mail, &["-p"]);
            let spam = classify(&mail, &[]).status.code() == Some(0);
            let out = run_spamc(&spamc, &["-p", &port], &mail);
            assert_eq!(out.status.code(), Some(0));
            assert_eq!(out.stdout, expected.stdout, "{label} {n}: PROCESS bytes");
            let out = run_spamc(&spamc, &["-p", &port, "-E"], &mail);
            assert_eq!(out.status.code(), Some(i32::from(spam)), "-E exit code");
            assert_eq!(out.stdout, expected.stdout);
            // --headers: HEADERS, with spamc appending the original body.
            let out = run_spamc(&spamc, &["-p", &port, "--headers"], &mail);
            assert_eq!(out.stdout, expected.stdout, "{label} {n}: HEADERS bytes");
        }
    }
}

#[test]
fn headers_answer_stops_after_the_header_section() {
    let d = Daemon::start(model(), &[]);
    let mail = b"Subject: hi\r\nFrom: a@b\r\n\r\nbody line\r\n";
    let answer = d.request("HEADERS", "", mail);
    let text = String::from_utf8(answer).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("SPAMD/1.5 0 EX_OK\r\nContent-length: "));
    assert!(body.starts_with("Subject: hi\r\nFrom: a@b\r\nX-Sparsetext: "));
    assert!(body.ends_with("\r\n\r\n") && !body.contains("body line"));
}

#[test]
fn process_removes_incoming_x_sparsetext_fields() {
    let d = Daemon::start(model(), &[]);
    let mail = b"X-Sparsetext: ham; p=0.0000\r\nSubject: hi\r\nx-sparsetext: spam;\r\n p=1\r\n\r\nbody\r\n";
    let answer = String::from_utf8(d.request("PROCESS", "", mail)).unwrap();
    let (_, body) = answer.split_once("\r\n\r\n").unwrap();
    assert_eq!(
        body.to_ascii_lowercase().matches("x-sparsetext:").count(),
        1,
        "{body}"
    );
    assert!(body.starts_with("Subject: hi\r\nX-Sparsetext: "), "{body}");
    assert!(!body.contains(" p=1\r\n"));
}

#[test]
fn spamc_symbols_and_report_list_the_strongest_features() {
    let Some(spamc) = spamc() else { return };
    let d = Daemon::start(model(), &["--explain-top", "5"]);
    let port = d.port.to_string();
    let mail = message("spam", 0);
    let explained = stdout(&classify(&mail, &["--explain", "--explain-top", "5"]));
    let words: Vec<&str> = explained
        .trim()
        .split('\t')
        .nth(2)
        .unwrap()
        .split(' ')
        .map(|w| &w[..w.rfind('(').unwrap()])
        .collect();
    let out = run_spamc(&spamc, &["-p", &port, "-y"], &mail);
    let symbols = stdout(&out);
    let symbols: Vec<&str> = symbols.trim().split(',').collect();
    assert_eq!(symbols[0], "SPARSETEXT_SPAM");
    assert_eq!(&symbols[1..], &words[..], "as classify --explain");
    let out = run_spamc(&spamc, &["-p", &port, "-R", "-E"], &mail);
    let report = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "-R -E exits 1 for spam");
    assert!(report.lines().next().unwrap().ends_with("/5.0"), "{report}");
    assert!(report.contains("Content analysis details:"), "{report}");
    for word in &words {
        assert!(report.contains(word), "{word} in {report}");
    }
    // REPORT_IFSPAM of ham: the score line only, no report.
    let out = run_spamc(&spamc, &["-p", &port, "-r"], &message("ham", 0));
    assert!(
        !stdout(&out).contains("Content analysis"),
        "{}",
        stdout(&out)
    );
    let answer = d.request("REPORT_IFSPAM", "", &message("ham", 0));
    let answer = String::from_utf8(answer).unwrap();
    assert!(
        answer.starts_with("SPAMD/1.5 0 EX_OK\r\nContent-length: 0\r\nSpam: False ; "),
        "{answer:?}"
    );
    assert!(answer.ends_with(" / 5.0\r\n\r\n"), "{answer:?}");
}

#[test]
fn spamc_learning_is_refused_with_ex_unavailable() {
    let Some(spamc) = spamc() else { return };
    let d = Daemon::start(model(), &[]);
    let port = d.port.to_string();
    for class in ["spam", "ham", "forget"] {
        let out = run_spamc(&spamc, &["-p", &port, "-L", class], &message("spam", 1));
        // spamd's own answer without --allow-tell: spamc reads the error line, finds no
        // headers and exits EX_IOERR (74).
        assert_eq!(out.status.code(), Some(74), "-L {class}: {}", stderr(&out));
    }
    let answer = d.request(
        "TELL",
        "Message-class: spam\r\nSet: local\r\n",
        b"Subject: x\r\n\r\n",
    );
    assert!(
        status_line(&answer).starts_with("SPAMD/1.5 69 EX_UNAVAILABLE"),
        "{:?}",
        String::from_utf8_lossy(&answer)
    );
    let out = run_spamc(&spamc, &["-p", &port, "-K"], b"");
    assert_eq!(out.status.code(), Some(0), "PING");
    assert!(stdout(&out).starts_with("SPAMD/1.5 0"));
}

#[test]
fn ping_skip_and_zlib() {
    let d = Daemon::start(model(), &[]);
    assert_eq!(d.raw(b"PING SPAMC/1.5\r\n\r\n"), b"SPAMD/1.5 0 PONG\r\n");
    assert_eq!(d.raw(b"PING SPAMC/1.2\r\n"), b"SPAMD/1.5 0 PONG\r\n");
    assert_eq!(d.raw(b"SKIP SPAMC/1.5\r\n\r\n"), b"");
    let mail = message("spam", 2);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&mail).unwrap();
    let z = z.finish().unwrap();
    let plain = d.request("CHECK", "", &mail);
    let compressed = d.request("CHECK", "Compress: zlib\r\n", &z);
    assert_eq!(plain, compressed);
    assert!(String::from_utf8_lossy(&plain).contains("Spam: True ; "));
}

#[test]
fn user_models_are_picked_by_name_without_leaving_the_folder() {
    let dir = Dir::new();
    std::fs::create_dir(dir.path("users")).unwrap();
    // ann's model calls almost nothing spam.
    let out = dir.run(&[
        "train",
        "--lambda",
        "0.003",
        "--threshold",
        "0.99999",
        "-o",
        "users/ann.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let d = Daemon::start(
        model(),
        &["--user-models", dir.path("users").to_str().unwrap()],
    );
    let mail = message("spam", 0);
    let line = |user: &str| {
        let answer = d.request("CHECK", &format!("User: {user}\r\n"), &mail);
        String::from_utf8_lossy(&answer).into_owned()
    };
    assert!(
        line("bob").contains("Spam: True"),
        "bob has no model: the default"
    );
    assert!(line("ann").contains("Spam: False"), "ann's own model");
    for evil in ["../../etc/passwd", "../users/ann", ".ann", "ann/x", "-ann"] {
        let answer = line(evil);
        assert!(
            answer.starts_with("SPAMD/1.5 67 EX_NOUSER"),
            "{evil}: {answer}"
        );
    }
    assert!(line("ann").contains("Spam: False"), "still serving");
}

#[test]
fn a_replaced_model_serves_new_requests_and_a_broken_one_is_refused() {
    let dir = Dir::new();
    let live = dir.path("live.model");
    std::fs::copy(model(), &live).unwrap();
    let out = dir.run(&[
        "train",
        "--lambda",
        "0.003",
        "--threshold",
        "0.99999",
        "-o",
        "strict.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let d = Daemon::start(&live, &[]);
    let mail = message("spam", 0);
    assert!(d.check(&mail).starts_with("Spam: True"));
    // Atomic replacement, as train does: picked up within the watcher's second.
    std::fs::copy(dir.path("strict.model"), dir.path("tmp")).unwrap();
    std::fs::rename(dir.path("tmp"), &live).unwrap();
    wait_until(|| d.check(&mail).starts_with("Spam: False"));
    // A broken file is refused, logged, and the model before keeps serving.
    std::fs::write(dir.path("tmp"), b"not a model").unwrap();
    std::fs::rename(dir.path("tmp"), &live).unwrap();
    d.wait_for_log("keeps serving");
    assert!(d.check(&mail).starts_with("Spam: False"));
    // SIGHUP reloads at once, even a file rewritten in place.
    std::fs::copy(model(), &live).unwrap();
    d.signal("HUP");
    wait_until(|| d.check(&mail).starts_with("Spam: True"));
    assert!(d.log().contains("SIGHUP"), "{}", d.log());
}

#[test]
fn sigterm_finishes_requests_in_flight_then_exits() {
    let mut d = Daemon::start(model(), &[]);
    let mail = message("ham", 3);
    let full = request("CHECK", "", &mail);
    let mut s = d.connect();
    s.write_all(&full[..full.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    d.signal("TERM");
    d.wait_for_log("shutting down");
    s.write_all(&full[full.len() / 2..]).unwrap();
    let answer = crate::daemon::read_all(&mut s);
    assert!(
        status_line(&answer).starts_with("SPAMD/1.5 0 EX_OK"),
        "{answer:?}"
    );
    let status = d.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!d.socket.exists(), "the socket file is removed");
    assert!(std::net::TcpStream::connect(("127.0.0.1", d.port)).is_err());
}

/// Polls `ok` for up to 10 seconds.
fn wait_until(ok: impl Fn() -> bool) {
    let until = std::time::Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(std::time::Instant::now() < until, "timed out");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_unix_socket_gets_its_mode_and_owner_and_tcp_clients_their_allow_list() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let id = |flag: &str| {
        let out = std::process::Command::new("id").arg(flag).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let owner = format!("{}:{}", id("-u"), id("-g"));
    let d = Daemon::start(
        model(),
        &[
            "--socket-mode",
            "640",
            "--socket-owner",
            &owner,
            "--allow",
            "10.0.0.0/8",
        ],
    );
    let meta = std::fs::metadata(&d.socket).unwrap();
    assert_eq!(meta.permissions().mode() & 0o7777, 0o640);
    assert_eq!(format!("{}:{}", meta.uid(), meta.gid()), owner);
    // Loopback is not in 10.0.0.0/8: closed without an answer, and logged.
    assert_eq!(d.request("CHECK", "", &message("ham", 0)), b"");
    d.wait_for_log("not in the allowed addresses");
    // The Unix socket is not subject to the address list.
    let mut s = std::os::unix::net::UnixStream::connect(&d.socket).unwrap();
    s.write_all(&request("CHECK", "User: ann\r\n", &message("spam", 0)))
        .unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut s, &mut answer).unwrap();
    assert!(answer.contains("Spam: True ; "), "{answer}");
    // One log line per request: client, user, verdict, points, bytes, microseconds
    // (written after the answer is sent, so wait for it).
    d.wait_for_log("unix user=ann CHECK");
    let line = d
        .log()
        .lines()
        .find(|l| l.contains(" CHECK "))
        .unwrap()
        .to_string();
    for field in ["unix user=ann CHECK spam ", "/5.0 p=", " bytes=", " us="] {
        assert!(line.contains(field), "{field:?} in {line}");
    }
}

#[test]
fn spamc_learning_with_allow_tell_updates_the_model() {
    let Some(spamc) = spamc() else { return };
    // A private copy of the model and its training store: learning rewrites both.
    let dir = Dir::new();
    let copy = dir.path("tell.model");
    std::fs::copy(model(), &copy).unwrap();
    std::fs::copy(model().with_extension("store"), dir.path("tell.store")).unwrap();
    let d = Daemon::start(&copy, &["--allow-tell"]);
    let port = d.port.to_string();
    let mail = message("spam", 2);
    let score = |mail: &[u8]| {
        let out = run_spamc(&spamc, &["-p", &port, "-c"], mail);
        stdout(&out)
            .trim()
            .split_once('/')
            .unwrap()
            .0
            .parse::<f64>()
            .unwrap()
    };
    let before_bytes = std::fs::read(&copy).unwrap();
    let before = score(&mail);
    let out = run_spamc(&spamc, &["-p", &port, "-L", "ham"], &mail);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Message successfully un/learned"),
        "{}",
        stdout(&out)
    );
    assert_ne!(
        std::fs::read(&copy).unwrap(),
        before_bytes,
        "the model was refitted"
    );
    // The daemon serves the new model at once: the message now scores lower.
    assert!(score(&mail) < before, "learned as ham");
    // The same label again changes nothing; forgetting does.
    let out = run_spamc(&spamc, &["-p", &port, "-L", "ham"], &mail);
    assert!(stdout(&out).contains("already"), "{}", stdout(&out));
    let out = run_spamc(&spamc, &["-p", &port, "-L", "forget"], &mail);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("successfully"), "{}", stdout(&out));
    d.wait_for_log(" TELL ");
}
