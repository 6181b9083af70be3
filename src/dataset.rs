//! Dataset: the CSR document-term matrix and its labels.
//!
//! STUB: the weighting scheme is fixed here so the model can score as training did.

use serde::{Deserialize, Serialize};

/// A sparse matrix of f64 values with u32 column (or row) ids and usize offsets,
/// so the number of non-zeros is not limited to 2^32.
pub type Matrix = sprs::CsMatI<f64, u32, usize>;

/// How a term's count in a message becomes the matrix value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weighting {
    /// 1 if the term occurs, whatever its count.
    #[default]
    Binary,
    /// The raw count.
    Counts,
    /// log(1 + count).
    LogCounts,
}

/// The whole value scheme of a row: per-term weighting, then optional L2 normalization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    /// Per-term weighting.
    pub weighting: Weighting,
    /// Scale each row to unit Euclidean norm.
    pub l2_normalize: bool,
}

impl Weighting {
    /// The matrix value of a term seen `count` (>= 1) times.
    pub fn value(self, count: u32) -> f64 {
        match self {
            Weighting::Binary => 1.0,
            Weighting::Counts => f64::from(count),
            Weighting::LogCounts => f64::from(count).ln_1p(),
        }
    }
}

impl Scheme {
    /// Fills `values` with the weighted (and, if asked, normalized) values of a row whose
    /// terms occur `counts` times.
    pub fn row_values(self, counts: &[u32], values: &mut Vec<f64>) {
        values.clear();
        values.extend(counts.iter().map(|&c| self.weighting.value(c)));
        if self.l2_normalize {
            let norm = values.iter().map(|v| v * v).sum::<f64>().sqrt();
            if norm > 0.0 {
                values.iter_mut().for_each(|v| *v /= norm);
            }
        }
    }
}
