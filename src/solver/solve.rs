//! The solver at one lambda: proximal Newton steps over a growing working
//! set, stopped by a duality gap (newGLMNET, Yuan, Ho & Lin 2012, JMLR 13;
//! glmnet, Friedman, Hastie & Tibshirani 2010, JSS 33(1), section 3;
//! working sets as in skglm, Bertrand et al. 2022).
//!
//! Inputs: a [`Problem`], lambda and the parameters, a starting point (warm
//! start) and optionally a screened set of features. The loop:
//!
//! 1. Full check (costly, up to one pass over all non-zeros): make the
//!    intercept exactly optimal for the current w (1-D Newton), compute the
//!    residual r and `z = X^T r` where it can matter ([`GradientCheck`]),
//!    and the duality gap ([`super::dual`]; near the optimum also at the
//!    corrected dual point of [`super::certify`]). Stop if gap <= tol * D.
//! 2. Working set: all non-zero features, the screened ones, plus the
//!    features that violate the KKT conditions most (at most doubling the
//!    set).
//! 3. Newton steps on the working set ([`super::newton`]) until the gap
//!    restricted to the working set is below tol, a step gains too little
//!    for the plain gap to tell (the full check's corrected certificate
//!    decides, [`NEAR`]), or the working set is solved far better than the
//!    violations left outside it; then go to 1.

use super::bitset::BitSet;
use super::certify::{Certify, CheckedPoint};
use super::dual::{BoxExcess, dual_value, plain_dual_bound};
use super::gradient_check::GradientCheck;
use super::loss::{Fitted, optimize_intercept};
use super::newton::{Newton, StepRequest};
use super::params::ValidParams;
use super::problem::{NO_COMPLEMENT, Penalty, Problem, State};

/// Smallest working set added from scratch.
const MIN_WS: usize = 16;
/// The inner Newton steps stop once the duality gap restricted to the
/// working set is below this fraction of `tol`: the full check then rarely
/// finds more (at a smaller fraction the path takes more coordinate-descent
/// sweeps for the same number of full checks).
const INNER_GAP_FRAC: f64 = 0.9;
/// The corrected certificate ([`super::certify`]) is tried once a Newton
/// step lowered F by at most this many times the gap allowed: its gap is
/// about the next step's decrease, so earlier it would fail at the cost of
/// a factorization.
const NEAR: f64 = 100.0;

/// Scratch of the solves, reused along a path.
pub(crate) struct Work {
    /// Probabilities and residual at the current margins.
    pub fitted: Fitted,
    /// `X^T r` at the last full check.
    pub gradient: GradientCheck,
    pub working_set: WorkingSet,
    pub newton: Newton,
    /// Scratch of the corrected dual point.
    pub certify: Certify,
    /// Scratch of the ridge solver, made on its first use.
    pub ridge: Option<super::ridge::Scratch>,
}

impl Work {
    pub fn new(n: usize, p: usize) -> Work {
        Work {
            fitted: Fitted::new(n),
            gradient: GradientCheck::new(n, p),
            working_set: WorkingSet::new(p),
            newton: Newton::new(n),
            certify: Certify::default(),
            ridge: None,
        }
    }
}

/// The features the Newton steps work on.
pub(crate) struct WorkingSet {
    /// The members, ascending (as the support factor's reuse assumes).
    pub features: Vec<u32>,
    /// Membership, one bit per feature.
    contains: BitSet,
    /// KKT violators outside, as they come: `(violation, feature)`.
    candidates: Vec<(f32, u32)>,
}

impl WorkingSet {
    fn new(p: usize) -> WorkingSet {
        WorkingSet {
            features: Vec::new(),
            contains: BitSet::new(p),
            candidates: Vec::new(),
        }
    }

    /// The non-zero features of `w` (all in the set already) and the
    /// screened ones.
    /// Adds `features` (a warm start's non-zero weights) to the set.
    pub(crate) fn add(&mut self, features: &[u32]) {
        for &j in features {
            if !self.contains.get(j as usize) {
                self.contains.set(j as usize, true);
                self.features.push(j);
            }
        }
        self.features.sort_unstable();
    }

