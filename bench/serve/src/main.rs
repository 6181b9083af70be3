//! A load generator for servers of the SPAMC/SPAMD protocol: at each level of
//! concurrency, that many client threads send `CHECK` requests over loopback,
//! one connection per message as spamc does, for a bounded time and count,
//! and the run reports messages per second and latency percentiles.
//!
//! ```text
//! serve-load --addr 127.0.0.1:7830 --label sparsetext --levels 1,16,64 \
//!     --seconds 10 --max-requests 200000 [--list FILE_OF_PATHS] [MESSAGE_FILE...]
//! ```
//!
//! Prints one Markdown table row per level:
//! `| label | connections | msg/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors |`.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

struct Args {
    addr: SocketAddr,
    label: String,
    levels: Vec<usize>,
    seconds: f64,
    max_requests: usize,
    files: Vec<String>,
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:7830".parse().unwrap(),
        label: "server".into(),
        levels: vec![1, 16, 64],
        seconds: 10.0,
        max_requests: 200_000,
        files: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| usage(&format!("{a} needs a value")));
        match a.as_str() {
            "--addr" => args.addr = value().parse().unwrap_or_else(|_| usage("bad --addr")),
            "--label" => args.label = value(),
            "--list" => {
                let list = value();
                let text = std::fs::read_to_string(&list)
                    .unwrap_or_else(|e| usage(&format!("{list}: {e}")));
                args.files.extend(text.lines().filter(|l| !l.is_empty()).map(String::from));
            }
            "--levels" => {
                args.levels = value()
                    .split(',')
                    .map(|n| n.parse().unwrap_or_else(|_| usage("bad --levels")))
                    .collect()
            }
            "--seconds" => args.seconds = value().parse().unwrap_or_else(|_| usage("bad --seconds")),
            "--max-requests" => {
                args.max_requests = value().parse().unwrap_or_else(|_| usage("bad --max-requests"))
            }
            _ if a.starts_with("--") => usage(&format!("unknown flag {a}")),
            _ => args.files.push(a),
        }
    }
    if args.files.is_empty() {
        usage("no message files");
    }
    args
}

fn usage(why: &str) -> ! {
    eprintln!(
        "serve-load: {why}\nusage: serve-load [--addr A] [--label L] [--levels 1,16,64] \
         [--seconds S] [--max-requests N] FILE..."
    );
    std::process::exit(2)
}

/// One `CHECK` request per message, built once.
fn requests(files: &[String]) -> Vec<Vec<u8>> {
    files
        .iter()
        .map(|f| {
            let message = std::fs::read(f).unwrap_or_else(|e| usage(&format!("{f}: {e}")));
            let mut r = format!(
                "CHECK SPAMC/1.5\r\nContent-length: {}\r\nUser: bench\r\n\r\n",
                message.len()
            )
            .into_bytes();
            r.extend_from_slice(&message);
            r
        })
        .collect()
}

/// Sends one request and reads the whole answer; `true` for an `EX_OK` answer.
fn one(addr: SocketAddr, request: &[u8], answer: &mut Vec<u8>) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_nodelay(true);
    let _ = s.set_read_timeout(Some(Duration::from_secs(120)));
    if s.write_all(request).is_err() || s.shutdown(Shutdown::Write).is_err() {
        return false;
    }
    answer.clear();
    if s.read_to_end(answer).is_err() {
        return false;
    }
    let line_end = answer.iter().position(|&b| b == b'\n').unwrap_or(answer.len());
    let line = String::from_utf8_lossy(&answer[..line_end]);
    let mut words = line.split_whitespace();
    words.next().is_some_and(|v| v.starts_with("SPAMD/"))
        && words.next() == Some("0")
        && answer.windows(6).any(|w| w == b"Spam: ")
}

struct Level {
    connections: usize,
    done: usize,
    errors: usize,
    seconds: f64,
    latencies_us: Vec<u64>,
}

fn run_level(args: &Args, requests: &Arc<Vec<Vec<u8>>>, connections: usize) -> Level {
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(args.seconds);
    let start = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (requests, next, addr, max) =
                (Arc::clone(requests), Arc::clone(&next), args.addr, args.max_requests);
            std::thread::spawn(move || {
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut answer = Vec::with_capacity(4096);
                while Instant::now() < deadline {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= max {
                        break;
                    }
                    let t = Instant::now();
                    if one(addr, &requests[i % requests.len()], &mut answer) {
                        latencies.push(t.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut level = Level {
        connections,
        done: 0,
        errors: 0,
        seconds: 0.0,
        latencies_us: Vec::new(),
    };
    for t in threads {
        let (latencies, errors) = t.join().unwrap();
        level.latencies_us.extend(latencies);
        level.errors += errors;
    }
    level.seconds = start.elapsed().as_secs_f64();
    level.done = level.latencies_us.len();
    level.latencies_us.sort_unstable();
    level
}

fn percentile_ms(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn main() {
    let args = parse_args();
    let requests = Arc::new(requests(&args.files));
    for &connections in &args.levels {
        // A short warm-up: threads, caches, the server's worker pool.
        let warm = Args {
            seconds: 0.5,
            max_requests: 200,
            addr: args.addr,
            label: String::new(),
            levels: Vec::new(),
            files: Vec::new(),
        };
        run_level(&warm, &requests, connections);
        let l = run_level(&args, &requests, connections);
        let p = |q| percentile_ms(&l.latencies_us, q);
        println!(
            "| {} | {} | {:.0} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
            args.label,
            l.connections,
            l.done as f64 / l.seconds,
            p(50.0),
            p(90.0),
            p(99.0),
            p(99.9),
            l.errors
        );
    }
}
