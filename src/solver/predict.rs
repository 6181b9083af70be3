//! The path's predictor: a better warm start for the next lambda than the
//! last fit itself.
//!
//! The last fit (w1, b1 at lambda1) moves along the secant from the fit
//! before it (w0, b0), scaled by `gamma` (1 on a geometric grid, where the
//! secant is exact for weights linear in log lambda), keeping each weight's
//! sign (a weight the secant would carry through zero is set to zero): a
//! first-order path-following step. The predicted point is kept only if F
//! at the new lambda is lower there than at the last fit, so it can only
//! help the solver that follows.

use super::fit::Fit;
use super::loss::loss_at;
use super::problem::{Penalty, Problem, State};

/// Where the path goes next: to `lambda` (mixing `alpha`), from the last fit
/// (`st`) and `prev`, the fit before it, along the secant scaled by `gamma`.
pub(crate) struct Secant<'a> {
    pub lambda: f64,
    pub alpha: f64,
    pub prev: &'a Fit,
    pub gamma: f64,
}

/// Moves `st` (the last solve's solution, whose non-zero weights are in
/// `working_set` and whose loss is `loss`) along `secant` if that lowers F
/// at the new lambda; `trial` is scratch of the margins' length.
pub(crate) fn predict(
    prob: &Problem,
    st: &mut State,
    working_set: &[u32],
    trial: &mut Vec<f64>,
    secant: &Secant,
    loss: f64,
) {
    let Secant {
        lambda,
        alpha,
        prev,
        gamma,
    } = *secant;
    let pen = Penalty::new(lambda, alpha);
    let f_now = loss + pen.on(&st.w, working_set);
    // Proposed changes: only weights non-zero now move.
    let db = gamma * (st.b0 - prev.intercept);
    trial.iter_mut().zip(&st.eta).for_each(|(t, e)| *t = e + db);
    let mut moves: Vec<(usize, f64)> = Vec::new();
    let mut pen_new = 0.0;
    let mut k = 0;
    for &j in working_set {
        let (j, w1) = (j as usize, st.w[j as usize]);
        if w1 == 0.0 {
            continue;
        }
        while k < prev.weights.len() && (prev.weights[k].0 as usize) < j {
            k += 1;
        }
        let w0 = match prev.weights.get(k) {
            Some(&(i, w)) if i as usize == j => w,
            _ => 0.0,
        };
        let mut wc = w1 + gamma * (w1 - w0);
        if wc.signum() != w1.signum() {
            wc = 0.0;
        }
        pen_new += pen.of(wc);
        if wc != w1 {
            moves.push((j, wc - w1));
            prob.x.col(j).axpy(wc - w1, None, trial);
        }
    }
    let f_new = loss_at(prob, trial) + pen_new;
    if f_new < f_now {
        std::mem::swap(&mut st.eta, trial);
        st.b0 += db;
        for (j, d) in moves {
            st.w[j] += d;
            if st.w[j].abs() < 1e-300 {
                st.w[j] = 0.0;
            }
        }
    }
}