    /// Makes the set exactly the non-zero features of `w` (after a ridge
    /// solve, which works on every feature).
    pub(crate) fn set_to_nonzero(&mut self, w: &[f64]) {
        for &j in &self.features {
            self.contains.set(j as usize, false);
        }
        self.features.clear();
        for (j, &wj) in w.iter().enumerate() {
            if wj != 0.0 {
                self.contains.set(j, true);
                self.features.push(j as u32);
            }
        }
    }

    fn start(&mut self, w: &[f64], screened: &[u32]) {
        debug_assert!((0..w.len()).all(|j| w[j] == 0.0 || self.contains.get(j)));
        for &j in &self.features {
            self.contains.set(j as usize, w[j as usize] != 0.0);
        }
        self.features.retain(|&j| w[j as usize] != 0.0);
        for &j in screened {
            if !self.contains.get(j as usize) {
                self.contains.set(j as usize, true);
                self.features.push(j);
            }
        }
        self.features.sort_unstable();
    }

    /// Adds the worst KKT violators outside the set (by `|z_j| - l1`, from
    /// the last full check): the k largest, `k = max(size, MIN_WS)`, kept
    /// in at most 2k + 1 slots as they come (a cold start at small lambda
    /// has most features violating). Returns whether any was added, and the
    /// largest violation left outside.
    fn grow(&mut self, gradient: &GradientCheck, l1: f64) -> (bool, f64) {
        let mut outside = 0.0f64;
        let cands = &mut self.candidates;
        cands.clear();
        let k = self.features.len().max(MIN_WS);
        let mut keep_worst = |cands: &mut Vec<(f32, u32)>| {
            cands.select_nth_unstable_by(k, |a, b| b.0.total_cmp(&a.0));
            outside = outside.max(f64::from(cands[k].0));
            cands.truncate(k);
        };
        for (&j, &zj) in gradient.exact.iter().zip(&gradient.z) {
            if !self.contains.get(j as usize) {
                let v = (zj.abs() - l1).max(0.0);
                if v > 0.0 {
                    cands.push((v as f32, j));
                    if cands.len() > 2 * k {
                        keep_worst(cands);
                    }
                }
            }
        }
        if cands.len() > k {
            keep_worst(cands);
        }
        let grew = !cands.is_empty();
        for &(_, j) in cands.iter() {
            self.contains.set(j as usize, true);
            self.features.push(j);
        }
        self.features.sort_unstable();
        (grew, outside)
    }
}

/// What one solve reports.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Outcome {
    pub objective: f64,
    pub dual: f64,
    pub kkt: f64,
    pub loss: f64,
    pub iterations: usize,
    pub sweeps: usize,
    pub checks: usize,
    pub converged: bool,
}

/// The penalty and the stopping rule of one solve.
struct Settings {
    pen: Penalty,
    tol: f64,
    max_iter: usize,
}

/// What a full check found: F, the best dual lower bound, the largest KKT
/// violation.
struct Check {
    primal: f64,
    dual: f64,
    kkt: f64,
}

/// What a round of Newton steps left: the loss (with `fitted` current),
/// whether any step moved, and whether the last one gained so little that
/// the next full check tries the corrected certificate.
struct Round {
    loss: f64,
    moved: bool,
    near: bool,
}

