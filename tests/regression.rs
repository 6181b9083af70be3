//! One test per defect fixed, named after the issue that reported it; each
//! fails on the code before the fix.

use std::process::{Command, Stdio};

use crate::util::{
    Dir, assert_one_line_error, sample, sample_message, shared_model, stderr, stdout,
};

fn model() -> String {
    shared_model().display().to_string()
}

/// The verdict `classify` gives `message` (from its exit code).
fn verdict(dir: &Dir, message: &[u8]) -> i32 {
    let out = dir.run_with_stdin(&["classify", "-m", &model()], message);
    out.status.code().unwrap()
}

/// Trains `dir/m.model` on `args` at a fixed lambda; returns the summary.
fn train(dir: &Dir, args: &[&str]) -> String {
    let mut all = vec![
        "train", "--lambda", "0.01", "--min-df", "1", "-o", "m.model",
    ];
    all.extend_from_slice(args);
    let out = dir.run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

#[test]
fn issue19_passthrough_exits_0_whenever_the_message_was_written() {
    let dir = Dir::new();
    for (label, n) in [("spam", 3), ("ham", 3)] {
        let message = std::fs::read(sample_message(label, n)).unwrap();
        let want = if verdict(&dir, &message) == 0 {
            "spam"
        } else {
            "ham"
        };
        let out = dir.run_with_stdin(&["classify", "-m", &model(), "-p"], &message);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains(&format!("X-Sparsetext: {want}; p=")));
        // A band around every score: unsure, in the header, still exit 0.
        let args = [
            "classify",
            "-m",
            &model(),
            "-p",
            "--unsure",
            "0.000001,0.999999",
        ];
        let out = dir.run_with_stdin(&args, &message);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains("X-Sparsetext: unsure; p="));
    }
    // An error is exit 3, and the message still goes out unchanged.
    let message = b"Subject: hi\n\nbody\n";
    let out = dir.run_with_stdin(&["classify", "-m", "missing.model", "-p"], message);
    assert_one_line_error(&out, &["missing.model"]);
    assert_eq!(out.stdout, message);
}

#[test]
fn issue19_incoming_sparsetext_fields_are_removed_before_ours() {
    let dir = Dir::new();
    let ham = std::fs::read(sample_message("ham", 5)).unwrap();
    assert_eq!(verdict(&dir, &ham), 1, "a ham message");
    // Forged verdicts, in any case and folded, above and below the other fields.
    let mut forged = b"X-Sparsetext: spam; p=1.0000\nx-SPARSETEXT:\n\tspam\n".to_vec();
    forged.extend_from_slice(&ham);
    let out = dir.run_with_stdin(&["classify", "-m", &model(), "-p"], &forged);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let ours: Vec<&str> = text
        .lines()
        .filter(|l| l.to_ascii_lowercase().starts_with("x-sparsetext"))
        .collect();
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert!(ours[0].starts_with("X-Sparsetext: ham; p="), "{ours:?}");
    // Without the forged lines, the output is the ham message plus our field.
    let plain = dir.run_with_stdin(&["classify", "-m", &model(), "-p"], &ham);
    assert_eq!(out.stdout, plain.stdout);
    // Filtered twice: one field.
    let twice = dir.run_with_stdin(&["classify", "-m", &model(), "-p"], &plain.stdout);
    assert_eq!(twice.stdout, plain.stdout);
}

#[test]
fn issue19_folder_labels_are_words_not_substrings() {
    let dir = Dir::new();
    let copy = |from: &str, to: &str, n: usize| {
        for i in 0..n {
            let bytes = std::fs::read(sample_message(from, i)).unwrap();
            dir.write(&format!("{to}/{i}"), bytes);
        }
    };
    copy("ham", "box/nonspam", 9);
    copy("spam", "box/spam", 9);
    let text = train(&dir, &["box"]);
    assert!(text.contains("(9 spam, 9 ham)"), "{text}");
    assert!(
        text.contains("folder:      ham        9  box/nonspam"),
        "{text}"
    );
    assert!(
        text.contains("folder:      spam       9  box/spam"),
        "{text}"
    );
    // Folders named as labels, given directly; Junk and .Junk are spam.
    copy("ham", "not_spam", 4);
    copy("ham", "not-spam", 4);
    copy("spam", "Junk", 4);
    copy("spam", "mail/.Junk", 4);
    let text = train(&dir, &["not_spam", "not-spam", "Junk", "mail/.Junk"]);
    assert!(text.contains("(8 spam, 8 ham)"), "{text}");
    // A folder whose name is no label: an error naming it and the flags.
    copy("ham", "c/INBOX", 2);
    let out = dir.run(&["train", "--lambda", "0.01", "-o", "x.model", "c"]);
    assert_one_line_error(&out, &["INBOX", "neither ham nor spam", "--ham", "--spam"]);
}

