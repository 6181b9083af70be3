//! The integration test binary: runs the real `sparsetext` executable.

mod solver;
mod util;
mod vectorize;
