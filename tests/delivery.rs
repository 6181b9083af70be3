//! The README's mail-filter recipes, run under the real delivery agents:
//! procmail, maildrop and Dovecot's Sieve (`sieve-test`, which runs a script
//! as Dovecot's LDA would, without a server). Each delivers real ham and spam
//! from the sample corpus and checks where each message landed and that its
//! bytes are the message plus our one header field. A missing program fails
//! the test unless `SPARSETEXT_SKIP_EXTERNAL=1`; `.ci/run` installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::util::{Dir, sample_message, shared_model, stderr};

/// The fenced block of the README whose info string is `lang`.
fn readme_block(lang: &str) -> String {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find(&format!("```{lang}\n"))
        .unwrap_or_else(|| panic!("no {lang} block in the README"));
    let body = &readme[start + lang.len() + 4..];
    body[..body.find("```").unwrap()].to_string()
}

/// Whether `program` is installed; a panic saying how to install it, unless
/// `SPARSETEXT_SKIP_EXTERNAL=1`.
fn external(program: &str, package: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()));
    if found {
        return true;
    }
    if std::env::var("SPARSETEXT_SKIP_EXTERNAL").as_deref() == Ok("1") {
        eprintln!("skipped: {program} is not installed (SPARSETEXT_SKIP_EXTERNAL=1)");
        return false;
    }
    panic!(
        "{program} is not installed: `apt-get install -y {package}` (.ci/run does), \
         or set SPARSETEXT_SKIP_EXTERNAL=1 to skip this test"
    );
}

/// Dovecot settings that store mail in `home/Maildir` as a user Dovecot accepts:
/// it never delivers as root, so as root it delivers as nobody.
fn dovecot_mail_settings(home: &Path) -> String {
    let (uid, gid) = if is_root() {
        ("nobody".to_string(), "nogroup".to_string())
    } else {
        let id = |flag: &str| {
            let out = Command::new("id").arg(flag).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        (id("-u"), id("-g"))
    };
    format!(
        "mail_location = maildir:{home}/Maildir\nmail_uid = {uid}\nmail_gid = {gid}\n\
         first_valid_uid = 0\nfirst_valid_gid = 0\n",
        home = home.display()
    )
}

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// A home folder with the model where `sparsetext` finds it by default, a
/// folder holding the binary, and the messages to deliver.
struct Mailbox {
    dir: Dir,
    /// The messages, what `classify -p` makes of each, and whether that is spam.
    messages: Vec<(Vec<u8>, Vec<u8>, bool)>,
}

impl Mailbox {
    fn new() -> Mailbox {
        let dir = Dir::new();
        let model = dir.path("home/.local/share/sparsetext/spam.model");
        std::fs::create_dir_all(model.parent().unwrap()).unwrap();
        std::fs::copy(shared_model(), &model).unwrap();
        std::fs::create_dir_all(dir.path("bin")).unwrap();
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_sparsetext"), dir.path("bin/sparsetext"))
            .unwrap();
        let mut messages = Vec::new();
        for (label, n) in [("ham", 4), ("spam", 4)] {
            for i in 0..n {
                let message = std::fs::read(sample_message(label, i * 7)).unwrap();
                let out = dir
                    .run_with_stdin(&["classify", "-p", "-m", model.to_str().unwrap()], &message);
                assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
                let spam = String::from_utf8_lossy(&out.stdout).contains("\nX-Sparsetext: spam;");
                messages.push((message, out.stdout, spam));
            }
        }
        let spam = messages.iter().filter(|m| m.2).count();
        assert!(
            spam > 0 && spam < messages.len(),
            "both verdicts among the messages"
        );
        Mailbox { dir, messages }
    }

    fn home(&self) -> PathBuf {
        self.dir.path("home")
    }

    fn bin(&self) -> PathBuf {
        self.dir.path("bin")
    }

    fn make_maildirs(&self) {
        for folder in ["Maildir", "Maildir/.Junk"] {
            for sub in ["cur", "new", "tmp"] {
                std::fs::create_dir_all(self.home().join(folder).join(sub)).unwrap();
            }
        }
    }

    /// Delivers every message with `deliver`, then checks that the ham is in
    /// `Maildir/new`, the spam in `Maildir/.Junk/new`, each as `classify -p`
    /// wrote it (less a leading `From ` line when `drops_from_line`).
    fn deliver_and_check(&self, drops_from_line: bool, deliver: impl Fn(&[u8]) -> Output) {
        for (message, _, _) in &self.messages {
            let out = deliver(message);
            assert!(out.status.success(), "{:?}: {}", out.status, stderr(&out));
        }
        for (folder, spam) in [("Maildir/new", false), ("Maildir/.Junk/new", true)] {
            let mut landed = read_all(&self.home().join(folder));
            let mut expected: Vec<Vec<u8>> = self
                .messages
                .iter()
                .filter(|m| m.2 == spam)
                .map(|m| {
                    if drops_from_line {
                        without_from_line(&m.1)
                    } else {
                        m.1.clone()
                    }
                })
                .collect();
            landed.sort();
            expected.sort();
            assert_eq!(landed.len(), expected.len(), "messages in {folder}");
            for (got, want) in landed.iter().zip(&expected) {
                let at = got.iter().zip(want).take_while(|(a, b)| a == b).count();
                let around = |m: &[u8]| {
                    String::from_utf8_lossy(&m[at.saturating_sub(80)..m.len().min(at + 80)])
                        .into_owned()
                };
                assert!(
                    got == want,
                    "in {folder}, not the message plus our field at byte {at}:\n{}\n---- expected ----\n{}",
                    around(got),
                    around(want)
                );
            }
        }
    }
}

/// The contents of every file in `dir`.
fn read_all(dir: &Path) -> Vec<Vec<u8>> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| std::fs::read(e.unwrap().path()).unwrap())
                .collect()
        })
        .unwrap_or_default()
}

