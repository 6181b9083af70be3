//! Every command of the real binary: outputs, exit codes, passthrough bytes, JSON,
//! corrupted models, failed trains.

use std::path::Path;
use std::process::{Output, Stdio};

use crate::util::{
    Dir, assert_one_line_error, sample, sample_message, shared_model, stderr, stdout,
};

/// Runs `classify` with `input` on stdin.
fn classify_stdin(dir: &Dir, args: &[&str], input: &[u8]) -> Output {
    dir.run_with_stdin(args, input)
}

fn model_arg() -> String {
    shared_model().display().to_string()
}

#[test]
fn train_with_defaults_then_classify_with_no_flags() {
    let dir = Dir::new();
    // A working directory with a models/ folder (a checkout) keeps its model there.
    std::fs::create_dir(dir.path("models")).unwrap();
    let out = dir.run(&["train", "--cv", "5", "--nlambda", "30"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The text cap (10,000 bytes) cuts some sample messages by design: no warning for that.
    assert!(
        !stderr(&out).contains("tokenized only in part"),
        "{}",
        stderr(&out)
    );
    let text = stdout(&out);
    for needle in [
        "520 messages (220 spam, 300 ham), 0 skipped",
        "lambda_min of 5-fold CV",
        "CV AUC:",
        "features:",
        "model:       models/spam.model",
        "strongest spam evidence:",
        "strongest ham evidence:",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }
    let size = std::fs::metadata(dir.path("models/spam.model"))
        .unwrap()
        .len();
    assert!(size < 20_000, "a sparse model is small: {size} bytes");
    // `classify` finds models/spam.model with no flags.
    let spam = std::fs::read(sample_message("spam", 3)).unwrap();
    let out = classify_stdin(&dir, &["classify"], &spam);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    let line = stdout(&out);
    let (label, p) = line.trim_end().split_once('\t').unwrap();
    let p: f64 = p.parse().unwrap();
    assert_eq!(label, if p >= 0.5 { "spam" } else { "ham" });
    assert_eq!(out.status.code(), Some(if p >= 0.5 { 0 } else { 1 }));
}

#[test]
fn classify_exit_codes_are_the_verdicts() {
    let dir = Dir::new();
    let model = model_arg();
    // Most sample spam is spam, most ham is ham: find one of each.
    let verdict = |label: &str, n| {
        let bytes = std::fs::read(sample_message(label, n)).unwrap();
        classify_stdin(&dir, &["classify", "-m", &model], &bytes)
    };
    let spam_codes: Vec<_> = (0..10).map(|n| verdict("spam", n).status.code()).collect();
    let ham_codes: Vec<_> = (0..10).map(|n| verdict("ham", n).status.code()).collect();
    assert!(
        spam_codes.iter().filter(|c| **c == Some(0)).count() >= 8,
        "{spam_codes:?}"
    );
    assert!(
        ham_codes.iter().filter(|c| **c == Some(1)).count() >= 8,
        "{ham_codes:?}"
    );
    let out = verdict("spam", 0);
    assert!(stdout(&out).starts_with("spam\t") || stdout(&out).starts_with("ham\t"));

    // A band covering everything makes every message unsure: exit 2.
    let bytes = std::fs::read(sample_message("ham", 0)).unwrap();
    let out = classify_stdin(
        &dir,
        &["classify", "-m", &model, "--unsure", "0.0000001,0.9999999"],
        &bytes,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("unsure\t"));
    // A band below the model's own threshold (never under 0.5) decides too.
    let out = classify_stdin(
        &dir,
        &["classify", "-m", &model, "--unsure", "0.2,0.3"],
        &bytes,
    );
    assert!(matches!(out.status.code(), Some(0..=2)), "{}", stderr(&out));

    // Errors: a missing model, a bad flag.
    let out = classify_stdin(&dir, &["classify", "-m", "nope.model"], &bytes);
    assert_one_line_error(&out, &["nope.model"]);
    let out = classify_stdin(&dir, &["classify", "--no-such-flag"], &bytes);
    assert_one_line_error(&out, &["--no-such-flag"]);
    let out = classify_stdin(
        &dir,
        &["classify", "-m", &model, "--unsure", "0.9,0.1"],
        &bytes,
    );
    assert_one_line_error(&out, &["LOW <= HIGH"]);
}

#[test]
fn passthrough_is_the_input_plus_one_header() {
    let dir = Dir::new();
    let model = model_arg();
    let cases: [&[u8]; 4] = [
        b"From: a@b.example\nSubject: hello\n\nLunch tomorrow?\n",
        b"From: a@b.example\r\nSubject: CRLF\r\n\r\nBody line one\r\nline two\r\n",
        b"Subject: no trailing newline\n\nlast line without newline",
        b"Subject: only headers, no newline",
    ];
    for input in cases {
        let out = classify_stdin(&dir, &["classify", "-m", &model, "-p"], input);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let code = classify_stdin(&dir, &["classify", "-m", &model], input)
            .status
            .code()
            .unwrap();
        let crlf = input.windows(2).any(|w| w == b"\r\n");
        let eol = if crlf { "\r\n" } else { "\n" };
        let text = String::from_utf8(out.stdout.clone()).unwrap();
        let header_line = text
            .lines()
            .find(|l| l.starts_with("X-Sparsetext: "))
            .unwrap();
        let verdict = if code == 0 { "spam" } else { "ham" };
        assert!(
            header_line.starts_with(&format!("X-Sparsetext: {verdict}; p=")),
            "{header_line}"
        );
        // Removing the header line gives back the input (plus a final newline for a
        // header-only message that had none).
        let without = text.replacen(
            &format!("{}{eol}", header_line.trim_end_matches('\r')),
            "",
            1,
        );
        let input = String::from_utf8(input.to_vec()).unwrap();
        if input.contains(&format!("{eol}{eol}")) {
            assert_eq!(without, input);
        } else {
            assert_eq!(without, format!("{input}{eol}"));
        }
    }
    // Binary junk passes through too.
    let junk: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 256) as u8).collect();
    let out = classify_stdin(&dir, &["classify", "-m", &model, "-p"], &junk);
    assert!(out.stdout.len() > junk.len());
    assert!(out.stdout.windows(13).any(|w| w == b"X-Sparsetext:"));
}

