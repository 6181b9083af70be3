//! Anderson extrapolation of the coordinate descent (Bertrand & Massias
//! 2021, "Anderson acceleration of coordinate descent", AISTATS,
//! Algorithm 2).
//!
//! Keeps the iterates of the last sweeps over the non-zero coordinates and,
//! every [`ANDERSON_K`] sweeps, tries the extrapolated point
//! `sum_k c_k w_k`, c minimizing `|sum_k c_k (w_{k+1} - w_k)|` with
//! `sum c = 1` (a `K x K` linear system, solved by Gaussian elimination). The
//! point is taken only if it lowers the quadratic model, whose value with
//! the intercept optimal is `-1/2 sum_i (r_i^2 - t_i^2) / v_i` (plus the
//! penalty) for the model residual t (see [`super::quadratic_model`]).

use super::loss::Fitted;
use super::problem::{NO_COMPLEMENT, Problem};
use super::quadratic_model::{QuadraticModel, StepModel};

/// Sweeps between Anderson extrapolations.
pub(crate) const ANDERSON_K: usize = 5;

/// The iterates since the last extrapolation, and the extrapolated point.
#[derive(Default)]
pub(crate) struct Anderson {
    /// The last iterates of `w_new`, flattened.
    history: Vec<f64>,
    /// The extrapolated point.
    extrapolated: Vec<f64>,
}

impl Anderson {
    /// Forgets the iterates (the sweeps that follow start a new history).
    pub fn clear(&mut self) {
        self.history.clear();
    }

    /// Records the coordinate descent's point `q.w_new` (on the working set
    /// `working_set`, model offset `o`); after [`ANDERSON_K`] sweeps since
    /// the last try, moves it to the extrapolated point if that lowers the
    /// model (its model residual computed in `fitted.trial`, then swapped
    /// in). Returns the new offset.
    #[allow(clippy::needless_range_loop)] // small dense linear algebra reads best indexed
    pub fn extrapolate(
        &mut self,
        prob: &Problem,
        working_set: &[u32],
        q: &mut QuadraticModel,
        fitted: &mut Fitted,
        model: &StepModel,
        o: f64,
    ) -> f64 {
        let StepModel { pen, hb, .. } = *model;
        let m = q.w_new.len();
        self.history.extend_from_slice(&q.w_new);
        let kk = ANDERSON_K;
        if self.history.len() < (kk + 1) * m {
            return o;
        }
        let Some(c) = self.coefficients(m) else {
            self.history.clear();
            return o;
        };
        let total: f64 = c.iter().sum();
        if total.abs() < 1e-300 || !total.is_finite() {
            self.history.clear();
            return o;
        }
        let history = &self.history;
        self.extrapolated.clear();
        self.extrapolated.extend((0..m).map(|i| {
            (0..kk)
                .map(|k| c[k] / total * history[(k + 1) * m + i])
                .sum::<f64>()
        }));
        self.history.clear();
        // Its model residual, intercept re-optimized.
        // A complemented column's dense part -d v joins the offset.
        let w_acc = &self.extrapolated;
        let trial = &mut fitted.trial;
        let n = q.model_residual.len();
        let dense: f64 = (0..m)
            .filter(|&k| q.complement[k] != NO_COMPLEMENT)
            .map(|k| w_acc[k] - q.w_new[k])
            .sum();
        for i in 0..n {
            trial[i] = q.model_residual[i] + q.irls[i] * (o - dense);
        }
        for k in 0..m {
            let d = w_acc[k] - q.w_new[k];
            if d != 0.0 {
                match q.complement[k] {
                    NO_COMPLEMENT => {
                        prob.x
                            .col(working_set[k] as usize)
                            .axpy(-d, Some(&q.irls), trial)
                    }
                    slot => prob.complements.col(slot).axpy(d, Some(&q.irls), trial),
                }
            }
        }
        let shift = trial.iter().sum::<f64>() / hb;
        let (mut q_acc, mut q_cur) = (0.0, 0.0);
        let residual = &fitted.residual;
        for i in 0..n {
            let t = trial[i] - q.irls[i] * shift;
            trial[i] = t;
            let cur = q.model_residual[i] + q.irls[i] * o;
            let r2 = residual[i] * residual[i];
            q_acc += (r2 - t * t) / q.irls[i];
            q_cur += (r2 - cur * cur) / q.irls[i];
        }
        let penalty = |w: &[f64]| -> f64 { w.iter().map(|&w| pen.of(w)).sum() };
        let q_acc = -0.5 * q_acc + penalty(w_acc);
        let q_cur = -0.5 * q_cur + penalty(&q.w_new);
        if q_acc < q_cur {
            std::mem::swap(&mut q.w_new, &mut self.extrapolated);
            std::mem::swap(&mut q.model_residual, trial);
            return 0.0;
        }
        o
    }

    /// The extrapolation's coefficients (not yet normalized): `U^T U c = 1`
    /// for `U_k = w_{k+1} - w_k` over the history of `m`-vectors, regularized
    /// by 1e-10 of the trace; `None` if that is zero or singular.
    #[allow(clippy::needless_range_loop)] // small dense linear algebra reads best indexed
    fn coefficients(&self, m: usize) -> Option<[f64; ANDERSON_K]> {
        let kk = ANDERSON_K;
        let mut gram = [[0.0f64; ANDERSON_K]; ANDERSON_K];
        let diff = |k: usize, i: usize| self.history[(k + 1) * m + i] - self.history[k * m + i];
        for a in 0..kk {
            for b in a..kk {
                let v: f64 = (0..m).map(|i| diff(a, i) * diff(b, i)).sum();
                gram[a][b] = v;
                gram[b][a] = v;
            }
        }
        let trace: f64 = (0..kk).map(|a| gram[a][a]).sum();
        let mut c = [1.0f64; ANDERSON_K];
        (trace > 0.0 && solve_small(&mut gram, &mut c, 1e-10 * trace)).then_some(c)
    }
}

/// Solves the small system `(A + reg I) c = c` in place (c holds the right-hand
/// side) by Gaussian elimination with partial pivoting; false if singular.
#[allow(clippy::needless_range_loop)]
fn solve_small(
    a: &mut [[f64; ANDERSON_K]; ANDERSON_K],
    c: &mut [f64; ANDERSON_K],
    reg: f64,
) -> bool {
    let n = ANDERSON_K;
    for i in 0..n {
        a[i][i] += reg;
    }
    for col in 0..n {
        let piv = (col..n)
            .max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))
            .unwrap_or(col);
        if a[piv][col].abs() < 1e-300 {
            return false;
        }
        a.swap(col, piv);
        c.swap(col, piv);
        for row in col + 1..n {
            let f = a[row][col] / a[col][col];
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            c[row] -= f * c[col];
        }
    }
    for col in (0..n).rev() {
        let mut v = c[col];
        for k in col + 1..n {
            v -= a[col][k] * c[k];
        }
        c[col] = v / a[col][col];
    }
    c.iter().all(|v| v.is_finite())
}