/// `message` without a leading mbox `From ` line (procmail drops it when
/// delivering to a Maildir).
fn without_from_line(message: &[u8]) -> Vec<u8> {
    if message.starts_with(b"From ") {
        let eol = message.iter().position(|&b| b == b'\n').unwrap();
        message[eol + 1..].to_vec()
    } else {
        message.to_vec()
    }
}

/// Runs a delivery agent from `home`, as a mail server starts it.
fn run(cmd: &mut Command, home: &Path, input: &[u8]) -> Output {
    let mut child = cmd
        .current_dir(home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input).unwrap();
    child.wait_with_output().unwrap()
}

/// procmail's settings a user's `~/.procmailrc` gets from procmail itself
/// (HOME is set here: run as root, procmail takes root's).
fn procmail_prelude(mailbox: &Mailbox) -> String {
    format!(
        "SHELL=/bin/sh\nHOME={}\nPATH={}:/usr/bin:/bin\nMAILDIR=$HOME/Maildir/\n\
         DEFAULT=$HOME/Maildir/\nLOGFILE=$HOME/procmail.log\n",
        mailbox.home().display(),
        mailbox.bin().display()
    )
}

#[test]
fn the_procmail_recipe_files_spam_and_keeps_every_message_whole() {
    if !external("procmail", "procmail") {
        return;
    }
    let mailbox = Mailbox::new();
    mailbox.make_maildirs();
    let rc = mailbox.dir.write(
        "procmailrc",
        procmail_prelude(&mailbox) + &readme_block("procmail"),
    );
    mailbox.deliver_and_check(true, |m| {
        run(
            Command::new("procmail").env_clear().arg(&rc),
            &mailbox.home(),
            m,
        )
    });
    let log = std::fs::read_to_string(mailbox.home().join("procmail.log")).unwrap();
    assert!(!log.contains("failure"), "{log}");
    // With no model the filter fails; procmail keeps the original message.
    let broken = procmail_prelude(&mailbox)
        + "SPARSETEXT_MODEL=/nonexistent.model\n"
        + &readme_block("procmail");
    let rc = mailbox.dir.write("broken-procmailrc", broken);
    let (message, _, _) = &mailbox.messages[0];
    let before = read_all(&mailbox.home().join("Maildir/new")).len();
    let out = run(
        Command::new("procmail").env_clear().arg(&rc),
        &mailbox.home(),
        message,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let inbox = read_all(&mailbox.home().join("Maildir/new"));
    assert_eq!(inbox.len(), before + 1);
    assert!(
        inbox.contains(&without_from_line(message)),
        "the original, unchanged"
    );
}

#[test]
fn the_maildrop_recipe_files_spam_and_keeps_every_message_whole() {
    if !external("maildrop", "maildrop") {
        return;
    }
    let mailbox = Mailbox::new();
    mailbox.make_maildirs();
    let prelude = format!(
        "HOME=\"{}\"\nPATH=\"{}:/usr/bin:/bin\"\n",
        mailbox.home().display(),
        mailbox.bin().display()
    );
    let filter = mailbox
        .dir
        .write("mailfilter", prelude.clone() + &readme_block("maildrop"));
    // maildrop reads only a filter file that no one else may write.
    std::fs::set_permissions(&filter, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    mailbox.deliver_and_check(false, |m| {
        run(
            Command::new("maildrop").env_clear().arg(&filter),
            &mailbox.home(),
            m,
        )
    });
    // With no model the filter fails: maildrop defers (EX_TEMPFAIL), so the
    // mail server keeps the message and retries.
    let broken = prelude + "SPARSETEXT_MODEL=\"/nonexistent.model\"\n" + &readme_block("maildrop");
    let filter = mailbox.dir.write("broken-mailfilter", broken);
    std::fs::set_permissions(&filter, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let before = read_all(&mailbox.home().join("Maildir/new")).len();
    let out = run(
        Command::new("maildrop").env_clear().arg(&filter),
        &mailbox.home(),
        &mailbox.messages[0].0,
    );
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert_eq!(read_all(&mailbox.home().join("Maildir/new")).len(), before);
}

#[test]
fn the_sieve_script_files_spam_and_keeps_every_message_whole() {
    if !external("sieve-test", "dovecot-sieve") {
        return;
    }
    let mailbox = Mailbox::new();
    let config = readme_block("dovecot").replace(
        "/usr/local/lib/dovecot/sieve-filter",
        mailbox.bin().to_str().unwrap(),
    );
    let config = dovecot_mail_settings(&mailbox.home()) + &config;
    let conf = mailbox.dir.write("dovecot.conf", config);
    let script = mailbox
        .dir
        .write("home/sieve/sparsetext.sieve", readme_block("sieve"));
    if is_root() {
        for path in [mailbox.dir.path("."), mailbox.home(), mailbox.bin()] {
            let _ = std::fs::set_permissions(
                &path,
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            );
        }
        for sub in [".local", ".local/share", ".local/share/sparsetext"] {
            let _ = std::fs::set_permissions(
                mailbox.home().join(sub),
                std::os::unix::fs::PermissionsExt::from_mode(0o755),
            );
        }
        std::fs::create_dir_all(mailbox.home().join("Maildir")).unwrap();
        let status = Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(mailbox.home().join("Maildir"))
            .arg(mailbox.home().join("sieve"))
            .status()
            .unwrap();
        assert!(status.success());
        let model = mailbox.home().join(".local/share/sparsetext/spam.model");
        std::fs::set_permissions(&model, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .unwrap();
    }
    let location = format!("maildir:{}/Maildir", mailbox.home().display());
    mailbox.deliver_and_check(false, |m| {
        let file = mailbox.dir.write("message.eml", m);
        let _ =
            std::fs::set_permissions(&file, std::os::unix::fs::PermissionsExt::from_mode(0o644));
        let mut cmd = Command::new("sieve-test");
        cmd.env("HOME", mailbox.home())
            .current_dir(mailbox.home())
            .args(["-c", conf.to_str().unwrap(), "-e", "-l", &location])
            .arg(&script)
            .arg(&file);
        let out = cmd.stdin(Stdio::null()).output().unwrap();
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("final result: success"),
            "{}",
            stderr(&out)
        );
        out
    });
}

/// contrib/imapsieve's Sieve scripts run by `sieve-test` with Dovecot's
/// `vnd.dovecot.pipe` (sieve_extprograms), piping the message to the real
/// learn-spam.sh / learn-ham.sh. `sieve-test` has no IMAP session, so the
/// scripts' `imapsieve` capability is dropped from their `require` (the IMAP
/// plugin only decides when they run); everything else runs as Dovecot runs it.
#[test]
fn the_imapsieve_scripts_learn_a_message_moved_into_and_out_of_junk() {
    if !external("sieve-test", "dovecot-sieve") {
        return;
    }
    let dir = Dir::new();
    let home = dir.path("home");
    let data = home.join(".local/share/sparsetext");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(home.join("Maildir")).unwrap();
    let model = data.join("spam.model");
    let out = dir.run(&["train", "--lambda", "0.003", "-o", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let contrib = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/imapsieve");
    let bin = dir.path("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let exe = bin.join("sparsetext");
    std::fs::copy(env!("CARGO_BIN_EXE_sparsetext"), &exe).unwrap();
    for script in ["learn-spam.sh", "learn-ham.sh"] {
        let text = std::fs::read_to_string(contrib.join(script)).unwrap();
        let text = text.replace("exec sparsetext ", &format!("exec {} ", exe.display()));
        let path = dir.write(&format!("bin/{script}"), text);
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
    }
    let sieve = |name: &str| {
        let text = std::fs::read_to_string(contrib.join(name)).unwrap();
        dir.write(name, text.replace(", \"imapsieve\"", ""))
    };
    let (spam_script, ham_script) = (sieve("report-spam.sieve"), sieve("report-ham.sieve"));
    let conf = dir.write(
        "dovecot.conf",
        dovecot_mail_settings(&home)
            + &format!(
                "plugin {{\n\
                 sieve_plugins = sieve_extprograms\n\
                 sieve_extensions = +vnd.dovecot.pipe +vnd.dovecot.environment\n\
                 sieve_pipe_bin_dir = {bin}\n}}\n",
                bin = bin.display()
            ),
    );
    let message = dir.write(
        "moved.eml",
        "From: a@example.com\nSubject: zanzibar cruise\n\nzanzibar cruise offer today\n",
    );
    if is_root() {
        let status = Command::new("chmod")
            .args(["-R", "a+rX"])
            .arg(dir.path("."))
            .status()
            .unwrap();
        assert!(status.success());
        let status = Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(&home)
            .status()
            .unwrap();
        assert!(status.success());
    }
    let location = format!("maildir:{}/Maildir", home.display());
    let sieve_test = |script: &Path| {
        let out = Command::new("sieve-test")
            .env("HOME", &home)
            .current_dir(&home)
            .args(["-c", conf.to_str().unwrap(), "-e", "-l", &location])
            .arg(script)
            .arg(&message)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("final result: success"),
            "{}",
            stderr(&out)
        );
    };
    // What the store says of the message: learning it as spam again is "unchanged"
    // only if it is there as spam.
    let label_is = |label: &str| {
        let flag = format!("--{label}");
        let out = dir.run(&["learn", "-m", model.to_str().unwrap(), &flag, "moved.eml"]);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).starts_with("unchanged")
    };
    sieve_test(&spam_script);
    assert!(label_is("spam"), "moved into Junk: learned as spam");
    sieve_test(&ham_script);
    assert!(label_is("ham"), "moved out of Junk: learned as ham");
}

/// The README's cron line for the spam that got through: run as cron would run
/// its command (by `sh`, `~` the user's home), twice: the second run changes nothing.
#[test]
fn the_cron_line_learns_the_missed_spam_folder_once() {
    let dir = Dir::new();
    let home = dir.path("home");
    let model = home.join(".local/share/sparsetext/spam.model");
    std::fs::create_dir_all(model.parent().unwrap()).unwrap();
    let out = dir.run(&["train", "--lambda", "0.003", "-o", model.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let missed = home.join("Maildir/.Missed-spam");
    std::fs::create_dir_all(missed.join("new")).unwrap();
    std::fs::create_dir_all(missed.join("cur")).unwrap();
    std::fs::write(
        missed.join("new/1.eml"),
        "From: a@example.com\nSubject: zanzibar cruise\n\nzanzibar cruise offer\n",
    )
    .unwrap();
    let line = readme_block("crontab");
    let command: String = line
        .trim()
        .splitn(6, ' ')
        .nth(5)
        .expect("five schedule fields, then the command")
        .replace(" >/dev/null", "");
    let bin = Path::new(env!("CARGO_BIN_EXE_sparsetext"))
        .parent()
        .unwrap();
    let run = || {
        let out = Command::new("sh")
            .arg("-c")
            .arg(&command)
            .env("HOME", &home)
            .env_remove("SPARSETEXT_MODEL")
            .env_remove("XDG_DATA_HOME")
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .current_dir(&home)
            .output()
            .unwrap();
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = run();
    assert!(first.starts_with("added\tspam\t"), "{first}");
    let second = run();
    assert!(second.starts_with("unchanged\tspam\t"), "{second}");
    assert!(second.contains("model:       unchanged"), "{second}");
}