#[test]
fn passthrough_never_loses_mail_when_the_model_is_bad() {
    let dir = Dir::new();
    let input = b"Subject: important\r\n\r\nPlease keep me.\r\n";
    dir.write("bad.model", b"SPRSTXT\0garbage");
    for model in ["bad.model", "missing.model"] {
        let out = classify_stdin(&dir, &["classify", "-m", model, "-p"], input);
        assert_eq!(out.stdout, input, "the message goes out unchanged");
        assert_one_line_error(&out, &[model]);
    }
}

#[test]
fn classify_paths_and_json() {
    let dir = Dir::new();
    let model = model_arg();
    dir.write(
        "box.mbox",
        "From a Mon Jan 1 00:00:00 2001\nSubject: one\n\nhello\n\nFrom b Mon Jan 1 00:00:00 2001\nSubject: two\n\nFREE MONEY\n",
    );
    let ham_dir = sample().join("ham");
    let out = dir.run(&[
        "classify",
        "-m",
        &model,
        "box.mbox",
        ham_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2 + 300);
    assert!(
        lines[0].ends_with("\tbox.mbox:1") && lines[1].ends_with("\tbox.mbox:2"),
        "{text}"
    );
    let ham_called_ham = lines[2..].iter().filter(|l| l.starts_with("ham\t")).count();
    assert!(
        ham_called_ham >= 290,
        "{ham_called_ham} of 300 training ham"
    );
    for line in &lines {
        let fields: Vec<&str> = line.split('\t').collect();
        assert_eq!(fields.len(), 3);
        let p: f64 = fields[1].parse().unwrap();
        assert!((0.0..=1.0).contains(&p));
    }

    let out = dir.run(&["classify", "-m", &model, "--json", "--explain", "box.mbox"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for (n, line) in stdout(&out).lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["name"], format!("box.mbox:{}", n + 1));
        assert!(v["label"] == "spam" || v["label"] == "ham");
        let p = v["p_spam"].as_f64().unwrap();
        let margin = v["margin"].as_f64().unwrap();
        assert!((p - 1.0 / (1.0 + (-margin).exp())).abs() < 1e-9);
        assert!(v["explain"].is_array() || v.get("explain").is_none());
    }

    let out = dir.run(&["classify", "-m", &model, "no/such/dir"]);
    assert_one_line_error(&out, &["no/such/dir"]);
}

#[test]
fn words_lists_every_feature_strongest_spam_first() {
    let dir = Dir::new();
    let model = model_arg();
    let out = dir.run(&["words", "-m", &model]);
    assert!(out.status.success(), "{}", stderr(&out));
    let weights: Vec<f64> = stdout(&out)
        .lines()
        .map(|l| l.split_once('\t').unwrap().0.parse().unwrap())
        .collect();
    assert!(weights.len() >= 10);
    // The spam side strongest first, then the ham side strongest first.
    let spam = weights.iter().take_while(|&&w| w > 0.0).count();
    assert!(spam > 0 && spam < weights.len());
    assert!(
        weights[..spam].windows(2).all(|w| w[0] >= w[1]),
        "spam descending"
    );
    assert!(
        weights[spam..].windows(2).all(|w| w[0] <= w[1]),
        "ham ascending"
    );
    // One precision: six decimals each.
    assert!(stdout(&out).lines().all(|l| {
        l.split_once('\t')
            .unwrap()
            .0
            .split_once('.')
            .unwrap()
            .1
            .len()
            == 6
    }));
    assert!(weights.iter().all(|&w| w != 0.0));
    let inspect: serde_json::Value =
        serde_json::from_slice(&dir.run(&["inspect", "--json", &model]).stdout).unwrap();
    assert_eq!(
        inspect["features"].as_u64().unwrap() as usize,
        weights.len()
    );

    let out = dir.run(&["words", "-m", &model, "--top", "3"]);
    let top: Vec<f64> = stdout(&out)
        .lines()
        .map(|l| l.split_once('\t').unwrap().0.parse().unwrap())
        .collect();
    assert_eq!(top.len(), 6);
    assert_eq!(top[..3], weights[..3]);
    assert_eq!(top[3..], weights[spam..spam + 3]);
}

#[test]
fn eval_and_inspect_report_in_text_and_json() {
    let dir = Dir::new();
    let model = model_arg();
    let sample = sample();
    let out = dir.run(&["eval", "-m", &model, "--json", sample.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["messages"], 520);
    assert_eq!(v["spam"], 220);
    let c = &v["confusion"];
    let total = ["tp", "fp", "tn", "fn"]
        .iter()
        .map(|k| c[k].as_u64().unwrap())
        .sum::<u64>();
    assert_eq!(total, 520);
    let accuracy = (c["tp"].as_u64().unwrap() + c["tn"].as_u64().unwrap()) as f64 / 520.0;
    assert!((v["accuracy"].as_f64().unwrap() - accuracy).abs() < 1e-12);
    assert!(
        v["auc"].as_f64().unwrap() > 0.95,
        "training-set AUC: {}",
        v["auc"]
    );

    let out = dir.run(&["eval", "-m", &model, sample.to_str().unwrap()]);
    let text = stdout(&out);
    for needle in [
        "messages:   520",
        "AUC:",
        "accuracy:",
        "precision:",
        "recall:",
        "FPR:",
        "FNR:",
        "confusion:",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text}");
    }

    let out = dir.run(&["inspect", "--json", &model]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "format_version",
        "analyzer",
        "lambda",
        "alpha",
        "intercept",
        "threshold",
        "features",
        "summary",
    ] {
        assert!(v.get(key).is_some(), "{key} missing from {v}");
    }
    assert_eq!(v["lambda"], 0.003);
    assert_eq!(v["summary"]["spam_messages"], 220);
    let out = dir.run(&["inspect", &model]);
    let version = format!("format version:  {}", sparsetext::model::FORMAT_VERSION);
    assert!(stdout(&out).contains(&version), "{}", stdout(&out));
}

#[test]
fn corrupted_models_are_one_line_errors_in_every_command() {
    let dir = Dir::new();
    let good = std::fs::read(shared_model()).unwrap();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    let mut newer = good.clone();
    newer[8] = 99; // format version, little-endian u32 after the 8-byte magic
    let mail = std::fs::read(sample_message("ham", 1)).unwrap();
    let cases: [(&str, &[u8], &str); 6] = [
        ("truncated.model", &good[..good.len() - 7], "truncated"),
        ("flipped.model", &flipped, "checksum"),
        ("newer.model", &newer, "newer"),
        ("mail.model", &mail, "not a sparsetext model"),
        ("empty.model", b"", "empty"),
        ("short.model", b"SPR", "truncated"),
    ];
    let sample = sample();
    for (name, bytes, needle) in cases {
        dir.write(name, bytes);
        for args in [
            vec!["inspect", name],
            vec!["words", "-m", name],
            vec!["classify", "-m", name, sample.to_str().unwrap()],
            vec!["eval", "-m", name, sample.to_str().unwrap()],
        ] {
            let out = dir.run(&args);
            assert_one_line_error(&out, &[name, needle]);
        }
    }
}

#[test]
fn a_failed_train_leaves_the_earlier_model_intact() {
    let dir = Dir::new();
    std::fs::copy(shared_model(), dir.path("keep.model")).unwrap();
    let before = std::fs::read(dir.path("keep.model")).unwrap();
    // One class only.
    let spam = sample().join("spam");
    let out = dir.run(&[
        "train",
        "--spam",
        spam.to_str().unwrap(),
        "--lambda",
        "0.01",
        "-o",
        "keep.model",
    ]);
    assert_one_line_error(&out, &["both classes", "0 ham"]);
    // Bad parameter.
    let out = dir.run(&["train", "--alpha", "1.5", "-o", "keep.model"]);
    assert_one_line_error(&out, &["alpha"]);
    // An output folder that does not exist.
    let out = dir.run(&["train", "--lambda", "0.01", "-o", "no/such/dir/x.model"]);
    assert_one_line_error(&out, &["no/such/dir"]);
    assert_eq!(std::fs::read(dir.path("keep.model")).unwrap(), before);

    // Killed mid-way: the old model is still whole and no temporary file is left.
    let mut child = dir
        .command(&["train", "-o", "keep.model"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    let _ = child.kill();
    let _ = child.wait();
    let after = std::fs::read(dir.path("keep.model")).unwrap();
    assert!(after == before || sparsetext::model::Model::load(&dir.path("keep.model")).is_ok());
    let leftovers: Vec<_> = std::fs::read_dir(dir.tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn train_on_an_svmlight_matrix_with_and_without_vocabulary() {
    let dir = Dir::new();
    let sample = sample();
    let out = dir.vectorize(&[sample.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = dir.run(&[
        "train",
        "--svmlight",
        "x.svm",
        "--vocab",
        "v.txt",
        "--lambda",
        "0.003",
        "-o",
        "svm.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Same matrix, same lambda: the same words as training on the mail directly.
    let from_svm = stdout(&dir.run(&["words", "-m", "svm.model"]));
    let direct = stdout(&dir.run(&["words", "-m", shared_model().to_str().unwrap()]));
    assert_eq!(from_svm, direct);

    let out = dir.run(&[
        "train",
        "--svmlight",
        "x.svm",
        "--cv",
        "3",
        "--nlambda",
        "20",
        "-o",
        "ids.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("CV AUC:"));
    let words = stdout(&dir.run(&["words", "-m", "ids.model"]));
    let first_term = words.lines().next().unwrap().split_once('\t').unwrap().1;
    assert!(
        first_term.parse::<u32>().is_ok(),
        "terms are feature ids: {first_term}"
    );

    dir.write("bad.svm", "+1 3:1 2:1\n");
    let out = dir.run(&["train", "--svmlight", "bad.svm", "--lambda", "0.1"]);
    assert_one_line_error(&out, &["bad.svm:1", "must increase"]);
}

#[test]
fn source_date_epoch_makes_training_reproducible() {
    let dir = Dir::new();
    let sample = sample();
    let train = |out: &str, epoch: &str| {
        dir.command(&[
            "train",
            sample.to_str().unwrap(),
            "--lambda",
            "0.003",
            "-o",
            out,
        ])
        .env("SOURCE_DATE_EPOCH", epoch)
        .stdin(Stdio::null())
        .output()
        .unwrap()
    };
    for (out, epoch) in [("a.model", "1700000000"), ("b.model", "1700000000")] {
        let run = train(out, epoch);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    // A second apart would give different dates without it.
    assert_eq!(
        std::fs::read(dir.path("a.model")).unwrap(),
        std::fs::read(dir.path("b.model")).unwrap()
    );
    let shown = stdout(&dir.run(&["inspect", "a.model"]));
    assert!(shown.contains("2023-11-14T22:13:20Z"), "{shown}");

    let run = train("c.model", "yesterday");
    assert_one_line_error(&run, &["SOURCE_DATE_EPOCH", "yesterday"]);
    assert!(!dir.path("c.model").exists());
}

#[test]
fn format_version_2_and_3_models_load_and_score_as_they_did() {
    // tests/data/model/make_fixture.sh N made each model and its scores with the last
    // sparsetext that wrote version N.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (version, received) in [(2, "whole"), (3, "route")] {
        let fixture = |ext: &str| format!("tests/data/model/v{version}.{ext}");
        let expected = std::fs::read_to_string(root.join(fixture("scores"))).unwrap();
        let files: Vec<&str> = expected
            .lines()
            .map(|line| line.rsplit('\t').next().unwrap())
            .collect();
        assert!(files.len() > 40);
        let run = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_sparsetext"))
                .current_dir(root)
                .args(args)
                .output()
                .unwrap()
        };
        let model = fixture("model");
        let mut args = vec!["classify", "-m", &model];
        args.extend(&files);
        let out = run(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), expected, "version {version}");
        let inspect = stdout(&run(&["inspect", &model]));
        assert!(
            inspect.contains(&format!("format version:  {version}")),
            "{inspect}"
        );
        assert!(
            inspect.contains(&format!(r#""received":"{received}""#)),
            "{inspect}"
        );
        let json: serde_json::Value =
            serde_json::from_slice(&run(&["inspect", "--json", &model]).stdout).unwrap();
        assert_eq!(
            json["term_kind"], "tokens",
            "the field version 4 added, defaulted"
        );
    }
}
