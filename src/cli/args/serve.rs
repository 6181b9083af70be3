//! `sparsetext serve`'s flags: where it listens, who may connect, its limits.

use std::path::PathBuf;

use clap::Args;

use super::ModelArg;

/// `sparsetext serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub model: ModelArg,

    /// Learn from TELL (spamc -L spam|ham|forget) into the model's training store, as
    /// spamd's --allow-tell: any client allowed to connect can then change the model.
    #[arg(long)]
    pub allow_tell: bool,

    /// TCP address to listen on (repeatable) [default: 127.0.0.1:783 unless --socket].
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Vec<std::net::SocketAddr>,

    /// Unix socket to listen on (a stale one is replaced).
    #[arg(long, value_name = "PATH")]
    pub socket: Option<PathBuf>,

    /// The Unix socket's permission bits, octal [default: as the umask leaves them].
    #[arg(long, value_name = "MODE", requires = "socket", value_parser = parse_mode)]
    pub socket_mode: Option<u32>,

    /// The Unix socket's owner: USER, USER:GROUP or :GROUP, names or numbers.
    #[arg(long, value_name = "USER[:GROUP]", requires = "socket")]
    pub socket_owner: Option<String>,

    /// Let TCP clients from this address block connect, e.g. 192.168.0.0/16
    /// (repeatable) [default: loopback only].
    #[arg(long, value_name = "CIDR")]
    pub allow: Vec<sparsetext::serve::Cidr>,

    /// Pick the model DIR/USER.model by the request's User header, falling back to the
    /// default model when there is none.
    #[arg(long, value_name = "DIR")]
    pub user_models: Option<PathBuf>,

    /// Refuse messages over N bytes with EX_DATAERR [default: 4194304 = 4 MiB].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_message_bytes: Option<u64>,

    /// Connections served at once; more are answered EX_TEMPFAIL.
    #[arg(long, value_name = "N", default_value_t = sparsetext::serve::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,

    /// Bytes of requests and answers buffered at once; past it, EX_TEMPFAIL
    /// [default: 268435456 = 256 MiB].
    #[arg(long, value_name = "N")]
    pub max_buffered_bytes: Option<usize>,

    /// Seconds from connecting until a request must be complete, and for taking the answer.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub timeout: f64,

    /// How many features SYMBOLS and REPORT list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub explain_top: usize,

    /// Log to syslog (facility mail) instead of standard error.
    #[arg(long)]
    pub syslog: bool,
}

/// An octal permission mode such as `660` or `0o660`.
fn parse_mode(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix("0o").unwrap_or(s);
    u32::from_str_radix(digits, 8)
        .ok()
        .filter(|&m| m <= 0o7777)
        .ok_or_else(|| format!("{s:?} is not an octal mode such as 660"))
}
