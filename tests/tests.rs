//! The integration test binary: runs the real `sparsetext` executable.

mod bad_input;
mod cli;
mod daemon;
mod delivery;
mod hostile;
mod learn;
mod passthrough_model;
mod properties;
mod regression;
mod report;
mod ridge;
mod serve;
mod serve_abuse;
mod shards;
mod solver;
mod stream;
mod util;
mod vectorize;
