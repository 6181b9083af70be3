//! One proximal Newton step on the working set (newGLMNET: Yuan, Ho & Lin
//! 2012, "An improved GLMNET for L1-regularized logistic regression",
//! JMLR 13).
//!
//! 1. The quadratic model of the loss ([`super::quadratic_model`]) with IRLS
//!    weights `v_i = c_i p_i (1 - p_i)`, floored (see [`PMIN`]) so that
//!    separable data cannot make the model flat.
//! 2. Its minimizer with the penalty: first exactly on the current support
//!    with the signs fixed ([`super::support_step`]), then by cyclic
//!    coordinate descent from there over the working set,
//!    `w_j <- S(h_j w_j + X_j^T r~, lambda alpha) / (h_j + lambda (1 - alpha))`
//!    with r~ the model's residual (Friedman, Hastie & Tibshirani 2010,
//!    JSS 33(1), eq. 10 with weights; S is soft-thresholding), stopped
//!    relative to the first move. After a full sweep, sweeps run over the
//!    non-zero coordinates only until they settle (glmnet's active-set
//!    cycling), with Anderson extrapolation ([`super::extrapolate`]).
//! 3. The intercept's change that keeps the model's residual summing to
//!    zero, and an Armijo backtracking line search on F itself (Yuan et al.
//!    2012, eq. 20).

use super::extrapolate::Anderson;
use super::loss::Fitted;
use super::problem::{NO_COMPLEMENT, Penalty, Problem, State};
use super::quadratic_model::{QuadraticModel, StepModel};
use super::support_step::SupportStep;

/// Floor of the IRLS weights: a row whose fitted probability is within
/// PMIN of 0 or 1 weighs `c_i PMIN (1 - PMIN)`, so that separable data
/// cannot make the model flat. (glmnet instead takes probabilities beyond
/// its `pmin`, by default 1e-9 (glmnet.control), as exactly 0 or 1 and
/// gives those rows weight 0.)
const PMIN: f64 = 1e-10;
/// Armijo sufficient-decrease constant (newGLMNET uses 0.01).
const ARMIJO: f64 = 0.01;
/// Coordinate descent stops once no coordinate moves the quadratic model
/// by more than this fraction of the first sweep's largest move.
const INNER_REL: f64 = 1e-2;
/// Coordinate descent sweeps allowed per Newton step.
const MAX_SWEEPS: usize = 500;

/// What a Newton step is asked for: the penalty, and whether the step is
/// its solve's first (its support factor may be staler then).
#[derive(Clone, Copy)]
pub(crate) struct StepRequest {
    pub pen: Penalty,
    pub first_of_solve: bool,
}

/// What a Newton step did: the loss after it, whether it moved (a step that
/// moves w or b0 by less than rounding counts as not moving), and its
/// coordinate descent sweeps.
pub(crate) struct StepOutcome {
    pub loss: f64,
    pub moved: bool,
    pub sweeps: usize,
}

/// A Newton direction as the line search needs it: F at its start, the
/// intercept's change (the weights' is the model's `w_new - w`) and the
/// model's predicted change of F, `delta < 0`.
struct Direction {
    f0: f64,
    db: f64,
    delta: f64,
}

/// Scratch of the Newton steps, reused along a path.
pub(crate) struct Newton {
    /// The quadratic model and the coordinate descent's point on it.
    pub model: QuadraticModel,
    /// The direction's change of margins.
    margin_step: Vec<f64>,
    anderson: Anderson,
    /// The exact step on the support, and its Gram factor.
    pub support: SupportStep,
}

impl Newton {
    pub fn new(n: usize) -> Newton {
        Newton {
            model: QuadraticModel::new(n),
            margin_step: vec![0.0; n],
            anderson: Anderson::default(),
            support: SupportStep::new(),
        }
    }

