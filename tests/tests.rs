//! The integration test binary: runs the real `sparsetext` executable.

mod util;
mod vectorize;
