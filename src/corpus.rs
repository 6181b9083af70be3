//! Corpus: paths on disk -> a list of messages, each with a name and a label.
//!
//! A corpus path may be
//! - a directory: every regular file below it is one message (so Maildir
//!   `cur/` and `new/` just work), visited in sorted order;
//! - an mbox file (`From ` separator lines, mboxrd `>From ` unquoting), whose
//!   messages are named `FILE:N` (1-based);
//! - a single message file, or `-` for standard input.
//!
//! Labels come from the caller ([`Corpus::add`]), from the path's own name, or
//! from the names of a directory's immediate sub-folders
//! ([`Corpus::add_labeled`]), read as words ([`Label::from_folder_name`]:
//! `spam_2` and `Junk` are spam, `easy_ham` and `not_spam` are ham). So the
//! SpamAssassin public corpus (`easy_ham`, `easy_ham_2`, `hard_ham`, `spam`,
//! `spam_2`) reads as published, whole or folder by folder.
//!
//! Below a folder, hidden files and folders are skipped (a Maildir++ folder
//! such as `.Junk` is read when given by its own path), as is a Maildir's
//! `tmp/`; each skip is listed in [`Corpus::skipped`].
//!
//! Listing is cheap; bytes are read when [`Item::bytes`] is called, so the
//! pipeline reads and tokenizes in parallel.
//!
//! Mail is written by adversaries, so a message is read only up to a cap
//! ([`Corpus::max_message_bytes`], default [`DEFAULT_MAX_MESSAGE_BYTES`]): a
//! larger one is cut there for tokenizing and flagged
//! ([`MailBytes::truncated`]), and never held whole in memory.
//!
//! ```
//! use sparsetext::corpus::{Corpus, Label};
//! let mut corpus = Corpus::default();
//! corpus.add_labeled_root("corpora/sample".as_ref())?;
//! assert!(corpus.items.iter().any(|m| m.label == Some(Label::Spam)));
//! assert!(corpus.items.iter().any(|m| m.label == Some(Label::Ham)));
//! Ok::<(), sparsetext::Error>(())
//! ```

mod label;
mod mbox;

pub use label::Label;
pub use mbox::{is_mbox, is_separator, split_mbox};

use std::borrow::Cow;
use std::fs;
use std::io::{BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, Result};

/// The default cap on the bytes of one message read for tokenizing: 4 MiB.
/// Real mail larger than this is attachments, whose bytes are not tokenized
/// anyway (only their type and name are), and a spam filter must not let one
/// message cost unbounded time or memory.
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 4 << 20;

/// Where a message's bytes are.
#[derive(Clone, Debug)]
enum Origin {
    /// A whole file, read on demand.
    File(PathBuf),
    /// One message of an mbox file, read on demand.
    Mbox(Arc<fs::File>, mbox::Span),
    /// Bytes already in memory: standard input, or a message given in memory.
    Memory(Arc<[u8]>),
}

/// One message of a corpus.
#[derive(Clone, Debug)]
pub struct Item {
    /// The file path, `FILE:N` for the N-th message of an mbox, or `-` for stdin.
    /// A file name that is not UTF-8 shows here lossily; [`Item::name_bytes`] has it whole.
    pub name: String,
    /// Its label, when known.
    pub label: Option<Label>,
    origin: Origin,
    /// The name's bytes when `name` lost some (an mbox message of a non-UTF-8 path).
    raw_name: Option<Box<[u8]>>,
    /// At most this many bytes are read (see [`Corpus::max_message_bytes`]).
    max_bytes: u64,
}

/// A message's bytes as read for tokenizing: at most the cap, and whether
/// there were more. Dereferences to the bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailBytes<'a> {
    bytes: Cow<'a, [u8]>,
    /// The message was longer than the cap and cut there.
    pub truncated: bool,
}

