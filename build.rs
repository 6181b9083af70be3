//! Optionally links the `sparsetext` binary statically and position-dependent
//! on Linux with glibc, for start-up speed: `SPARSETEXT_STATIC=1 cargo build
//! --release`. The default build is the usual position-independent executable.
//!
//! Why one would: mail filters (procmail, maildrop) spawn `classify` once per
//! message, so process start-up is much of its latency. A PIE applies its
//! relative relocations at every start, and a dynamic executable runs the
//! loader (mapping libc, resolving symbols); `-no-pie -static` does both once,
//! at link time (bench/classify/RESULTS.md has the measured difference).
//!
//! Why it is not the default: sparsetext parses mail written by adversaries,
//! and a position-dependent image is not address-randomized (the stack, heap
//! and mappings still are), and a glibc security update reaches a static
//! binary only when it is rebuilt.
//!
//! How: rustc links glibc statically only with `-C
//! target-feature=+crt-static`, which a plain `cargo build` cannot take (it
//! would apply to proc-macro crates too, which cannot be static), so this
//! script does it for the one binary: it passes `-no-pie -static` and puts a
//! folder ahead of the system's on the linker's search path in which each
//! system library rustc names (`-lc`, `-lm`, `-lgcc_s`, ...) is a one-line
//! linker script naming its static archive (`libc.so` reads
//! `INPUT(-l:libc.a)`; `libgcc_s` becomes `libgcc_eh.a`, the static unwinder
//! `crt-static` uses too). It needs the C toolchain's static archives
//! (Debian's `libc6-dev` has them; Fedora needs `glibc-static`) and a native
//! build; without them it warns and links as usual.

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
    println!("cargo:rerun-if-env-changed=SPARSETEXT_STATIC");
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let wanted = std::env::var_os("SPARSETEXT_STATIC").is_some_and(|v| !v.is_empty() && v != "0");
    // With crt-static, rustc links a static PIE itself (and `-no-pie` would break it).
    let crt_static = std::env::var("CARGO_CFG_TARGET_FEATURE")
        .is_ok_and(|features| features.split(',').any(|f| f == "crt-static"));
    if !wanted || crt_static {
        return;
    }
    let native = std::env::var("HOST").ok() == std::env::var("TARGET").ok();
    let stand_ins = if os == "linux" && env == "gnu" && native {
        stand_ins()
    } else {
        None
    };
    let Some(dir) = stand_ins else {
        println!(
            "cargo:warning=SPARSETEXT_STATIC: needs a native Linux/glibc build with glibc's \
             static archives (libc.a, ...): sparsetext is linked as usual"
        );
        return;
    };
    println!("cargo:rustc-link-arg-bin=sparsetext=-no-pie");
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
