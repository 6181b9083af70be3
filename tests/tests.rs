//! The integration test binary: runs the real `sparsetext` executable.

mod cli;
mod solver;
mod util;
mod vectorize;
