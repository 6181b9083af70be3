//! Dataset: the CSR document-term matrix and its labels.
//!
//! Rows are built directly from each message's sorted, merged term ids (no
//! dense row, no triplets): ids come out increasing because vocabulary ids
//! follow term order (see [`crate::vocab`]). [`Scheme`] fixes how counts
//! become values; the model stores it so scoring matches training.
//!
//! ```
//! use sparsetext::dataset::{Dataset, Scheme};
//! use sparsetext::vocab::{TermCounts, Vocabulary};
//! let docs = [TermCounts::from_tokens(["cash", "cash", "now"]), TermCounts::from_tokens(["lunch"])];
//! let vocab = Vocabulary::fit(&docs, 1);
//! let data = Dataset::build(&docs, vec![true, false], &vocab, Scheme::default());
//! assert_eq!(data.x.rows(), 2);
//! assert_eq!(data.x.nnz(), 3);
//! assert!(data.x.to_csc().is_csc());
//! ```

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::vocab::{TermCounts, Vocabulary};

/// A sparse matrix of f64 values with u32 column (or row) ids and usize offsets,
/// so the number of non-zeros is not limited to 2^32.
pub type Matrix = sprs::CsMatI<f64, u32, usize>;

/// How a term's count in a message becomes the matrix value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
    /// The divisor of a row whose distinct tokens occur `counts` times: the
    /// Euclidean norm of their weighted values when `l2_normalize` is on, else 1.
    /// It runs over *every* token of the message, also those outside the
    /// vocabulary, so a model that keeps only its features scores as training did.
    pub fn row_norm(self, counts: impl Iterator<Item = u32>) -> f64 {
        if !self.l2_normalize {
            return 1.0;
        }
        let norm = counts
            .map(|c| self.weighting.value(c).powi(2))
            .sum::<f64>()
            .sqrt();
        if norm > 0.0 { norm } else { 1.0 }
    }

    /// Whether [`Scheme::row_norm`]'s result depends on the order of the
    /// counts (floating-point sums are not associative): with L2
    /// normalization of non-binary values. Binary values sum ones, which is
    /// exact in any order.
    pub fn needs_term_order(self) -> bool {
        self.l2_normalize && self.weighting != Weighting::Binary
    }

    /// Fills `values` with the weighted values of the row's kept terms, divided by `norm`
    /// (from [`Scheme::row_norm`] over all of the message's tokens).
    pub fn row_values(self, counts: &[u32], norm: f64, values: &mut Vec<f64>) {
        values.clear();
        values.extend(counts.iter().map(|&c| self.weighting.value(c) / norm));
    }
}

/// A labeled document-term matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// Messages x terms, CSR, column ids increasing in each row.
    pub x: Matrix,
    /// `true` for spam.
    pub y: Vec<bool>,
}

impl Dataset {
    /// Builds the CSR matrix of `docs` over `vocab` (terms outside it are dropped).
    pub fn build(docs: &[TermCounts], y: Vec<bool>, vocab: &Vocabulary, scheme: Scheme) -> Dataset {
        assert_eq!(docs.len(), y.len(), "one label per message");
        let nnz_bound = docs.iter().map(TermCounts::len).sum();
        let mut indptr = Vec::with_capacity(docs.len() + 1);
        let mut indices: Vec<u32> = Vec::with_capacity(nnz_bound);
        let mut data = Vec::with_capacity(nnz_bound);
        let mut counts = Vec::new();
        let mut values = Vec::new();
        indptr.push(0);
        for doc in docs {
            counts.clear();
            for (term, count) in doc.terms() {
                if let Some(id) = vocab.id(term) {
                    debug_assert!(
                        indices.len() == indptr[indptr.len() - 1] || indices.last() < Some(&id)
                    );
                    indices.push(id);
                    counts.push(*count);
                }
            }
            let norm = scheme.row_norm(doc.terms().iter().map(|&(_, c)| c));
            scheme.row_values(&counts, norm, &mut values);
            data.extend_from_slice(&values);
            indptr.push(indices.len());
        }
        let x = Matrix::new((docs.len(), vocab.len()), indptr, indices, data);
        Dataset { x, y }
    }

