//! The lock concurrent writers of a store serialize on: `flock(2)` on a file
//! beside the store (`spam.store.lock`). Not on the store itself, which
//! compaction replaces by renaming: a writer waiting on the old file would
//! then hold a lock on a file nobody reads. The kernel drops the lock when
//! the process ends, however it ends, so a killed learner never leaves it held.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// An exclusive lock, held until dropped.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

/// The lock file of the store at `store`.
pub fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

impl StoreLock {
    /// Waits for, then takes, the exclusive lock of the store at `store`.
    ///
    /// # Errors
    /// [`Error::Io`] naming the lock file when it cannot be opened or locked.
    pub fn acquire(store: &Path) -> Result<StoreLock> {
        let path = lock_path(store);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        flock_exclusive(&file).map_err(|e| Error::io(&path, e))?;
        Ok(StoreLock { _file: file })
    }
}

#[cfg(unix)]
fn flock_exclusive(file: &File) -> std::io::Result<()> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: flock on a descriptor this File owns and keeps open.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

#[cfg(not(unix))]
fn flock_exclusive(_: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_second_locker_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("s.store");
        let first = StoreLock::acquire(&store).unwrap();
        let released = AtomicBool::new(false);
        std::thread::scope(|s| {
            let waiter = s.spawn(|| {
                let _second = StoreLock::acquire(&store).unwrap();
                assert!(released.load(Ordering::SeqCst), "took a held lock");
            });
            std::thread::sleep(std::time::Duration::from_millis(100));
            released.store(true, Ordering::SeqCst);
            drop(first);
            waiter.join().unwrap();
        });
        assert!(lock_path(&store).ends_with("s.store.lock"));
    }
}
