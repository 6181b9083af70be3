//! The training store: what a refit needs of every message a model learned,
//! and no more. Beside the model (`spam.model` -> `spam.store`), it keeps each
//! message as its digest ([`digest`]), its label and its terms with their
//! counts (term ids into a dictionary of term strings the store grows as new
//! words come), never the mail itself.
//!
//! # Format and crash safety
//!
//! Append-only records with a CRC-32 each (`store/record.rs`). A change is
//! written in three steps, so that a kill at any point leaves the old model
//! with the old store or the new model with the new store:
//!
//! 1. append the change's records and a `Prepare` naming the new model's
//!    checksum, and sync;
//! 2. replace the model atomically (`atomic::write_atomic`);
//! 3. append a `Commit` with that checksum, and sync.
//!
//! On opening, the records up to the last `Commit` are the store. Records after
//! it are kept only when they end in a `Prepare` whose checksum is the model's
//! in place (step 2 happened: they are committed now, rolled forward); else
//! they are dropped (rolled back), as is a record torn or corrupt, which is
//! reported. A store whose last commit is not the model in place belongs to
//! another model, and is refused.
//!
//! Writers serialize on a lock file ([`StoreLock`]); compaction rewrites the
//! store atomically, one record per message.

use std::io::Write;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::vectorize::Analyzed;
use crate::vocab::TermList;

pub mod digest;
mod lock;
pub mod record;

pub use digest::{Digest, digest};
pub use lock::{StoreLock, lock_path};
pub use record::Header;
use record::Record;

/// The store of the model at `model`: `.model` replaced by `.store`, else
/// `.store` appended.
pub fn store_path(model: &Path) -> PathBuf {
    if model.extension().is_some_and(|e| e == "model") {
        model.with_extension("store")
    } else {
        let mut name = model.as_os_str().to_os_string();
        name.push(".store");
        PathBuf::from(name)
    }
}

/// The CRC-32 a store's commits name its model by.
pub fn model_checksum(model_bytes: &[u8]) -> u32 {
    crc32fast::hash(model_bytes)
}

/// One message of the store.
#[derive(Clone, Debug)]
struct Entry {
    digest: Digest,
    spam: bool,
    /// `(term id, count)`, ids ascending.
    terms: Box<[(u32, u32)]>,
}

/// What learning one message changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// It was not in the store; now it is.
    Added,
    /// It was, with the other label.
    Relabeled,
    /// It was, with this label: nothing to do.
    Unchanged,
    /// It was, and is removed.
    Forgotten,
    /// It was to be forgotten, but the store does not have it.
    NotFound,
}

/// A training store in memory, with the changes not yet written.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    header: Header,
    terms: Vec<String>,
    index: FxHashMap<String, u32>,
    /// Messages in the order they came; `None` where one was forgotten.
    entries: Vec<Option<Entry>>,
    by_digest: FxHashMap<Digest, usize>,
    /// Records in the file, committed.
    records: usize,
    /// Terms not yet written.
    new_terms: usize,
    /// Records not yet written.
    pending: Vec<Record>,
    /// What recovery did on opening, for the user.
    notes: Vec<String>,
    /// The file's length once recovered, and whether recovery must append a commit.
    recovery: Recovery,
}

#[derive(Clone, Copy, Debug, Default)]
struct Recovery {
    keep: u64,
    truncate: bool,
    roll_forward: Option<u32>,
}

impl Store {
    /// A new store: `header`, no messages.
    pub fn new(path: &Path, header: Header) -> Store {
        Store {
            path: path.to_path_buf(),
            header,
            terms: Vec::new(),
            index: FxHashMap::default(),
            entries: Vec::new(),
            by_digest: FxHashMap::default(),
            records: 0,
            new_terms: 0,
            pending: Vec::new(),
            notes: Vec::new(),
            recovery: Recovery::default(),
        }
    }