/// Solves at `lambda` from `st` (warm start). `screened`: features to start
/// the working set with besides the non-zero ones (a strong-rule set); the
/// final check covers every feature, so a wrong screen costs time, not accuracy.
/// `st`'s non-zero weights must be in `wk.working_set` (as after the last
/// solve with `wk`, or a null `st`). On return the working set holds every
/// non-zero weight, and `wk.gradient` X^T r at the solution where it matters.
pub(crate) fn solve(
    prob: &Problem,
    lambda: f64,
    st: &mut State,
    wk: &mut Work,
    screened: &[u32],
    params: &ValidParams,
) -> Outcome {
    if params.alpha() == 0.0 && lambda > 0.0 {
        return super::ridge::solve(prob, lambda, st, wk, params);
    }
    let settings = Settings {
        pen: Penalty::new(lambda, params.alpha()),
        tol: params.tol(),
        max_iter: params.max_iter(),
    };
    let mut out = Outcome::default();
    wk.working_set.start(&st.w, screened);

    // With a screened set (a path's warm start) the first full check would
    // only confirm that the warm start is not optimal: go to the inner solve.
    let mut skip_check = !screened.is_empty();
    // Whether the last round moved or the working set grew: if neither,
    // the iterate is at the limit of double precision and we stop there.
    let mut moved = true;
    let mut grew = true;
    // Whether the last Newton step's decrease was small enough for the
    // corrected certificate to have a chance.
    let mut near = false;
    // The loss at st.eta once `wk.fitted` is known to be its (after a
    // round of Newton steps).
    let mut current = None;
    loop {
        let loss = optimize_intercept(prob, st, &mut wk.fitted, current);
        let mut outside = 0.0f64;
        if !std::mem::take(&mut skip_check) {
            let check = full_check(prob, st, wk, &settings, loss, near);
            out.checks += 1;
            out.objective = check.primal;
            out.dual = check.dual;
            out.kkt = check.kkt;
            out.loss = loss;
            if check.primal - check.dual <= settings.tol * check.dual {
                out.converged = true;
                break;
            }
            if out.iterations >= settings.max_iter || !(moved || grew) {
                break;
            }
            (grew, outside) = wk.working_set.grow(&wk.gradient, settings.pen.l1);
        }
        let round = newton_round(prob, &settings, st, wk, loss, outside, &mut out);
        (moved, near) = (round.moved, round.near);
        current = Some(round.loss);
    }
    out
}

/// Step 1: `z = X^T r` where it matters, F, the KKT violation and the dual
/// lower bound, at the current point (intercept optimal, loss `loss`).
/// Once a step gained little (`near`), the plain dual is computed (n
/// logarithms, twice for alpha < 1) only if its bound leaves it a chance to
/// certify; else the corrected one is tried first.
fn full_check(
    prob: &Problem,
    st: &State,
    wk: &mut Work,
    settings: &Settings,
    loss: f64,
    near: bool,
) -> Check {
    let Settings { pen, tol, .. } = *settings;
    let check = &mut wk.gradient;
    check.bounded_pass(
        prob,
        &st.w,
        &wk.working_set.features,
        &wk.fitted.residual,
        pen.l1,
    );
    let mut ex = BoxExcess::default();
    let mut kkt = wk.fitted.residual_sum().abs();
    let (mut penalty, mut wz) = (0.0, 0.0);
    // The features skipped are inside the box: nothing to add.
    for (&j, &zj) in check.exact.iter().zip(&check.z) {
        let wj = st.w[j as usize];
        ex.add(zj, pen.l1);
        kkt = kkt.max(pen.violation(zj, wj));
        penalty += pen.of(wj);
        wz += wj * zj;
    }
    let primal = loss + penalty;
    let bound = plain_dual_bound(loss, wz, ex, pen);
    let hopeless = near && primal - bound > 2.0 * tol * bound.abs();
    let mut best = (!hopeless).then(|| dual_value(prob, &wk.fitted, None, pen, ex));
    let budget = tol * best.unwrap_or(primal);
    if near
        && best.is_none_or(|d| primal - d > tol * d)
        && let Some(d) = corrected_dual(prob, st, wk, pen, budget)
    {
        best = Some(best.map_or(d, |p| p.max(d)));
    }
    // The corrected dual failed where the plain one was skipped.
    let dual = best.unwrap_or_else(|| dual_value(prob, &wk.fitted, None, pen, ex));
    Check { primal, dual, kkt }
}