impl std::ops::Deref for MailBytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Item {
    /// The message's raw bytes, cut at the item's cap (`truncated` says so): a
    /// file is read through [`Read::take`], so a huge one costs cap bytes.
    pub fn bytes(&self) -> Result<MailBytes<'_>> {
        let cap = self.max_bytes;
        match &self.origin {
            Origin::File(path) => {
                let io = |e| Error::io(path, e);
                let file = fs::File::open(path).map_err(io)?;
                let size = file.metadata().map_or(0, |m| m.len());
                // One byte more than the cap tells a cut message from one of exactly cap bytes.
                let mut bytes = Vec::with_capacity(size.min(cap + 1) as usize);
                file.take(cap.saturating_add(1))
                    .read_to_end(&mut bytes)
                    .map_err(io)?;
                Ok(cut(Cow::Owned(bytes), cap))
            }
            Origin::Mbox(file, span) => {
                let (bytes, truncated) =
                    mbox::read_message(file, *span, cap).map_err(|e| Error::io(&self.name, e))?;
                Ok(MailBytes {
                    bytes: Cow::Owned(bytes),
                    truncated,
                })
            }
            Origin::Memory(bytes) => Ok(cut(Cow::Borrowed(bytes), cap)),
        }
    }

    /// The message's bytes (as [`Item::bytes`]) if they can be read and look like
    /// mail; else why the message is skipped (see [`looks_like_mail`]).
    pub fn mail(&self) -> std::result::Result<MailBytes<'_>, String> {
        let bytes = self.bytes().map_err(|e| format!("cannot read it: {e}"))?;
        looks_like_mail(&bytes).map_err(str::to_string)?;
        Ok(bytes)
    }

    /// The name byte for byte as the file system spells it (on Unix any bytes but
    /// NUL and `/`), where [`Item::name`] replaces bytes that are not UTF-8.
    pub fn name_bytes(&self) -> Cow<'_, [u8]> {
        match (&self.raw_name, &self.origin) {
            (Some(raw), _) => Cow::Borrowed(raw),
            (None, Origin::File(path)) => Cow::Borrowed(path.as_os_str().as_encoded_bytes()),
            (None, Origin::Memory(_) | Origin::Mbox(..)) => Cow::Borrowed(self.name.as_bytes()),
        }
    }

    /// A message held in memory (for tests and callers that already have the
    /// bytes), with the default cap.
    pub fn from_bytes(name: impl Into<String>, label: Option<Label>, bytes: Vec<u8>) -> Item {
        Item {
            name: name.into(),
            label,
            origin: Origin::Memory(bytes.into()),
            raw_name: None,
            max_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }

    /// The same item with at most `max_bytes` bytes read.
    pub fn with_max_bytes(mut self, max_bytes: u64) -> Item {
        self.max_bytes = max_bytes;
        self
    }
}

/// `bytes` cut to `cap`, flagged when that dropped anything.
fn cut(bytes: Cow<'_, [u8]>, cap: u64) -> MailBytes<'_> {
    let cap = usize::try_from(cap).unwrap_or(usize::MAX);
    if bytes.len() <= cap {
        return MailBytes {
            bytes,
            truncated: false,
        };
    }
    let bytes = match bytes {
        Cow::Borrowed(b) => Cow::Borrowed(&b[..cap]),
        Cow::Owned(mut b) => {
            b.truncate(cap);
            Cow::Owned(b)
        }
    };
    MailBytes {
        bytes,
        truncated: true,
    }
}

/// A file passed over while listing, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The file.
    pub name: String,
    /// Why it is not a message.
    pub reason: String,
}

/// A folder, mbox or file the corpus was read from, with its label and
/// how many messages were listed in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// The path, as given or found below a labeled root.
    pub path: PathBuf,
    /// The label of its messages, if any.
    pub label: Option<Label>,
    /// Messages listed (before any is skipped as not mail).
    pub messages: usize,
}

/// The messages of one or more corpus paths, in a deterministic order.
#[derive(Clone, Debug)]
pub struct Corpus {
    /// The messages, in the order the paths were added, each directory sorted.
    pub items: Vec<Item>,
    /// Files and folders passed over while listing (hidden files and folders, a
    /// Maildir's `tmp/`, files outside labeled folders).
    pub skipped: Vec<Skipped>,
    /// Each path added, in order, with its label and message count.
    pub sources: Vec<Source>,
    /// Each message added from now on is read up to this many bytes
    /// ([`Item::bytes`]). At least 1; default [`DEFAULT_MAX_MESSAGE_BYTES`].
    pub max_message_bytes: u64,
}

impl Default for Corpus {
    fn default() -> Corpus {
        Corpus {
            items: Vec::new(),
            skipped: Vec::new(),
            sources: Vec::new(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
        }
    }
}

impl Corpus {
    /// An empty corpus whose messages are read up to `max_message_bytes` each.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] for 0.
    pub fn with_max_message_bytes(max_message_bytes: u64) -> Result<Corpus> {
        if max_message_bytes == 0 {
            return Err(Error::InvalidParam {
                name: "max-message-bytes",
                value: "0".into(),
                reason: "must be at least 1".into(),
            });
        }
        Ok(Corpus {
            max_message_bytes,
            ..Corpus::default()
        })
    }

