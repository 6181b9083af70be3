//! `sparsetext vectorize`: real corpus in, svmlight + vocabulary out, bad input handled.

use sparsetext::svmlight;
use sparsetext::vocab::Vocabulary;

use crate::util::{Dir, assert_one_line_error, sample, stderr, stdout};

#[test]
fn bundled_sample_round_trips_through_the_svmlight_reader() {
    let dir = Dir::new();
    let sample = sample();
    let out = dir.vectorize(&[sample.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("520 (220 spam, 300 ham; 0 skipped)"),
        "{}",
        stdout(&out)
    );
    let data = svmlight::read(&dir.path("x.svm")).unwrap();
    let vocab = Vocabulary::read(&dir.path("v.txt")).unwrap();
    assert_eq!(data.y.len(), 520);
    assert_eq!(data.y.iter().filter(|&&s| s).count(), 220);
    // The last column may be empty in no row; the vocabulary is the true width.
    assert!(data.x.cols() <= vocab.len() && data.x.cols() + 1 >= vocab.len());
    // Every row's ids increase (the reader checks) and all values are binary.
    assert!(data.x.data().iter().all(|&v| v == 1.0));
    // Writing the read matrix back gives the same bytes.
    let mut again = Vec::new();
    svmlight::write_to(&mut again, &data.x, &data.y).unwrap();
    assert_eq!(again, std::fs::read(dir.path("x.svm")).unwrap());
}

#[test]
fn same_output_at_one_and_two_threads() {
    let dir = Dir::new();
    let sample = sample();
    for threads in ["1", "2"] {
        let out = dir.run(&[
            "vectorize",
            sample.to_str().unwrap(),
            "--threads",
            threads,
            "-o",
            &format!("x{threads}.svm"),
            "--vocab",
            &format!("v{threads}.txt"),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let read = |name: &str| std::fs::read(dir.path(name)).unwrap();
    assert_eq!(read("x1.svm"), read("x2.svm"));
    assert_eq!(read("v1.txt"), read("v2.txt"));
}

#[test]
fn bad_messages_are_skipped_or_tokenized_and_the_run_goes_on() {
    let dir = Dir::new();
    dir.write(
        "c/spam/good",
        "Subject: cheap pills\n\nBuy cheap pills now\n",
    );
    dir.write("c/spam/cmds", "mv 00001.abc 00001.def\n");
    dir.write("c/spam/empty", "");
    dir.write(
        "c/spam/junk",
        (0..4096u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    );
    dir.write("c/ham/good", "Subject: lunch\n\nLunch at noon?\n");
    dir.write("c/ham/latin1", b"Subject: caf\xe9\nContent-Type: text/plain; charset=x-unknown\n\nna\xefve \xff\xfe bytes\n");
    dir.write(
        "c/ham/broken-mime",
        "Subject: x\nContent-Type: multipart/mixed; boundary=\"zz\"\n\n--zz\nContent-Transfer-Encoding: base64\n\n!!!not base64\n",
    );
    let big = format!("Subject: big\n\n{}\n", "word ".repeat(10_000_000));
    dir.write("c/ham/big", big);
    let out = dir.vectorize(&["c", "--min-df", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("messages: 5 (1 spam, 4 ham; 3 skipped)"),
        "{text}"
    );
    let err = stderr(&out);
    for (name, reason) in [
        ("cmds", "not mail"),
        ("empty", "empty file"),
        ("junk", "not mail"),
    ] {
        assert!(
            err.lines().any(|l| l.contains(name) && l.contains(reason)),
            "{name}: {reason} not in {err}"
        );
    }
    assert!(!err.contains("panicked"));
}

#[test]
fn mbox_and_explicit_labels() {
    let dir = Dir::new();
    dir.write(
        "spam.mbox",
        "From a@b Mon Jan 1 00:00:00 2001\nSubject: win\n\nwin cash\n\nFrom c@d Mon Jan 1 00:00:00 2001\nSubject: prize\n\n>From the desk of\n",
    );
    dir.write("ham/1", "Subject: hi\n\nsee you\n");
    let out = dir.vectorize(&["--spam", "spam.mbox", "--ham", "ham", "--min-df", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let data = svmlight::read(&dir.path("x.svm")).unwrap();
    // Positional corpora first, then --ham, then --spam.
    assert_eq!(data.y, [false, true, true]);
}

#[test]
fn unusable_corpora_are_one_line_errors() {
    let dir = Dir::new();
    let out = dir.vectorize(&["missing"]);
    assert_one_line_error(&out, &["missing", "No such file"]);

    dir.write("c/inbox/1", "Subject: a\n\nb\n");
    let out = dir.vectorize(&["c"]);
    assert_one_line_error(&out, &["inbox", "neither ham nor spam"]);

    dir.write("d/ham/cmds", "mv a b\n");
    let out = dir.vectorize(&["d"]);
    assert_one_line_error(&out, &["no mail"]);
    assert!(!dir.path("x.svm").exists(), "no output on error");

    std::fs::create_dir_all(dir.path("e")).unwrap();
    let out = dir.vectorize(&["e"]);
    assert_one_line_error(&out, &["no sub-folder's name does"]);
}
