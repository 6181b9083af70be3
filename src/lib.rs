//! sparsetext: sparse (L1 / Elastic-Net) logistic regression text classifiers,
//! and a spam filter built on them.
//!
//! Data flow:
//!
//! ```text
//! &[u8] -mail::parse-> Message -Analyzer-> tokens
//!   -Vocabulary::fit-> Vocabulary -Dataset::build-> Dataset (CSR + labels)
//!   -solver-> weights -Model-> score
//! ```

pub mod analyze;
pub(crate) mod atomic;
pub mod corpus;
pub mod dataset;
pub mod error;
pub mod mail;
pub mod metrics;
pub mod model;
pub mod passthrough;
pub mod solver;
pub mod svmlight;
pub mod train;
pub mod vectorize;
pub mod vocab;

pub use error::{Error, Result};