    /// Adds every message under `path` with the given label (`None`: unlabeled).
    pub fn add(&mut self, path: &Path, label: Option<Label>) -> Result<()> {
        let before = self.items.len();
        if path == Path::new("-") {
            let bytes = read_capped(std::io::stdin().lock(), self.max_message_bytes)
                .map_err(|e| Error::io("<stdin>", e))?;
            self.add_bytes("-", label, bytes);
        } else {
            let meta = fs::metadata(path).map_err(|e| Error::io(path, e))?;
            if meta.is_dir() {
                self.add_dir(path, label)?;
            } else {
                self.add_file(path, label)?;
            }
        }
        self.sources.push(Source {
            path: path.to_path_buf(),
            label,
            messages: self.items.len() - before,
        });
        Ok(())
    }

    /// Adds a path given without a label: one whose own name carries a label
    /// ([`Label::from_folder_name`]: `spam_2/`, `easy_ham/`, `Junk/`,
    /// `spam.mbox`) is read with it; any other must be a folder whose
    /// sub-folders carry the labels ([`Corpus::add_labeled_root`]).
    pub fn add_labeled(&mut self, path: &Path) -> Result<()> {
        if path == Path::new("-") {
            return Err(Error::Corpus {
                path: path.to_path_buf(),
                reason: "standard input has no name to take a label from: \
                         pass it with --ham - or --spam -"
                    .into(),
            });
        }
        match own_name(path).as_deref().and_then(Label::from_folder_name) {
            Some(label) => self.add(path, Some(label)),
            None => self.add_labeled_root(path),
        }
    }

    /// Adds a directory whose immediate sub-folders carry the label in their
    /// names ([`Label::from_folder_name`]). A sub-folder whose name carries
    /// none is an error naming it; hidden entries other than labeled
    /// Maildir++ folders (`.Junk`), and files directly in `root`, are skipped.
    pub fn add_labeled_root(&mut self, root: &Path) -> Result<()> {
        let meta = fs::metadata(root).map_err(|e| Error::io(root, e))?;
        if !meta.is_dir() {
            return Err(Error::Corpus {
                path: root.to_path_buf(),
                reason: "its name says neither ham nor spam, and a single file cannot \
                         hold both: pass it with --ham or --spam"
                    .into(),
            });
        }
        let mut folders = 0;
        for entry in sorted_entries(root)? {
            let name = entry.file_name().unwrap_or_default().to_string_lossy();
            let label = Label::from_folder_name(&name);
            let is_dir = fs::metadata(&entry)
                .map_err(|e| Error::io(&entry, e))?
                .is_dir();
            if name.starts_with('.') && (label.is_none() || !is_dir) {
                self.skip(
                    &entry,
                    if is_dir {
                        "hidden folder"
                    } else {
                        "hidden file"
                    },
                );
                continue;
            }
            if !is_dir {
                self.skip(&entry, "not inside a ham or spam folder");
                continue;
            }
            let label = label.ok_or_else(|| Error::Corpus {
                path: entry.clone(),
                reason: format!("{UNLABELED}, or pass it with --ham or --spam"),
            })?;
            self.add(&entry, Some(label))?;
            folders += 1;
        }
        if folders == 0 {
            return Err(Error::Corpus {
                path: root.to_path_buf(),
                reason: format!(
                    "{UNLABELED}, and no sub-folder's name does (e.g. ham/ and spam/): \
                     rename them, or pass the mail with --ham and --spam"
                ),
            });
        }
        Ok(())
    }

