//! The integration test binary: runs the real `sparsetext` executable.

mod bad_input;
mod cli;
mod daemon;
mod properties;
mod serve;
mod serve_abuse;
mod solver;
mod util;
mod vectorize;
