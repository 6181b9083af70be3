//! The server: listeners, a pool of connection threads, the model watcher, shutdown.
//!
//! One thread per listener accepts. Each accepted connection goes to an idle
//! worker thread, or to a new one while fewer than `max_connections` are busy;
//! past that it is answered `EX_TEMPFAIL` at once, so a crowd of clients can
//! hold at most that many threads (each for at most the timeout) and the others
//! learn right away to retry. Idle workers exit after a while. A watcher thread
//! checks the model files every second, reloads all of them on `SIGHUP`, and on
//! `SIGTERM` (or `SIGINT`) stops the listeners; the requests in flight finish
//! before [`Server::run`] returns.

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::allow::Cidr;
use super::conn::{self, Budget, Conn, Stream};
use super::models::Models;
use super::protocol::{Refusal, Status};
use super::{Config, UnixSocket};
use crate::{Error, Result};

/// How often the watcher looks at the model files and the signal flags.
const WATCH_EVERY: Duration = Duration::from_millis(100);
const RELOAD_CHECK_EVERY: Duration = Duration::from_secs(1);

/// How long an idle worker thread waits for a connection before it exits.
const IDLE_WORKER: Duration = Duration::from_secs(30);

/// Stack of a worker thread: scoring needs little, and thousands of threads may exist.
const WORKER_STACK: usize = 512 * 1024;

/// What every connection thread shares.
#[derive(Debug)]
pub(super) struct Shared {
    pub models: Models,
    pub max_message_bytes: usize,
    pub timeout: Duration,
    pub explain_top: usize,
    pub budget: Budget,
    pub scoring: rayon::ThreadPool,
    pub allow_tell: bool,
}

/// A bound, loaded server; [`Server::run`] serves until a signal stops it.
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    tcp: Vec<TcpListener>,
    unix: Option<(UnixListener, PathBuf)>,
    allow: Arc<Vec<Cidr>>,
    max_connections: usize,
    terminate: Arc<AtomicBool>,
    reload: Arc<AtomicBool>,
}