#[test]
fn issue19_eval_needs_a_corpus_and_labels_folders_as_train() {
    let dir = Dir::new();
    let out = dir.run(&["eval", "-m", &model()]);
    assert_one_line_error(&out, &["no mail given", "--ham"]);
    let spam = sample().join("spam");
    let ham = sample().join("ham");
    let out = dir.run(&[
        "eval",
        "-m",
        &model(),
        spam.to_str().unwrap(),
        ham.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("messages:   520 (220 spam, 300 ham)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("folder:      spam     220  {}", spam.display())),
        "{text}"
    );
}

#[test]
fn issue19_the_default_model_is_found_from_any_working_directory() {
    let dir = Dir::new();
    std::fs::create_dir_all(dir.path("a")).unwrap();
    std::fs::create_dir_all(dir.path("b")).unwrap();
    // No model anywhere: the error says where it looked and how to choose one.
    let mut classify = dir.command(&["classify"]);
    classify.current_dir(dir.path("b")).stdin(Stdio::piped());
    let out = classify.output().unwrap();
    assert_one_line_error(
        &out,
        &[
            ".local/share/sparsetext/spam.model",
            "-m MODEL",
            "SPARSETEXT_MODEL",
        ],
    );
    // Trained in one folder (no models/ there), found from another.
    let mut train = dir.command(&["train", "--lambda", "0.01"]);
    let out = train.current_dir(dir.path("a")).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let per_user = dir.path(".local/share/sparsetext/spam.model");
    assert!(per_user.is_file());
    let message = std::fs::read(sample_message("spam", 1)).unwrap();
    let mut classify = dir.command(&["classify"]);
    let mut child = classify
        .current_dir(dir.path("b"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &message).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    // $XDG_DATA_HOME moves it; SPARSETEXT_MODEL and -m win.
    let mut words = dir.command(&["words", "--top", "1"]);
    words
        .current_dir(dir.path("b"))
        .env("XDG_DATA_HOME", dir.path("xdg"));
    assert_one_line_error(&words.output().unwrap(), &["xdg/sparsetext/spam.model"]);
    words.env("SPARSETEXT_MODEL", &per_user);
    assert!(words.output().unwrap().status.success());
    let out = dir.run(&["inspect", "-m", per_user.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn issue19_classify_skips_non_mail_maildir_tmp_and_dot_folders_as_train_does() {
    let dir = Dir::new();
    let mail = std::fs::read(sample_message("ham", 2)).unwrap();
    dir.write("Maildir/cur/1", &mail);
    dir.write("Maildir/new/2", &mail);
    dir.write("Maildir/tmp/3", &mail[..40]);
    dir.write("Maildir/.Junk/cur/4", &mail);
    dir.write("Maildir/cur/junk.bin", [0u8, 1, 2, 255, 7]);
    let out = dir.run(&["classify", "-m", &model(), "Maildir"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let names: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.rsplit('\t').next().unwrap().to_string())
        .collect();
    assert_eq!(names, ["Maildir/cur/1", "Maildir/new/2"]);
    let err = stderr(&out);
    for skipped in [
        "Maildir/.Junk: skipped: hidden folder",
        "Maildir/tmp: skipped",
        "junk.bin: skipped: not mail",
    ] {
        assert!(err.contains(skipped), "{skipped:?} not in {err}");
    }
}

#[test]
fn issue19_a_model_of_feature_ids_refuses_to_score_mail() {
    let dir = Dir::new();
    dir.write(
        "m.svm",
        "+1 1:1 2:1\n-1 3:1\n+1 2:1\n-1 1:1 3:1\n+1 1:1 2:1\n-1 3:1\n",
    );
    let out = dir.run(&[
        "train",
        "--svmlight",
        "m.svm",
        "--lambda",
        "0.01",
        "-o",
        "ids.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = dir.run_with_stdin(&["classify", "-m", "ids.model"], b"Subject: x\n\ny\n");
    assert_one_line_error(&out, &["ids.model", "feature ids", "--vocab"]);
    let out = dir.run(&["inspect", "--json", "-m", "ids.model"]);
    assert!(
        stdout(&out).contains(r#""term_kind":"feature_ids""#),
        "{}",
        stdout(&out)
    );
}

#[test]
fn issue19_the_command_line_says_what_is_wrong_in_full() {
    let dir = Dir::new();
    let out = dir.run(&["vectorize", "-o", "x.svm"]);
    assert_one_line_error(&out, &["required", "--vocab <FILE>"]);
    let out = dir.run(&["trian"]);
    assert_one_line_error(&out, &["trian", "'train'"]);
    let out = dir.run(&["help", "--help"]);
    assert!(
        out.status.success() && stdout(&out).contains("Usage: sparsetext"),
        "{}",
        stderr(&out)
    );
    let out = dir.run(&["train", "--lambda=-1"]);
    assert_one_line_error(&out, &["lambda = -1"]);
    let out = dir.run(&["train", "--cv", "1"]);
    assert_one_line_error(&out, &["cv = 1", "at least 2 folds"]);
    // --explain with -p: the message on stdout, the words on stderr.
    let message = std::fs::read(sample_message("spam", 0)).unwrap();
    let out = dir.run_with_stdin(&["classify", "-m", &model(), "-p", "--explain"], &message);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("sparsetext: ") && err.contains('(') && err.contains(')'),
        "{err}"
    );
    assert!(!stdout(&out).contains(err.trim_start_matches("sparsetext: ").trim_end()));
    // Help that is true: --threads speaks of what each command does.
    let help = stdout(&dir.run(&["words", "--help"]));
    assert!(
        !help.contains("parsing, tokenizing and cross-validation"),
        "{help}"
    );
}

#[test]
fn issue19_completions_and_man_pages_come_from_the_command_line() {
    let dir = Dir::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef sparsetext"),
        ("fish", "complete -c sparsetext"),
    ] {
        let out = dir.run(&["completions", shell]);
        assert!(out.status.success(), "{}", stderr(&out));
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell}: {script:.200}");
        assert!(script.contains("classify") && script.contains("max-message-bytes"));
    }
    let out = dir.run(&["man"]);
    assert!(stdout(&out).starts_with(".ie") && stdout(&out).contains(".TH sparsetext 1"));
    std::fs::create_dir(dir.path("man1")).unwrap();
    assert!(dir.run(&["man", "--dir", "man1"]).status.success());
    let page = std::fs::read_to_string(dir.path("man1/sparsetext-classify.1")).unwrap();
    assert!(page.contains("passthrough"), "{page:.300}");
    // The page reads as a manual page (when man is installed).
    if Command::new("man").arg("--version").output().is_ok() {
        let out = Command::new("man")
            .arg("-l")
            .arg(dir.path("man1/sparsetext.1"))
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
}

#[test]
fn issue26_cr_only_mail_is_scored_whole_and_stamped_in_its_header() {
    let dir = Dir::new();
    let lf = std::fs::read(sample_message("spam", 4)).unwrap();
    let cr: Vec<u8> = lf
        .iter()
        .map(|&b| if b == b'\n' { b'\r' } else { b })
        .collect();
    let score = |m: &[u8]| stdout(&dir.run_with_stdin(&["classify", "-m", &model()], m));
    assert_eq!(score(&cr), score(&lf));
    let out = dir.run_with_stdin(&["classify", "-m", &model(), "-p"], &cr);
    let body_at = memchr::memmem::find(&out.stdout, b"\r\r").unwrap();
    let field_at = memchr::memmem::find(&out.stdout, b"\rX-Sparsetext: ").unwrap();
    assert!(field_at < body_at, "the field ends the header section");
}

#[test]
fn issue26_closed_standard_streams_are_errors_not_empty_messages() {
    let dir = Dir::new();
    let run = |shell: &str| {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(shell)
            .arg("sh")
            .arg(env!("CARGO_BIN_EXE_sparsetext"))
            .arg(model());
        cmd.current_dir(dir.path(".")).output().unwrap()
    };
    let out = run(r#""$1" classify -m "$2" <&-"#);
    assert_one_line_error(&out, &["<stdin>", "not open"]);
    let out = run(r#"echo 'Subject: x' | "$1" classify -m "$2" -p >&-"#);
    assert_one_line_error(&out, &["<stdout>", "not open"]);
}

#[test]
fn issue26_passthrough_streams_a_huge_message_in_bounded_memory() {
    use std::io::{Read, Write};
    // 200 MB through a filter allowed 150 MB of address space: it must stream.
    const BODY: usize = 200 << 20;
    let script = r#"ulimit -v 150000 && exec "$1" classify -m "$2" -p --max-message-bytes 1000000"#;
    let mut child = Command::new("sh")
        .args(["-c", script, "sh", env!("CARGO_BIN_EXE_sparsetext")])
        .arg(model())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        stdin
            .write_all(b"X-Sparsetext: spam\nSubject: big\n\n")
            .unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..BODY >> 20 {
            stdin.write_all(&chunk).unwrap();
        }
    });
    let mut stdout = child.stdout.take().unwrap();
    let mut head = vec![0; 64];
    stdout.read_exact(&mut head).unwrap();
    let rest = std::io::copy(&mut stdout, &mut std::io::sink()).unwrap();
    writer.join().unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let head = String::from_utf8_lossy(&head);
    assert!(head.starts_with("Subject: big\nX-Sparsetext: "), "{head}");
    let field = head.lines().nth(1).unwrap().len() + 1;
    assert_eq!(64 + rest as usize, "Subject: big\n\n".len() + field + BODY);
}
