//! The column-major (CSC) design matrix the coordinate descent walks.
//!
//! Coordinate descent updates one feature at a time, so it needs the messages
//! in which a feature occurs: a column. [`Design::from_csr`] transposes the
//! CSR document-term matrix once (liblinear: linear.cpp, `transpose`; glmnet
//! takes column-compressed x). Row ids are `u32`; when every stored value is
//! 1 (binary features, the default weighting) no value array is kept at all,
//! and the inner loops only gather the residuals of the rows listed.

use crate::dataset::Matrix;
use crate::error::{Error, Result};

/// A sparse design matrix stored by columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    n_rows: usize,
    col_ptr: Vec<usize>,
    row_idx: Vec<u32>,
    /// `None` when every stored value is 1.
    values: Option<Vec<f64>>,
}

/// One column: its row ids and, unless binary, their values.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column<'a> {
    pub rows: &'a [u32],
    pub values: Option<&'a [f64]>,
    /// The design's row count: every id in `rows` is below it.
    n: usize,
}

impl Column<'_> {
    /// `sum_i x_ij * r_i`.
    #[inline]
    pub fn dot(&self, r: &[f64]) -> f64 {
        assert!(r.len() >= self.n, "vector shorter than the design's rows");
        match self.values {
            None => {
                // Four accumulators let the gathers overlap.
                let mut acc = [0.0; 4];
                let chunks = self.rows.chunks_exact(4);
                let rest = chunks.remainder();
                for c in chunks {
                    acc[0] += at(r, c[0]);
                    acc[1] += at(r, c[1]);
                    acc[2] += at(r, c[2]);
                    acc[3] += at(r, c[3]);
                }
                let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
                for &i in rest {
                    s += at(r, i);
                }
                s
            }
            Some(v) => self.rows.iter().zip(v).map(|(&i, &x)| x * at(r, i)).sum(),
        }
    }

    /// `sum_i x_ij^2 * v_i`.
    #[inline]
    pub fn sq_dot(&self, v: &[f64]) -> f64 {
        assert!(v.len() >= self.n, "vector shorter than the design's rows");
        match self.values {
            None => self.dot(v),
            Some(x) => self
                .rows
                .iter()
                .zip(x)
                .map(|(&i, &x)| x * x * at(v, i))
                .sum(),
        }
    }

    /// `r_i += scale * x_ij * v_i` for the rows of the column (`v = None` means all ones).
    #[inline]
    pub fn axpy(&self, scale: f64, v: Option<&[f64]>, r: &mut [f64]) {
        assert!(r.len() >= self.n, "vector shorter than the design's rows");
        if let Some(v) = v {
            assert!(v.len() >= self.n, "vector shorter than the design's rows");
        }
        match (self.values, v) {
            (None, None) => self.rows.iter().for_each(|&i| *at_mut(r, i) += scale),
            (None, Some(v)) => self
                .rows
                .iter()
                .for_each(|&i| *at_mut(r, i) += scale * at(v, i)),
            (Some(x), None) => self
                .rows
                .iter()
                .zip(x)
                .for_each(|(&i, &x)| *at_mut(r, i) += scale * x),
            (Some(x), Some(v)) => self
                .rows
                .iter()
                .zip(x)
                .for_each(|(&i, &x)| *at_mut(r, i) += scale * x * at(v, i)),
        }
    }
}

/// Complement storage for frequent words (a word in most messages): for a
/// binary column x_j found in more than half of the N rows, the rows where
/// it is absent, so that `x_j . r = sum(r) - sum over the complement` and a
/// coordinate update touches fewer than N/2 rows. Built once per problem; a
/// handful of header words in mail.
#[derive(Clone, Debug, Default)]
pub(crate) struct Complements {
    /// Columns stored, ascending.
    cols: Vec<u32>,
    ptr: Vec<usize>,
    rows: Vec<u32>,
    n: usize,
}