/// The dual value at the corrected residual ([`super::certify`]) at `st`
/// after a full check, within the gap `budget`.
pub(crate) fn corrected_dual(
    prob: &Problem,
    st: &State,
    wk: &mut Work,
    pen: Penalty,
    budget: f64,
) -> Option<f64> {
    let point = CheckedPoint {
        w: &st.w,
        working_set: &wk.working_set.features,
        fitted: &wk.fitted,
        gradient: &wk.gradient,
    };
    let factor = &mut wk.newton.support.factor;
    wk.certify.corrected_dual(prob, &point, factor, pen, budget)
}

/// Step 3: Newton steps on the working set from the current point (loss
/// `loss`, `wk.fitted` current) until one gains little, none moves, the
/// step budget is spent, or the restricted check is satisfied (`outside`:
/// the largest violation left outside the working set).
fn newton_round(
    prob: &Problem,
    settings: &Settings,
    st: &mut State,
    wk: &mut Work,
    loss: f64,
    outside: f64,
    out: &mut Outcome,
) -> Round {
    let Settings { pen, tol, max_iter } = *settings;
    let mut loss = loss;
    // F before the last Newton step.
    let mut f_before = loss + pen.on(&st.w, &wk.working_set.features);
    let mut moved = false;
    loop {
        let request = StepRequest {
            pen,
            first_of_solve: out.iterations == 0,
        };
        let features = &wk.working_set.features;
        let step = wk
            .newton
            .step(prob, features, request, st, &mut wk.fitted, loss);
        moved |= step.moved;
        loss = step.loss;
        out.sweeps += step.sweeps;
        out.iterations += 1;
        // Once a step gains little, the plain gap mostly overstates the
        // distance to the optimum (see [`super::certify`]): the full check's
        // corrected certificate decides instead (correcting the restricted
        // gap too would cost a second round of conjugate gradients per
        // lambda). The gain is measured against the primal (the dual is
        // below it by the gap, which the full check computes next), so that
        // the restricted check below is skipped when it could not change
        // the decision.
        let primal = loss + pen.on(&st.w, features);
        let near = f_before - primal <= NEAR * INNER_GAP_FRAC * tol * primal;
        f_before = primal;
        if near || !step.moved || out.iterations >= max_iter {
            return Round { loss, moved, near };
        }
        if restricted_check(prob, st, wk, pen, primal, tol, outside) {
            return Round { loss, moved, near };
        }
    }
}

/// Whether the working set is solved well enough for a full check: its gap
/// (gradient on the working set, intercept, dual) is below
/// `INNER_GAP_FRAC * tol`, or its KKT violations are far below those left
/// outside.
fn restricted_check(
    prob: &Problem,
    st: &State,
    wk: &Work,
    pen: Penalty,
    primal: f64,
    tol: f64,
    outside: f64,
) -> bool {
    let fitted = &wk.fitted;
    let complement = &wk.newton.model.complement;
    let mut ex = BoxExcess::default();
    let mut kkt = fitted.residual_sum().abs();
    let r_sum = fitted.residual_sum();
    for (k, &j) in wk.working_set.features.iter().enumerate() {
        let slot = complement.get(k).copied().unwrap_or(NO_COMPLEMENT);
        let zj = prob.stored_dot(j, slot, &fitted.residual, r_sum);
        ex.add(zj, pen.l1);
        kkt = kkt.max(pen.violation(zj, st.w[j as usize]));
    }
    let dual = dual_value(prob, fitted, None, pen, ex);
    primal - dual <= INNER_GAP_FRAC * tol * dual || kkt <= 0.3 * outside
}

/// Makes the intercept optimal and computes `z = X^T r` at the current
/// point (a reference pass at `l1`, [`GradientCheck::reference_pass`]):
/// the strong rule's input before a path's first solve.
pub(crate) fn gradient_at(prob: &Problem, st: &mut State, wk: &mut Work, l1: f64) {
    optimize_intercept(prob, st, &mut wk.fitted, None);
    wk.gradient
        .reference_pass(prob, &st.w, &wk.fitted.residual, l1);
}