    /// Reads the store at `path`, committed with the model whose bytes have checksum
    /// `model_crc` (see the [module docs](self)); `None` takes the last commit, whatever
    /// its model (training from the store alone). Nothing is written: [`Store::recover`]
    /// writes what recovery decided, under the lock.
    ///
    /// # Errors
    /// [`Error::Io`] reading it; [`Error::Store`] for a file that is not a store, of
    /// another format version, without a committed record, or committed with another model.
    pub fn open(path: &Path, model_crc: Option<u32>) -> Result<Store> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let bad = |reason: String| Error::Store {
            path: path.to_path_buf(),
            reason,
        };
        record::check_preamble(&bytes).map_err(bad)?;
        let decoded = record::decode_all(&bytes);
        let mut notes = Vec::new();
        if let Some((at, why)) = decoded.bad {
            notes.push(format!(
                "{}: {why} at byte {at}: the {} byte(s) from there are dropped",
                path.display(),
                bytes.len() as u64 - at
            ));
        }
        // A refusal says what was damaged, if anything: the likely cause.
        let damage = match decoded.bad {
            Some((at, why)) => format!(" ({why} at byte {at})"),
            None => String::new(),
        };
        let records = decoded.records;
        let last_commit = records
            .iter()
            .rposition(|(r, _)| matches!(r, Record::Commit(_)));
        let prepared = records
            .iter()
            .enumerate()
            .skip(last_commit.map_or(0, |i| i + 1))
            .rfind(|(_, (r, _))| model_crc.is_some_and(|crc| *r == Record::Prepare(crc)))
            .map(|(i, _)| i);
        let (end, roll_forward) = match (prepared, last_commit) {
            (Some(i), _) => (i, model_crc),
            (None, Some(i)) => {
                let Record::Commit(crc) = records[i].0 else {
                    unreachable!("rposition found a commit")
                };
                if model_crc.is_some_and(|m| m != crc) {
                    return Err(bad(format!(
                        "belongs to another model (its last commit is not the model beside \
                         it){damage}: train again to rewrite both"
                    )));
                }
                (i, None)
            }
            (None, None) => {
                return Err(bad(format!(
                    "has no committed record{damage}: train again to rewrite it"
                )));
            }
        };
        let keep = records[end].1;
        let dropped = records.len() - end - 1;
        if dropped > 0 {
            notes.push(format!(
                "{}: {dropped} record(s) of an unfinished learn run are rolled back",
                path.display()
            ));
        }
        let mut it = records.into_iter().take(end + 1).map(|(r, _)| r);
        let header = match it.next() {
            Some(Record::Header(h)) => h,
            _ => return Err(bad("does not start with a header record".into())),
        };
        let mut store = Store::new(path, header);
        store.records = end + 1;
        for record in it {
            store.apply(record).map_err(bad)?;
        }
        store.notes = notes;
        store.recovery = Recovery {
            keep,
            truncate: keep < bytes.len() as u64,
            roll_forward,
        };
        Ok(store)
    }

    /// What recovery did on opening: torn records dropped, an unfinished run rolled
    /// back. Empty for a clean store.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Writes what [`Store::open`] decided: drops bytes past the committed records and
    /// commits a run whose model is in place. Call it holding the [`StoreLock`].
    ///
    /// # Errors
    /// [`Error::Io`] naming the store.
    pub fn recover(&mut self) -> Result<()> {
        let io = |e| Error::io(&self.path, e);
        let Recovery {
            keep,
            truncate,
            roll_forward,
        } = self.recovery;
        if truncate || roll_forward.is_some() {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .open(&self.path)
                .map_err(io)?;
            file.set_len(keep).map_err(io)?;
            if let Some(crc) = roll_forward {
                let mut out = Vec::new();
                record::encode(&Record::Commit(crc), &mut out);
                std::io::Seek::seek(&mut file, std::io::SeekFrom::End(0)).map_err(io)?;
                file.write_all(&out).map_err(io)?;
                self.records += 1;
            }
            file.sync_data().map_err(io)?;
        }
        self.recovery = Recovery::default();
        Ok(())
    }

    fn apply(&mut self, record: Record) -> std::result::Result<(), String> {
        match record {
            Record::Header(_) => return Err("has a second header record".into()),
            Record::Terms(terms) => {
                for term in terms {
                    let id = self.terms.len() as u32;
                    if self.index.insert(term.clone(), id).is_some() {
                        return Err(format!("has the term {term:?} twice"));
                    }
                    self.terms.push(term);
                }
            }
            Record::Add {
                digest,
                spam,
                terms,
            } => {
                let mut id = 0u32;
                let mut ids = Vec::with_capacity(terms.len());
                for (k, (gap, count)) in terms.into_iter().enumerate() {
                    id = match (k, id.checked_add(gap)) {
                        (0, _) => gap,
                        (_, Some(next)) if gap > 0 => next,
                        _ => return Err("has a message with unordered term ids".into()),
                    };
                    if id as usize >= self.terms.len() {
                        return Err("has a message with a term id past the dictionary".into());
                    }
                    ids.push((id, count));
                }
                self.put(Entry {
                    digest,
                    spam,
                    terms: ids.into(),
                });
            }
            Record::Forget(digest) => {
                if let Some(i) = self.by_digest.remove(&digest) {
                    self.entries[i] = None;
                }
            }
            Record::Prepare(_) | Record::Commit(_) => {}
        }
        Ok(())
    }

    fn put(&mut self, entry: Entry) {
        match self.by_digest.get(&entry.digest) {
            Some(&i) => self.entries[i] = Some(entry),
            None => {
                self.by_digest.insert(entry.digest, self.entries.len());
                self.entries.push(Some(entry));
            }
        }
    }

    /// The store's header: the analyzer, scheme and min-df it belongs to.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Messages in the store.
    pub fn len(&self) -> usize {
        self.by_digest.len()
    }

    /// True without messages.
    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }

    /// Spam and ham messages in the store.
    pub fn class_counts(&self) -> (usize, usize) {
        let spam = self.entries.iter().flatten().filter(|e| e.spam).count();
        (spam, self.len() - spam)
    }

    /// The label of the message with this digest (`true`: spam), if the store has it.
    pub fn label(&self, digest: &Digest) -> Option<bool> {
        let i = *self.by_digest.get(digest)?;
        self.entries[i].as_ref().map(|e| e.spam)
    }

    /// Adds (`Some(spam)`) or forgets (`None`) a message given by its digest and sorted
    /// `(term, count)` pairs; the change is written by [`Store::commit`].
    pub fn learn<S: AsRef<str>>(
        &mut self,
        digest: Digest,
        label: Option<bool>,
        terms: &[(S, u32)],
    ) -> Change {
        let before = self.label(&digest);
        let Some(spam) = label else {
            if before.is_none() {
                return Change::NotFound;
            }
            self.apply(Record::Forget(digest)).expect("forget applies");
            self.pending.push(Record::Forget(digest));
            return Change::Forgotten;
        };
        if before == Some(spam) {
            return Change::Unchanged;
        }
        let mut ids: Vec<(u32, u32)> = terms
            .iter()
            .map(|(term, count)| (self.term_id(term.as_ref()), *count))
            .collect();
        ids.sort_unstable();
        let mut prev = 0;
        let gaps = ids
            .iter()
            .enumerate()
            .map(|(k, &(id, count))| {
                let gap = if k == 0 { id } else { id - prev };
                prev = id;
                (gap, count)
            })
            .collect();
        self.put(Entry {
            digest,
            spam,
            terms: ids.into(),
        });
        self.pending.push(Record::Add {
            digest,
            spam,
            terms: gaps,
        });
        if before.is_some() {
            Change::Relabeled
        } else {
            Change::Added
        }
    }

    fn term_id(&mut self, term: &str) -> u32 {
        if let Some(&id) = self.index.get(term) {
            return id;
        }
        let id = self.terms.len() as u32;
        self.terms.push(term.to_string());
        self.index.insert(term.to_string(), id);
        self.new_terms += 1;
        id
    }

    /// Whether changes wait to be committed.
    pub fn has_changes(&self) -> bool {
        !self.pending.is_empty()
    }

    /// The records the pending changes write: new terms first.
    fn pending_records(&mut self) -> Vec<Record> {
        let mut out = Vec::with_capacity(self.pending.len() + 1);
        if self.new_terms > 0 {
            let first = self.terms.len() - self.new_terms;
            out.push(Record::Terms(self.terms[first..].to_vec()));
        }
        out.append(&mut self.pending);
        self.new_terms = 0;
        out
    }

    /// Commits the pending changes with the model `model_bytes`, written atomically at
    /// `model_path` between the store's `Prepare` and `Commit` (see the
    /// [module docs](self)). Call it holding the [`StoreLock`].
    ///
    /// # Errors
    /// [`Error::Io`] naming the store or the model.
    pub fn commit(&mut self, model_bytes: &[u8], model_path: &Path) -> Result<()> {
        let crc = model_checksum(model_bytes);
        let mut out = Vec::new();
        let records = self.pending_records();
        let n = records.len();
        for r in &records {
            record::encode(r, &mut out);
        }
        record::encode(&Record::Prepare(crc), &mut out);
        self.append(&out)?;
        crate::atomic::write_atomic(model_path, |f| f.write_all(model_bytes))?;
        out.clear();
        record::encode(&Record::Commit(crc), &mut out);
        self.append(&out)?;
        self.records += n + 2;
        Ok(())
    }

    fn append(&self, bytes: &[u8]) -> Result<()> {
        let io = |e| Error::io(&self.path, e);
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        file.write_all(bytes).map_err(io)?;
        file.sync_data().map_err(io)
    }

    /// Records in the file that no longer describe a live message.
    pub fn dead_records(&self) -> usize {
        self.records.saturating_sub(self.len() + 3)
    }

    /// Rewrites the whole store atomically: header, dictionary, one record per message,
    /// committed with the model whose bytes have checksum `model_crc`. Terms no message
    /// uses any more are dropped. Pending changes are written too.
    ///
    /// # Errors
    /// [`Error::Io`] naming the store.
    pub fn write_all(&mut self, model_crc: u32) -> Result<()> {
        self.pending.clear();
        self.new_terms = 0;
        // Renumber the terms still used, in order of first use.
        let mut remap = vec![u32::MAX; self.terms.len()];
        let mut terms = Vec::new();
        for entry in self.entries.iter_mut().flatten() {
            let mut ids: Vec<(u32, u32)> = entry
                .terms
                .iter()
                .map(|&(id, count)| {
                    let new = &mut remap[id as usize];
                    if *new == u32::MAX {
                        *new = terms.len() as u32;
                        terms.push(std::mem::take(&mut self.terms[id as usize]));
                    }
                    (*new, count)
                })
                .collect();
            ids.sort_unstable();
            entry.terms = ids.into();
        }
        self.entries.retain(Option::is_some);
        self.by_digest = (self.entries.iter().enumerate())
            .map(|(i, e)| (e.as_ref().expect("kept").digest, i))
            .collect();
        self.index = (terms.iter().enumerate())
            .map(|(i, t)| (t.clone(), i as u32))
            .collect();
        self.terms = terms;

        let mut out = record::preamble();
        record::encode(&Record::Header(self.header.clone()), &mut out);
        record::encode(&Record::Terms(self.terms.clone()), &mut out);
        for entry in self.entries.iter().flatten() {
            let mut prev = 0;
            let gaps = (entry.terms.iter().enumerate())
                .map(|(k, &(id, count))| {
                    let gap = if k == 0 { id } else { id - prev };
                    prev = id;
                    (gap, count)
                })
                .collect();
            record::encode(
                &Record::Add {
                    digest: entry.digest,
                    spam: entry.spam,
                    terms: gaps,
                },
                &mut out,
            );
        }
        record::encode(&Record::Commit(model_crc), &mut out);
        crate::atomic::write_atomic(&self.path, |f| f.write_all(&out))?;
        self.records = self.len() + 3;
        Ok(())
    }

    /// The store's messages as an analyzed corpus (terms sorted, as
    /// [`crate::vectorize::analyze`] gives them), named by their digests in hex: the
    /// refit's matrix is built from it as training builds it.
    pub fn to_analyzed(&self) -> Analyzed {
        let mut used = vec![false; self.terms.len()];
        for entry in self.entries.iter().flatten() {
            for &(id, _) in entry.terms.iter() {
                used[id as usize] = true;
            }
        }
        let mut order: Vec<u32> = (0..self.terms.len() as u32)
            .filter(|&id| used[id as usize])
            .collect();
        order.sort_unstable_by(|&a, &b| self.terms[a as usize].cmp(&self.terms[b as usize]));
        let mut rank = vec![u32::MAX; self.terms.len()];
        let mut list = TermList::default();
        for (r, &id) in order.iter().enumerate() {
            rank[id as usize] = r as u32;
            list.push(&self.terms[id as usize]);
        }
        let mut analyzed = Analyzed::from_terms(list);
        for entry in self.entries.iter().flatten() {
            let mut doc: Vec<(u32, u32)> = (entry.terms.iter())
                .map(|&(id, count)| (rank[id as usize], count))
                .collect();
            doc.sort_unstable();
            analyzed.push_doc(
                digest::hex(&entry.digest),
                if entry.spam {
                    crate::corpus::Label::Spam
                } else {
                    crate::corpus::Label::Ham
                },
                entry.digest,
                doc.into(),
            );
        }
        analyzed
    }

    /// A store of an analyzed corpus: each labeled message by its digest (a later copy
    /// of the same message replacing an earlier one).
    pub fn from_analyzed(path: &Path, header: Header, analyzed: &Analyzed) -> Store {
        let mut store = Store::new(path, header);
        let terms = analyzed.terms();
        store.terms = (0..terms.len() as u32)
            .map(|id| terms.get(id).to_string())
            .collect();
        for (k, doc) in analyzed.docs().iter().enumerate() {
            let Some(label) = analyzed.labels[k] else {
                continue;
            };
            store.put(Entry {
                digest: analyzed.digests[k],
                spam: label.is_spam(),
                terms: doc.clone(),
            });
        }
        store
    }
}

#[cfg(test)]
mod tests;