impl Complements {
    /// The slot of column `j`, if its complement is stored.
    pub fn find(&self, j: u32) -> Option<u32> {
        self.cols.binary_search(&j).ok().map(|k| k as u32)
    }
    /// The columns stored, ascending; the slot of `cols()[k]` is `k`.
    pub fn cols(&self) -> &[u32] {
        &self.cols
    }
    /// Number of columns stored.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.cols.len()
    }
    /// The complement in `slot` as a binary column (rows where x_j = 0).
    #[inline]
    pub fn col(&self, slot: u32) -> Column<'_> {
        let k = slot as usize;
        Column {
            rows: &self.rows[self.ptr[k]..self.ptr[k + 1]],
            values: None,
            n: self.n,
        }
    }
}

/// `r[i]` without a bounds check. Every row id of a [`Design`] is below its
/// `rows()` (built so in `from_csr` and `select_rows`; the fields are
/// private), and each [`Column`] method asserts once that its vectors have
/// at least `rows()` entries.
#[inline(always)]
fn at(r: &[f64], i: u32) -> f64 {
    debug_assert!((i as usize) < r.len());
    // SAFETY: see above: i < rows() <= r.len().
    unsafe { *r.get_unchecked(i as usize) }
}

#[inline(always)]
fn at_mut(r: &mut [f64], i: u32) -> &mut f64 {
    debug_assert!((i as usize) < r.len());
    // SAFETY: as for `at`.
    unsafe { r.get_unchecked_mut(i as usize) }
}

/// Row ids are `u32`.
fn check_rows(n_rows: usize) -> Result<()> {
    if n_rows > u32::MAX as usize {
        return Err(Error::InvalidParam {
            name: "rows",
            value: n_rows.to_string(),
            reason: format!("at most {} messages", u32::MAX),
        });
    }
    Ok(())
}

