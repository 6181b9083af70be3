//! The logistic loss `sum_i c_i log(1 + exp(-y_i eta_i))` at given margins,
//! the per-row quantities the solver derives from it ([`Fitted`]: the
//! probability of each row's wrong label and the residual), and the
//! intercept that is optimal for given weights.

use super::problem::{Problem, State};

/// `log(1 + exp(-m))`, stable for any sign of m (linfa-logistic: `log_logistic`,
/// branching on sign so exp never overflows).
#[inline]
pub(crate) fn log1p_exp_neg(m: f64) -> f64 {
    if m >= 0.0 {
        (-m).exp().ln_1p()
    } else {
        -m + m.exp().ln_1p()
    }
}

/// Weighted loss sum_i c_i log(1 + exp(-y_i eta_i)).
pub(crate) fn loss_at(prob: &Problem, eta: &[f64]) -> f64 {
    eta.iter()
        .zip(&prob.y)
        .zip(&prob.row_weight)
        .map(|((&e, &y), &c)| c * log1p_exp_neg(y * e))
        .sum()
}

/// What the loss gives per row at the current margins, and a spare vector
/// of trial margins.
pub(crate) struct Fitted {
    /// `a_i = sigma(-y_i eta_i)`, the fitted probability of the wrong label.
    pub p_wrong: Vec<f64>,
    /// `1 - a_i`, computed without cancellation.
    pub p_right: Vec<f64>,
    /// The residual `r_i = c_i y_i a_i`, minus the loss's gradient in eta_i.
    pub residual: Vec<f64>,
    /// Trial margins (the intercept's backtracking, the path's predictor,
    /// the Newton step's line search); the extrapolation's model residual.
    pub trial: Vec<f64>,
}

/// Largest `|exp(d) - 1|` for which [`Fitted::shift`] updates the
/// probabilities, residual and loss instead of recomputing them: its series
/// for `ln(1 + x)` then errs by at most `x^5 / 5 < 2e-21`.
const SHIFT_MAX: f64 = 1e-4;

impl Fitted {
    pub fn new(n: usize) -> Fitted {
        Fitted {
            p_wrong: vec![0.0; n],
            p_right: vec![0.0; n],
            residual: vec![0.0; n],
            trial: vec![0.0; n],
        }
    }

    /// Recomputes a, 1 - a and r at `eta`; returns the weighted loss.
    #[allow(clippy::needless_range_loop)] // five arrays indexed alike
    pub fn recompute(&mut self, prob: &Problem, eta: &[f64]) -> f64 {
        let mut total = 0.0;
        for i in 0..eta.len() {
            let m = prob.y[i] * eta[i];
            // Branch on the sign of the margin so exp() never overflows.
            let (wrong, right, l) = if m >= 0.0 {
                let e = (-m).exp();
                (e / (1.0 + e), 1.0 / (1.0 + e), e.ln_1p())
            } else {
                let e = m.exp();
                (1.0 / (1.0 + e), e / (1.0 + e), -m + e.ln_1p())
            };
            self.p_wrong[i] = wrong;
            self.p_right[i] = right;
            self.residual[i] = prob.row_weight[i] * prob.y[i] * wrong;
            total += prob.row_weight[i] * l;
        }
        total
    }

    /// a, 1 - a, r and the loss after every margin moved by `d` (an
    /// intercept step), from their values before and without exp or log per
    /// row: with `k = exp(y_i d) - 1` (two values), `a' = a / (1 + (1 - a) k)`,
    /// `1 - a' = (1 - a)(1 + k) / (1 + (1 - a) k)` and the loss term
    /// `ln(1 + e^{-m'}) = ln(1 + e^{-m}) - y_i d + ln(1 + (1 - a) k)`.
    /// `None` (nothing changed) for a step too long for the series.
    pub fn shift(&mut self, prob: &Problem, d: f64, loss: f64) -> Option<f64> {
        let (k_pos, k_neg) = (d.exp_m1(), (-d).exp_m1());
        if k_pos.abs().max(k_neg.abs()) > SHIFT_MAX {
            return None;
        }
        let ln1p = |x: f64| x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x)));
        let mut change = 0.0;
        for i in 0..self.p_wrong.len() {
            let y = prob.y[i];
            let k = if y > 0.0 { k_pos } else { k_neg };
            let (wrong, right) = (self.p_wrong[i], self.p_right[i]);
            let den = 1.0 + right * k;
            self.p_wrong[i] = wrong / den;
            self.p_right[i] = right * (1.0 + k) / den;
            self.residual[i] = prob.row_weight[i] * y * self.p_wrong[i];
            change += prob.row_weight[i] * (ln1p(right * k) - y * d);
        }
        Some(loss + change)
    }

    /// The intercept's gradient, `sum_i r_i` (zero at the optimal intercept:
    /// the dual constraint the intercept imposes).
    #[inline]
    pub fn residual_sum(&self) -> f64 {
        self.residual.iter().sum()
    }
}

