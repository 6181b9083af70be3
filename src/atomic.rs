//! Writing a file so that readers see the old file or the new one, never a
//! part: a temporary file in the same folder is filled, synced and renamed
//! over the target (POSIX `rename(2)` replaces the name atomically). Every
//! writer of the crate (models, vocabularies, matrices) goes through here.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes a file at `path` atomically: `write` fills a temporary file in the same folder,
/// which is synced and renamed over `path`. On error the temporary file is removed.
pub(crate) fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
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
    // On error the returned PersistError owns the temporary file; dropping it deletes it.
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    // Make the rename itself durable. Best effort: not every platform can open or sync a
    // folder, and the new model is in place either way.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
