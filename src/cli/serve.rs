//! `sparsetext serve`: flags -> [`Config`], logging, signals, then the server.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use sparsetext::serve::{Config, Server, UnixSocket};
use sparsetext::{Error, Result};

use super::args::ServeArgs;

/// Where the daemon listens when given neither `--listen` nor `--socket`: spamd's port,
/// on loopback only.
const DEFAULT_LISTEN: &str = "127.0.0.1:783";

/// Runs the command.
/// `threads`: the global `--threads`, the number of scoring threads.
pub fn run(args: ServeArgs, threads: Option<usize>) -> Result<ExitCode> {
    let mut config = config(&args)?;
    config.scoring_threads = threads.unwrap_or(0);
    init_logging(args.syslog)?;
    let server = Server::bind(&config)?;
    let terminate = server.terminate_flag();
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        register(signal, &terminate)?;
    }
    register(signal_hook::consts::SIGHUP, &server.reload_flag())?;
    server.run()?;
    Ok(ExitCode::SUCCESS)
}

fn register(signal: i32, flag: &Arc<AtomicBool>) -> Result<()> {
    signal_hook::flag::register(signal, Arc::clone(flag))
        .map(drop)
        .map_err(|e| Error::io(format!("signal {signal}"), e))
}

fn config(args: &ServeArgs) -> Result<Config> {
    let mut config = Config::new(args.model.path()?);
    config.user_models = args.user_models.clone();
    config.listen = args.listen.clone();
    if let Some(path) = &args.socket {
        let (uid, gid) = match &args.socket_owner {
            Some(owner) => owner_ids(owner)?,
            None => (None, None),
        };
        config.socket = Some(UnixSocket {
            path: path.clone(),
            mode: args.socket_mode,
            uid,
            gid,
        });
    }
    if config.listen.is_empty() && config.socket.is_none() {
        config.listen = vec![DEFAULT_LISTEN.parse().expect("valid address")];
    }
    config.allow = args.allow.clone();
    config.allow_tell = args.allow_tell;
    if let Some(n) = args.max_message_bytes {
        config.max_message_bytes = usize::try_from(n).unwrap_or(usize::MAX);
    }
    config.max_connections = args.max_connections;
    config.max_buffered_bytes = args
        .max_buffered_bytes
        .unwrap_or(config.max_buffered_bytes.max(2 * config.max_message_bytes));
    if !(args.timeout.is_finite() && args.timeout > 0.0 && args.timeout <= 86_400.0) {
        return Err(Error::InvalidParam {
            name: "--timeout",
            value: args.timeout.to_string(),
            reason: "must be in (0, 86400] seconds".into(),
        });
    }
    config.timeout = Duration::from_secs_f64(args.timeout);
    config.explain_top = args.explain_top;
    config.check()?;
    Ok(config)
}

/// `USER`, `USER:GROUP` or `:GROUP` as numeric ids, names looked up in /etc/passwd and
/// /etc/group.
fn owner_ids(owner: &str) -> Result<(Option<u32>, Option<u32>)> {
    let (user, group) = match owner.split_once(':') {
        Some((user, group)) => (user, Some(group)),
        None => (owner, None),
    };
    let uid = match user {
        "" => None,
        user => Some(lookup_id("/etc/passwd", user, "--socket-owner")?),
    };
    let gid = match group {
        None | Some("") => None,
        Some(group) => Some(lookup_id("/etc/group", group, "--socket-owner")?),
    };
    Ok((uid, gid))
}

/// A number, or the id (third field) of the line for `name` in a passwd-style file.
fn lookup_id(file: &str, name: &str, flag: &'static str) -> Result<u32> {
    if let Ok(id) = name.parse() {
        return Ok(id);
    }
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(file, e))?;
    text.lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.len() > 2 && fields[0] == name)
        .and_then(|fields| fields[2].parse().ok())
        .ok_or_else(|| Error::InvalidParam {
            name: flag,
            value: name.to_string(),
            reason: format!("no such name in {file}"),
        })
}

/// One line per record on standard error (level from `RUST_LOG`, info by default), or to
/// syslog's mail facility.
fn init_logging(syslog: bool) -> Result<()> {
    if syslog {
        let formatter = syslog::Formatter3164 {
            facility: syslog::Facility::LOG_MAIL,
            hostname: None,
            process: "sparsetext".into(),
            pid: std::process::id(),
        };
        let logger = syslog::unix(formatter).map_err(|e| {
            Error::io(
                "syslog",
                std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string()),
            )
        })?;
        log::set_boxed_logger(Box::new(syslog::BasicLogger::new(logger)))
            .map_err(|e| Error::io("syslog", std::io::Error::other(e.to_string())))?;
        log::set_max_level(log::LevelFilter::Info);
        return Ok(());
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format_target(false)
        .init();
    Ok(())
}