    /// One proximal Newton step on `working_set` from `st`, whose loss is
    /// `loss` and whose probabilities and residual `fitted` holds (they hold
    /// those of the new point after it).
    #[allow(clippy::needless_range_loop)] // several arrays indexed alike
    pub fn step(
        &mut self,
        prob: &Problem,
        working_set: &[u32],
        request: StepRequest,
        st: &mut State,
        fitted: &mut Fitted,
        loss: f64,
    ) -> StepOutcome {
        let pen = request.pen;
        let hb = self.irls_weights(prob, fitted);
        self.model.center(prob, working_set, &st.w, hb);
        let model = StepModel {
            w: &st.w,
            pen,
            hb,
            first_of_solve: request.first_of_solve,
        };
        let sweeps = self.minimize_model(prob, working_set, fitted, &model, loss);
        let m = working_set.len();
        let q = &self.model;
        // The intercept's change makes the model residual sum to zero:
        // sum r - hb db - sum_j s_j dw_j = 0.
        let mut sdw = 0.0;
        for k in 0..m {
            sdw += q.sum[k] * (q.w_new[k] - st.w[working_set[k] as usize]);
        }
        let db = (fitted.residual_sum() - sdw) / hb;

        // Direction and the change of margins.
        self.margin_step.iter_mut().for_each(|d| *d = db);
        let mut dpen = 0.0;
        for k in 0..m {
            let j = working_set[k] as usize;
            let (old, new) = (st.w[j], q.w_new[k]);
            if new != old {
                prob.x.col(j).axpy(new - old, None, &mut self.margin_step);
                dpen += pen.l1 * (new.abs() - old.abs()) + 0.5 * pen.l2 * (new * new - old * old);
            }
        }
        let grad_d: f64 = -fitted
            .residual
            .iter()
            .zip(&self.margin_step)
            .map(|(r, d)| r * d)
            .sum::<f64>();
        let delta = grad_d + dpen;
        // The model sees nothing left to gain (1e-22 of F is far below what
        // any tolerance can ask, yet above the rounding of delta near an
        // optimum).
        if delta.is_nan() || delta >= -1e-22 * loss.abs() {
            return StepOutcome {
                loss,
                moved: false,
                sweeps,
            };
        }
        let dir = Direction {
            f0: loss + pen.on(&st.w, working_set),
            db,
            delta,
        };
        let (loss, moved) = self.line_search(prob, working_set, pen, st, fitted, dir);
        StepOutcome {
            loss,
            moved,
            sweeps,
        }
    }

    /// The IRLS weights `v_i = c_i p_i (1 - p_i)`, floored (see [`PMIN`]);
    /// returns their sum hb.
    #[allow(clippy::needless_range_loop)] // several arrays indexed alike
    fn irls_weights(&mut self, prob: &Problem, fitted: &Fitted) -> f64 {
        let mut hb = 0.0;
        let v = &mut self.model.irls;
        for i in 0..v.len() {
            let (wrong, right) = (fitted.p_wrong[i], fitted.p_right[i]);
            let pq = if wrong < PMIN || right < PMIN {
                PMIN * (1.0 - PMIN)
            } else {
                wrong * right
            };
            v[i] = prob.row_weight[i] * pq;
            hb += v[i];
        }
        hb
    }

    /// Minimizes the model with the penalty: the support's exact step, then
    /// coordinate descent (see the module notes). Returns the sweeps.
    #[allow(clippy::needless_range_loop)] // several arrays indexed alike
    fn minimize_model(
        &mut self,
        prob: &Problem,
        working_set: &[u32],
        fitted: &mut Fitted,
        model: &StepModel,
        loss: f64,
    ) -> usize {
        let Penalty { l1, l2 } = model.pen;
        let hb = model.hb;
        let m = working_set.len();
        // The model residual is model_residual + v * o: model_residual is
        // updated sparsely, the scalar o carries the dense part (the
        // intercept's implicit moves). Start with the intercept optimal in
        // the model: sum of the true residual = 0.
        self.model.model_residual.copy_from_slice(&fitted.residual);
        self.anderson.clear();
        let mut o = -fitted.residual_sum() / hb;
        // The support's exact step first; coordinate descent then checks it
        // (and the rest of the working set) against its largest move.
        let mut first = f64::NAN;
        if let Some((o_new, moved)) = self.support.solve(
            prob,
            working_set,
            &mut self.model,
            &fitted.residual,
            model,
            o,
        ) {
            o = o_new;
            first = moved;
        }
        let mut full = true;
        let mut sweeps = 0;
        loop {
            let q = &mut self.model;
            let mut maxch = 0.0f64;
            // sum_i model_residual_i, for the complemented columns
            // (recomputed every sweep so that rounding cannot drift).
            let mut model_residual_sum: f64 = q.model_residual.iter().sum();
            for k in 0..m {
                if !full && q.w_new[k] == 0.0 {
                    continue;
                }
                let hj = q.curvature[k];
                if hj + l2 <= 0.0 {
                    continue;
                }
                // Friedman et al. 2010, eq. 10 on centered x_j: the gradient
                // uses the true residual model_residual + v o (its sum is zero).
                let slot = q.complement[k];
                let col = prob.stored(working_set[k], slot);
                let xr = if slot == NO_COMPLEMENT {
                    col.dot(&q.model_residual)
                } else {
                    model_residual_sum - col.dot(&q.model_residual)
                };
                let g = xr + o * q.sum[k];
                let old = q.w_new[k];
                let new = soft(hj * old + g, l1) / (hj + l2);
                let d = new - old;
                if d != 0.0 {
                    q.w_new[k] = new;
                    if slot == NO_COMPLEMENT {
                        col.axpy(-d, Some(&q.irls), &mut q.model_residual);
                        model_residual_sum -= d * q.sum[k];
                    } else {
                        // -d v x_j = -d v + d v (1 - x_j): the dense part moves
                        // the offset, the complement's rows move in
                        // model_residual.
                        col.axpy(d, Some(&q.irls), &mut q.model_residual);
                        model_residual_sum += d * (hb - q.sum[k]);
                        o -= d;
                    }
                    o += d * q.sum[k] / hb;
                    maxch = maxch.max(hj * d * d);
                }
            }
            sweeps += 1;
            if first.is_nan() {
                first = maxch;
            }
            let small = maxch <= INNER_REL * first || maxch <= 1e-30f64.max(1e-20 * loss);
            if full || small {
                self.anderson.clear();
            } else {
                o = self
                    .anderson
                    .extrapolate(prob, working_set, q, fitted, model, o);
            }
            if sweeps >= MAX_SWEEPS {
                break;
            }
            if small {
                if full {
                    break;
                }
                full = true;
            } else {
                full = false;
            }
        }
        sweeps
    }

