//! The bad-input suite: hostile or broken input to the real binary. Each case
//! ends in a one-line error naming the problem and exit 3, or in a documented
//! result (README, "Hardening"); never a panic, a lost message, a partial
//! output file or a damaged earlier model. Cases already covered elsewhere are
//! listed in the README's table with the test that covers them.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Output, Stdio};

use crate::util::{Dir, assert_one_line_error, sample, stderr, stdout};

/// Deterministic junk bytes (a linear congruential generator: no dependency).
fn random_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

/// Trains a small model into `dir` as `m.model` and returns its bytes.
fn train(dir: &Dir) -> Vec<u8> {
    let out = dir.run(&["train", "--lambda", "0.01", "-o", "m.model"]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::read(dir.path("m.model")).unwrap()
}

fn with_stdin(dir: &Dir, args: &[&str], input: &[u8]) -> Output {
    dir.run_with_stdin(args, input)
}

/// No panic text, and every stderr line is `sparsetext: ...`.
fn assert_calm(out: &Output) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.lines().all(|l| l.starts_with("sparsetext: ")), "{err}");
}

/// The file names in `dir` ending in `.tmp` (temporary files left behind).
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

/// A verdict line `LABEL<TAB>P` with exit code 0, 1 or 2.
fn assert_verdict(out: &Output) {
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "{:?}: {}",
        out.status,
        stderr(out)
    );
    let text = stdout(out);
    let (label, p) = text.trim_end().split_once('\t').expect("label TAB p");
    assert!(["spam", "ham", "unsure"].contains(&label), "{text}");
    assert!((0.0..=1.0).contains(&p.parse::<f64>().unwrap()), "{text}");
    assert_calm(out);
}

/// Passthrough output is the input with our one header field added (and any
/// incoming one removed), and the exit code 0.
fn assert_passthrough(input: &[u8], out: &Output) {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    let text = String::from_utf8_lossy(&out.stdout);
    let at = text.find("X-Sparsetext: ").expect("header added");
    let field = text[at..].split(['\r', '\n']).next().unwrap();
    assert!(
        out.stdout == crate::util::stamped(input, field),
        "passthrough changed the message"
    );
}

#[test]
fn random_bytes_on_stdin_get_a_verdict_and_pass_through_whole() {
    let dir = Dir::new();
    train(&dir);
    for (n, len) in [(1u64, 1usize), (2, 100), (3, 65_536)] {
        let input = random_bytes(len, n);
        assert_verdict(&with_stdin(&dir, &["classify", "-m", "m.model"], &input));
        let out = with_stdin(&dir, &["classify", "-m", "m.model", "-p"], &input);
        assert_passthrough(&input, &out);
    }
}

