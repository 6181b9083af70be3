//! Writing a file so that readers see the old file or the new one, never a
//! part: a temporary file in the same folder is filled, synced and renamed
//! over the target (POSIX `rename(2)` replaces the name atomically). Every
//! writer of the crate (models, vocabularies, matrices) goes through here.
//!
//! The rename replaces only a regular file, a symlink (the link itself, never
//! what it points to) or nothing: a device, FIFO, socket or folder at the
//! target is refused, so `-o /dev/null` run as root cannot turn the device
//! into a file. Commands call [`check_target`] before their work starts, so a
//! long training run does not end in an error a stat call could have given.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Checks that `path` can be written by [`write_atomic`]: whatever is there is a
/// regular file, a symlink or nothing, and its folder exists and takes new files
/// (a temporary file is created there and removed, which also answers for root,
/// read-only mounts and ACLs, where permission bits do not).
///
/// # Errors
/// [`Error::Output`] for a device, FIFO, socket or folder at `path`;
/// [`Error::Io`] naming the folder when it is missing or cannot take a new file.
pub fn check_target(path: &Path) -> Result<()> {
    refuse_special(path)?;
    let dir = folder_of(path);
    let meta = std::fs::metadata(dir).map_err(|e| Error::io(dir, e))?;
    if !meta.is_dir() {
        return Err(Error::io(
            dir,
            std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        ));
    }
    tempfile::Builder::new()
        .prefix(".sparsetext-check.")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| Error::io(dir, e))
}

/// Refuses two output paths of one command that name the same file: the second
/// write would replace the first. Paths are compared by their canonical folder and
/// file name (a symlink at the target is replaced, not followed, so it is its own file).
///
/// # Errors
/// [`Error::Output`] naming `second`; [`Error::Io`] when a folder cannot be resolved.
pub fn check_distinct(first: &Path, second: &Path) -> Result<()> {
    if identity(first)? == identity(second)? {
        return Err(Error::Output {
            path: second.to_path_buf(),
            reason: format!("names the same file as {}", first.display()),
        });
    }
    Ok(())
}

/// The canonical folder and the file name of an output path.
fn identity(path: &Path) -> Result<(PathBuf, Option<std::ffi::OsString>)> {
    let dir = folder_of(path);
    let dir = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    Ok((dir, path.file_name().map(|n| n.to_os_string())))
}

/// The folder an output path is written in (`.` for a bare file name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// [`Error::Output`] when something other than a regular file or a symlink is at `path`.
fn refuse_special(path: &Path) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(()); // nothing there (or nothing we may look at: the write will say)
    };
    let kind = meta.file_type();
    if kind.is_file() || kind.is_symlink() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a folder"
    } else {
        special_kind(&kind)
    };
    Err(Error::Output {
        path: path.to_path_buf(),
        reason: format!("is {what}, not a regular file: refusing to replace it"),
    })
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

/// Writes a file at `path` atomically: `write` fills a temporary file in the same folder,
/// which is synced and renamed over `path`. On error the temporary file is removed.
///
/// # Errors
/// [`Error::Output`] for a target that is not a file; [`Error::Io`] creating,
/// writing, syncing or renaming, naming `path`.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    refuse_special(path)?;
    let dir = folder_of(path);
    let name = path
        .file_name()
        .map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // Like File::create: 0666, less the umask (tempfile's default is 0600).
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| Error::io(dir, e))?;
    // On error `tmp` drops here, which deletes the temporary file. Errors name the target:
    // the temporary file is gone by the time anyone reads the message.
    write(tmp.as_file_mut()).map_err(|e| Error::io(path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    // Whatever came to the target while writing is checked again just before the rename.
    refuse_special(path)?;
    // On error the returned PersistError owns the temporary file; dropping it deletes it.
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    // Make the rename itself durable. Best effort: not every platform can open or sync a
    // folder, and the new model is in place either way.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_other_than_files_and_symlinks_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.model");
        check_target(&file).unwrap();
        std::fs::write(&file, "old").unwrap();
        check_target(&file).unwrap();
        let err = check_target(dir.path()).unwrap_err().to_string();
        assert!(
            err.ends_with("is a folder, not a regular file: refusing to replace it"),
            "{err}"
        );
        let err = write_atomic(dir.path(), |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("is a folder"), "{err}");
        #[cfg(unix)]
        {
            let err = check_target(Path::new("/dev/null"))
                .unwrap_err()
                .to_string();
            assert_eq!(
                err,
                "/dev/null: is a character device, not a regular file: refusing to replace it"
            );
            let link = dir.path().join("link");
            std::os::unix::fs::symlink("/dev/null", &link).unwrap();
            check_target(&link).unwrap();
            write_atomic(&link, |f| std::io::Write::write_all(f, b"new")).unwrap();
            assert_eq!(std::fs::read(&link).unwrap(), b"new");
        }
        let missing = dir.path().join("no/such/m.model");
        let err = check_target(&missing).unwrap_err().to_string();
        assert!(err.contains("no/such: No such file"), "{err}");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(
            leftovers,
            if cfg!(unix) { 2 } else { 1 },
            "no check file is left"
        );
    }

    #[test]
    fn two_outputs_naming_one_file_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("sub/../a");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let err = check_distinct(&a, &b).unwrap_err().to_string();
        assert!(
            err.ends_with(&format!("names the same file as {}", a.display())),
            "{err}"
        );
        check_distinct(&a, &dir.path().join("b")).unwrap();
    }
}