/// Makes the intercept optimal for the current w by 1-D Newton (backtracking
/// only for long steps; short ones are inside Newton's quadratic convergence
/// region, and testing their tiny decrease would only measure rounding).
/// Leaves `fitted` current; returns the weighted loss. The residual sum, the
/// dual constraint, ends below 1e-13 (rounding level for our sizes).
/// `current`: the loss when `fitted` is already that of `st.eta` (after a
/// Newton step), which spares its recomputation.
pub(crate) fn optimize_intercept(
    prob: &Problem,
    st: &mut State,
    fitted: &mut Fitted,
    current: Option<f64>,
) -> f64 {
    let mut loss = match current {
        Some(loss) => loss,
        None => fitted.recompute(prob, &st.eta),
    };
    for _ in 0..100 {
        let g = fitted.residual_sum();
        if g.abs() <= 1e-13 {
            break;
        }
        let h: f64 = (0..fitted.p_wrong.len())
            .map(|i| prob.row_weight[i] * fitted.p_wrong[i] * fitted.p_right[i])
            .sum::<f64>()
            .max(1e-300);
        let mut d = g / h;
        if d.abs() > 1.0 {
            // Far from the optimum: backtrack on the loss.
            while d.abs() > 1e-12 {
                fitted
                    .trial
                    .iter_mut()
                    .zip(&st.eta)
                    .for_each(|(t, e)| *t = e + d);
                if loss_at(prob, &fitted.trial) < loss {
                    break;
                }
                d *= 0.5;
            }
        }
        st.eta.iter_mut().for_each(|e| *e += d);
        st.b0 += d;
        let prev = g.abs();
        loss = match fitted.shift(prob, d, loss) {
            Some(l) => l,
            None => fitted.recompute(prob, &st.eta),
        };
        let g_new = fitted.residual_sum();
        if g_new.abs() >= prev && d.abs() <= 1.0 {
            break; // rounding floor reached
        }
    }
    loss
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::solve::{Work, solve};
    use crate::solver::testing::{params, real300};

    /// An intercept step's update of a, 1 - a, r and the loss agrees with
    /// recomputing them at the moved margins; a long step is refused.
    #[test]
    fn intercept_shift_matches_a_fresh_recompute() {
        let (x, y) = real300();
        let prob = Problem::new(&x, &y, None).unwrap();
        let lambda = 0.05 * prob.lambda_max(1.0);
        let mut st = State::null(&prob);
        let mut wk = Work::new(x.rows(), x.cols());
        solve(&prob, lambda, &mut st, &mut wk, &[], &params(1.0, 1e-6));
        let fitted = &mut wk.fitted;
        for d in [1e-7, -3e-5, 9e-5] {
            let loss = fitted.recompute(&prob, &st.eta);
            let shifted = fitted.shift(&prob, d, loss).unwrap();
            let eta: Vec<f64> = st.eta.iter().map(|e| e + d).collect();
            let mut fresh = Fitted::new(x.rows());
            let exact = fresh.recompute(&prob, &eta);
            assert!(
                (shifted - exact).abs() <= 1e-14 * exact,
                "d {d}: {shifted} vs {exact}"
            );
            for i in 0..x.rows() {
                for (got, want) in [
                    (fitted.p_wrong[i], fresh.p_wrong[i]),
                    (fitted.p_right[i], fresh.p_right[i]),
                    (fitted.residual[i], fresh.residual[i]),
                ] {
                    assert!(
                        (got - want).abs() <= 1e-14 * want.abs(),
                        "d {d}, row {i}: {got} vs {want}"
                    );
                }
            }
        }
        let loss = fitted.recompute(&prob, &st.eta);
        assert_eq!(fitted.shift(&prob, 1e-3, loss), None);
    }
}
