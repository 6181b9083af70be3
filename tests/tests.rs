//! The integration test binary: runs the real `sparsetext` executable.

mod bad_input;
mod cli;
mod delivery;
mod hostile;
mod learn;
mod properties;
mod regression;
mod solver;
mod util;
mod vectorize;
