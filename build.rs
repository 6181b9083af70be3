//! Links the `sparsetext` binary as a position-dependent executable on
//! Linux with a GNU toolchain.
//!
//! `classify` is spawned once per message by mail filters (procmail,
//! maildrop), so process start-up is most of its latency. A position-
//! independent executable of this size carries ~7,500 relative relocations
//! that the dynamic loader applies at every start, touching (and copying)
//! ~200 KB of relocated read-only data: measured with `perf stat -r 300` on
//! one message, `classify` took 2.81 ms of CPU and 207 page faults as a PIE
//! and 1.70 ms and 157 faults linked with `-no-pie` (the linker resolves
//! those relocations once, at link time). The price is that the executable
//! image is not address-randomized (shared libraries, stack and heap still
//! are); sparsetext is safe Rust, for which that matters less than for C.
//! Set `SPARSETEXT_PIE=1` when building to keep the default PIE.

fn main() {
    println!("cargo:rerun-if-env-changed=SPARSETEXT_PIE");
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let keep_pie = std::env::var_os("SPARSETEXT_PIE").is_some_and(|v| v != "0" && !v.is_empty());
    if os == "linux" && env == "gnu" && !keep_pie {
        println!("cargo:rustc-link-arg-bin=sparsetext=-no-pie");
    }
}