    /// Armijo backtracking on F along `dir` from `st` (Yuan et al. 2012,
    /// eq. 20). Each trial recomputes `fitted` with its loss (the accepted
    /// one's is then current; if none is, that of the start is computed
    /// again). Returns the new loss and whether it moved.
    fn line_search(
        &mut self,
        prob: &Problem,
        working_set: &[u32],
        pen: Penalty,
        st: &mut State,
        fitted: &mut Fitted,
        dir: Direction,
    ) -> (f64, bool) {
        let Direction { f0, db, delta } = dir;
        let w_new = &self.model.w_new;
        let mut t = 1.0;
        for _ in 0..40 {
            let mut trial = std::mem::take(&mut fitted.trial);
            for ((tr, e), d) in trial.iter_mut().zip(&st.eta).zip(&self.margin_step) {
                *tr = e + t * d;
            }
            let lt = fitted.recompute(prob, &trial);
            fitted.trial = trial;
            let pt: f64 = working_set
                .iter()
                .zip(w_new)
                .map(|(&j, &nw)| pen.of(st.w[j as usize] + t * (nw - st.w[j as usize])))
                .sum();
            // A predicted decrease below F's rounding cannot be tested on F:
            // there the quadratic model is exact to many digits, take the
            // full step.
            let tiny = -delta <= 1e-13 * f0.abs();
            if tiny || lt + pt <= f0 + ARMIJO * t * delta {
                std::mem::swap(&mut st.eta, &mut fitted.trial);
                st.b0 += t * db;
                for (&j, &nw) in working_set.iter().zip(w_new) {
                    let j = j as usize;
                    st.w[j] = if t == 1.0 {
                        nw
                    } else {
                        st.w[j] + t * (nw - st.w[j])
                    };
                }
                return (lt, true);
            }
            t *= 0.5;
        }
        (fitted.recompute(prob, &st.eta), false)
    }
}

/// Soft-thresholding `S(u, t) = sign(u) max(|u| - t, 0)`.
#[inline]
pub(crate) fn soft(u: f64, t: f64) -> f64 {
    if u > t {
        u - t
    } else if u < -t {
        u + t
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use crate::solver::testing::real300;
    use crate::solver::{Params, fit, lambda_max};

    #[test]
    fn newton_steps_lower_the_objective() {
        let (x, y) = real300();
        let lmax = lambda_max(&x, &y, None, 1.0).unwrap();
        let mut last = f64::INFINITY;
        for it in 1..8 {
            let p = Params::new().max_iter(it).tol(1e-12).check().unwrap();
            let f = fit(&x, &y, None, 0.05 * lmax, &p).unwrap();
            assert!(
                f.objective <= last + 1e-15,
                "step {it}: {} > {last}",
                f.objective
            );
            assert!(f.dual <= f.objective);
            last = f.objective;
        }
    }
}
