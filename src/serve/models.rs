//! The models a server scores with: the default one and, with a user models
//! folder, one per `User`, each reloaded when its file changes.
//!
//! Each model file is an `Arc<Scorer>` behind a lock held only to clone or
//! swap the `Arc`: a request clones it once and finishes on that model, however
//! long it takes, while the next request already sees a new one. A watcher
//! (the server's, every second and on `SIGHUP`) compares each file's device,
//! inode, modification time and length with those of the file loaded and
//! reloads on any change, so `train`'s write-then-rename is picked up. A file
//! that fails to load is logged and the model loaded before keeps serving; it
//! is tried again only once the file changes again.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use crate::Result;
use crate::model::{Model, Scorer};

use super::protocol::{Refusal, Status};

/// The most per-user models kept loaded; past it the cache starts over.
const MAX_USERS: usize = 1024;

/// The longest `User` name that picks a model.
const MAX_USER_LEN: usize = 128;

/// What identifies one version of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    mtime: Option<SystemTime>,
    len: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    Some(Stamp {
        dev: meta.dev(),
        ino: meta.ino(),
        mtime: meta.modified().ok(),
        len: meta.len(),
    })
}

/// One model file and the model last loaded from it.
#[derive(Debug)]
pub struct ModelFile {
    path: PathBuf,
    /// `None` while the file does not exist (a user without a model).
    current: RwLock<Option<Arc<Scorer>>>,
    /// The file version last tried, loaded or not.
    seen: Mutex<Option<Stamp>>,
}

impl ModelFile {
    /// Loads the model at `path`, which must exist and be valid.
    ///
    /// # Errors
    /// What [`Model::load_for_mail`] returns.
    pub fn load(path: &Path) -> Result<ModelFile> {
        let seen = stamp(path);
        let model = Model::load_for_mail(path)?;
        Ok(ModelFile {
            path: path.to_path_buf(),
            current: RwLock::new(Some(Arc::new(Scorer::new(model)))),
            seen: Mutex::new(seen),
        })
    }

    /// The model at `path` if it exists and loads; otherwise none for now (logged if the
    /// file exists but is broken).
    fn optional(path: &Path) -> ModelFile {
        let file = ModelFile {
            path: path.to_path_buf(),
            current: RwLock::new(None),
            seen: Mutex::new(None),
        };
        file.refresh(false);
        file
    }

    /// The model requests should use now.
    pub fn get(&self) -> Option<Arc<Scorer>> {
        self.current.read().expect("model lock").clone()
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reloads if the file changed since last tried (or always, with `force`). Returns
    /// whether a new model now serves.
    pub fn refresh(&self, force: bool) -> bool {
        let mut seen = self.seen.lock().expect("stamp lock");
        let now = stamp(&self.path);
        if now == *seen && !force {
            return false;
        }
        *seen = now;
        if now.is_none() {
            if self.get().is_some() {
                log::warn!(
                    "{}: model file is gone; the model loaded before keeps serving",
                    self.path.display()
                );
            }
            return false;
        }
        match Model::load_for_mail(&self.path) {
            Ok(model) => {
                let scorer = Arc::new(Scorer::new(model));
                *self.current.write().expect("model lock") = Some(scorer);
                log::info!("{}: model loaded", self.path.display());
                true
            }
            Err(err) => {
                let kept = if self.get().is_some() {
                    "the model loaded before keeps serving"
                } else {
                    "not used"
                };
                log::error!("{}; {kept}", err.to_string().replace('\n', " "));
                false
            }
        }
    }
}

/// The default model and the per-user ones.
#[derive(Debug)]
pub struct Models {
    default: ModelFile,
    user_dir: Option<PathBuf>,
    users: Mutex<HashMap<String, Arc<ModelFile>>>,
}

impl Models {
    /// Loads the default model; user models load on first use.
    ///
    /// # Errors
    /// What [`Model::load`] returns for the default model.
    pub fn new(default: &Path, user_dir: Option<&Path>) -> Result<Models> {
        Ok(Models {
            default: ModelFile::load(default)?,
            user_dir: user_dir.map(Path::to_path_buf),
            users: Mutex::new(HashMap::new()),
        })
    }

    /// The model for a request by `user`: `DIR/USER.model` when a user models folder is
    /// set and that file holds a model, else the default.
    ///
    /// # Errors
    /// A [`Status::NoUser`] refusal for a name that cannot name a file in the folder.
    pub fn for_user(&self, user: Option<&str>) -> Result<Arc<Scorer>, Refusal> {
        let default = || {
            self.default
                .get()
                .expect("the default model is always loaded")
        };
        let Some((dir, user)) = self.user_file(user)? else {
            return Ok(default());
        };
        let file = {
            let mut users = self.users.lock().expect("users lock");
            if let Some(file) = users.get(user) {
                Arc::clone(file)
            } else {
                if users.len() >= MAX_USERS {
                    users.clear();
                }
                let file = Arc::new(ModelFile::optional(&dir.join(format!("{user}.model"))));
                users.insert(user.to_string(), Arc::clone(&file));
                file
            }
        };
        Ok(file.get().unwrap_or_else(default))
    }

    /// The model file `TELL` by `user` learns into: the user's own when it exists,
    /// else the default.
    ///
    /// # Errors
    /// As [`Models::for_user`].
    pub fn path_for_user(&self, user: Option<&str>) -> Result<PathBuf, Refusal> {
        if let Some((dir, user)) = self.user_file(user)? {
            let path = dir.join(format!("{user}.model"));
            if path.is_file() {
                return Ok(path);
            }
        }
        Ok(self.default.path().to_path_buf())
    }

    /// The user models folder and the checked `user`, when both are given.
    fn user_file<'a>(
        &'a self,
        user: Option<&'a str>,
    ) -> Result<Option<(&'a Path, &'a str)>, Refusal> {
        let (Some(dir), Some(user)) = (&self.user_dir, user) else {
            return Ok(None);
        };
        if !valid_user(user) {
            return Err(Refusal::new(
                Status::NoUser,
                format!(
                    "(User {:?} cannot name a model)",
                    user.chars().take(40).collect::<String>()
                ),
            ));
        }
        Ok(Some((dir, user)))
    }

    /// Reloads every model whose file changed (all of them with `force`).
    pub fn refresh(&self, force: bool) {
        self.default.refresh(force);
        let users: Vec<Arc<ModelFile>> = self
            .users
            .lock()
            .expect("users lock")
            .values()
            .cloned()
            .collect();
        for file in users {
            file.refresh(force);
        }
    }
}

/// A user name that is one plain file name: letters, digits and `_ - . @ +`, not starting
/// with `.` or `-`, so never `..`, a path or an option.
pub fn valid_user(user: &str) -> bool {
    !user.is_empty()
        && user.len() <= MAX_USER_LEN
        && !user.starts_with(['.', '-'])
        && user
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.@+".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_never_leave_the_folder() {
        for good in ["ann", "a.b", "mail_user-1", "ann@example.org", "x+tag"] {
            assert!(valid_user(good), "{good}");
        }
        for bad in [
            "",
            "..",
            "../../etc/passwd",
            "/etc/passwd",
            ".hidden",
            "-rf",
            "a/b",
            "a\\b",
            "a b",
            "a\0b",
            "é",
            &"x".repeat(MAX_USER_LEN + 1),
        ] {
            assert!(!valid_user(bad), "{bad:?}");
        }
    }
}