    /// [`Dataset::build`] for messages given as `(term id, count)` pairs, in
    /// any order, over term ids numbered in term order (as
    /// [`Interner::merge`] gives them), with `column[id]` the term's column
    /// (`u32::MAX`: pruned; see [`Vocabulary::fit_ids`]). Rows are counted,
    /// then written in place, in parallel.
    ///
    /// The row norm sums over the message's terms in term order, as
    /// [`Dataset::build`] does, so the values match it bit for bit; the
    /// order is that of the ids. It matters only when the order can change
    /// the sum, i.e. with `l2_normalize` and a weighting other than binary
    /// (a sum of ones is exact in any order); see [`Scheme::needs_term_order`].
    ///
    /// [`Vocabulary::fit_ids`]: crate::vocab::Vocabulary::fit_ids
    /// [`Interner::merge`]: crate::vocab::Interner::merge
    pub(crate) fn build_ids(
        docs: &[Box<[(u32, u32)]>],
        y: Vec<bool>,
        column: &[u32],
        cols: usize,
        scheme: Scheme,
    ) -> Dataset {
        assert_eq!(docs.len(), y.len(), "one label per message");
        let kept = |&(id, _): &(u32, u32)| column[id as usize] != u32::MAX;
        let lens: Vec<usize> = docs
            .par_iter()
            .map(|doc| doc.iter().filter(|pair| kept(pair)).count())
            .collect();
        let mut indptr = Vec::with_capacity(docs.len() + 1);
        indptr.push(0);
        for len in &lens {
            indptr.push(indptr[indptr.len() - 1] + len);
        }
        let nnz = indptr[docs.len()];
        let mut indices = vec![0u32; nnz];
        let mut data = vec![0f64; nnz];
        // Each row's slices of `indices` and `data`.
        let mut rows = Vec::with_capacity(docs.len());
        let (mut rest_indices, mut rest_data) = (&mut indices[..], &mut data[..]);
        for &len in &lens {
            let (row_indices, more_indices) = rest_indices.split_at_mut(len);
            let (row_data, more_data) = rest_data.split_at_mut(len);
            rows.push((row_indices, row_data));
            (rest_indices, rest_data) = (more_indices, more_data);
        }
        // (key << 32 | count) sorts by key with one integer compare.
        let pack = |key: u32, count: u32| (u64::from(key) << 32) | u64::from(count);
        let count_of = |packed: u64| packed as u32;
        rows.into_par_iter().zip(docs).for_each_init(
            Vec::new,
            |packed, ((row_indices, row_data), doc)| {
                let norm = if scheme.needs_term_order() {
                    packed.clear();
                    packed.extend(doc.iter().map(|&(id, count)| pack(id, count)));
                    packed.sort_unstable();
                    scheme.row_norm(packed.iter().map(|&p| count_of(p)))
                } else {
                    scheme.row_norm(doc.iter().map(|&(_, c)| c))
                };
                packed.clear();
                packed.extend(
                    (doc.iter().filter(|pair| kept(pair)))
                        .map(|&(id, count)| pack(column[id as usize], count)),
                );
                packed.sort_unstable();
                for ((index, value), &p) in row_indices.iter_mut().zip(row_data).zip(&*packed) {
                    *index = (p >> 32) as u32;
                    *value = scheme.weighting.value(count_of(p)) / norm;
                }
            },
        );
        let x = Matrix::new((docs.len(), cols), indptr, indices, data);
        Dataset { x, y }
    }

    /// Number of spam and ham messages.
    pub fn class_counts(&self) -> (usize, usize) {
        let spam = self.y.iter().filter(|&&s| s).count();
        (spam, self.y.len() - spam)
    }

    /// Drops the columns with a non-zero in fewer than `min_df` rows (what
    /// `min_df` does to terms of mail); returns the old index of each column kept.
    pub fn keep_columns_in(&mut self, min_df: u32) -> Vec<usize> {
        let x = &self.x;
        let mut df = vec![0u32; x.cols()];
        for &c in x.indices() {
            df[c as usize] = df[c as usize].saturating_add(1);
        }
        let kept: Vec<usize> = (0..x.cols()).filter(|&c| df[c] >= min_df).collect();
        if kept.len() == x.cols() {
            return kept;
        }
        let mut column = vec![u32::MAX; x.cols()];
        for (new, &old) in kept.iter().enumerate() {
            column[old] = new as u32;
        }
        let mut indptr = Vec::with_capacity(x.rows() + 1);
        let mut indices = Vec::new();
        let mut data = Vec::new();
        indptr.push(0);
        for row in x.outer_iterator() {
            for (c, &v) in row.iter() {
                if column[c] != u32::MAX {
                    indices.push(column[c]);
                    data.push(v);
                }
            }
            indptr.push(indices.len());
        }
        self.x = Matrix::new((x.rows(), kept.len()), indptr, indices, data);
        kept
    }
}