    fn add_dir(&mut self, dir: &Path, label: Option<Label>) -> Result<()> {
        let entries = sorted_entries_with_types(dir)?;
        let is_maildir = ["cur", "new", "tmp"].iter().all(|sub| {
            entries
                .iter()
                .any(|(p, k)| k.is_dir() && p.file_name() == Some(sub.as_ref()))
        });
        for (entry, kind) in entries {
            let name = entry.file_name().unwrap_or_default().to_string_lossy();
            // Symlinks to directories are not followed (no cycles); to files they are.
            if kind.is_dir() {
                if name.starts_with('.') {
                    self.skip(&entry, "hidden folder (a Maildir++ folder such as .Junk is read when given by its own path)");
                } else if is_maildir && name == "tmp" {
                    self.skip(&entry, "a Maildir's tmp/ (mail still being delivered)");
                } else {
                    self.add_dir(&entry, label)?;
                }
                continue;
            }
            if name.starts_with('.') {
                self.skip(&entry, "hidden file");
                continue;
            }
            // The directory listing's type spares a stat call per plain file.
            let is_file = if kind.is_symlink() {
                fs::metadata(&entry).map(|meta| (meta.is_file(), meta.is_dir()))
            } else {
                Ok((kind.is_file(), false))
            };
            match is_file {
                Ok((true, _)) => self.items.push(Item {
                    name: entry.display().to_string(),
                    label,
                    origin: Origin::File(entry),
                    raw_name: None,
                    max_bytes: self.max_message_bytes,
                }),
                Ok((_, true)) => self.skip(&entry, "symbolic link to a folder (not followed)"),
                Ok(_) => self.skip(&entry, "not a regular file"),
                Err(e) => self.skip(&entry, &format!("cannot read it: {e}")),
            }
        }
        Ok(())
    }

    fn add_file(&mut self, path: &Path, label: Option<Label>) -> Result<()> {
        let io = |e| Error::io(path, e);
        let name = path.display().to_string();
        // Only a file starting with a `From ` line can be an mbox: any other is
        // one message, read later up to the cap like a directory's files. An mbox
        // is listed by the places of its messages, read line by line: they are
        // read when tokenized, so the file is never held in memory.
        let mut file = fs::File::open(path).map_err(io)?;
        let mut head = Vec::with_capacity(5);
        (&file).take(5).read_to_end(&mut head).map_err(io)?;
        let spans = match head == b"From " {
            true => {
                file.rewind().map_err(io)?;
                mbox::index(BufReader::with_capacity(1 << 16, &file)).map_err(io)?
            }
            false => None,
        };
        let Some(spans) = spans else {
            self.items.push(Item {
                name,
                label,
                origin: Origin::File(path.to_path_buf()),
                raw_name: None,
                max_bytes: self.max_message_bytes,
            });
            return Ok(());
        };
        let file = Arc::new(file);
        let lossy = path.to_str().is_none();
        self.items.reserve(spans.len());
        for (n, span) in spans.into_iter().enumerate() {
            let raw_name = lossy.then(|| {
                let mut raw = path.as_os_str().as_encoded_bytes().to_vec();
                raw.extend_from_slice(format!(":{}", n + 1).as_bytes());
                raw.into_boxed_slice()
            });
            self.items.push(Item {
                name: format!("{name}:{}", n + 1),
                label,
                origin: Origin::Mbox(Arc::clone(&file), span),
                raw_name,
                max_bytes: self.max_message_bytes,
            });
        }
        Ok(())
    }

    fn add_bytes(&mut self, name: &str, label: Option<Label>, bytes: Vec<u8>) {
        self.items
            .push(Item::from_bytes(name, label, bytes).with_max_bytes(self.max_message_bytes));
    }