impl Server {
    /// Loads the default model and binds every listener.
    ///
    /// # Errors
    /// [`Error::Model`] or [`Error::Io`] for the model; [`Error::Io`] when an address or
    /// socket path cannot be bound or given its mode and owner.
    pub fn bind(config: &Config) -> Result<Server> {
        config.check()?;
        let models = Models::new(&config.model, config.user_models.as_deref())?;
        let mut tcp = Vec::new();
        for addr in &config.listen {
            let listener =
                TcpListener::bind(addr).map_err(|e| Error::io(format!("listen {addr}"), e))?;
            tcp.push(listener);
        }
        let unix = match &config.socket {
            Some(socket) => Some((bind_unix(socket)?, socket.path.clone())),
            None => None,
        };
        let scoring = rayon::ThreadPoolBuilder::new()
            .num_threads(config.scoring_threads)
            .thread_name(|i| format!("score-{i}"))
            .build()
            .map_err(|e| Error::io("scoring threads", std::io::Error::other(e.to_string())))?;
        let allow = if config.allow.is_empty() {
            Cidr::loopback()
        } else {
            config.allow.clone()
        };
        Ok(Server {
            shared: Arc::new(Shared {
                models,
                max_message_bytes: config.max_message_bytes,
                timeout: config.timeout,
                explain_top: config.explain_top,
                budget: Budget::new(config.max_buffered_bytes),
                scoring,
                allow_tell: config.allow_tell,
            }),
            tcp,
            unix,
            allow: Arc::new(allow),
            max_connections: config.max_connections,
            terminate: Arc::new(AtomicBool::new(false)),
            reload: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The TCP addresses bound (with the port the system chose for port 0).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.tcp
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// Set it (from a `SIGTERM` handler) to stop accepting, finish the requests in flight
    /// and return from [`Server::run`].
    pub fn terminate_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.terminate)
    }

    /// Set it (from a `SIGHUP` handler) to reload every model file now.
    pub fn reload_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.reload)
    }

    /// Serves until the terminate flag is set, then waits for the requests in flight
    /// (at most the timeout) and removes the Unix socket.
    ///
    /// # Errors
    /// [`Error::Io`] when a listener thread cannot be started.
    pub fn run(self) -> Result<()> {
        let pool = Arc::new(Pool::new(Arc::clone(&self.shared), self.max_connections));
        let mut acceptors = Vec::new();
        let mut wakers: Vec<Box<dyn Fn() + Send>> = Vec::new();
        for listener in self.tcp {
            let addr = listener.local_addr().map_err(|e| Error::io("listen", e))?;
            log::info!("listening on {addr}");
            let (pool, allow, stop) = (
                Arc::clone(&pool),
                Arc::clone(&self.allow),
                Arc::clone(&self.terminate),
            );
            acceptors.push(spawn("accept-tcp", move || {
                accept_tcp(&listener, &pool, &allow, &stop)
            })?);
            wakers.push(Box::new(move || drop(TcpStream::connect(wake_addr(addr)))));
        }
        if let Some((listener, path)) = &self.unix {
            log::info!("listening on {}", path.display());
            let listener = listener.try_clone().map_err(|e| Error::io(path, e))?;
            let (pool, stop) = (Arc::clone(&pool), Arc::clone(&self.terminate));
            acceptors.push(spawn("accept-unix", move || {
                accept_unix(&listener, &pool, &stop)
            })?);
            let path = path.clone();
            wakers.push(Box::new(move || drop(UnixStream::connect(&path))));
        }
        let mut checked = Instant::now();
        while !self.terminate.load(Ordering::Acquire) {
            std::thread::sleep(WATCH_EVERY);
            if self.reload.swap(false, Ordering::AcqRel) {
                log::info!("SIGHUP: reloading the models");
                self.shared.models.refresh(true);
                checked = Instant::now();
            } else if checked.elapsed() >= RELOAD_CHECK_EVERY {
                self.shared.models.refresh(false);
                checked = Instant::now();
            }
        }
        log::info!("shutting down: finishing the requests in flight");
        for wake in &wakers {
            wake();
        }
        for acceptor in acceptors {
            let _ = acceptor.join();
        }
        let until = Instant::now() + self.shared.timeout + Duration::from_secs(1);
        while pool.busy.load(Ordering::Acquire) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
        if let Some((_, path)) = &self.unix {
            let _ = std::fs::remove_file(path);
        }
        log::info!("stopped");
        Ok(())
    }
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> Result<std::thread::JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(f)
        .map_err(|e| Error::io(format!("thread {name}"), e))
}

/// The address that reaches a listener bound to `addr` (a wildcard becomes loopback).
fn wake_addr(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

fn accept_tcp(listener: &TcpListener, pool: &Arc<Pool>, allow: &[Cidr], stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::Acquire) {
            return;
        }
        let accepted = Instant::now();
        let stream = match stream {
            Ok(stream) => stream,
            Err(err) => {
                accept_failed(&err);
                continue;
            }
        };
        let Ok(peer) = stream.peer_addr() else {
            continue;
        };
        if !allow.iter().any(|block| block.contains(peer.ip())) {
            log::warn!("{peer} refused: not in the allowed addresses");
            continue;
        }
        let _ = stream.set_nodelay(true);
        pool.dispatch(Conn {
            stream: Stream::Tcp(stream),
            peer: peer.to_string(),
            accepted,
        });
    }
}

fn accept_unix(listener: &UnixListener, pool: &Arc<Pool>, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(Ordering::Acquire) {
            return;
        }
        let accepted = Instant::now();
        match stream {
            Ok(stream) => pool.dispatch(Conn {
                stream: Stream::Unix(stream),
                peer: "unix".to_string(),
                accepted,
            }),
            Err(err) => accept_failed(&err),
        }
    }
}

/// Out of file descriptors (or another accept error): log, and pause briefly so the
/// loop does not spin while connections close.
fn accept_failed(err: &std::io::Error) {
    log::error!("accept: {err}");
    std::thread::sleep(Duration::from_millis(10));
}