impl Design {
    /// Transposes a CSR (or copies a CSC) matrix into columns. Explicit zeros
    /// are dropped; a non-finite value is an error.
    pub fn from_csr(x: &Matrix) -> Result<Design> {
        let (n_rows, n_cols) = (x.rows(), x.cols());
        check_rows(n_rows)?;
        if let Some(v) = x.data().iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidParam {
                name: "matrix value",
                value: v.to_string(),
                reason: "must be finite".into(),
            });
        }
        let binary = x.data().iter().all(|&v| v == 1.0 || v == 0.0);
        let mut counts = vec![0usize; n_cols + 1];
        for (&v, (_, j)) in x.iter() {
            if v != 0.0 {
                counts[j as usize + 1] += 1;
            }
        }
        for j in 0..n_cols {
            counts[j + 1] += counts[j];
        }
        let col_ptr = counts;
        let nnz = col_ptr[n_cols];
        let mut next = col_ptr.clone();
        let mut row_idx = vec![0u32; nnz];
        let mut values = if binary { Vec::new() } else { vec![0.0; nnz] };
        // Iterating in storage order: for CSR, rows ascend, so each column's rows
        // come out sorted; for CSC the columns are copied as they are.
        for (&v, (i, j)) in x.iter() {
            if v == 0.0 {
                continue;
            }
            let k = next[j as usize];
            next[j as usize] += 1;
            row_idx[k] = i;
            if !binary {
                values[k] = v;
            }
        }
        Ok(Design {
            n_rows,
            col_ptr,
            row_idx,
            values: (!binary).then_some(values),
        })
    }

    /// A design from its columns, in order: each column's row ids, strictly
    /// ascending and below `n_rows`, and their values, or `None` where every
    /// value of the column is 1. A design whose columns all come without values
    /// keeps none. Zero values are dropped; a non-finite one is an error.
    ///
    /// For callers that keep a growing matrix by columns (the online replay adds
    /// a message's row ids to its terms' columns), so that no transposition or
    /// sort is needed per solve.
    pub fn from_columns<'a>(
        n_rows: usize,
        columns: impl IntoIterator<Item = (&'a [u32], Option<&'a [f64]>)>,
    ) -> Result<Design> {
        check_rows(n_rows)?;
        let mut col_ptr = vec![0];
        let mut row_idx = Vec::new();
        let mut values: Option<Vec<f64>> = None;
        for (rows, vals) in columns {
            let ascending = rows.windows(2).all(|w| w[0] < w[1]);
            let fits = vals.is_none_or(|v| v.len() == rows.len());
            if !ascending || !fits || rows.last().is_some_and(|&i| i as usize >= n_rows) {
                return Err(Error::InvalidParam {
                    name: "column",
                    value: (col_ptr.len() - 1).to_string(),
                    reason: format!(
                        "row ids must ascend and be below {n_rows}, one value for each"
                    ),
                });
            }
            if let Some(v) = vals.into_iter().flatten().find(|v| !v.is_finite()) {
                return Err(Error::InvalidParam {
                    name: "matrix value",
                    value: v.to_string(),
                    reason: "must be finite".into(),
                });
            }
            if values.is_none() && vals.is_some_and(|v| v.iter().any(|&v| v != 1.0)) {
                values = Some(vec![1.0; row_idx.len()]);
            }
            for (k, &i) in rows.iter().enumerate() {
                let v = vals.map_or(1.0, |v| v[k]);
                if v == 0.0 {
                    continue;
                }
                row_idx.push(i);
                if let Some(all) = values.as_mut() {
                    all.push(v);
                }
            }
            col_ptr.push(row_idx.len());
        }
        Ok(Design {
            n_rows,
            col_ptr,
            row_idx,
            values,
        })
    }

    /// The binary design (every value 1) of `n_rows` rows whose column ids `row(i)`
    /// gives, each id once, in any order: the columns of the CSR matrix those rows
    /// make, as [`Design::from_csr`] gives them, without building that matrix (a
    /// corpus's rows cost twice a column copy's bytes, with their values).
    pub fn from_binary_rows<I: Iterator<Item = u32>>(
        n_rows: usize,
        n_cols: usize,
        row: impl Fn(usize) -> I,
    ) -> Result<Design> {
        check_rows(n_rows)?;
        let mut col_ptr = vec![0usize; n_cols + 1];
        for i in 0..n_rows {
            for j in row(i) {
                col_ptr[j as usize + 1] += 1;
            }
        }
        for j in 0..n_cols {
            col_ptr[j + 1] += col_ptr[j];
        }
        let mut next = col_ptr.clone();
        let mut row_idx = vec![0u32; col_ptr[n_cols]];
        // Rows in order: each column's rows come out sorted.
        for i in 0..n_rows {
            for j in row(i) {
                row_idx[next[j as usize]] = i as u32;
                next[j as usize] += 1;
            }
        }
        Ok(Design {
            n_rows,
            col_ptr,
            row_idx,
            values: None,
        })
    }

    /// A dense matrix given row by row (for tests and small problems).
    pub fn from_dense(rows: &[Vec<f64>]) -> Result<Design> {
        let p = rows.first().map_or(0, Vec::len);
        let mut tri = sprs::TriMatI::<f64, u32>::new((rows.len(), p));
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), p, "ragged dense matrix");
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    tri.add_triplet(i, j, v);
                }
            }
        }
        Design::from_csr(&tri.to_csr())
    }

    /// The rows listed, in that order, as a new design (for cross-validation folds).
    pub fn select_rows(&self, rows: &[usize]) -> Design {
        let mut new_id = vec![u32::MAX; self.n_rows];
        for (k, &i) in rows.iter().enumerate() {
            assert!(new_id[i] == u32::MAX, "row {i} selected twice");
            new_id[i] = k as u32;
        }
        let sorted = rows.windows(2).all(|w| w[0] < w[1]);
        let mut col_ptr = Vec::with_capacity(self.col_ptr.len());
        col_ptr.push(0);
        let mut row_idx = Vec::new();
        let mut values = self.values.as_ref().map(|_| Vec::new());
        let mut buf: Vec<(u32, f64)> = Vec::new();
        for j in 0..self.cols() {
            let c = self.col(j);
            buf.clear();
            for (k, &i) in c.rows.iter().enumerate() {
                let ni = new_id[i as usize];
                if ni != u32::MAX {
                    buf.push((ni, c.values.map_or(1.0, |v| v[k])));
                }
            }
            if !sorted {
                buf.sort_unstable_by_key(|&(i, _)| i);
            }
            row_idx.extend(buf.iter().map(|&(i, _)| i));
            if let Some(vals) = values.as_mut() {
                vals.extend(buf.iter().map(|&(_, v)| v));
            }
            col_ptr.push(row_idx.len());
        }
        Design {
            n_rows: rows.len(),
            col_ptr,
            row_idx,
            values,
        }
    }

    /// Number of rows (messages).
    pub fn rows(&self) -> usize {
        self.n_rows
    }
    /// Number of columns (features).
    pub fn cols(&self) -> usize {
        self.col_ptr.len() - 1
    }
    /// Number of stored (non-zero) entries.
    pub fn nnz(&self) -> usize {
        self.row_idx.len()
    }
    /// Whether every stored value is 1, so no value array is kept.
    pub fn is_binary(&self) -> bool {
        self.values.is_none()
    }
    /// Bytes of heap the design holds.
    pub fn heap_bytes(&self) -> usize {
        self.col_ptr.capacity() * size_of::<usize>()
            + self.row_idx.capacity() * size_of::<u32>()
            + self
                .values
                .as_ref()
                .map_or(0, |v| v.capacity() * size_of::<f64>())
    }

    /// Number of stored entries of column `j`.
    #[inline]
    pub(crate) fn col_len(&self, j: usize) -> usize {
        self.col_ptr[j + 1] - self.col_ptr[j]
    }

    /// The arrays themselves: column starts (p + 1), row ids, values (`None`:
    /// binary), for loops over every column that a call per column would slow.
    pub(crate) fn parts(&self) -> (&[usize], &[u32], Option<&[f64]>) {
        (&self.col_ptr, &self.row_idx, self.values.as_deref())
    }

    /// Column `j`.
    #[inline]
    pub(crate) fn col(&self, j: usize) -> Column<'_> {
        let (a, b) = (self.col_ptr[j], self.col_ptr[j + 1]);
        Column {
            rows: &self.row_idx[a..b],
            values: self.values.as_ref().map(|v| &v[a..b]),
            n: self.n_rows,
        }
    }

    /// The complements of the binary columns found in more than half of the
    /// rows (see [`Complements`]); empty for a design with values.
    pub(crate) fn complements(&self) -> Complements {
        let n = self.n_rows;
        let mut out = Complements {
            cols: Vec::new(),
            ptr: vec![0],
            rows: Vec::new(),
            n,
        };
        if self.values.is_some() {
            return out;
        }
        for j in 0..self.cols() {
            let c = self.col(j);
            if 2 * c.rows.len() <= n {
                continue;
            }
            let mut next = 0u32;
            for &i in c.rows.iter().chain(std::iter::once(&(n as u32))) {
                out.rows.extend(next..i);
                next = i + 1;
            }
            out.cols.push(j as u32);
            out.ptr.push(out.rows.len());
        }
        out
    }

    /// `X^T r` into `out` (length `cols()`).
    pub(crate) fn xt_dot(&self, r: &[f64], out: &mut [f64]) {
        for (j, o) in out.iter_mut().enumerate() {
            *o = self.col(j).dot(r);
        }
    }

    /// Margins `b0 + X w` for sparse weights `(feature, weight)`.
    pub fn margins(&self, intercept: f64, weights: &[(u32, f64)]) -> Vec<f64> {
        let mut eta = vec![intercept; self.n_rows];
        for &(j, w) in weights {
            self.col(j as usize).axpy(w, None, &mut eta);
        }
        eta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complements_hold_the_missing_rows_of_frequent_binary_columns() {
        // Column 0 in 4 of 5 rows, column 1 in 2 (not stored), column 2 in all.
        let rows = vec![
            vec![1.0, 0.0, 1.0],
            vec![1.0, 1.0, 1.0],
            vec![0.0, 0.0, 1.0],
            vec![1.0, 1.0, 1.0],
            vec![1.0, 0.0, 1.0],
        ];
        let x = Design::from_dense(&rows).unwrap();
        let c = x.complements();
        assert_eq!(c.len(), 2);
        assert_eq!(c.find(1), None);
        assert_eq!(c.col(c.find(0).unwrap()).rows, &[2]);
        assert!(c.col(c.find(2).unwrap()).rows.is_empty());
        let r = [0.5, -1.0, 2.0, 0.25, 3.0];
        let total: f64 = r.iter().sum();
        for j in [0, 2] {
            let slot = c.find(j).unwrap();
            assert_eq!(total - c.col(slot).dot(&r), x.col(j as usize).dot(&r));
        }
        // Valued designs keep no complements.
        let valued = Design::from_dense(&[vec![2.0], vec![2.0], vec![0.0]]).unwrap();
        assert_eq!(valued.complements().len(), 0);
    }

    fn csr(rows: &[Vec<f64>]) -> Matrix {
        let mut tri = sprs::TriMatI::<f64, u32>::new((rows.len(), rows[0].len()));
        for (i, row) in rows.iter().enumerate() {
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    tri.add_triplet(i, j, v);
                }
            }
        }
        tri.to_csr()
    }

    #[test]
    fn transposes_and_detects_binary() {
        let x = csr(&[vec![1.0, 0.0, 1.0], vec![0.0, 1.0, 1.0]]);
        let d = Design::from_csr(&x).unwrap();
        assert!(d.is_binary());
        assert_eq!((d.rows(), d.cols(), d.nnz()), (2, 3, 4));
        assert_eq!(d.col(2).rows, &[0, 1]);
        assert_eq!(d.col(1).rows, &[1]);
        let mut out = vec![0.0; 3];
        d.xt_dot(&[10.0, 1.0], &mut out);
        assert_eq!(out, vec![10.0, 1.0, 11.0]);
        assert_eq!(d.margins(0.5, &[(2, 2.0)]), vec![2.5, 2.5]);
    }

    #[test]
    fn keeps_values_when_not_binary() {
        let x = csr(&[vec![2.0, 0.0], vec![1.0, 3.0]]);
        let d = Design::from_csr(&x).unwrap();
        assert!(!d.is_binary());
        let mut out = vec![0.0; 2];
        d.xt_dot(&[1.0, 1.0], &mut out);
        assert_eq!(out, vec![3.0, 3.0]);
        assert_eq!(d.col(0).sq_dot(&[1.0, 1.0]), 5.0);
        assert_eq!(Design::from_csr(&x.to_csc()).unwrap(), d);
    }

    #[test]
    fn selects_rows() {
        let x = csr(&[vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]]);
        let d = Design::from_csr(&x).unwrap();
        let s = d.select_rows(&[0, 2]);
        assert_eq!(
            s,
            Design::from_csr(&csr(&[vec![1.0, 0.0], vec![1.0, 1.0]])).unwrap()
        );
        let s = d.select_rows(&[2, 0]);
        assert_eq!(
            s,
            Design::from_csr(&csr(&[vec![1.0, 1.0], vec![1.0, 0.0]])).unwrap()
        );
    }

    #[test]
    fn columns_given_in_order_equal_the_transposed_rows() {
        let x = csr(&[
            vec![1.0, 0.0, 2.0],
            vec![0.0, 1.0, 0.5],
            vec![1.0, 1.0, 0.0],
        ]);
        let given = [
            (&[0u32, 2][..], None),
            (&[1, 2][..], Some(&[1.0, 1.0][..])),
            (&[0, 1][..], Some(&[2.0, 0.5][..])),
        ];
        assert_eq!(
            Design::from_columns(3, given).unwrap(),
            Design::from_csr(&x).unwrap()
        );
        let binary = [(&[0u32, 2][..], None), (&[1][..], Some(&[1.0][..]))];
        let d = Design::from_columns(3, binary).unwrap();
        assert!(d.is_binary());
        assert_eq!((d.rows(), d.cols(), d.nnz()), (3, 2, 3));
        for bad in [&[1u32, 0][..], &[1, 1][..], &[3][..]] {
            assert!(Design::from_columns(3, [(bad, None)]).is_err(), "{bad:?}");
        }
        assert!(Design::from_columns(3, [(&[0u32][..], Some(&[f64::INFINITY][..]))]).is_err());
        assert!(Design::from_columns(3, [(&[0u32][..], Some(&[1.0, 2.0][..]))]).is_err());
    }

    #[test]
    fn rejects_non_finite() {
        let x = csr(&[vec![f64::NAN, 1.0]]);
        assert!(matches!(
            Design::from_csr(&x),
            Err(Error::InvalidParam { .. })
        ));
    }
}
