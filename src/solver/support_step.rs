//! The Newton step's exact solve on the current support: the quadratic
//! model minimized over the non-zero weights of the working set with their
//! signs held fixed, before coordinate descent takes over.
//!
//! Coordinate descent converges only linearly on correlated words, and each
//! Newton step would otherwise gain a fixed factor, too little for a gap
//! that closes only as fast as the KKT violations do. When the support is
//! right, this is the proximal Newton direction, found in one solve.
//!
//! With the intercept eliminated (centered columns, as in the coordinate
//! descent), the model in the support's weights w_A is
//! `-g^T d + 1/2 d^T (G + l2 I) d + l1 s^T (w + d) + l2/2 |w|^2 + l2 w^T d`,
//! `G = X_A^T V X_A - s s^T / hb` (the centered Gram, `s = X_A^T v`) and
//! `g = X_A^T r - s sum(r) / hb`; its stationary point with the signs s of w
//! is `(G + l2 I) d = g - l1 sign(w) - l2 w` (Friedman et al. 2010, eq. 10,
//! solved jointly), solved with the Cholesky factor of [`SupportFactor`]. A
//! weight the solution carries through zero is set to zero; coordinate
//! descent then continues from the result, so a wrong support costs sweeps,
//! not accuracy. The point is kept only if it lowers the model.

use super::problem::Problem;
use super::quadratic_model::{QuadraticModel, StepModel};
use super::support_factor::{GramWeights, MAX_SUPPORT, Member, SupportFactor};

/// A factored Gram is reused for the same support while the IRLS weights
/// moved by at most this fraction (sum |v - v_then| / sum v).
const REFACTOR_DV: f64 = 0.05;
/// The same for the first Newton step of a solve, whose factor is the last
/// one of the previous lambda (its solution's weights; the path predictor
/// moved them): the stale factor's quasi-Newton step from there serves as
/// well as a fresh one, and saves Newton steps along a path; at
/// [`REFACTOR_DV`] the first step would refactor almost always.
const REFACTOR_DV_FIRST: f64 = 0.25;

/// The support's members, the step on them, and the factor.
pub(crate) struct SupportStep {
    /// The support: working-set members with non-zero weight, in the
    /// factor's order (`key`: the working-set slot).
    members: Vec<Member>,
    /// The right-hand side, then the step, in the factor's order.
    step: Vec<f64>,
    pub factor: SupportFactor,
}

impl SupportStep {
    pub fn new() -> SupportStep {
        SupportStep {
            members: Vec::new(),
            step: Vec::new(),
            factor: SupportFactor::new(),
        }
    }

    /// Moves the coordinate descent's point (`q.w_new`, at `model.w`) to the
    /// model's minimizer on the support (see the module notes). Returns the
    /// new offset `o` (the model residual is `q.model_residual + v o`) and
    /// the largest `h_j d_j^2` of the move, or `None` (all unchanged) when
    /// the design has values, the support is empty or too large, G is
    /// singular, or the point does not lower the model.
    pub fn solve(
        &mut self,
        prob: &Problem,
        working_set: &[u32],
        q: &mut QuadraticModel,
        residual: &[f64],
        model: &StepModel,
        o: f64,
    ) -> Option<(f64, f64)> {
        let StepModel { w, pen, .. } = *model;
        if !prob.x.is_binary() {
            return None;
        }
        self.members.clear();
        self.members.extend(
            (0..working_set.len())
                .filter(|&k| q.w_new[k] != 0.0)
                .map(|k| Member {
                    key: k as u32,
                    feature: working_set[k],
                    complement: q.complement[k],
                    sum: q.sum[k],
                    curvature: q.curvature[k],
                }),
        );
        let m = self.members.len();
        if m == 0 || m > MAX_SUPPORT {
            return None;
        }
        if !self.factor_for(prob, q, model) {
            return None;
        }
        // Right-hand side g - l1 sign(w) - l2 w, g the centered model
        // gradient at d = 0.
        self.step.clear();
        let r_sum: f64 = residual.iter().sum();
        for mb in &self.members {
            let xr = prob.stored_dot(mb.feature, mb.complement, residual, r_sum);
            let j = mb.feature as usize;
            let g = xr + o * mb.sum;
            self.step.push(g - pen.l1 * w[j].signum() - pen.l2 * w[j]);
        }
        if !self.factor.solve(&mut self.step) {
            return None;
        }
        self.take_step(prob, q, residual, model, o)
    }

