//! The products of the whole design that the ridge solver needs at every
//! step, `b0 + X v` and `X^T u`, over all features at once. A binary column
//! found in most rows goes through its complement (`x_j = 1 - c_j`,
//! [`super::super::design::Complements`]), so each product costs about the
//! non-zeros of the sparser of `x_j` and `1 - x_j`. The design is stored by
//! columns and N is small next to p, so both products walk the p-long
//! vectors in order and touch the N-long one at random, inside the cache
//! (LIBLINEAR stores rows and does the opposite).

use super::super::problem::{NO_COMPLEMENT, Problem};

/// Columns at least this long are summed with several accumulators
/// ([`super::super::design::Column::dot`]), so that the additions overlap.
const LONG: usize = 8;

/// Each feature's complement slot, or [`NO_COMPLEMENT`].
pub(crate) struct Products {
    slot: Vec<u32>,
}

impl Products {
    pub fn new(prob: &Problem) -> Products {
        let mut slot = vec![NO_COMPLEMENT; prob.x.cols()];
        for (k, &j) in prob.complements.cols().iter().enumerate() {
            slot[j as usize] = k as u32;
        }
        Products { slot }
    }

    /// `out = b0 + X v` (`out` of length N, `v` of length p).
    #[cfg(test)]
    pub fn margins(&self, prob: &Problem, b0: f64, v: &[f64], out: &mut [f64]) {
        self.margins_by(prob, b0, |j| v[j], out);
    }

    /// `out = b0 + X v` with `v_j = value(j)`, asked once per feature in
    /// order (so that the caller can form v in the same pass).
    #[inline]
    pub fn margins_by(
        &self,
        prob: &Problem,
        b0: f64,
        mut value: impl FnMut(usize) -> f64,
        out: &mut [f64],
    ) {
        out.fill(0.0);
        // Most columns hold one or two rows: the loop runs on the arrays.
        let (ptr, rows, values) = prob.x.parts();
        // The complemented columns add `v_j` to every row and take it off
        // the rows of their complement.
        let mut shift = b0;
        for (j, &slot) in self.slot.iter().enumerate() {
            let vj = value(j);
            if vj == 0.0 {
                continue;
            }
            let (a, b) = (ptr[j], ptr[j + 1]);
            if slot != NO_COMPLEMENT {
                shift += vj;
                prob.complements.col(slot).axpy(-vj, None, out);
            } else if let Some(x) = values {
                for (&i, &xij) in rows[a..b].iter().zip(&x[a..b]) {
                    out[i as usize] += vj * xij;
                }
            } else {
                for &i in &rows[a..b] {
                    out[i as usize] += vj;
                }
            }
        }
        out.iter_mut().for_each(|o| *o += shift);
    }

    /// `out = X^T u` (`out` of length p).
    pub fn transposed(&self, prob: &Problem, u: &[f64], out: &mut [f64]) {
        self.transposed_by(prob, u, |j, zj| out[j] = zj);
    }

    /// Hands `(j, x_j . u)` to `take`, features in order.
    #[inline]
    pub fn transposed_by(&self, prob: &Problem, u: &[f64], mut take: impl FnMut(usize, f64)) {
        let u_sum: f64 = u.iter().sum();
        let (ptr, rows, values) = prob.x.parts();
        for (j, &slot) in self.slot.iter().enumerate() {
            let (a, b) = (ptr[j], ptr[j + 1]);
            let dot = if slot != NO_COMPLEMENT {
                u_sum - prob.complements.col(slot).dot(u)
            } else if let Some(x) = values {
                rows[a..b]
                    .iter()
                    .zip(&x[a..b])
                    .map(|(&i, &xij)| xij * u[i as usize])
                    .sum()
            } else if b - a >= LONG {
                prob.x.col(j).dot(u)
            } else {
                rows[a..b].iter().map(|&i| u[i as usize]).sum()
            };
            take(j, dot);
        }
    }

    /// `out_j = sum_i x_ij^2 u_i`: the diagonal of `X^T diag(u) X`.
    pub fn squared_transposed(&self, prob: &Problem, u: &[f64], out: &mut [f64]) {
        if prob.x.is_binary() {
            return self.transposed(prob, u, out);
        }
        // Designs with values have no complements.
        for (j, o) in out.iter_mut().enumerate() {
            *o = prob.x.col(j).sq_dot(u);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::Design;

    /// Both products agree with dense arithmetic, on a design with a column
    /// in most rows (stored through its complement) and one with values.
    #[test]
    fn products_match_dense_arithmetic() {
        let binary = vec![
            vec![1.0, 0.0, 1.0],
            vec![1.0, 1.0, 0.0],
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 1.0],
            vec![1.0, 0.0, 1.0],
        ];
        let valued: Vec<Vec<f64>> = binary
            .iter()
            .map(|r| r.iter().map(|v| v * 1.5).collect())
            .collect();
        let y = [true, false, true, false, false];
        for rows in [binary, valued] {
            let x = Design::from_dense(&rows).unwrap();
            let prob = Problem::new(&x, &y, None).unwrap();
            let ops = Products::new(&prob);
            let v = [0.5, -2.0, 3.0];
            let mut eta = vec![0.0; 5];
            ops.margins(&prob, 0.25, &v, &mut eta);
            for (i, row) in rows.iter().enumerate() {
                let want: f64 = 0.25 + row.iter().zip(&v).map(|(a, b)| a * b).sum::<f64>();
                assert!(
                    (eta[i] - want).abs() < 1e-14,
                    "row {i}: {} vs {want}",
                    eta[i]
                );
            }
            let u = [1.0, -0.5, 2.0, 0.25, -1.0];
            let (mut z, mut q) = (vec![0.0; 3], vec![0.0; 3]);
            ops.transposed(&prob, &u, &mut z);
            ops.squared_transposed(&prob, &u, &mut q);
            for j in 0..3 {
                let zj: f64 = (0..5).map(|i| rows[i][j] * u[i]).sum();
                let qj: f64 = (0..5).map(|i| rows[i][j] * rows[i][j] * u[i]).sum();
                assert!((z[j] - zj).abs() < 1e-14, "feature {j}: {} vs {zj}", z[j]);
                assert!((q[j] - qj).abs() < 1e-14, "feature {j}: {} vs {qj}", q[j]);
            }
        }
    }
}