/// Worker threads: as many as connections being served, up to a limit, plus idle ones.
struct Pool {
    shared: Arc<Shared>,
    max_busy: usize,
    busy: AtomicUsize,
    threads: AtomicUsize,
    /// A rendezvous channel: a send succeeds only while an idle worker waits.
    tx: SyncSender<Conn>,
    rx: Arc<Mutex<Receiver<Conn>>>,
}

impl Pool {
    fn new(shared: Arc<Shared>, max_busy: usize) -> Pool {
        let (tx, rx) = std::sync::mpsc::sync_channel(0);
        Pool {
            shared,
            max_busy,
            busy: AtomicUsize::new(0),
            threads: AtomicUsize::new(0),
            tx,
            rx: Arc::new(Mutex::new(rx)),
        }
    }

    /// Hands `conn` to a worker, or refuses it when `max_busy` are busy.
    fn dispatch(self: &Arc<Pool>, mut conn: Conn) {
        if self.busy.fetch_add(1, Ordering::AcqRel) >= self.max_busy {
            self.busy.fetch_sub(1, Ordering::AcqRel);
            let refusal = Refusal::new(
                Status::TempFail,
                format!("(busy: {} connections; try again later)", self.max_busy),
            );
            log::warn!("{} refused: {refusal}", conn.peer);
            refusal_without_wait(&mut conn.stream, &refusal);
            return;
        }
        let conn = match self.tx.try_send(conn) {
            Ok(()) => return,
            Err(TrySendError::Full(conn) | TrySendError::Disconnected(conn)) => conn,
        };
        // Idle workers may be between two connections: only start a thread while there
        // are fewer than connections being served (plus one), else wait for one.
        if self.threads.load(Ordering::Acquire) > self.max_busy {
            if self.tx.send(conn).is_err() {
                self.busy.fetch_sub(1, Ordering::AcqRel);
            }
            return;
        }
        self.threads.fetch_add(1, Ordering::AcqRel);
        let pool = Arc::clone(self);
        let started = std::thread::Builder::new()
            .name("serve".into())
            .stack_size(WORKER_STACK)
            .spawn(move || pool.work(conn));
        if let Err(err) = started {
            self.threads.fetch_sub(1, Ordering::AcqRel);
            self.busy.fetch_sub(1, Ordering::AcqRel);
            log::error!("cannot start a worker thread: {err}");
        }
    }

    fn work(&self, first: Conn) {
        let mut next = Some(first);
        while let Some(conn) = next.take() {
            conn::handle(conn, &self.shared);
            self.busy.fetch_sub(1, Ordering::AcqRel);
            let rx = self.rx.lock().expect("pool lock");
            next = rx.recv_timeout(IDLE_WORKER).ok();
        }
        self.threads.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A refusal written without waiting on the client: the accepting thread must not block.
fn refusal_without_wait(stream: &mut Stream, refusal: &Refusal) {
    let _ = stream.send(refusal.line().as_bytes(), Duration::from_millis(10));
}

/// Binds the Unix socket, replacing a stale one (no server answers on it), and gives it
/// its mode and owner.
fn bind_unix(socket: &UnixSocket) -> Result<UnixListener> {
    let path = &socket.path;
    if std::fs::symlink_metadata(path).is_ok() {
        if UnixStream::connect(path).is_ok() {
            return Err(Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::AddrInUse,
                    "another server is listening on this socket",
                ),
            ));
        }
        std::fs::remove_file(path).map_err(|e| Error::io(path, e))?;
    }
    let listener = UnixListener::bind(path).map_err(|e| Error::io(path, e))?;
    set_mode_and_owner(path, socket).inspect_err(|_| {
        let _ = std::fs::remove_file(path);
    })?;
    Ok(listener)
}

fn set_mode_and_owner(path: &Path, socket: &UnixSocket) -> Result<()> {
    if let Some(mode) = socket.mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(path, e))?;
    }
    if socket.uid.is_some() || socket.gid.is_some() {
        std::os::unix::fs::chown(path, socket.uid, socket.gid).map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}