    /// Puts the members in the factor's order, factoring their Gram first
    /// unless the last factor holds the same support at IRLS weights close
    /// enough (later steps at a lambda). For a support that changed a
    /// little, the last Gram's entries serve. False when no factor results.
    fn factor_for(&mut self, prob: &Problem, q: &QuadraticModel, model: &StepModel) -> bool {
        let limit = if model.first_of_solve {
            REFACTOR_DV_FIRST
        } else {
            REFACTOR_DV
        };
        let m = self.members.len();
        let factor = &mut self.factor;
        let stale_ok = factor.len() > 0 && factor.is_close(&q.irls, model.pen.l2, limit);
        let same = stale_ok
            && factor.len() == m
            && self
                .members
                .iter()
                .all(|mb| factor.position(mb.feature) != u32::MAX);
        if same {
            self.members
                .sort_by_cached_key(|mb| factor.position(mb.feature));
            return true;
        }
        let weights = GramWeights {
            v: &q.irls,
            hb: model.hb,
            l2: model.pen.l2,
        };
        factor.factor(prob, &mut self.members, weights, stale_ok)
    }

    /// The candidate `w_new + step` on the support (signs kept, crossing
    /// weights clipped to 0): its model residual, and the test that it
    /// lowers the model.
    #[allow(clippy::needless_range_loop)] // several arrays indexed alike
    fn take_step(
        &mut self,
        prob: &Problem,
        q: &mut QuadraticModel,
        residual: &[f64],
        model: &StepModel,
        o: f64,
    ) -> Option<(f64, f64)> {
        let StepModel { w, pen, hb, .. } = *model;
        let n = prob.x.rows();
        // The candidate's model residual, from model_residual = r and offset o.
        let o0 = o;
        let mut o = o;
        let mut moved = 0.0f64;
        for (mb, &step) in self.members.iter().zip(&self.step) {
            let k = mb.key as usize;
            let old = q.w_new[k];
            let mut new = old + step;
            if new.signum() != old.signum() {
                new = 0.0;
            }
            let d = new - old;
            if d == 0.0 || !d.is_finite() {
                continue;
            }
            q.w_new[k] = new;
            moved = moved.max(mb.curvature * d * d);
            o = q.move_member(prob, mb.feature, k, d, hb, o);
        }
        // Model values (intercept optimal): -1/2 sum (r^2 - t^2) / v + penalty.
        let shift = (q.model_residual.iter().sum::<f64>() + o * hb) / hb;
        let (mut q_new, mut q_old) = (0.0, 0.0);
        let r_shift = (residual.iter().sum::<f64>() + o0 * hb) / hb;
        for i in 0..n {
            let vi = q.irls[i];
            let r2 = residual[i] * residual[i];
            let t = q.model_residual[i] + vi * (o - shift);
            let t0 = residual[i] + vi * (o0 - r_shift);
            q_new += (r2 - t * t) / vi;
            q_old += (r2 - t0 * t0) / vi;
        }
        let (mut pen_new, mut pen_old) = (0.0, 0.0);
        for mb in &self.members {
            pen_new += pen.of(q.w_new[mb.key as usize]);
            pen_old += pen.of(w[mb.feature as usize]);
        }
        let q_new = -0.5 * q_new + pen_new;
        let q_old = -0.5 * q_old + pen_old;
        if q_new < q_old && moved > 0.0 {
            Some((o, moved))
        } else {
            q.model_residual.copy_from_slice(residual);
            for mb in &self.members {
                q.w_new[mb.key as usize] = w[mb.feature as usize];
            }
            None
        }
    }
}
