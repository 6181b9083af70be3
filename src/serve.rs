//! A filter daemon speaking SpamAssassin's SPAMC/SPAMD protocol (version 1.5),
//! so that `spamc`, Exim's `spam =` condition, Haraka, Rspamd's SpamAssassin
//! module, MIMEDefang and milters use a sparsetext model unchanged, with the
//! model kept in memory.
//!
//! - [`protocol`]: requests' heads parsed from bytes, status lines, framing.
//! - [`verdict`]: the model's verdict on spamd's score scale (`S >= 5.0` exactly
//!   when the model says spam), the symbols and the report.
//! - [`models`]: the default and per-user models, reloaded when their files change.
//! - [`allow`]: the address blocks TCP clients may come from.
//! - `conn`, `server`: one connection's request and answer; listeners, threads,
//!   the model watcher and shutdown ([`Server`]).
//!
//! Answers: `CHECK`, `SYMBOLS`, `REPORT`, `REPORT_IFSPAM`, `PROCESS` and `HEADERS` as
//! spamd gives them (protocol 1.5 framing), `PING` with `PONG`, `SKIP` with nothing.
//! `TELL` learns into the model's training store with [`Config::allow_tell`] (spamd's
//! `--allow-tell`), answering `DidSet: local` / `DidRemove: local` when the store
//! changed; without it, `TELL` is refused with `EX_UNAVAILABLE` (69), as spamd does. Malformed requests get `EX_PROTOCOL` (76), messages over the size limit
//! `EX_DATAERR` (65), unusable `User` names with user models `EX_NOUSER` (67), a busy
//! server `EX_TEMPFAIL` (75) and requests not complete within the timeout
//! `EX_TIMEOUT` (79), each as one status line before the connection closes.
//!
//! ```no_run
//! use sparsetext::serve::{Config, Server};
//! let mut config = Config::new("models/spam.model".into());
//! config.listen = vec!["127.0.0.1:7830".parse().unwrap()];
//! let server = Server::bind(&config)?;
//! server.run()?; // until the flag of `server.terminate_flag()` is set
//! # Ok::<(), sparsetext::Error>(())
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{Error, Result};

pub mod allow;
mod conn;
pub mod models;
pub mod protocol;
mod server;
pub mod verdict;

pub use allow::Cidr;
pub use server::Server;

/// The default `--timeout`: spamd's `--timeout-tcp`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default `--max-connections`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// The default `--max-message-bytes` (4 MiB, as `classify`).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 4 << 20;

/// The default budget of request and answer bytes buffered at once.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 256 << 20;

/// A Unix socket to listen on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnixSocket {
    /// Its path; a stale socket there is replaced.
    pub path: PathBuf,
    /// Its permission bits, e.g. `0o660`; by default as the umask leaves them.
    pub mode: Option<u32>,
    /// Its owner.
    pub uid: Option<u32>,
    /// Its group.
    pub gid: Option<u32>,
}

/// What a [`Server`] serves and how.
#[derive(Clone, Debug)]
pub struct Config {
    /// The default model file.
    pub model: PathBuf,
    /// A folder of `USER.model` files picked by the `User` header.
    pub user_models: Option<PathBuf>,
    /// TCP addresses to listen on.
    pub listen: Vec<SocketAddr>,
    /// A Unix socket to listen on.
    pub socket: Option<UnixSocket>,
    /// Address blocks TCP clients may come from; empty for loopback only.
    pub allow: Vec<Cidr>,
    /// The largest message accepted (after inflating `Compress: zlib`).
    pub max_message_bytes: usize,
    /// Connections served at once; more are answered `EX_TEMPFAIL`.
    pub max_connections: usize,
    /// Bytes of requests and answers buffered at once, server-wide; a request that
    /// does not fit is answered `EX_TEMPFAIL`.
    pub max_buffered_bytes: usize,
    /// Time from accepting a connection until its request must be complete, and
    /// for the client to take the answer.
    pub timeout: Duration,
    /// Features listed by `SYMBOLS` and `REPORT`.
    pub explain_top: usize,
    /// Threads that score (0: one per core). Connections are served by their own
    /// threads, but only these score, so that the analyzer's per-thread caches exist
    /// once per core, not once per connection.
    pub scoring_threads: usize,
    /// Learn from `TELL` (spamd's `--allow-tell`): `Set: local` adds or
    /// relabels the message in the model's training store, `Remove: local`
    /// forgets it, and the model is refitted ([`crate::learn::learn`]). Off, `TELL`
    /// is refused with `EX_UNAVAILABLE`.
    pub allow_tell: bool,
}

impl Config {
    /// Defaults for everything but the model; no listener yet.
    pub fn new(model: PathBuf) -> Config {
        Config {
            model,
            user_models: None,
            listen: Vec::new(),
            socket: None,
            allow: Vec::new(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
            timeout: DEFAULT_TIMEOUT,
            explain_top: 10,
            scoring_threads: 0,
            allow_tell: false,
        }
    }

    /// Checks the limits and that there is something to listen on.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the flag.
    pub fn check(&self) -> Result<()> {
        let invalid = |name: &'static str, value: String, reason: &str| {
            Err(Error::InvalidParam {
                name,
                value,
                reason: reason.to_string(),
            })
        };
        if self.listen.is_empty() && self.socket.is_none() {
            return invalid("--listen", "none".into(), "give --listen or --socket");
        }
        if self.max_message_bytes == 0 {
            return invalid("--max-message-bytes", "0".into(), "must be at least 1");
        }
        if self.max_connections == 0 {
            return invalid("--max-connections", "0".into(), "must be at least 1");
        }
        if self.max_buffered_bytes < 2 * self.max_message_bytes {
            return invalid(
                "--max-buffered-bytes",
                self.max_buffered_bytes.to_string(),
                "must be at least twice --max-message-bytes",
            );
        }
        if self.timeout.is_zero() {
            return invalid("--timeout", "0".into(), "must be positive");
        }
        Ok(())
    }
}
