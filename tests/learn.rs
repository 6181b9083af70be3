//! `sparsetext learn` and the training store, through the real binary: relabel,
//! forget, the transport-header digest, concurrent learners, torn records, kills
//! during a run, and stores that do not belong to the model.

use std::time::Duration;

use crate::util::{Dir, assert_one_line_error, sample_message, stderr, stdout};

/// A directory with `s.model` and `s.store` trained on the bundled sample.
fn trained() -> Dir {
    let dir = Dir::new();
    let out = dir.run(&["train", "--lambda", "0.003", "-o", "s.model"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("store:       s.store ("),
        "{}",
        stdout(&out)
    );
    dir
}

fn learn(dir: &Dir, args: &[&str]) -> String {
    let mut all = vec!["learn", "-m", "s.model"];
    all.extend_from_slice(args);
    let out = dir.run(&all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// The first column of each message line: what the store did.
fn changes(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| l.contains('\t'))
        .map(|l| l.split('\t').next().unwrap())
        .collect()
}

fn new_message(dir: &Dir, name: &str, words: &str) -> String {
    dir.write(
        name,
        format!("From: x@example.com\nSubject: {words}\n\n{words} {words}\n"),
    );
    name.to_string()
}

#[test]
fn learn_adds_relabels_and_forgets_and_the_same_label_twice_changes_nothing() {
    let dir = trained();
    let ham = sample_message("ham", 0);
    let ham = ham.to_str().unwrap();
    // The sample's ham, learned as spam: the store had it as ham.
    let out = learn(&dir, &["--spam", ham, "--verbose"]);
    assert_eq!(changes(&out), ["relabeled"], "{out}");
    assert!(out.contains("p(spam) ") && out.contains(" -> "), "{out}");
    assert!(out.contains("entered:") && out.contains("left:"), "{out}");
    let model = std::fs::read(dir.path("s.model")).unwrap();
    let out = learn(&dir, &["--spam", ham]);
    assert_eq!(changes(&out), ["unchanged"], "{out}");
    assert!(out.contains("model:       unchanged"), "{out}");
    assert_eq!(std::fs::read(dir.path("s.model")).unwrap(), model);
    let out = learn(&dir, &["--forget", ham]);
    assert_eq!(changes(&out), ["forgotten"]);
    assert!(out.contains("(220 spam, 299 ham)"), "{out}");
    let out = learn(&dir, &["--forget", ham]);
    assert_eq!(changes(&out), ["not-found"]);
    // A new message from standard input.
    let msg = new_message(&dir, "new.eml", "zanzibar cruise offer");
    let bytes = std::fs::read(dir.path(&msg)).unwrap();
    let out = dir.run_with_stdin(&["learn", "-m", "s.model", "--spam", "-"], &bytes);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(changes(&stdout(&out)), ["added"]);
}

#[test]
fn the_copy_delivered_with_transport_headers_is_the_same_message() {
    let dir = trained();
    let spam = std::fs::read(sample_message("spam", 3)).unwrap();
    let mut delivered = b"From mailer@example.com  Thu Dec  3 10:00:00 2026\n\
        Return-Path: <x@example.com>\nDelivered-To: me@example.org\n\
        Received: from mx.example.org\n\tby imap.example.org; Thu, 3 Dec 2026 10:00:00 +0000\n\
        X-Sparsetext: spam; p=0.9931\nX-Spam-Status: Yes\nStatus: RO\nX-UID: 17\n"
        .to_vec();
    // The delivery agent writes its own envelope line in place of the sample's.
    let rest = match spam.strip_prefix(b"From ") {
        Some(_) => &spam[spam.iter().position(|&b| b == b'\n').unwrap() + 1..],
        None => &spam[..],
    };
    delivered.extend_from_slice(rest);
    dir.write("junk/cur/1.eml", &delivered);
    // Trained as spam already: the delivered copy is that message.
    let out = learn(&dir, &["--spam", "junk/cur/1.eml"]);
    assert_eq!(changes(&out), ["unchanged"], "{out}");
    let out = learn(&dir, &["--ham", "junk/cur/1.eml"]);
    assert_eq!(changes(&out), ["relabeled"], "{out}");
}

#[test]
fn stores_that_are_missing_foreign_or_of_another_analyzer_are_one_line_errors() {
    let dir = Dir::new();
    let msg = new_message(&dir, "m.eml", "hello");
    let out = dir.run(&["train", "--lambda", "0.003", "--no-store", "-o", "a.model"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.path("a.store").exists());
    let out = dir.run(&["learn", "-m", "a.model", "--spam", &msg]);
    assert_one_line_error(&out, &["a.store", "no training store"]);

    let out = dir.run(&[
        "train",
        "--lambda",
        "0.003",
        "--min-token-len",
        "3",
        "-o",
        "b.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = dir.run(&["train", "--lambda", "0.003", "-o", "a.model"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // b's store beside a: another model, another analyzer.
    std::fs::copy(dir.path("b.store"), dir.path("a.store")).unwrap();
    let before = std::fs::read(dir.path("a.model")).unwrap();
    let out = dir.run(&["learn", "-m", "a.model", "--spam", &msg]);
    assert_one_line_error(&out, &["a.store", "belongs to another model"]);
    assert_eq!(std::fs::read(dir.path("a.model")).unwrap(), before);
    // Not a store at all; an unreadable message.
    dir.write("a.store", "hello");
    let out = dir.run(&["learn", "-m", "a.model", "--spam", &msg]);
    assert_one_line_error(&out, &["a.store", "not a sparsetext training store"]);
    let out = dir.run(&["learn", "-m", "a.model", "--spam", "missing.eml"]);
    assert_one_line_error(&out, &["missing.eml"]);
}

#[test]
fn a_torn_store_is_reported_and_rolled_back_to_its_model() {
    let dir = trained();
    let old_model = std::fs::read(dir.path("s.model")).unwrap();
    let old_store = std::fs::read(dir.path("s.store")).unwrap();
    let msg = new_message(&dir, "m.eml", "zanzibar cruise offer");
    learn(&dir, &["--spam", &msg]);
    let new_store = std::fs::read(dir.path("s.store")).unwrap();
    assert!(new_store.starts_with(&old_store));
    // A crash before the model was replaced: the old model, the store cut anywhere
    // in the appended records. The next run reports the torn tail, drops it, and
    // learns on the old pair.
    let appended = new_store.len() - old_store.len();
    for cut in [1, 5, 9, appended / 2, appended - 30] {
        std::fs::write(dir.path("s.model"), &old_model).unwrap();
        std::fs::write(dir.path("s.store"), &new_store[..old_store.len() + cut]).unwrap();
        let out = dir.run(&["learn", "-m", "s.model", "--spam", &msg]);
        assert!(out.status.success(), "cut {cut}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains("warning: ") && err.contains("s.store"),
            "{err}"
        );
        assert_eq!(changes(&stdout(&out)), ["added"], "cut {cut}");
    }
    // A store whose committed records are corrupt no longer ends in a commit of its
    // model: refused, and the damage reported.
    let mut bad = std::fs::read(dir.path("s.store")).unwrap();
    let at = old_store.len() / 2;
    bad[at] ^= 0xff;
    std::fs::write(dir.path("s.store"), &bad).unwrap();
    let model = std::fs::read(dir.path("s.model")).unwrap();
    let out = dir.run(&["learn", "-m", "s.model", "--ham", &msg]);
    assert_one_line_error(&out, &["s.store", "no committed record"]);
    assert!(
        stderr(&out).contains("checksum does not match"),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read(dir.path("s.model")).unwrap(), model);
    assert_eq!(std::fs::read(dir.path("s.store")).unwrap(), bad);
}

#[test]
fn concurrent_learners_take_turns_and_lose_nothing() {
    let dir = trained();
    let names: Vec<String> = (0..6)
        .map(|i| new_message(&dir, &format!("m{i}.eml"), &format!("word{i} offer{i}")))
        .collect();
    let children: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let label = if i % 2 == 0 { "--spam" } else { "--ham" };
            dir.command(&["learn", "-m", "s.model", label, name])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(changes(&stdout(&out)), ["added"]);
    }
    // All six are in the store, with their labels.
    let mut args = vec![];
    for (i, name) in names.iter().enumerate() {
        args.push(if i % 2 == 0 { "--spam" } else { "--ham" });
        args.push(name);
    }
    let out = learn(&dir, &args);
    assert_eq!(changes(&out), ["unchanged"; 6], "{out}");
    assert!(out.contains("(223 spam, 303 ham)"), "{out}");
}

#[test]
fn a_learn_killed_at_any_point_leaves_a_pair_the_next_run_accepts() {
    let dir = trained();
    let msg = new_message(&dir, "m.eml", "zanzibar cruise offer");
    let mut outcomes = std::collections::BTreeSet::new();
    for delay_ms in [0, 2, 5, 10, 20, 30, 45, 60, 80, 100, 150, 250, 400] {
        // Start from the trained pair, then kill a learn after the delay.
        let mut child = dir
            .command(&["learn", "-m", "s.model", "--spam", &msg])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        // The model loads and the store agrees with it: the next run learns.
        let out = dir.run(&["inspect", "s.model"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let out = dir.run(&["learn", "-m", "s.model", "--ham", &msg]);
        assert!(
            out.status.success(),
            "killed after {delay_ms} ms: {}",
            stderr(&out)
        );
        // Killed before it committed: the message is new; after: it is relabeled.
        let change = changes(&stdout(&out))[0].to_string();
        assert!(change == "added" || change == "relabeled", "{change}");
        outcomes.insert((status.success(), change));
        let out = learn(&dir, &["--forget", &msg]);
        assert_eq!(changes(&out), ["forgotten"]);
    }
    eprintln!("outcomes over the delays: {outcomes:?}");
}

#[test]
fn train_from_the_store_alone() {
    let dir = trained();
    let msg = new_message(&dir, "m.eml", "zanzibar cruise offer");
    learn(&dir, &["--spam", &msg]);
    let out = dir.run(&[
        "train",
        "--from-store",
        "s.store",
        "--lambda",
        "0.003",
        "-o",
        "t.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("read:        521 messages (221 spam, 300 ham)"),
        "{text}"
    );
    assert!(dir.path("t.store").exists());
    let out = dir.run(&["learn", "-m", "t.model", "--spam", &msg]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(changes(&stdout(&out)), ["unchanged"]);
}

#[test]
fn eval_online_replays_in_date_order_and_prints_the_figures() {
    let dir = trained();
    let sample = crate::util::sample();
    let sample = sample.to_str().unwrap();
    let out = dir.run(&[
        "eval",
        "--online",
        "-m",
        "s.model",
        sample,
        "--refit-every",
        "25",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    for key in [
        "auc",
        "one_minus_auc_pct",
        "fpr",
        "fnr",
        "messages",
        "seconds",
        "refit_every",
        "curve",
    ] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
    assert_eq!(v["messages"], 520);
    assert_eq!(v["refit_every"], 25);
    assert!(v["auc"].as_f64().unwrap() > 0.9, "{v}");
    assert_eq!(v["curve"][0]["messages"], 500);
    let out = dir.run(&["eval", "--online", "-m", "s.model", sample, "--on-error"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("learned (on error)") && text.contains("1-AUC"),
        "{text}"
    );
    // --on-error and --refit-every belong to --online.
    let out = dir.run(&["eval", "-m", "s.model", sample, "--on-error"]);
    assert_eq!(out.status.code(), Some(3));
}
