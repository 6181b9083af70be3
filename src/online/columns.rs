//! The learned messages kept by column as they arrive, so that each refit's
//! design is the concatenation of the columns: row ids ascend in the order
//! messages are learned, with no transposition or sort per refit.

use crate::error::Result;
use crate::solver::Design;

/// A term that is not (yet) a column.
const NONE: u32 = u32::MAX;

/// The growing matrix of the learned messages, by column.
pub(super) struct LearnedColumns {
    /// A term becomes a column once it occurs in this many learned messages.
    min_df: u32,
    /// Whether values other than 1 are kept.
    valued: bool,
    /// Per term: its column, or [`NONE`].
    column: Vec<u32>,
    /// Per term that is not a column: the rows it occurs in, and their values.
    pending: Vec<(Vec<u32>, Vec<f64>)>,
    /// Per column: its term, rows and values.
    term: Vec<u32>,
    rows: Vec<Vec<u32>>,
    values: Vec<Vec<f64>>,
}

impl LearnedColumns {
    /// No messages over `terms` terms; `valued` keeps the values given to
    /// [`LearnedColumns::add`], else every value is taken as 1.
    pub fn new(terms: usize, min_df: u32, valued: bool) -> LearnedColumns {
        LearnedColumns {
            min_df: min_df.max(1),
            valued,
            column: vec![NONE; terms],
            pending: vec![(Vec::new(), Vec::new()); terms],
            term: Vec::new(),
            rows: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Adds `row`, above every row added before, with its distinct terms and their values.
    pub fn add(&mut self, row: u32, terms: impl Iterator<Item = u32>, values: &[f64]) {
        for (id, &v) in terms.map(|id| id as usize).zip(values) {
            let v = if self.valued { v } else { 1.0 };
            let c = self.column[id];
            if c != NONE {
                self.rows[c as usize].push(row);
                if self.valued {
                    self.values[c as usize].push(v);
                }
                continue;
            }
            let (rows, values) = &mut self.pending[id];
            rows.push(row);
            if self.valued {
                values.push(v);
            }
            if rows.len() >= self.min_df as usize {
                self.column[id] = self.term.len() as u32;
                self.term.push(id as u32);
                let (rows, values) = std::mem::take(&mut self.pending[id]);
                self.rows.push(rows);
                self.values.push(values);
            }
        }
    }

    /// The column of term `id`, if it is one.
    pub fn column(&self, id: u32) -> Option<u32> {
        Some(self.column[id as usize]).filter(|&c| c != NONE)
    }

    /// The term of column `c`.
    pub fn term(&self, c: u32) -> u32 {
        self.term[c as usize]
    }

    /// The design of the first `n_rows` rows (every row added so far).
    pub fn design(&self, n_rows: usize) -> Result<Design> {
        let valued = self.valued;
        Design::from_columns(
            n_rows,
            (self.rows.iter().zip(&self.values)).map(|(r, v)| (&r[..], valued.then_some(&v[..]))),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_become_columns_at_min_df_with_their_earlier_rows() {
        let mut columns = LearnedColumns::new(4, 2, true);
        columns.add(0, [0, 1].into_iter(), &[0.5, 1.0]);
        assert_eq!(columns.column(0), None);
        columns.add(1, [1, 3].into_iter(), &[2.0, 1.0]);
        columns.add(2, [0, 1, 2].into_iter(), &[0.25, 1.0, 1.0]);
        assert_eq!(columns.column(1), Some(0));
        assert_eq!(columns.column(0), Some(1));
        assert_eq!((columns.column(2), columns.column(3)), (None, None));
        assert_eq!((columns.term(0), columns.term(1)), (1, 0));
        let d = columns.design(3).unwrap();
        assert_eq!((d.rows(), d.cols(), d.nnz()), (3, 2, 5));
        let mut out = vec![0.0; 2];
        d.xt_dot(&[1.0, 10.0, 100.0], &mut out);
        assert_eq!(out, vec![1.0 + 20.0 + 100.0, 0.5 + 25.0]);
        let mut binary = LearnedColumns::new(2, 1, false);
        binary.add(0, [1].into_iter(), &[3.0]);
        assert!(binary.design(1).unwrap().is_binary());
    }
}
