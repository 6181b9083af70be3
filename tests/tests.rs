//! The integration test binary: runs the real `sparsetext` executable.

mod bad_input;
mod cli;
mod hostile;
mod properties;
mod solver;
mod util;
mod vectorize;