#[test]
fn empty_input_is_a_message_with_no_words() {
    let dir = Dir::new();
    train(&dir);
    // Documented: an empty message is scored (no words: the intercept decides).
    assert_verdict(&with_stdin(&dir, &["classify", "-m", "m.model"], b""));
    let out = with_stdin(&dir, &["classify", "-m", "m.model", "-p"], b"");
    assert_passthrough(b"", &out);
    // An empty file in a corpus is skipped with a warning, and the run goes on.
    dir.write("c/ham/empty", "");
    let out = dir.run(&["classify", "-m", "m.model", "c"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 0, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("empty: skipped: empty file"),
        "{}",
        stderr(&out)
    );
    // An empty corpus file as the only ham: a one-class error.
    let out = dir.run(&["train", "--ham", "c/ham/empty", "--spam", "c/ham/empty"]);
    assert_one_line_error(&out, &["no mail"]);
}

#[test]
fn a_folder_of_non_mail_is_a_one_line_error_and_no_model() {
    let dir = Dir::new();
    for i in 0..4 {
        dir.write(&format!("c/ham/{i}"), format!("mv {i}.txt {i}.bak\n"));
        dir.write(&format!("c/spam/{i}"), random_bytes(500, i));
    }
    dir.write("c/spam/.hidden", "Subject: x\n\ny\n"); // hidden: skipped too
    let out = dir.run(&["train", "c", "-o", "x.model"]);
    assert_one_line_error(&out, &["no mail to learn from", "9 file(s) skipped"]);
    assert!(!dir.path("x.model").exists());
    assert!(leftovers(dir.tmp.path()).is_empty());
}

#[test]
fn one_class_corpora_are_one_line_errors_and_leave_the_model_alone() {
    let dir = Dir::new();
    let before = train(&dir);
    // Only spam is covered in tests/cli.rs; only ham here, by flag and by folder.
    let ham = sample().join("ham");
    let out = dir.run(&["train", "--ham", ham.to_str().unwrap(), "-o", "m.model"]);
    assert_one_line_error(&out, &["both classes", "0 spam"]);
    dir.write("only/ham/1", "Subject: a\n\nhello there\n");
    dir.write("only/ham/2", "Subject: b\n\nhello again\n");
    let out = dir.run(&["train", "only", "--lambda", "0.01", "-o", "m.model"]);
    assert_one_line_error(&out, &["both classes", "0 spam"]);
    assert_eq!(std::fs::read(dir.path("m.model")).unwrap(), before);
    assert!(leftovers(dir.tmp.path()).is_empty());
}

#[test]
fn identical_messages_train_a_base_rate_model_with_a_warning() {
    let dir = Dir::new();
    for i in 0..6 {
        dir.write(
            &format!("c/ham/{i}"),
            "Subject: hello\n\nthe very same words\n",
        );
    }
    for i in 0..3 {
        dir.write(
            &format!("c/spam/{i}"),
            "Subject: hello\n\nthe very same words\n",
        );
    }
    let out = dir.run(&["train", "c", "--cv", "3", "-o", "same.model"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_calm(&out);
    assert!(
        stderr(&out).contains("no word was kept"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("features:    0 of"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains("NaN"), "{}", stdout(&out));
    // Every message gets the training set's spam rate, 3 / 9, and is unsure: every
    // out-of-fold probability was that same rate, so the spam cut is 0.5 and the ham cut
    // is the rate itself, which tells no spam from ham.
    let out = with_stdin(
        &dir,
        &["classify", "-m", "same.model"],
        b"Subject: hello\n\nthe very same words\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let p: f64 = stdout(&out)
        .trim()
        .split('\t')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    assert!((p - 1.0 / 3.0).abs() < 1e-3, "{p}");
}

#[test]
fn missing_or_unlabeled_corpus_folders_are_one_line_errors() {
    let dir = Dir::new();
    dir.write("flat/1", "Subject: a\n\nb\n");
    dir.write("flat/2", "Subject: a\n\nb\n");
    let out = dir.run(&["train", "flat", "-o", "x.model"]);
    assert_one_line_error(&out, &["flat", "no sub-folder's name does"]);
    let out = dir.run(&[
        "train", "--ham", "nowhere", "--spam", "flat", "-o", "x.model",
    ]);
    assert_one_line_error(&out, &["nowhere", "No such file"]);
    let out = dir.run(&["eval", "-m", "x.model", "nowhere"]);
    assert_one_line_error(&out, &["x.model"]);
    assert!(!dir.path("x.model").exists());
}

#[test]
fn unreadable_files_are_skipped_with_a_warning() {
    let dir = Dir::new();
    let model = train(&dir);
    dir.write("c/ham/good", "Subject: lunch\n\nLunch at noon?\n");
    dir.write("c/spam/good", "Subject: cheap\n\nCheap pills now\n");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/no/such/target", dir.path("c/ham/dangling")).unwrap();
        let locked = dir.write("c/spam/locked", "Subject: x\n\ny\n");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // Root reads mode-000 files anyway: then only the dangling link is unreadable.
    let locked_readable = std::fs::File::open(dir.path("c/spam/locked")).is_ok();
    let out = dir.run(&["classify", "-m", "m.model", "c"]);
    assert_calm(&out);
    let err = stderr(&out);
    assert!(
        err.contains("dangling") && err.contains("cannot read it"),
        "{err}"
    );
    let lines = stdout(&out).lines().count();
    if locked_readable {
        assert_eq!(out.status.code(), Some(0), "{err}");
        assert_eq!(lines, 3);
    } else {
        // Listed, then unreadable when read: an error line for it, exit 3, the rest scored.
        assert_eq!(out.status.code(), Some(3), "{err}");
        assert!(err.contains("locked"), "{err}");
        assert_eq!(lines, 2);
    }
    let out = dir.run(&["train", "c", "--lambda", "0.01", "-o", "m.model"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("dangling"));
    // A model path that is a folder, and one that cannot be read.
    let out = dir.run(&["classify", "-m", "c", "c"]);
    assert_one_line_error(&out, &["c: ", "directory"]);
    assert!(!model.is_empty());
}

#[test]
fn foreign_files_as_models_are_one_line_errors() {
    // Newer version, truncated, flipped bytes, a mail file, empty: tests/cli.rs
    // (corrupted_models_are_one_line_errors_in_every_command). Here: an svmlight
    // file, random bytes, a model with bytes appended, and /dev/zero.
    let dir = Dir::new();
    let model = train(&dir);
    dir.write("m.svm", "+1 1:1 2:1\n-1 3:1\n");
    dir.write("junk.model", random_bytes(10_000, 7));
    let mut longer = model.clone();
    longer.extend_from_slice(b"From x\n");
    dir.write("longer.model", longer);
    let cases = [
        ("m.svm", "not a sparsetext model"),
        ("junk.model", "not a sparsetext model"),
        ("longer.model", "unexpected bytes after the checksum"),
        ("/dev/zero", "not a sparsetext model"),
    ];
    for (name, needle) in cases {
        let out = with_stdin(&dir, &["classify", "-m", name], b"Subject: x\n\ny\n");
        assert_one_line_error(&out, &[name, needle]);
        // Passthrough still delivers the message.
        let out = with_stdin(&dir, &["classify", "-m", name, "-p"], b"Subject: x\n\ny\n");
        assert_eq!(out.stdout, b"Subject: x\n\ny\n");
        assert_one_line_error(&out, &[name, needle]);
    }
}

#[test]
fn malformed_svmlight_is_a_one_line_error_naming_the_line() {
    let dir = Dir::new();
    let before = train(&dir);
    for (bytes, needle) in [
        (b"+1 1:1\n-1 3:x\n".to_vec(), "m.svm:2"),
        (b"+1 2:1 1:1\n".to_vec(), "m.svm:1"),
        (Vec::new(), "m.svm"),
        (random_bytes(3000, 11), "m.svm"),
    ] {
        dir.write("m.svm", bytes);
        let out = dir.run(&[
            "train",
            "--svmlight",
            "m.svm",
            "--lambda",
            "0.01",
            "-o",
            "m.model",
        ]);
        assert_one_line_error(&out, &[needle]);
    }
    assert_eq!(std::fs::read(dir.path("m.model")).unwrap(), before);
}

#[test]
fn stdin_closed_early_scores_what_arrived_and_passes_it_through() {
    let dir = Dir::new();
    train(&dir);
    let whole = std::fs::read(
        std::fs::read_dir(sample().join("spam"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path(),
    )
    .unwrap();
    for cut in [1, 17, whole.len() / 2] {
        let part = &whole[..cut];
        assert_verdict(&with_stdin(&dir, &["classify", "-m", "m.model"], part));
        let out = with_stdin(&dir, &["classify", "-m", "m.model", "-p"], part);
        assert_passthrough(part, &out);
    }
}

#[test]
fn a_broken_stdout_pipe_is_quiet_for_listings_and_an_error_for_passthrough() {
    let dir = Dir::new();
    train(&dir);
    let sample = sample();
    // `words | head -1`, `classify PATH | head -1`: the reader chose to stop.
    for args in [
        vec!["words", "-m", "m.model"],
        vec!["classify", "-m", "m.model", sample.to_str().unwrap()],
    ] {
        let mut child = dir
            .command(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut first)
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{args:?}");
    }
    // Passthrough into a closed pipe: the message was not delivered, so exit 3.
    let big = format!("Subject: x\n\n{}\n", "word ".repeat(400_000));
    let mut child = dir
        .command(&["classify", "-m", "m.model", "-p"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(big.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert_one_line_error(&out, &["<stdout>", "closed before the whole message"]);
}

#[test]
fn messages_over_the_cap_are_scored_on_a_prefix_and_passed_through_whole() {
    let dir = Dir::new();
    train(&dir);
    let big = format!("Subject: big\n\n{}\n", "cheap pills now ".repeat(100_000));
    let args = ["classify", "-m", "m.model", "--max-message-bytes", "10000"];
    let out = with_stdin(&dir, &args, big.as_bytes());
    assert_verdict(&out);
    assert!(stderr(&out).contains("1 message(s) tokenized only in part"));
    let mut passthrough = args.to_vec();
    passthrough.push("-p");
    let out = with_stdin(&dir, &passthrough, big.as_bytes());
    assert_passthrough(big.as_bytes(), &out);
    // The same verdict as the first 10,000 bytes alone.
    let prefix = with_stdin(
        &dir,
        &["classify", "-m", "m.model"],
        &big.as_bytes()[..10_000],
    );
    let full = with_stdin(&dir, &args, big.as_bytes());
    assert_eq!(stdout(&prefix), stdout(&full));
    // Endless input as a PATH: read up to the cap, then skipped as not mail.
    let out = dir.run(&[
        "classify",
        "-m",
        "m.model",
        "--max-message-bytes",
        "100000",
        "/dev/zero",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("/dev/zero: skipped: not mail"),
        "{}",
        stderr(&out)
    );
    // In a corpus, the cut is counted.
    dir.write("c/ham/big", &big);
    dir.write("c/spam/small", "Subject: cheap\n\ncheap pills now\n");
    let out = dir.vectorize(&["c", "--min-df", "1", "--max-message-bytes", "10000"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 message(s) tokenized only in part"));
    // A zero cap is a usage error.
    let out = dir.run(&["classify", "-m", "m.model", "--max-message-bytes", "0", "c"]);
    assert_one_line_error(&out, &["--max-message-bytes"]);
}

#[test]
fn failed_writes_leave_no_partial_output() {
    let dir = Dir::new();
    let before = train(&dir);
    std::fs::create_dir_all(dir.path("taken.model")).unwrap();
    let out = dir.run(&["train", "--lambda", "0.01", "-o", "taken.model"]);
    assert_one_line_error(&out, &["taken.model"]);
    // vectorize: a vocabulary that cannot be written leaves no matrix, and the reverse.
    let sample = sample();
    let vectorize = |svm: &str, vocab: &str| {
        dir.run(&[
            "vectorize",
            sample.to_str().unwrap(),
            "-o",
            svm,
            "--vocab",
            vocab,
        ])
    };
    assert_one_line_error(&vectorize("x.svm", "no/such/dir/v.txt"), &["no/such/dir"]);
    assert!(!dir.path("x.svm").exists());
    assert_one_line_error(&vectorize("no/such/dir/x.svm", "v.txt"), &["no/such/dir"]);
    assert!(!dir.path("v.txt").exists());
    assert_eq!(std::fs::read(dir.path("m.model")).unwrap(), before);
    assert!(
        leftovers(dir.tmp.path()).is_empty(),
        "{:?}",
        leftovers(dir.tmp.path())
    );
}

#[test]
fn hostile_structures_get_a_verdict_and_pass_through_whole() {
    // Smaller cousins of scripts/hostile.py's messages (its table is in the README).
    let dir = Dir::new();
    train(&dir);
    let levels = 10_000;
    let mut deep = String::from("Subject: deep\n");
    for i in 0..levels {
        deep.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"
        ));
    }
    deep.push_str("Content-Type: text/plain\n\ninnermost words\n");
    for i in (0..levels).rev() {
        deep.push_str(&format!("\n--b{i}--\n"));
    }
    let mut attached = String::new();
    for i in 0..levels {
        attached.push_str(&format!(
            "Subject: level {i}\nContent-Type: message/rfc822\n\n"
        ));
    }
    attached.push_str("Subject: innermost\n\nwords\n");
    let parts = format!(
        "Subject: parts\nContent-Type: multipart/mixed; boundary=b\n\n{}--b--\n",
        "--b\n\nword\n".repeat(100_000)
    );
    let line = format!("Subject: line\n\n{}", "cheap pills now ".repeat(400_000));
    let headers: String = (0..100_000).map(|i| format!("X-H{i}: v {i}\n")).collect();
    for input in [deep, attached, parts, line, headers + "\nbody\n"] {
        assert_verdict(&with_stdin(
            &dir,
            &["classify", "-m", "m.model"],
            input.as_bytes(),
        ));
        let out = with_stdin(&dir, &["classify", "-m", "m.model", "-p"], input.as_bytes());
        assert_passthrough(input.as_bytes(), &out);
    }
}
