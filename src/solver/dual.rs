//! The dual of F and its value at a feasible point: the lower bound of the
//! duality-gap certificate.
//!
//! With the intercept optimal, `sum_i r_i = 0`, and the dual of F is
//!
//! ```text
//! D(theta) = sum_i c_i H(y_i theta_i / c_i) - h*(X^T theta),  sum_i theta_i = 0,
//! H(q) = -q ln q - (1 - q) ln(1 - q),   0 <= y_i theta_i / c_i <= 1,
//! h*(u) = sum_j (|u_j| - lambda alpha)_+^2 / (2 lambda (1 - alpha))   (alpha < 1),
//! h*(u) = 0 if max_j |u_j| <= lambda, else infinity                  (alpha = 1)
//! ```
//!
//! evaluated at theta = t r with t = min(1, lambda alpha / max_j |z_j|)
//! (feasible; for alpha < 1 also at t = 1, keeping the better). Weak duality
//! gives D <= F* <= F (Ndiaye, Fercoq, Gramfort & Salmon 2017, "Gap safe
//! screening rules for sparsity enforcing penalties", JMLR 18, section 2).
//! [`super::certify`] corrects r before it is scaled.

use super::loss::Fitted;
use super::problem::{Penalty, Problem};

/// Binary entropy H(q) given q and 1 - q.
#[inline]
fn entropy(q: f64, omq: f64) -> f64 {
    let a = if q > 0.0 { q * q.ln() } else { 0.0 };
    let b = if omq > 0.0 { omq * omq.ln() } else { 0.0 };
    -(a + b)
}

/// sum_i c_i H(t q_i) with q_i = y_i theta_i / c_i for theta = r + delta:
/// q_i = a_i + y_i delta_i / c_i (`delta` None: theta = r, q = a).
fn dual_loss(prob: &Problem, fitted: &Fitted, delta: Option<&[f64]>, t: f64) -> f64 {
    (0..fitted.p_wrong.len())
        .map(|i| {
            let c = prob.row_weight[i];
            let e = match delta {
                Some(_) if c <= 0.0 => return 0.0,
                Some(d) => prob.y[i] * d[i] / c,
                None => 0.0,
            };
            let (q, omq) = (fitted.p_wrong[i] + e, fitted.p_right[i] - e);
            c * entropy(t * q, omq + (1.0 - t) * q)
        })
        .sum()
}

/// What the dual value needs of `u = X^T theta` over the features covered:
/// `max_j |u_j|` and `sum_j (|u_j| - l1)_+^2`, gathered one feature at a time.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct BoxExcess {
    umax: f64,
    excess_sq: f64,
}

impl BoxExcess {
    #[inline]
    pub fn add(&mut self, u: f64, l1: f64) {
        let a = u.abs();
        self.umax = self.umax.max(a);
        if a > l1 {
            self.excess_sq += (a - l1) * (a - l1);
        }
    }

    /// The scale t = min(1, l1 / max |u_j|) that makes theta feasible.
    #[inline]
    fn scale(self, l1: f64) -> f64 {
        if self.umax > l1 { l1 / self.umax } else { 1.0 }
    }
}

/// The dual value at t theta, theta = r + delta (`delta` None: theta = r),
/// given `u = X^T theta` over the features covered through `ex`:
/// t = min(1, l1 / max |u_j|); for alpha < 1 also t = 1 with the penalty's
/// conjugate, `sum_j (|u_j| - l1)_+^2 / (2 l2)`, keeping the better.
pub(crate) fn dual_value(
    prob: &Problem,
    fitted: &Fitted,
    delta: Option<&[f64]>,
    pen: Penalty,
    ex: BoxExcess,
) -> f64 {
    let t = ex.scale(pen.l1);
    let mut best = dual_loss(prob, fitted, delta, t);
    if pen.l2 > 0.0 && t < 1.0 {
        let hstar = ex.excess_sq / (2.0 * pen.l2);
        best = best.max(dual_loss(prob, fitted, delta, 1.0) - hstar);
    }
    best
}

/// An upper bound on [`dual_value`] at theta = r (no correction), without
/// a logarithm: with the intercept optimal (`sum r = 0`), `loss` the
/// primal loss and `wz = w^T X^T r`, the identity `H(a_i) = l_i + a_i m_i`
/// (l_i the loss term, m_i the margin, a_i = sigma(-m_i)) gives
/// `sum c H(a) = loss + wz`, and `sum c_i H(t a_i)` is concave in t with
/// slope `sum c a m = wz` at t = 1, so it is at most `loss + t wz` (the
/// tangent there); the alpha < 1 option at t = 1 is `loss + wz` less the
/// same conjugate as there.
pub(crate) fn plain_dual_bound(loss: f64, wz: f64, ex: BoxExcess, pen: Penalty) -> f64 {
    let t = ex.scale(pen.l1);
    let at_t = loss + t * wz;
    if pen.l2 > 0.0 && t < 1.0 {
        at_t.max(loss + wz - ex.excess_sq / (2.0 * pen.l2))
    } else {
        at_t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::Params;
    use crate::solver::fit;
    use crate::solver::loss::optimize_intercept;
    use crate::solver::problem::State;
    use crate::solver::solve::Work;
    use crate::solver::testing::real300;

    /// The logarithm-free bound on the plain dual is above it, at fits and
    /// away from them (weights halved), for the lasso and Elastic Net.
    #[test]
    fn plain_dual_bound_is_above_the_plain_dual() {
        let (x, y) = real300();
        let prob = Problem::new(&x, &y, None).unwrap();
        for alpha in [1.0, 0.5] {
            let params = Params::new().alpha(alpha).check().unwrap();
            for ratio in [0.5, 0.05, 0.005] {
                let lambda = ratio * prob.lambda_max(alpha);
                let pen = Penalty::new(lambda, alpha);
                let f = fit(&x, &y, None, lambda, &params).unwrap();
                for scale in [1.0, 0.5] {
                    let w: Vec<(u32, f64)> =
                        f.weights.iter().map(|&(j, v)| (j, scale * v)).collect();
                    let mut st = State::null(&prob);
                    for &(j, v) in &w {
                        st.w[j as usize] = v;
                    }
                    st.b0 = f.intercept;
                    st.eta = x.margins(f.intercept, &w);
                    let mut wk = Work::new(x.rows(), x.cols());
                    let loss = optimize_intercept(&prob, &mut st, &mut wk.fitted, None);
                    let check = &mut wk.gradient;
                    check.reference_pass(&prob, &st.w, &wk.fitted.residual, pen.l1);
                    let (mut ex, mut wz) = (BoxExcess::default(), 0.0);
                    for (&j, &zj) in check.exact.iter().zip(&check.z) {
                        ex.add(zj, pen.l1);
                        wz += st.w[j as usize] * zj;
                    }
                    let dual = dual_value(&prob, &wk.fitted, None, pen, ex);
                    let bound = plain_dual_bound(loss, wz, ex, pen);
                    assert!(
                        dual <= bound + 1e-12 * bound.abs(),
                        "alpha {alpha}, ratio {ratio}, scale {scale}: {dual} > {bound}"
                    );
                    // Tight at the fit (t = 1 up to the tolerance).
                    if scale == 1.0 {
                        assert!(bound - dual <= 1e-4 * dual, "{dual} vs {bound}");
                    }
                }
            }
        }
    }
}