    fn skip(&mut self, path: &Path, reason: &str) {
        self.skipped.push(Skipped {
            name: path.display().to_string(),
            reason: reason.to_string(),
        });
    }
}

/// What an unlabeled folder's error says first.
const UNLABELED: &str = "its name says neither ham nor spam (labels are words such as \
                         spam, junk, ham, easy_ham, nonspam, not_spam)";

/// The last component of `path`, resolving `.` and `..` when it ends so.
fn own_name(path: &Path) -> Option<String> {
    match path.file_name() {
        Some(name) => Some(name.to_string_lossy().into_owned()),
        None => fs::canonicalize(path)
            .ok()?
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
    }
}

/// Reads `reader` to its end, keeping at most `cap + 1` bytes (one more than
/// the cap, so [`Item::bytes`] knows the message was cut) and discarding the
/// rest, so a writer on the other end of a pipe is never cut off.
pub fn read_capped(reader: impl Read, cap: u64) -> std::io::Result<Vec<u8>> {
    let mut reader = reader;
    let mut bytes = Vec::new();
    (&mut reader)
        .take(cap.saturating_add(1))
        .read_to_end(&mut bytes)?;
    std::io::copy(&mut reader, &mut std::io::sink())?;
    Ok(bytes)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    Ok(sorted_entries_with_types(dir)?
        .into_iter()
        .map(|(path, _)| path)
        .collect())
}

/// The entries of `dir`, sorted, each with its file type as the listing
/// gives it (a symlink is a symlink; nothing is followed).
fn sorted_entries_with_types(dir: &Path) -> Result<Vec<(PathBuf, fs::FileType)>> {
    let mut entries = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .map(|entry| {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let path = entry.path();
            // From the listing itself where the file system says (no stat call).
            let kind = entry.file_type().map_err(|e| Error::io(&path, e))?;
            Ok((path, kind))
        })
        .collect::<Result<Vec<_>>>()?;
    // All are `dir` joined with a file name: their bytes order them as their
    // components would, without parsing the paths.
    entries.sort_unstable_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    Ok(entries)
}

/// Whether `bytes` look like a mail message: after an optional `From `
/// envelope line, the first line is a header field (`Name: value`, RFC 5322
/// section 2.2: printable ASCII name without spaces or colons). Catches the
/// public corpus's `cmds` files, binary junk and empty files.
pub fn looks_like_mail(bytes: &[u8]) -> std::result::Result<(), &'static str> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err("empty file");
    }
    let mut rest = bytes;
    if rest.starts_with(b"From ") {
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        rest = &rest[end..];
    }
    let line_end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    let line = &rest[..line_end];
    match memchr::memchr(b':', line) {
        Some(colon) if colon > 0 && line[..colon].iter().all(|&b| b.is_ascii_graphic()) => Ok(()),
        _ => Err("not mail: no header at the top"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mail_sniffing() {
        assert!(looks_like_mail(b"From x y\nReturn-Path: <a@b>\n\nhi").is_ok());
        assert!(looks_like_mail(b"Subject: hi\n\nbody").is_ok());
        assert_eq!(looks_like_mail(b""), Err("empty file"));
        assert_eq!(looks_like_mail(b" \n\n"), Err("empty file"));
        assert!(looks_like_mail(b"mv 00001.abc 00001.def\n").is_err());
        assert!(looks_like_mail(b"\x00\x01\x02:\xff").is_err());
        assert!(looks_like_mail(b": no name\n").is_err());
    }

    #[test]
    fn directory_corpus_is_sorted_and_labeled() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("spam")).unwrap();
        fs::create_dir_all(root.join("my_ham/cur")).unwrap();
        fs::write(root.join("spam/b"), "Subject: b\n\nx").unwrap();
        fs::write(root.join("spam/a"), "Subject: a\n\nx").unwrap();
        fs::write(root.join("spam/.hidden"), "x").unwrap();
        fs::write(root.join("my_ham/cur/1"), "Subject: c\n\nx").unwrap();
        fs::write(root.join("README"), "about").unwrap();
        let mut corpus = Corpus::default();
        corpus.add_labeled_root(root).unwrap();
        let names: Vec<_> = corpus
            .items
            .iter()
            .map(|m| (m.name.rsplit('/').next().unwrap().to_string(), m.label))
            .collect();
        assert_eq!(
            names,
            [
                ("1".to_string(), Some(Label::Ham)),
                ("a".to_string(), Some(Label::Spam)),
                ("b".to_string(), Some(Label::Spam)),
            ]
        );
        assert_eq!(corpus.skipped.len(), 2);
    }

    #[test]
    fn unlabeled_folder_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("inbox")).unwrap();
        let err = Corpus::default()
            .add_labeled_root(dir.path())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("inbox") && err.contains("neither ham nor spam"),
            "{err}"
        );
    }

    #[test]
    fn mbox_file_messages_are_named_file_n() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("box");
        fs::write(
            &path,
            "From a Mon Jan  1 00:00:00 2001\nSubject: 1\n\nx\n\nFrom b Mon Jan  1 00:00:00 2001\nSubject: 2\n\ny\n",
        )
        .unwrap();
        let mut corpus = Corpus::default();
        corpus.add(&path, Some(Label::Ham)).unwrap();
        assert_eq!(corpus.items.len(), 2);
        assert!(corpus.items[1].name.ends_with("box:2"));
        assert_eq!(&*corpus.items[1].bytes().unwrap(), b"Subject: 2\n\ny\n");
    }

    #[test]
    fn messages_are_read_up_to_the_cap_and_flagged_when_cut() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("ham")).unwrap();
        fs::write(dir.path().join("ham/long"), "Subject: x\n\n0123456789").unwrap();
        fs::write(dir.path().join("ham/short"), "Subject: x\n\n0").unwrap();
        let single = dir.path().join("single");
        fs::write(&single, "Subject: y\n\n0123456789").unwrap();
        let mbox = dir.path().join("box");
        fs::write(
            &mbox,
            "From a Mon Jan  1 00:00:00 2001\nSubject: 1\n\n0123456789\n\nFrom b Mon Jan  1 00:00:00 2001\nSubject: 2\n\n",
        )
        .unwrap();
        let mut corpus = Corpus::with_max_message_bytes(13).unwrap();
        corpus.add_labeled_root(dir.path()).unwrap();
        corpus.add(&single, None).unwrap();
        corpus.add(&mbox, None).unwrap();
        let read: Vec<(Vec<u8>, bool)> = corpus
            .items
            .iter()
            .map(|m| m.bytes().map(|b| (b.to_vec(), b.truncated)).unwrap())
            .collect();
        assert_eq!(
            read,
            [
                (b"Subject: x\n\n0".to_vec(), true),
                (b"Subject: x\n\n0".to_vec(), false), // exactly the cap: not cut
                (b"Subject: y\n\n0".to_vec(), true),
                (b"Subject: 1\n\n0".to_vec(), true),
                (b"Subject: 2\n\n".to_vec(), false),
            ]
        );
        assert!(Corpus::with_max_message_bytes(0).is_err());
    }

    #[test]
    fn read_capped_keeps_one_byte_more_and_drains_the_rest() {
        let mut input: &[u8] = b"abcdefgh";
        assert_eq!(read_capped(&mut input, 3).unwrap(), b"abcd");
        assert!(input.is_empty(), "the rest was read and discarded");
        let item = Item::from_bytes("-", None, b"abcd".to_vec()).with_max_bytes(3);
        let bytes = item.bytes().unwrap();
        assert_eq!((&*bytes, bytes.truncated), (&b"abc"[..], true));
    }

    #[test]
    fn missing_path_is_an_io_error_naming_it() {
        let err = Corpus::default()
            .add(Path::new("/no/such/corpus"), None)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/no/such/corpus: "), "{err}");
    }

    #[test]
    fn paths_are_labeled_by_their_own_name_else_by_their_sub_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for folder in ["box/nonspam", "box/spam", "spam_2", "easy_ham", "Junk/cur"] {
            fs::create_dir_all(root.join(folder)).unwrap();
            fs::write(root.join(folder).join("1"), "Subject: x\n\ny").unwrap();
        }
        let mut corpus = Corpus::default();
        corpus.add_labeled(&root.join("box")).unwrap();
        corpus.add_labeled(&root.join("spam_2")).unwrap();
        corpus.add_labeled(&root.join("easy_ham/")).unwrap();
        corpus.add_labeled(&root.join("Junk")).unwrap();
        let sources: Vec<_> = corpus
            .sources
            .iter()
            .map(|s| {
                let path = s.path.strip_prefix(root).unwrap().display().to_string();
                (path, s.label, s.messages)
            })
            .collect();
        let expected = [
            ("box/nonspam", Label::Ham),
            ("box/spam", Label::Spam),
            ("spam_2", Label::Spam),
            ("easy_ham", Label::Ham),
            ("Junk", Label::Spam),
        ]
        .map(|(p, l)| (p.to_string(), Some(l), 1));
        assert_eq!(sources, expected);
        let err = Corpus::default().add_labeled(Path::new("-")).unwrap_err();
        assert!(err.to_string().contains("--ham -"), "{err}");
    }

    #[test]
    fn maildir_tmp_hidden_folders_and_folder_links_are_skipped_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        for folder in ["cur", "new", "tmp", ".Junk/cur"] {
            fs::create_dir_all(maildir.join(folder)).unwrap();
            fs::write(maildir.join(folder).join("1"), "Subject: x\n\ny").unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(maildir.join("cur"), maildir.join("new/link")).unwrap();
        let mut corpus = Corpus::default();
        corpus.add(&maildir, Some(Label::Ham)).unwrap();
        let names = |paths: Vec<&str>| -> Vec<String> {
            paths
                .into_iter()
                .map(|p| maildir.join(p).display().to_string())
                .collect()
        };
        let items: Vec<String> = corpus.items.iter().map(|i| i.name.clone()).collect();
        assert_eq!(items, names(vec!["cur/1", "new/1"]));
        let skipped: Vec<String> = corpus.skipped.iter().map(|s| s.name.clone()).collect();
        let mut expected = names(vec![".Junk", "new/link", "tmp"]);
        if cfg!(not(unix)) {
            expected.remove(1);
        }
        assert_eq!(skipped, expected);
    }
}
