//! Large corpora: an mbox read in place equals its messages read as files, and the
//! progress bars show on a terminal only, never with --quiet.

use std::path::Path;
use std::process::Command;

use crate::util::{Dir, sample, stderr};

/// The sample folder's messages that end with a newline (an mbox entry ends with
/// one), sorted as a folder is read.
fn messages(folder: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<_> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|m| m.ends_with(b"\n"))
        .collect()
}

/// `messages` as an mboxrd file: separator lines, `From ` lines quoted (`>From `, and
/// one more `>` on lines quoted already), a blank line after each.
fn mboxrd(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for message in messages {
        out.extend_from_slice(b"From sender@example.org Mon Jan  1 00:00:00 2001\n");
        for line in message.split_inclusive(|&b| b == b'\n') {
            let quotes = line.iter().take_while(|&&b| b == b'>').count();
            if line[quotes..].starts_with(b"From ") {
                out.push(b'>');
            }
            out.extend_from_slice(line);
        }
        out.push(b'\n');
    }
    out
}

#[test]
fn an_mbox_reads_as_the_folder_of_its_messages() {
    let dir = Dir::new();
    let mut quoted = 0;
    for label in ["ham", "spam"] {
        let kept = messages(&sample().join(label));
        assert!(kept.len() > 200, "{label}: {} messages", kept.len());
        for (i, message) in kept.iter().enumerate() {
            dir.write(&format!("folders/{label}/{i:04}"), message);
        }
        let mbox = mboxrd(&kept);
        quoted += mbox.windows(6).filter(|w| w == b"\n>From").count();
        dir.write(&format!("{label}.mbox"), mbox);
    }
    assert!(quoted > 0, "the sample has body lines starting with From");
    let run = |ham: &str, spam: &str, out: &str| {
        let output = dir.run(&[
            "vectorize",
            "--ham",
            ham,
            "--spam",
            spam,
            "-o",
            out,
            "--vocab",
            &format!("{out}.vocab"),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        let read = |p: &str| std::fs::read(dir.path(p)).unwrap();
        (read(out), read(&format!("{out}.vocab")))
    };
    let from_folders = run("folders/ham", "folders/spam", "folders.svm");
    let from_mbox = run("ham.mbox", "spam.mbox", "mbox.svm");
    assert!(from_folders.0.len() > 10_000);
    assert!(
        from_folders == from_mbox,
        "the matrices or vocabularies differ"
    );
}

/// `sparsetext ARGS` on a terminal (`script` gives it one), the bar drawn at once:
/// what the terminal showed.
fn on_a_terminal(dir: &Dir, args: &str) -> Option<String> {
    let binary = env!("CARGO_BIN_EXE_sparsetext");
    let output = Command::new("script")
        .args(["-qec", &format!("{binary} {args}"), "/dev/null"])
        .current_dir(dir.path(""))
        .env("SPARSETEXT_PROGRESS_AFTER_MS", "0")
        .output();
    match output {
        Ok(output) => {
            assert!(output.status.success(), "{}", stderr(&output));
            Some(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        Err(_) if std::env::var_os("SPARSETEXT_SKIP_EXTERNAL").is_some() => None,
        Err(e) => panic!("script (util-linux) is needed: {e}"),
    }
}

#[test]
fn progress_shows_on_a_terminal_and_never_with_quiet_or_a_pipe() {
    let dir = Dir::new();
    let sample = sample().display().to_string();
    let train = format!("train {sample} --lambda 1e-3 --no-store -o m.model");
    let Some(shown) = on_a_terminal(&dir, &train) else {
        return;
    };
    assert!(shown.contains("messages"), "no reading bar: {shown}");
    assert!(shown.contains("fitting lambda"), "no fitting line: {shown}");
    let quiet = on_a_terminal(&dir, &format!("--quiet {train}")).unwrap();
    assert!(quiet.contains("features:"), "{quiet}");
    assert!(
        !quiet.contains("reading") && !quiet.contains("fitting"),
        "{quiet}"
    );
    let piped = dir
        .command(&[
            "train",
            &sample,
            "--lambda",
            "1e-3",
            "--no-store",
            "-o",
            "m.model",
        ])
        .env("SPARSETEXT_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", stderr(&piped));
    assert_eq!(stderr(&piped), "", "a pipe gets no bar");
}