impl std::fmt::Display for Weighting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Weighting::Binary => "binary",
            Weighting::Counts => "counts",
            Weighting::LogCounts => "log",
        })
    }
}

impl std::str::FromStr for Weighting {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "binary" => Ok(Weighting::Binary),
            "counts" => Ok(Weighting::Counts),
            "log" => Ok(Weighting::LogCounts),
            _ => Err(format!("unknown weighting {s:?} (binary, counts, log)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs() -> Vec<TermCounts> {
        vec![
            TermCounts::from_tokens(["b", "a", "b", "rare"]),
            TermCounts::from_tokens(Vec::<&str>::new()),
            TermCounts::from_tokens(["c", "a"]),
        ]
    }

    #[test]
    fn rows_hold_sorted_ids_and_weighted_values() {
        let docs = docs();
        let vocab = Vocabulary::fit(&docs, 1);
        let scheme = Scheme {
            weighting: Weighting::Counts,
            l2_normalize: false,
        };
        let data = Dataset::build(&docs, vec![true, false, true], &vocab, scheme);
        assert_eq!(data.x.indptr().raw_storage(), &[0, 3, 3, 5]);
        assert_eq!(data.x.indices(), &[0, 1, 3, 0, 2]);
        assert_eq!(data.x.data(), &[1.0, 2.0, 1.0, 1.0, 1.0]);
        assert_eq!(data.class_counts(), (2, 1));
    }

    #[test]
    fn l2_norm_runs_over_all_tokens_also_pruned_ones() {
        let docs = docs();
        let scheme = Scheme {
            weighting: Weighting::Counts,
            l2_normalize: true,
        };
        let y = vec![true, false, true];
        let full = Dataset::build(&docs, y.clone(), &Vocabulary::fit(&docs, 1), scheme);
        // Row 0 counts a=1, b=2, rare=1: norm sqrt(6).
        let norm = 6f64.sqrt();
        assert_eq!(full.x.data()[..3], [1.0 / norm, 2.0 / norm, 1.0 / norm]);
        let pruned = Dataset::build(&docs, y, &Vocabulary::fit(&docs, 2), scheme);
        assert_eq!(pruned.x.nnz(), 2);
        // Only "a" is kept, but its value is still divided by the whole row's norm.
        assert_eq!(pruned.x.get(0, 0), Some(&(1.0 / norm)));
        assert_eq!(pruned.x.get(2, 0), Some(&(1.0 / 2f64.sqrt())));
    }

    #[test]
    fn weighting_values() {
        assert_eq!(Weighting::Binary.value(7), 1.0);
        assert_eq!(Weighting::Counts.value(7), 7.0);
        assert!((Weighting::LogCounts.value(1) - 2f64.ln()).abs() < 1e-15);
        assert_eq!("log".parse::<Weighting>(), Ok(Weighting::LogCounts));
        assert!("tfidf".parse::<Weighting>().is_err());
    }

    proptest::proptest! {
        /// Whatever the messages and pruning, the matrix is valid CSR: offsets
        /// increase, ids increase strictly within a row and stay below the
        /// vocabulary size, and each row holds exactly its message's kept terms.
        #[test]
        fn build_gives_valid_csr(
            docs in proptest::collection::vec(proptest::collection::vec("[a-f]{1,3}", 0..12), 1..15),
            min_df in 1u32..4,
        ) {
            let docs: Vec<TermCounts> = docs.iter().map(TermCounts::from_tokens).collect();
            let vocab = Vocabulary::fit(&docs, min_df);
            let y = vec![false; docs.len()];
            let data = Dataset::build(&docs, y, &vocab, Scheme::default());
            let x = &data.x;
            proptest::prop_assert!(x.is_csr());
            proptest::prop_assert_eq!(x.rows(), docs.len());
            proptest::prop_assert_eq!(x.cols(), vocab.len());
            let indptr = x.indptr().to_proper().to_vec();
            proptest::prop_assert!(indptr.windows(2).all(|w| w[0] <= w[1]));
            proptest::prop_assert_eq!(indptr[docs.len()], x.nnz());
            for (row, doc) in x.outer_iterator().zip(&docs) {
                let ids = row.indices();
                proptest::prop_assert!(ids.windows(2).all(|w| w[0] < w[1]));
                proptest::prop_assert!(ids.iter().all(|&id| (id as usize) < vocab.len()));
                let kept: Vec<u32> = doc.terms().iter().filter_map(|(t, _)| vocab.id(t)).collect();
                proptest::prop_assert_eq!(ids, &kept[..]);
            }
        }
    }
}
