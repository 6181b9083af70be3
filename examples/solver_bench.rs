//! Times sparsetext's solver on an svmlight file (used by bench/solver/run.sh).
//!
//! ```text
//! cargo run --release --example solver_bench -- FILE.svm [--tol T] [--repeat R]
//!     [--single RATIO:ALPHA ...] [--lambda LAMBDA:ALPHA ...] [--path NLAMBDA:RATIO:ALPHA]
//! ```
//!
//! `--single` gives lambda as a fraction of lambda_max, `--lambda` as is (its
//! lines carry the lambda in the ratio column).
//!
//! Prints one tab-separated line per run:
//! `kind ratio alpha tol seconds objective rel_gap nnz iterations sweeps checks peak_extra_bytes design_bytes`;
//! for `--path` the objective column holds the objectives of all fits, comma-separated,
//! and a last column the CPU seconds of the fastest path (10 ms resolution).
//! Peak extra bytes are counted by a wrapping global allocator: the most heap
//! in use during the fit beyond what was in use before it (design included
//! before, so this is the solver's own memory).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use sparsetext::solver::{self, Design, Params};

struct Counting;
static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let now = IN_USE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        IN_USE.fetch_sub(l.size(), Ordering::Relaxed);
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        if new > l.size() {
            let now = IN_USE.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            IN_USE.fetch_sub(l.size() - new, Ordering::Relaxed);
        }
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// CPU time of this process so far (user + system, from /proc/self/stat;
/// Linux, clock ticks of 10 ms), or NaN where unavailable.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (in parentheses): utime and stime are
    // the 12th and 13th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return f64::NAN;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |k: usize| f.get(k).and_then(|v| v.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}

fn start_peak() -> usize {
    let now = IN_USE.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .ok_or("usage: solver_bench FILE.svm [options]")?;
    let mut tol = 1e-6;
    let mut repeat = 1;
    // (ratio or lambda, alpha, whether the first is lambda itself)
    let mut singles: Vec<(f64, f64, bool)> = Vec::new();
    let mut paths: Vec<(usize, f64, f64)> = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let v = args.get(i + 1).ok_or("missing value")?;
        match args[i].as_str() {
            "--tol" => tol = v.parse()?,
            "--repeat" => repeat = v.parse()?,
            "--single" => {
                let (r, a) = v.split_once(':').ok_or("--single RATIO:ALPHA")?;
                singles.push((r.parse()?, a.parse()?, false));
            }
            "--lambda" => {
                let (l, a) = v.split_once(':').ok_or("--lambda LAMBDA:ALPHA")?;
                singles.push((l.parse()?, a.parse()?, true));
            }
            "--path" => {
                let f: Vec<&str> = v.split(':').collect();
                paths.push((f[0].parse()?, f[1].parse()?, f[2].parse()?));
            }
            o => return Err(format!("unknown option {o}").into()),
        }
        i += 2;
    }
    let data = sparsetext::svmlight::read(file.as_ref())?;
    let design = Design::from_csr(&data.x)?;
    drop(data.x);
    let y = data.y;
    eprintln!(
        "{file}: {} x {}, {} non-zeros, binary {}, design {} bytes",
        design.rows(),
        design.cols(),
        design.nnz(),
        design.is_binary(),
        design.heap_bytes()
    );
    for &(ratio, alpha, absolute) in &singles {
        let params = Params::new()
            .alpha(alpha)
            .tol(tol)
            .max_iter(100_000)
            .check()?;
        let lambda = if absolute {
            ratio
        } else {
            ratio * solver::lambda_max(&design, &y, None, alpha)?
        };
        let mut best = f64::INFINITY;
        let mut fit = None;
        let mut peak = 0;
        for _ in 0..repeat {
            let base = start_peak();
            let t = Instant::now();
            let f = solver::fit(&design, &y, None, lambda, &params)?;
            best = best.min(t.elapsed().as_secs_f64());
            peak = PEAK.load(Ordering::Relaxed) - base;
            fit = Some(f);
        }
        let f = fit.unwrap();
        println!(
            "single\t{ratio}\t{alpha}\t{tol}\t{best:.4}\t{:.15e}\t{:.3e}\t{}\t{}\t{}\t{}\t{peak}\t{}",
            f.objective,
            f.rel_gap,
            f.nnz(),
            f.iterations,
            f.sweeps,
            f.checks,
            design.heap_bytes()
        );
    }
    for &(nlambda, ratio, alpha) in &paths {
        let params = Params::new()
            .alpha(alpha)
            .tol(tol)
            .nlambda(nlambda)
            .lambda_min_ratio(Some(ratio))
            .fdev(0.0)
            .max_dev_explained(1.0)
            .max_iter(100_000)
            .check()?;
        let mut best = f64::INFINITY;
        let mut best_cpu = f64::INFINITY;
        let mut path = None;
        let mut peak = 0;
        for _ in 0..repeat {
            let base = start_peak();
            let (t, c) = (Instant::now(), cpu_seconds());
            let p = solver::fit_path(&design, &y, None, &params)?;
            best = best.min(t.elapsed().as_secs_f64());
            best_cpu = best_cpu.min(cpu_seconds() - c);
            peak = PEAK.load(Ordering::Relaxed) - base;
            path = Some(p);
        }
        let p = path.unwrap();
        let objs: Vec<String> = p
            .fits
            .iter()
            .map(|f| format!("{:.15e}", f.objective))
            .collect();
        let worst = p.fits.iter().map(|f| f.rel_gap).fold(0.0, f64::max);
        let last = p.fits.last().unwrap();
        println!(
            "path\t{ratio}\t{alpha}\t{tol}\t{best:.4}\t{}\t{worst:.3e}\t{}\t{}\t{}\t{}\t{peak}\t{}\t{best_cpu:.2}",
            objs.join(","),
            last.nnz(),
            p.fits.iter().map(|f| f.iterations).sum::<usize>(),
            p.fits.iter().map(|f| f.sweeps).sum::<usize>(),
            p.fits.iter().map(|f| f.checks).sum::<usize>(),
            design.heap_bytes()
        );
        if let Some(w) = &p.warning {
            eprintln!("warning: {w}");
        }
        if std::env::var_os("SOLVER_BENCH_VERBOSE").is_some() {
            for (k, f) in p.fits.iter().enumerate() {
                eprintln!(
                    "fit {k:3} lambda/lmax {:.3e} nnz {:4} newton {:3} sweeps {:5} checks {:2} gap {:.2e}",
                    f.lambda / p.lambda_max,
                    f.nnz(),
                    f.iterations,
                    f.sweeps,
                    f.checks,
                    f.rel_gap
                );
            }
        }
    }
    Ok(())
}
