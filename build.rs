//! Links the `sparsetext` binary statically and position-dependent on Linux
//! with glibc, for start-up speed.
//!
//! `classify` is spawned once per message by mail filters (procmail,
//! maildrop), so process start-up is most of its latency.
//!
//! 1. `-no-pie`: a position-independent executable of this size carries
//!    ~7,500 relative relocations that the dynamic loader applies at every
//!    start, touching (and copying) ~200 KB of relocated read-only data:
//!    measured with `perf stat -r 300` on one message, `classify` took 2.81 ms
//!    of CPU and 207 page faults as a PIE and 1.70 ms and 157 faults linked
//!    with `-no-pie` (the linker resolves those relocations once, at link
//!    time).
//! 2. Static: with no shared libraries there is no dynamic loader run at all
//!    (mapping libc, libm and libgcc_s, resolving symbols, running their
//!    constructors) and ~50 fewer page faults per run (220 -> 171); over 50
//!    test messages x 6 runs (bench/classify/harness.py's timing), median
//!    CPU 2.55 ms dynamic against 1.71 ms static. rustc links glibc
//!    statically only with `-C target-feature=+crt-static`, which a plain
//!    `cargo build` cannot take (it would apply to proc-macro crates too,
//!    which cannot be static), so this script does it for the one binary: it
//!    passes `-static` and puts a folder ahead of the system's on the
//!    linker's search path in which each system library rustc names (`-lc`,
//!    `-lm`, `-lgcc_s`, ...) is a one-line linker script naming its static
//!    archive (`libc.so` reads `INPUT(-l:libc.a)`; `libgcc_s` becomes
//!    `libgcc_eh.a`, the static unwinder `crt-static` uses too). It does so
//!    only when the C toolchain has those archives (Debian's `libc6-dev` has
//!    them; Fedora needs `glibc-static`), and only for a native build;
//!    otherwise the binary is linked dynamically.
//!
//! The price: the executable image, libc included, is not address-randomized
//! (the stack, heap and mappings still are; sparsetext is safe Rust, for
//! which that matters less than for C), and a glibc security update reaches
//! the binary only when it is rebuilt. Set `SPARSETEXT_STATIC=0` when
//! building to link glibc dynamically (still `-no-pie`), `SPARSETEXT_PIE=1`
//! to keep the default dynamic PIE.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The system libraries rustc links std with on Linux/glibc, each with the
/// static archive that stands in for it.
const STATIC_STAND_INS: [(&str, &str); 7] = [
    ("c", "libc.a"),
    ("m", "libm.a"),
    ("pthread", "libpthread.a"),
    ("dl", "libdl.a"),
    ("rt", "librt.a"),
    ("util", "libutil.a"),
    ("gcc_s", "libgcc_eh.a"),
];

fn main() {
    println!("cargo:rerun-if-env-changed=SPARSETEXT_PIE");
    println!("cargo:rerun-if-env-changed=SPARSETEXT_STATIC");
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let set = |name| std::env::var_os(name).map(|v| v != "0" && !v.is_empty());
    let keep_pie = set("SPARSETEXT_PIE").unwrap_or(false);
    // With crt-static, rustc links a static PIE itself (and `-no-pie` would break it).
    let crt_static = std::env::var("CARGO_CFG_TARGET_FEATURE")
        .is_ok_and(|features| features.split(',').any(|f| f == "crt-static"));
    if os != "linux" || env != "gnu" || keep_pie || crt_static {
        return;
    }
    println!("cargo:rustc-link-arg-bin=sparsetext=-no-pie");
    let native = std::env::var("HOST").ok() == std::env::var("TARGET").ok();
    if !set("SPARSETEXT_STATIC").unwrap_or(true) || !native {
        return;
    }
    let Some(dir) = stand_ins() else {
        println!(
            "cargo:warning=no static glibc archives (libc.a, ...) found: \
             sparsetext is linked dynamically, and starts slower"
        );
        return;
    };
    println!("cargo:rustc-link-arg-bin=sparsetext=-static");
    // A link argument, not `rustc-link-search`: only this binary, not the tests, sees it.
    println!("cargo:rustc-link-arg-bin=sparsetext=-L{}", dir.display());
}

/// Writes the linker scripts that stand in for the shared system libraries,
/// if the C toolchain has every static archive; returns their folder.
fn stand_ins() -> Option<PathBuf> {
    let cc = std::env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".into());
    for (_, archive) in STATIC_STAND_INS {
        let out = Command::new(&cc)
            .arg(format!("-print-file-name={archive}"))
            .output()
            .ok()?;
        // An archive the toolchain lacks is printed back as its bare name.
        let path = String::from_utf8(out.stdout).ok()?;
        if !out.status.success() || !Path::new(path.trim()).is_absolute() {
            return None;
        }
    }
    let dir = PathBuf::from(std::env::var_os("OUT_DIR")?).join("static-libs");
    std::fs::create_dir_all(&dir).ok()?;
    for (lib, archive) in STATIC_STAND_INS {
        let script = format!("INPUT(-l:{archive})\n");
        std::fs::write(dir.join(format!("lib{lib}.so")), script).ok()?;
    }
    Some(dir)
}
