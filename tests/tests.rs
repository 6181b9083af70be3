//! The integration test binary: runs the real `sparsetext` executable.

mod bad_input;
mod cli;
mod delivery;
mod hostile;
mod passthrough_model;
mod properties;
mod regression;
mod solver;
mod util;
mod vectorize;
