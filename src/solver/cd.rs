//! Elastic-Net logistic regression at one lambda: a proximal Newton method
//! with cyclic coordinate descent inside, over a growing working set, stopped
//! by a duality gap.
//!
//! Objective (c_i = s_i / N, y_i in {-1, +1}, s_i observation weights of mean 1):
//!
//! ```text
//! F(b0, w) = sum_i c_i log(1 + exp(-y_i (b0 + x_i . w)))
//!            + lambda * (alpha ||w||_1 + (1 - alpha)/2 ||w||_2^2)
//! ```
//!
//! Inputs: a column-major [`Design`], labels, weights, lambda, alpha, a
//! starting point (warm start) and optionally a screened set of features.
//!
//! Algorithm (newGLMNET, Yuan, Ho & Lin 2012, "An improved GLMNET for
//! L1-regularized logistic regression", JMLR 13; glmnet, Friedman, Hastie &
//! Tibshirani 2010, JSS 33(1), section 3; working sets as in skglm, Bertrand
//! et al. 2022):
//!
//! 1. Outer check (costly, up to one pass over all non-zeros): make the
//!    intercept exactly optimal for the current w (1-D Newton), compute the
//!    residual r_i = c_i y_i sigma(-y_i eta_i) and the full correlation
//!    z = X^T r (exactly wherever a bound from the last full pass cannot rule
//!    out `|z_j| > lambda alpha`, [`full_gradient`]), and the duality gap
//!    (below). Stop if gap <= tol * D.
//! 2. Working set: all non-zero features, the screened ones, plus the features
//!    that violate the KKT conditions most (at most doubling the set).
//! 3. Inner prox-Newton on the working set: the quadratic model of the loss
//!    (IRLS weights v_i = c_i p_i (1 - p_i), p clamped to [1e-5, 1 - 1e-5] as
//!    glmnet does, so separable data cannot make the model flat), minimized
//!    with the penalty by cyclic coordinate descent:
//!    `w_j <- S(h_j w_j + X_j^T r~, lambda alpha) / (h_j + lambda (1 - alpha))`
//!    with `h_j = sum_i x_ij^2 v_i` and r~ the residual of the quadratic model
//!    (Friedman et al. 2010, eq. 10 with weights; S is soft-thresholding);
//!    then an Armijo backtracking line search on F itself (Yuan et al. 2012,
//!    eq. 20). Inside, each x_j is centered by its v-weighted mean (glmnet
//!    does so), which makes the intercept orthogonal to every column: without
//!    it, words found in most messages zig-zag against the intercept for
//!    hundreds of sweeps. Before the sweeps, the model is solved exactly on
//!    the current support with its signs fixed (a Cholesky factorization of
//!    the support's centered Gram matrix, `support_solve`): coordinate
//!    descent converges only linearly on correlated words, and each Newton
//!    step would otherwise gain a fixed factor, too little for a gap that
//!    closes only as fast as the KKT violations do. The factor is built from
//!    the last one where the support kept most members (rank-one updates for
//!    the members that left, a triangular solve for the new ones,
//!    [`cholesky_factor_from`]). The sweeps then start from that point and
//!    stop relative to its move. After a full sweep, sweeps run over the
//!    non-zero coordinates only until they settle (glmnet's active-set
//!    cycling), and every 5 such sweeps an Anderson extrapolation of the
//!    iterates is tried (Bertrand & Massias 2021) and kept if it lowers the
//!    quadratic model. Repeat until the gap restricted to the working set is
//!    below tol, a step gains too little for the plain gap to tell (the
//!    full check's corrected certificate decides, below), or the working
//!    set is solved far better than the violations left outside it; then
//!    go to 1.
//!
//! Certificate: with the intercept optimal, sum_i r_i = 0, and the dual of F is
//!
//! ```text
//! D(theta) = sum_i c_i H(y_i theta_i / c_i) - h*(X^T theta),  sum_i theta_i = 0,
//! H(q) = -q ln q - (1 - q) ln(1 - q),   0 <= y_i theta_i / c_i <= 1,
//! h*(u) = sum_j (|u_j| - lambda alpha)_+^2 / (2 lambda (1 - alpha))   (alpha < 1),
//! h*(u) = 0 if max_j |u_j| <= lambda, else infinity                  (alpha = 1)
//! ```
//!
//! We evaluate D at theta = t r with t = min(1, lambda alpha / max_j |z_j|)
//! (feasible; for alpha < 1 also at t = 1, keeping the better). Weak duality
//! gives D <= F* <= F, so `gap = F - D <= tol * D` certifies
//! `(F - F*) / F* <= tol` (Ndiaye, Fercoq, Gramfort & Salmon 2017, "Gap safe
//! screening rules for sparsity enforcing penalties", JMLR 18, section 2).
//! Once a Newton step's decrease is small ([`NEAR`]), D is also evaluated at
//! a corrected residual whose gap is second order in the KKT violations
//! instead of first ([`certify`]); the larger lower bound counts.

mod bound;
mod certify;
mod rows;

use super::design::{Column, Complements, Design};
use super::params::ValidParams;
use super::shapes::Shapes;
use super::twins::Twins;
use crate::error::{Error, Result};

/// glmnet's probability clamp for the IRLS weights (glmnet: `pmin = 1e-5`).
const PMIN: f64 = 1e-10;
/// Smallest working set added from scratch.
const MIN_WS: usize = 16;
/// Armijo sufficient-decrease constant (newGLMNET uses 0.01).
const ARMIJO: f64 = 0.01;
/// Inner coordinate descent stops once no coordinate moves the quadratic
/// model by more than this fraction of the first sweep's largest move.
const INNER_REL: f64 = 1e-2;
/// The inner Newton steps stop once the duality gap restricted to the
/// working set is below this fraction of `tol` (the full check then rarely
/// finds more: at 0.5 instead, the path takes 12% more coordinate-descent
/// sweeps for the same number of full checks).
const INNER_GAP_FRAC: f64 = 0.9;
/// The corrected certificate ([`certify`]) is tried once a Newton step
/// lowered F by at most this many times the gap allowed: its gap is about
/// the next step's decrease, so earlier it would fail at the cost of a
/// factorization.
const NEAR: f64 = 100.0;
/// Sweeps between Anderson extrapolations.
const ANDERSON_K: usize = 5;
/// Coordinate descent sweeps allowed per Newton step.
const MAX_SWEEPS: usize = 500;

/// One fitted model at one lambda, with its certificate.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// The penalty strength.
    pub lambda: f64,
    /// The Elastic-Net mixing used.
    pub alpha: f64,
    /// The unpenalized intercept b0.
    pub intercept: f64,
    /// Non-zero weights as `(feature, weight)`, features ascending.
    pub weights: Vec<(u32, f64)>,
    /// F(b0, w), the primal objective.
    pub objective: f64,
    /// The dual objective D <= F*; `objective - dual` is the duality gap.
    pub dual: f64,
    /// `(objective - dual) / dual`: an upper bound on `(F - F*) / F*`.
    pub rel_gap: f64,
    /// The largest KKT violation: over features, the distance from 0 of the
    /// subdifferential of F; and the intercept's gradient.
    pub kkt: f64,
    /// Binomial deviance `2 sum_i s_i log(1 + exp(-y_i eta_i))`.
    pub deviance: f64,
    /// `1 - deviance / null deviance`.
    pub dev_explained: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// Coordinate descent sweeps over the working set.
    pub sweeps: usize,
    /// Full passes over all features (gradient + gap checks).
    pub checks: usize,
    /// Whether `rel_gap <= tol` was reached within `max_iter` Newton steps.
    pub converged: bool,
    /// Where the problem has no unique answer: the fit separates the
    /// training data at lambda = 0 or nearly saturated (the weights diverge
    /// as lambda -> 0), or a weighted feature's column is identical to
    /// another's while the penalty is not strictly convex (alpha = 1 or
    /// lambda = 0: only the pair's sum is determined). Empty otherwise.
    pub warnings: Vec<String>,
}

impl Fit {
    /// The weights as a dense vector of length `p`.
    pub fn dense_weights(&self, p: usize) -> Vec<f64> {
        let mut w = vec![0.0; p];
        for &(j, v) in &self.weights {
            w[j as usize] = v;
        }
        w
    }
    /// Number of non-zero weights.
    pub fn nnz(&self) -> usize {
        self.weights.len()
    }
}

/// The data of a problem: design, +-1 labels, weights c_i = s_i / N.
pub(crate) struct Problem<'a> {
    pub x: &'a Design,
    pub y: Vec<f64>,
    pub c: Vec<f64>,
    /// Intercept of the intercept-only fit.
    pub null_b0: f64,
    /// Deviance of the intercept-only fit.
    pub null_dev: f64,
    /// Sum of the raw weights (N when unweighted), to turn losses into deviances.
    pub total_weight: f64,
    /// Complements of the columns found in most rows (coordinate descent
    /// walks those instead).
    pub comp: Complements,
    /// Features grouped by column length and first row.
    pub shapes: Shapes,
}

impl<'a> Problem<'a> {
    /// Checks the labels and weights; weights are rescaled to mean 1.
    pub fn new(x: &'a Design, y: &[bool], weights: Option<&[f64]>) -> Result<Problem<'a>> {
        let n = x.rows();
        if y.len() != n {
            return Err(Error::InvalidParam {
                name: "labels",
                value: y.len().to_string(),
                reason: format!("need one label per row of the matrix ({n})"),
            });
        }
        if n == 0 {
            return Err(Error::Training("no messages to train on".into()));
        }
        let s: Vec<f64> = match weights {
            None => vec![1.0; n],
            Some(w) => {
                if w.len() != n {
                    return Err(Error::InvalidParam {
                        name: "weights",
                        value: w.len().to_string(),
                        reason: format!("need one weight per row of the matrix ({n})"),
                    });
                }
                if let Some(v) = w.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                    return Err(Error::InvalidParam {
                        name: "weights",
                        value: v.to_string(),
                        reason: "must be finite and >= 0".into(),
                    });
                }
                // Divide by the largest first: the sum of weights near
                // f64::MAX would overflow.
                let max = w.iter().fold(0.0f64, |m, &v| m.max(v));
                if max <= 0.0 {
                    return Err(Error::Training("all observation weights are zero".into()));
                }
                let sum: f64 = w.iter().map(|v| v / max).sum();
                let scale = n as f64 / sum;
                w.iter().map(|v| v / max * scale).collect()
            }
        };
        let pos: f64 = y.iter().zip(&s).filter(|(y, _)| **y).map(|(_, s)| s).sum();
        let neg: f64 = y.iter().zip(&s).filter(|(y, _)| !**y).map(|(_, s)| s).sum();
        if pos == 0.0 || neg == 0.0 {
            let which = if pos == 0.0 { "ham" } else { "spam" };
            return Err(Error::Training(format!(
                "all {n} messages (with non-zero weight) are {which}: need both classes"
            )));
        }
        let c: Vec<f64> = s.iter().map(|s| s / n as f64).collect();
        let p0 = pos / (pos + neg);
        let null_b0 = (p0 / (1.0 - p0)).ln();
        let null_dev = -2.0 * (pos * p0.ln() + neg * (1.0 - p0).ln());
        Ok(Problem {
            x,
            y: y.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect(),
            c,
            null_b0,
            null_dev,
            total_weight: n as f64,
            comp: x.complements(),
            shapes: Shapes::new(x),
        })
    }

    /// The smallest lambda at which w = 0 is optimal:
    /// `max_j |X_j^T (s * (y01 - p0))| / (N alpha)`, p0 the weighted spam rate.
    pub fn lambda_max(&self, alpha: f64) -> f64 {
        let p0 = 1.0 / (1.0 + (-self.null_b0).exp());
        let r: Vec<f64> = self
            .y
            .iter()
            .zip(&self.c)
            .map(|(&y, &c)| c * (if y > 0.0 { 1.0 } else { 0.0 } - p0))
            .collect();
        let mut z = vec![0.0; self.x.cols()];
        self.x.xt_dot(&r, &mut z);
        z.iter().fold(0.0f64, |m, v| m.max(v.abs())) / alpha
    }

    /// Feature j's column as stored: itself, or (`slot` from `comp.find`,
    /// else `NO_COMP`) its complement c_j, `x_j = 1 - c_j`.
    #[inline]
    fn stored(&self, j: u32, slot: u32) -> Column<'_> {
        if slot == NO_COMP {
            self.x.col(j as usize)
        } else {
            self.comp.col(slot)
        }
    }

    /// `x_j . y` through the stored column, given `y_sum = sum(y)`.
    #[inline]
    fn stored_dot(&self, j: u32, slot: u32, y: &[f64], y_sum: f64) -> f64 {
        let col = self.stored(j, slot);
        if slot == NO_COMP {
            col.dot(y)
        } else {
            y_sum - col.dot(y)
        }
    }

    /// Feature j's v-weighted sum `s_j = sum_i v_i x_ij` and centered
    /// curvature `h_j = sum_i v_i x_ij^2 - s_j^2 / hb` (`hb = sum v`): the
    /// diagonal of the Gram of the columns centered by their v-weighted means.
    #[inline]
    fn centered_curvature(&self, j: u32, slot: u32, v: &[f64], hb: f64) -> (f64, f64) {
        let sj = self.stored_dot(j, slot, v, hb);
        let col = self.x.col(j as usize);
        let sq = if col.values.is_none() {
            sj
        } else {
            col.sq_dot(v)
        };
        (sj, (sq - sj * sj / hb).max(0.0))
    }
}

/// Current iterate: intercept, dense weights and the margins eta = b0 + X w.
#[derive(Clone, Debug)]
pub(crate) struct State {
    pub b0: f64,
    pub w: Vec<f64>,
    pub eta: Vec<f64>,
}

impl State {
    /// w = 0 and the intercept-only fit.
    pub fn null(prob: &Problem) -> State {
        State {
            b0: prob.null_b0,
            w: vec![0.0; prob.x.cols()],
            eta: vec![prob.null_b0; prob.x.rows()],
        }
    }
}

/// Scratch buffers, reused along a path.
pub(crate) struct Work {
    /// a_i = sigma(-y_i eta_i), the probability of the wrong label.
    a: Vec<f64>,
    /// 1 - a_i, computed without cancellation.
    oma: Vec<f64>,
    /// Residual r_i = c_i y_i a_i (minus the loss gradient in eta).
    r: Vec<f64>,
    /// IRLS weights.
    v: Vec<f64>,
    /// Residual of the quadratic model during coordinate descent.
    rq: Vec<f64>,
    /// Change of margins of a Newton direction; trial margins.
    deta: Vec<f64>,
    trial: Vec<f64>,
    /// `z[k] = X_j^T r`, j = `exact[k]`, at the last full check: the
    /// features where it can matter (ascending; `is_exact` their bits). For
    /// the others, `z_ref` bounds `|X_j^T r_ref|` at the reference pass
    /// (binary designs; f32 rounded away from 0), from which
    /// [`full_gradient`] bounds `|X_j^T r|` (`top` bounds
    /// `X_j^T (r - r_ref)`; `zmax` the largest `|z_ref_j|` of each block of
    /// [`Shapes`]). A feature stays exact until the next reference pass.
    z: Vec<f64>,
    exact: Vec<u32>,
    is_exact: Bits,
    fresh: Vec<u32>,
    z_ref: Vec<f32>,
    zmax: Vec<f64>,
    r_ref: Vec<f64>,
    ref_ok: bool,
    top: bound::TopSums,
    /// Membership of the working set.
    in_ws: Bits,
    ws: Vec<u32>,
    h: Vec<f64>,
    s: Vec<f64>,
    wnew: Vec<f64>,
    /// Anderson: past iterates of wnew, flattened; the extrapolated point.
    hist: Vec<f64>,
    wacc: Vec<f64>,
    cands: Vec<(f32, u32)>,
    /// Per working-set feature: its slot in `Problem::comp`, or `NO_COMP`.
    wcomp: Vec<u32>,
    /// Support solve: the working-set slots of the non-zero weights, the
    /// rows' lists of them (`rows`, a row's list in `row_buf`), the
    /// weights the Gram sums with (`vg`, see [`GRAM_MIN_V`]) and its
    /// members' centering coefficients (`gcoef`), the Gram matrix and the
    /// right-hand side / step.
    act: Vec<u32>,
    rows: rows::SupportRows,
    row_buf: Vec<u16>,
    vg: Vec<f64>,
    gcoef: Vec<(f64, f64, f64, f64)>,
    gram: Vec<f64>,
    step: Vec<f64>,
    /// The support (features, in the factor's order) whose factored Gram
    /// `gram` holds, the IRLS weights and ridge it was built with, and its
    /// frozen directions.
    fact_feats: Vec<u32>,
    fact_v: Vec<f64>,
    fact_l2: f64,
    /// Whether the Newton step under way is its solve's first.
    first_step: bool,
    fact_frozen: Vec<bool>,
    /// The diagonal of the unfactored Gram of `fact_feats` (the rest of it
    /// is kept in `gram`'s lower triangle, under the factor); per support
    /// member, its index in the last support (or `u32::MAX`); the members'
    /// (feature, index) pairs by feature (`fact_index`, see
    /// [`fact_pos`]); the last factor and Gram while the next are
    /// built from them.
    gdiag: Vec<f64>,
    old_pos: Vec<u32>,
    fact_index: Vec<(u32, u16)>,
    gold: Vec<f64>,
    /// Scratch of the corrected dual point ([`certify`]).
    cert: certify::Certify,
}

/// One bit per feature (the working set's membership: an eighth of a
/// `Vec<bool>`, which counts on a matrix of 150,000 words).
#[derive(Clone, Debug, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    #[inline]
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
    #[inline]
    fn set(&mut self, i: usize, on: bool) {
        let bit = 1u64 << (i % 64);
        if on {
            self.0[i / 64] |= bit;
        } else {
            self.0[i / 64] &= !bit;
        }
    }
}

/// `Work::wcomp` for a column stored as is.
const NO_COMP: u32 = u32::MAX;

/// Feature j's index in the support factor, by `Work::fact_index`;
/// `u32::MAX` if it has none.
fn fact_pos(index: &[(u32, u16)], j: u32) -> u32 {
    match index.binary_search_by_key(&j, |&(f, _)| f) {
        Ok(q) => u32::from(index[q].1),
        Err(_) => u32::MAX,
    }
}

impl Work {
    pub fn new(n: usize, p: usize) -> Work {
        Work {
            a: vec![0.0; n],
            oma: vec![0.0; n],
            r: vec![0.0; n],
            v: vec![0.0; n],
            rq: vec![0.0; n],
            deta: vec![0.0; n],
            trial: vec![0.0; n],
            z: Vec::new(),
            exact: Vec::new(),
            is_exact: Bits::new(p),
            fresh: Vec::new(),
            z_ref: Vec::new(),
            zmax: Vec::new(),
            r_ref: vec![0.0; n],
            ref_ok: false,
            top: bound::TopSums::default(),
            in_ws: Bits::new(p),
            ws: Vec::new(),
            h: Vec::new(),
            s: Vec::new(),
            wnew: Vec::new(),
            hist: Vec::new(),
            wacc: Vec::new(),
            cands: Vec::new(),
            wcomp: Vec::new(),
            act: Vec::new(),
            rows: rows::SupportRows::default(),
            row_buf: Vec::new(),
            vg: Vec::new(),
            gcoef: Vec::new(),
            gram: Vec::new(),
            step: Vec::new(),
            fact_feats: Vec::new(),
            fact_v: Vec::new(),
            fact_l2: f64::NAN,
            first_step: false,
            fact_frozen: Vec::new(),
            gdiag: Vec::new(),
            old_pos: Vec::new(),
            fact_index: Vec::new(),
            gold: Vec::new(),
            cert: certify::Certify::default(),
        }
    }
}

/// `log(1 + exp(-m))`, stable for any sign of m (linfa-logistic: `log_logistic`,
/// branching on sign so exp never overflows).
#[inline]
fn log1p_exp_neg(m: f64) -> f64 {
    if m >= 0.0 {
        (-m).exp().ln_1p()
    } else {
        -m + m.exp().ln_1p()
    }
}

/// Weighted loss sum_i c_i log(1 + exp(-y_i eta_i)).
fn loss_at(prob: &Problem, eta: &[f64]) -> f64 {
    eta.iter()
        .zip(&prob.y)
        .zip(&prob.c)
        .map(|((&e, &y), &c)| c * log1p_exp_neg(y * e))
        .sum()
}

/// Recomputes a, 1 - a and r at `eta`; returns the weighted loss.
#[allow(clippy::needless_range_loop)] // five arrays indexed alike
fn refresh(prob: &Problem, eta: &[f64], wk: &mut Work) -> f64 {
    let mut total = 0.0;
    for i in 0..eta.len() {
        let m = prob.y[i] * eta[i];
        // Branch on the sign of the margin so exp() never overflows.
        let (a, oma, l) = if m >= 0.0 {
            let e = (-m).exp();
            (e / (1.0 + e), 1.0 / (1.0 + e), e.ln_1p())
        } else {
            let e = m.exp();
            (1.0 / (1.0 + e), e / (1.0 + e), -m + e.ln_1p())
        };
        wk.a[i] = a;
        wk.oma[i] = oma;
        wk.r[i] = prob.c[i] * prob.y[i] * a;
        total += prob.c[i] * l;
    }
    total
}

/// Largest `|exp(d) - 1|` for which [`shift`] updates a, 1 - a, r and the
/// loss instead of recomputing them: its series for `ln(1 + x)` then errs
/// by at most `x^5 / 5 < 2e-21`.
const SHIFT_MAX: f64 = 1e-4;

/// a, 1 - a, r and the loss after every margin moved by `d` (an intercept
/// step), from their values before and without exp or log per row: with
/// `k = exp(y_i d) - 1` (two values), `a' = a / (1 + (1 - a) k)`,
/// `1 - a' = (1 - a)(1 + k) / (1 + (1 - a) k)` and the loss term
/// `ln(1 + e^{-m'}) = ln(1 + e^{-m}) - y_i d + ln(1 + (1 - a) k)`.
/// `None` (nothing changed) for a step too long for the series.
fn shift(prob: &Problem, wk: &mut Work, d: f64, loss: f64) -> Option<f64> {
    let (k_pos, k_neg) = (d.exp_m1(), (-d).exp_m1());
    if k_pos.abs().max(k_neg.abs()) > SHIFT_MAX {
        return None;
    }
    let ln1p = |x: f64| x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x)));
    let mut change = 0.0;
    for i in 0..wk.a.len() {
        let y = prob.y[i];
        let k = if y > 0.0 { k_pos } else { k_neg };
        let (a, oma) = (wk.a[i], wk.oma[i]);
        let den = 1.0 + oma * k;
        wk.a[i] = a / den;
        wk.oma[i] = oma * (1.0 + k) / den;
        wk.r[i] = prob.c[i] * y * wk.a[i];
        change += prob.c[i] * (ln1p(oma * k) - y * d);
    }
    Some(loss + change)
}

/// Makes the intercept optimal for the current w by 1-D Newton (backtracking
/// only for long steps; short ones are inside Newton's quadratic convergence
/// region, and testing their tiny decrease would only measure rounding).
/// Leaves a, r current; returns the weighted loss. The residual sum, the
/// dual constraint, ends below 1e-13 (rounding level for our sizes).
/// `current`: the loss when a, 1 - a and r are already those of `st.eta`
/// (after a Newton step), which spares their recomputation.
fn optimize_intercept(prob: &Problem, st: &mut State, wk: &mut Work, current: Option<f64>) -> f64 {
    let mut loss = match current {
        Some(loss) => loss,
        None => refresh(prob, &st.eta, wk),
    };
    for _ in 0..100 {
        let g: f64 = wk.r.iter().sum();
        if g.abs() <= 1e-13 {
            break;
        }
        let h: f64 = (0..wk.a.len())
            .map(|i| prob.c[i] * wk.a[i] * wk.oma[i])
            .sum::<f64>()
            .max(1e-300);
        let mut d = g / h;
        if d.abs() > 1.0 {
            // Far from the optimum: backtrack on the loss.
            while d.abs() > 1e-12 {
                wk.trial
                    .iter_mut()
                    .zip(&st.eta)
                    .for_each(|(t, e)| *t = e + d);
                if loss_at(prob, &wk.trial) < loss {
                    break;
                }
                d *= 0.5;
            }
        }
        st.eta.iter_mut().for_each(|e| *e += d);
        st.b0 += d;
        let prev = g.abs();
        loss = match shift(prob, wk, d, loss) {
            Some(l) => l,
            None => refresh(prob, &st.eta, wk),
        };
        let g_new: f64 = wk.r.iter().sum();
        if g_new.abs() >= prev && d.abs() <= 1.0 {
            break; // rounding floor reached
        }
    }
    loss
}

/// Makes the intercept optimal and computes `z = X^T r` at the current
/// point (a reference pass at `l1`, [`reference_pass`]).
pub(crate) fn gradient_at(prob: &Problem, st: &mut State, wk: &mut Work, l1: f64) {
    optimize_intercept(prob, st, wk, None);
    reference_pass(prob, &st.w, wk, l1);
}

/// Share of the design's non-zeros above which a bounded full check costs
/// about a full pass: it makes one instead, and a new reference.
const REF_REFRESH: f64 = 0.5;

/// The full check's `X^T r`, exactly where it can matter: for the non-zero
/// weights, and for every feature whose `|X_j^T r|` might exceed `l1` by the
/// bound `|X_j^T r_ref| + |X_j^T (r - r_ref)|` (the second term bounded from
/// the column's length, [`bound::TopSums`]), r_ref the residual of the last
/// full pass. Every other feature is inside the box `|X_j^T r| <= l1`: it
/// can neither violate the KKT conditions nor move the dual's scale. The
/// features computed join `wk.exact` (those already in it are computed
/// again); the rest are skipped a block of [`Shapes`] at a time where the
/// block's largest reference value passes the test. At large lambda,
/// where the residual moves little from one lambda to the next and most
/// words are far from entering, this skips most of the pass (issue 3's
/// path, measured when the check still visited every feature: 103 checks
/// cost 69 passes), and most features are never looked at one by one.
/// Expects the non-zero weights in `wk.ws`.
fn full_gradient(prob: &Problem, w: &[f64], wk: &mut Work, l1: f64) {
    let x = prob.x;
    if !(x.is_binary() && wk.ref_ok) {
        reference_pass(prob, w, wk, l1);
        return;
    }
    wk.top.build(wk.r.iter().zip(&wk.r_ref).map(|(r, q)| r - q));
    let limit = check_limit(l1);
    // Non-zeros to visit; past REF_REFRESH of the design's (r moved far
    // from r_ref, as after a cold start), a full pass instead.
    let budget = REF_REFRESH * x.nnz() as f64;
    let mut nnz: usize = wk.exact.iter().map(|&j| x.col_len(j as usize)).sum();
    wk.fresh.clear();
    for &j in &wk.ws {
        if w[j as usize] != 0.0 && !wk.is_exact.get(j as usize) {
            wk.fresh.push(j);
            nnz += x.col_len(j as usize);
        }
    }
    for b in 0..prob.shapes.blocks() {
        let (members, len) = prob.shapes.block(b);
        let spread = wk.top.bound(len);
        if wk.zmax[b] + spread <= limit {
            continue;
        }
        for &j in members {
            let j = j as usize;
            if w[j] == 0.0 && !wk.is_exact.get(j) && f64::from(wk.z_ref[j]) + spread > limit {
                wk.fresh.push(j as u32);
                nnz += len;
            }
        }
        if nnz as f64 > budget {
            reference_pass(prob, w, wk, l1);
            return;
        }
    }
    for &j in &wk.fresh {
        wk.is_exact.set(j as usize, true);
    }
    // Exact reservations: a cold start at small lambda makes most features
    // exact, and doubling capacities would hold up to twice their memory.
    wk.exact.reserve_exact(wk.fresh.len());
    wk.exact.extend_from_slice(&wk.fresh);
    wk.exact.sort_unstable();
    wk.z.clear();
    wk.z.reserve_exact(wk.exact.len());
    for &j in &wk.exact {
        wk.z.push(x.col(j as usize).dot(&wk.r));
    }
}

/// The bounded checks' threshold: a bound must clear `l1` by more than the
/// rounding of its sums.
fn check_limit(l1: f64) -> f64 {
    l1 * (1.0 - 1e-9)
}

/// Exact features whose z a reference pass keeps as it goes (see
/// [`reference_pass`]); along issue 3's path at most a few hundred.
const EXACT_KEEP: usize = 4096;

/// An f32 at least `x` (`x >= 0`), branch-free: `x (1 + 2^-22)` plus the
/// least normal f32, rounded to nearest, cannot round below x (the
/// rounding gives up at most 2^-24 of it; overflow gives infinity).
#[inline]
fn f32_above(x: f64) -> f32 {
    (x * (1.0 + 1.0 / 4_194_304.0) + f64::from(f32::MIN_POSITIVE)) as f32
}

/// A full pass `X^T r`; r becomes the reference of the bounded checks
/// (binary designs) and the exact features those that matter at `l1` (the
/// non-zero weights and `|X_j^T r| > l1`; every feature of a design with
/// values).
fn reference_pass(prob: &Problem, w: &[f64], wk: &mut Work, l1: f64) {
    let x = prob.x;
    wk.ref_ok = x.is_binary();
    let limit = check_limit(l1);
    wk.exact.clear();
    wk.z.clear();
    if !wk.ref_ok {
        (0..w.len()).for_each(|j| wk.is_exact.set(j, true));
        wk.exact.extend(0..w.len() as u32);
        wk.z.resize(w.len(), 0.0);
        x.xt_dot(&wk.r, &mut wk.z);
        return;
    }
    // z_ref for every feature, and which are exact, whose z are kept as
    // they come while the lists hold them (EXACT_KEEP, or the capacity a
    // cold start left); past that (a cold start at small lambda makes most
    // features exact) they are computed again with exact reservations
    // instead of growing the lists by doubling, which would hold up to
    // twice their memory.
    wk.z_ref.resize(x.cols(), 0.0);
    wk.exact.reserve_exact(EXACT_KEEP);
    wk.z.reserve_exact(EXACT_KEEP);
    let keep = wk.exact.capacity().min(wk.z.capacity());
    let mut count = 0;
    for (j, &wj) in w.iter().enumerate() {
        let z = x.col(j).dot(&wk.r);
        let on = wj != 0.0 || z.abs() > limit;
        wk.is_exact.set(j, on);
        if on {
            if count < keep {
                wk.exact.push(j as u32);
                wk.z.push(z);
            }
            count += 1;
        }
        wk.z_ref[j] = f32_above(z.abs());
    }
    if count > keep {
        wk.exact.clear();
        wk.z.clear();
        wk.exact.reserve_exact(count);
        wk.exact
            .extend((0..w.len() as u32).filter(|&j| wk.is_exact.get(j as usize)));
        wk.z.reserve_exact(count);
        wk.z.extend(wk.exact.iter().map(|&j| x.col(j as usize).dot(&wk.r)));
    }
    wk.r_ref.copy_from_slice(&wk.r);
    wk.top.zero(x.rows());
    wk.zmax.clear();
    wk.zmax.extend((0..prob.shapes.blocks()).map(|b| {
        let (members, _) = prob.shapes.block(b);
        members
            .iter()
            .fold(0.0f64, |m, &j| m.max(f64::from(wk.z_ref[j as usize])))
    }));
}

/// The strong rule's candidates for the next lambda: the features with
/// `|z_j| >= cut`, z_j from the last full check (where it bounded
/// `|X_j^T r|`, the reference value `|z_ref_j|` instead), into `out`.
pub(crate) fn screen(prob: &Problem, wk: &Work, cut: f64, out: &mut Vec<u32>) {
    out.clear();
    out.extend(
        wk.exact
            .iter()
            .zip(&wk.z)
            .filter(|&(_, z)| z.abs() >= cut)
            .map(|(&j, _)| j),
    );
    for b in 0..prob.shapes.blocks() {
        if wk.zmax.get(b).is_none_or(|&m| m < cut) {
            continue;
        }
        let (members, _) = prob.shapes.block(b);
        out.extend(
            members.iter().filter(|&&j| {
                !wk.is_exact.get(j as usize) && f64::from(wk.z_ref[j as usize]) >= cut
            }),
        );
    }
}

/// Path predictor: moves the warm start from the last fit (w1, b1 at
/// lambda1) along the secant from the fit before it (w0, b0), scaled by
/// `gamma` (1 on a geometric grid), keeping each weight's sign (a weight the
/// secant would carry through zero is set to zero). The predicted point is
/// kept only if F at `lambda` is lower there than at the last fit, so it can
/// only help the solver that follows. The non-zero weights are those of the
/// last solve's working set, `wk.ws`; `loss` is the loss at `st` (the last
/// solve's).
#[allow(clippy::too_many_arguments)]
pub(crate) fn predict(
    prob: &Problem,
    st: &mut State,
    wk: &mut Work,
    lambda: f64,
    alpha: f64,
    prev: &Fit,
    gamma: f64,
    loss: f64,
) {
    let (l1, l2) = (lambda * alpha, lambda * (1.0 - alpha));
    let pen = |w: f64| l1 * w.abs() + 0.5 * l2 * w * w;
    let f_now = loss + wk.ws.iter().map(|&j| pen(st.w[j as usize])).sum::<f64>();
    // Proposed changes: only weights non-zero now move.
    let db = gamma * (st.b0 - prev.intercept);
    wk.trial
        .iter_mut()
        .zip(&st.eta)
        .for_each(|(t, e)| *t = e + db);
    let mut moves: Vec<(usize, f64)> = Vec::new();
    let mut pen_new = 0.0;
    let mut k = 0;
    for &j in &wk.ws {
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
        pen_new += pen(wc);
        if wc != w1 {
            moves.push((j, wc - w1));
            prob.x.col(j).axpy(wc - w1, None, &mut wk.trial);
        }
    }
    let f_new = loss_at(prob, &wk.trial) + pen_new;
    if f_new < f_now {
        std::mem::swap(&mut st.eta, &mut wk.trial);
        st.b0 += db;
        for (j, d) in moves {
            st.w[j] += d;
            if st.w[j].abs() < 1e-300 {
                st.w[j] = 0.0;
            }
        }
    }
}

/// Binary entropy H(q) given q and 1 - q.
#[inline]
fn entropy(q: f64, omq: f64) -> f64 {
    let a = if q > 0.0 { q * q.ln() } else { 0.0 };
    let b = if omq > 0.0 { omq * omq.ln() } else { 0.0 };
    -(a + b)
}

/// sum_i c_i H(t q_i) with q_i = y_i theta_i / c_i for theta = r + delta:
/// q_i = a_i + y_i delta_i / c_i (`delta` None: theta = r, q = a).
fn dual_loss(prob: &Problem, wk: &Work, delta: Option<&[f64]>, t: f64) -> f64 {
    (0..wk.a.len())
        .map(|i| {
            let e = match delta {
                Some(_) if prob.c[i] <= 0.0 => return 0.0,
                Some(d) => prob.y[i] * d[i] / prob.c[i],
                None => 0.0,
            };
            let (q, omq) = (wk.a[i] + e, wk.oma[i] - e);
            prob.c[i] * entropy(t * q, omq + (1.0 - t) * q)
        })
        .sum()
}

/// What the dual value needs of `u = X^T theta` over the features covered:
/// `max_j |u_j|` and `sum_j (|u_j| - l1)_+^2`, gathered one feature at a time.
#[derive(Clone, Copy, Debug, Default)]
struct BoxExcess {
    umax: f64,
    excess_sq: f64,
}

impl BoxExcess {
    #[inline]
    fn add(&mut self, u: f64, l1: f64) {
        let a = u.abs();
        self.umax = self.umax.max(a);
        if a > l1 {
            self.excess_sq += (a - l1) * (a - l1);
        }
    }
}

/// The dual value at t theta, theta = r + delta (`delta` None: theta = r),
/// given `u = X^T theta` over the features covered through `ex`:
/// t = min(1, l1 / max |u_j|); for alpha < 1 also t = 1 with the penalty's
/// conjugate, `sum_j (|u_j| - l1)_+^2 / (2 l2)`, keeping the better.
fn dual_value(
    prob: &Problem,
    wk: &Work,
    delta: Option<&[f64]>,
    l1: f64,
    l2: f64,
    ex: BoxExcess,
) -> f64 {
    let t = if ex.umax > l1 { l1 / ex.umax } else { 1.0 };
    let mut best = dual_loss(prob, wk, delta, t);
    if l2 > 0.0 && t < 1.0 {
        let hstar = ex.excess_sq / (2.0 * l2);
        best = best.max(dual_loss(prob, wk, delta, 1.0) - hstar);
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
fn plain_dual_bound(loss: f64, wz: f64, ex: BoxExcess, l1: f64, l2: f64) -> f64 {
    let t = if ex.umax > l1 { l1 / ex.umax } else { 1.0 };
    let at_t = loss + t * wz;
    if l2 > 0.0 && t < 1.0 {
        at_t.max(loss + wz - ex.excess_sq / (2.0 * l2))
    } else {
        at_t
    }
}

/// Distance from 0 of the subdifferential of F in w_j.
#[inline]
fn violation(zj: f64, wj: f64, l1: f64, l2: f64) -> f64 {
    if wj != 0.0 {
        (-zj + l2 * wj + l1 * wj.signum()).abs()
    } else {
        (zj.abs() - l1).max(0.0)
    }
}

#[inline]
fn soft(u: f64, t: f64) -> f64 {
    if u > t {
        u - t
    } else if u < -t {
        u + t
    } else {
        0.0
    }
}

fn penalty_ws(w: &[f64], ws: &[u32], l1: f64, l2: f64) -> f64 {
    ws.iter()
        .map(|&j| {
            let x = w[j as usize];
            l1 * x.abs() + 0.5 * l2 * x * x
        })
        .sum()
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

/// Solves at `lambda` from `st` (warm start). `screened`: features to start
/// the working set with besides the non-zero ones (a strong-rule set); the
/// final check covers every feature, so a wrong screen costs time, not accuracy.
/// `st`'s non-zero weights must be in `wk.ws` (as after the last solve with
/// `wk`, or a null `st`). On return `wk.ws` holds every non-zero weight, and
/// `wk.z` X^T r at the solution where it matters ([`full_gradient`]).
pub(crate) fn solve(
    prob: &Problem,
    lambda: f64,
    st: &mut State,
    wk: &mut Work,
    screened: &[u32],
    params: &ValidParams,
) -> Outcome {
    let x = prob.x;
    let p = x.cols();
    let alpha = params.alpha();
    let (l1, l2) = (lambda * alpha, lambda * (1.0 - alpha));
    let tol = params.tol();
    let mut out = Outcome::default();

    // Working set: the non-zero features (all in the last one) and the
    // screened ones.
    debug_assert!((0..p).all(|j| st.w[j] == 0.0 || wk.in_ws.get(j)));
    for &j in &wk.ws {
        wk.in_ws.set(j as usize, st.w[j as usize] != 0.0);
    }
    wk.ws.retain(|&j| st.w[j as usize] != 0.0);
    for &j in screened {
        if !wk.in_ws.get(j as usize) {
            wk.in_ws.set(j as usize, true);
            wk.ws.push(j);
        }
    }
    // Ascending, as the support solve's reuse of its last factor assumes.
    wk.ws.sort_unstable();

    // With a screened set (a path's warm start) the first full check would
    // only confirm that the warm start is not optimal: go to the inner solve.
    let mut skip_check = !screened.is_empty();
    // Whether the last inner solve moved or the working set grew: if neither,
    // the iterate is at the limit of double precision and we stop there.
    let mut moved = true;
    let mut grew = true;
    // F before the last Newton step, and whether that step's decrease was
    // small enough for the corrected certificate to have a chance.
    let mut f_before: f64;
    let mut near = false;
    // The loss at st.eta once a, 1 - a, r are known to be its (after the
    // inner Newton steps).
    let mut current = None;
    loop {
        // 1. Full check: optimal intercept, z = X^T r, duality gap.
        let loss = optimize_intercept(prob, st, wk, current);
        let mut outside = 0.0f64;
        if !std::mem::take(&mut skip_check) {
            full_gradient(prob, &st.w, wk, l1);
            out.checks += 1;
            let mut ex = BoxExcess::default();
            let mut kkt = wk.r.iter().sum::<f64>().abs();
            let (mut pen, mut wz) = (0.0, 0.0);
            // The features skipped are inside the box: nothing to add.
            for (&j, &zj) in wk.exact.iter().zip(&wk.z) {
                let wj = st.w[j as usize];
                ex.add(zj, l1);
                kkt = kkt.max(violation(zj, wj, l1, l2));
                pen += l1 * wj.abs() + 0.5 * l2 * wj * wj;
                wz += wj * zj;
            }
            let primal = loss + pen;
            // Once a step gained little, the plain dual is computed (n
            // logarithms, twice for alpha < 1) only if its bound leaves it
            // a chance to certify; else the corrected one is tried first.
            let bound = plain_dual_bound(loss, wz, ex, l1, l2);
            let hopeless = near && primal - bound > 2.0 * tol * bound.abs();
            let mut best = (!hopeless).then(|| dual_value(prob, wk, None, l1, l2, ex));
            let budget = tol * best.unwrap_or(primal);
            if near
                && best.is_none_or(|d| primal - d > tol * d)
                && let Some(d) = certify::corrected_dual(prob, wk, &st.w, l1, l2, budget)
            {
                best = Some(best.map_or(d, |p| p.max(d)));
            }
            // The corrected dual failed where the plain one was skipped.
            let dual = best.unwrap_or_else(|| dual_value(prob, wk, None, l1, l2, ex));
            out.objective = primal;
            out.dual = dual;
            out.kkt = kkt;
            out.loss = loss;
            if primal - dual <= tol * dual {
                out.converged = true;
                break;
            }
            if out.iterations >= params.max_iter() || !(moved || grew) {
                break;
            }

            // 2. Grow the working set by the worst KKT violators: the k
            // largest, kept in at most 2k + 1 slots as they come (a cold
            // start at small lambda has most features violating).
            wk.cands.clear();
            let k = wk.ws.len().max(MIN_WS);
            let mut keep_worst = |cands: &mut Vec<(f32, u32)>| {
                cands.select_nth_unstable_by(k, |a, b| b.0.total_cmp(&a.0));
                outside = outside.max(f64::from(cands[k].0));
                cands.truncate(k);
            };
            for (&j, &zj) in wk.exact.iter().zip(&wk.z) {
                if !wk.in_ws.get(j as usize) {
                    let v = (zj.abs() - l1).max(0.0);
                    if v > 0.0 {
                        wk.cands.push((v as f32, j));
                        if wk.cands.len() > 2 * k {
                            keep_worst(&mut wk.cands);
                        }
                    }
                }
            }
            if wk.cands.len() > k {
                keep_worst(&mut wk.cands);
            }
            grew = !wk.cands.is_empty();
            for &(_, j) in &wk.cands {
                wk.in_ws.set(j as usize, true);
                wk.ws.push(j);
            }
            wk.ws.sort_unstable();
        }

        // 3. Prox-Newton on the working set.
        let mut loss = loss;
        f_before = loss + penalty_ws(&st.w, &wk.ws, l1, l2);
        moved = false;
        loop {
            wk.first_step = out.iterations == 0;
            let (new_loss, progressed) = newton_step(prob, l1, l2, st, wk, loss, &mut out);
            moved |= progressed;
            loss = new_loss;
            out.iterations += 1;
            // Once a step gains little, the plain gap mostly overstates the
            // distance to the optimum (see [`certify`]): the full check's
            // corrected certificate decides instead. (Correcting the
            // restricted gap first, as an earlier version did, costs a
            // second round of conjugate gradients per lambda: 6% more
            // instructions on issue 3's path.) The gain is measured against
            // the primal (the dual is below it by the gap, which the full
            // check computes next), so that the restricted check below is
            // skipped when it could not change the decision.
            let primal = loss + penalty_ws(&st.w, &wk.ws, l1, l2);
            near = f_before - primal <= NEAR * INNER_GAP_FRAC * tol * primal;
            f_before = primal;
            if near || !progressed || out.iterations >= params.max_iter() {
                break;
            }
            // Restricted check: gradient on the working set, intercept, gap.
            let mut ex = BoxExcess::default();
            let mut kkt = wk.r.iter().sum::<f64>().abs();
            let r_sum: f64 = wk.r.iter().sum();
            for (k, &j) in wk.ws.iter().enumerate() {
                let slot = wk.wcomp.get(k).copied().unwrap_or(NO_COMP);
                let zj = prob.stored_dot(j, slot, &wk.r, r_sum);
                ex.add(zj, l1);
                kkt = kkt.max(violation(zj, st.w[j as usize], l1, l2));
            }
            let dual = dual_value(prob, wk, None, l1, l2, ex);
            if primal - dual <= INNER_GAP_FRAC * tol * dual || kkt <= 0.3 * outside {
                break;
            }
        }
        current = Some(loss);
    }
    out
}

/// One proximal Newton step on the working set, from a current `refresh`.
/// Returns the new loss and whether the step moved. A step that moves w or
/// b0 by less than rounding counts as not moving.
fn newton_step(
    prob: &Problem,
    l1: f64,
    l2: f64,
    st: &mut State,
    wk: &mut Work,
    loss: f64,
    out: &mut Outcome,
) -> (f64, bool) {
    let x = prob.x;
    let n = x.rows();
    // IRLS weights with glmnet's clamp.
    let mut hb = 0.0;
    for i in 0..n {
        let (a, oma) = (wk.a[i], wk.oma[i]);
        let pq = if a < PMIN || oma < PMIN {
            PMIN * (1.0 - PMIN)
        } else {
            a * oma
        };
        wk.v[i] = prob.c[i] * pq;
        hb += wk.v[i];
    }
    let m = wk.ws.len();
    wk.h.resize(m, 0.0);
    wk.s.resize(m, 0.0);
    wk.wnew.resize(m, 0.0);
    // Centered coordinates (glmnet centers x_j by its v-weighted mean m_j, so
    // the intercept is orthogonal to every column and frequent words do not
    // zig-zag against it): h_j = sum v x^2 - s_j^2 / hb with s_j = sum v x.
    wk.wcomp.clear();
    wk.wcomp
        .extend(wk.ws.iter().map(|&j| prob.comp.find(j).unwrap_or(NO_COMP)));
    for (k, &j) in wk.ws.iter().enumerate() {
        (wk.s[k], wk.h[k]) = prob.centered_curvature(j, wk.wcomp[k], &wk.v, hb);
        wk.wnew[k] = st.w[j as usize];
    }
    // The model residual is rq + v * o: rq is updated sparsely, the scalar o
    // carries the dense part (the intercept's implicit moves). Start with the
    // intercept optimal in the model: sum of the true residual = 0.
    wk.rq.copy_from_slice(&wk.r);
    wk.hist.clear();
    let mut o = -wk.r.iter().sum::<f64>() / hb;
    // The support's exact step first; coordinate descent then checks it
    // (and the rest of the working set) against its largest move.
    let mut first = f64::NAN;
    let model = StepModel {
        w: &st.w,
        l1,
        l2,
        hb,
    };
    if let Some((o_new, moved)) = support_solve(prob, wk, &model, o) {
        o = o_new;
        first = moved;
    }
    let mut full = true;
    let mut sweeps = 0;
    loop {
        let mut maxch = 0.0f64;
        // sum_i rq_i, for the complemented columns (recomputed every sweep
        // so that rounding cannot drift).
        let mut rq_sum: f64 = wk.rq.iter().sum();
        for k in 0..m {
            if !full && wk.wnew[k] == 0.0 {
                continue;
            }
            let hj = wk.h[k];
            if hj + l2 <= 0.0 {
                continue;
            }
            // Friedman et al. 2010, eq. 10 on centered x_j: the gradient uses
            // the true residual rq + v o (its sum is zero).
            let slot = wk.wcomp[k];
            let col = prob.stored(wk.ws[k], slot);
            let xr = if slot == NO_COMP {
                col.dot(&wk.rq)
            } else {
                rq_sum - col.dot(&wk.rq)
            };
            let g = xr + o * wk.s[k];
            let old = wk.wnew[k];
            let new = soft(hj * old + g, l1) / (hj + l2);
            let d = new - old;
            if d != 0.0 {
                wk.wnew[k] = new;
                if slot == NO_COMP {
                    col.axpy(-d, Some(&wk.v), &mut wk.rq);
                    rq_sum -= d * wk.s[k];
                } else {
                    // -d v x_j = -d v + d v (1 - x_j): the dense part moves
                    // the offset, the complement's rows move in rq.
                    col.axpy(d, Some(&wk.v), &mut wk.rq);
                    rq_sum += d * (hb - wk.s[k]);
                    o -= d;
                }
                o += d * wk.s[k] / hb;
                maxch = maxch.max(hj * d * d);
            }
        }
        sweeps += 1;
        if first.is_nan() {
            first = maxch;
        }
        let small = maxch <= INNER_REL * first || maxch <= 1e-30f64.max(1e-20 * loss);
        if full || small {
            wk.hist.clear();
        } else {
            o = anderson(x, &prob.comp, wk, l1, l2, o, hb);
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
    out.sweeps += sweeps;
    // The intercept's change makes the model residual sum to zero:
    // sum r - hb db - sum_j s_j dw_j = 0.
    let mut sdw = 0.0;
    for k in 0..m {
        sdw += wk.s[k] * (wk.wnew[k] - st.w[wk.ws[k] as usize]);
    }
    let db = (wk.r.iter().sum::<f64>() - sdw) / hb;

    // Direction and the change of margins.
    wk.deta.iter_mut().for_each(|d| *d = db);
    let mut dpen = 0.0;
    for k in 0..m {
        let j = wk.ws[k] as usize;
        let (old, new) = (st.w[j], wk.wnew[k]);
        if new != old {
            x.col(j).axpy(new - old, None, &mut wk.deta);
            dpen += l1 * (new.abs() - old.abs()) + 0.5 * l2 * (new * new - old * old);
        }
    }
    let grad_d: f64 = -wk.r.iter().zip(&wk.deta).map(|(r, d)| r * d).sum::<f64>();
    let delta = grad_d + dpen;
    // The model sees nothing left to gain (1e-22 of F is far below what any
    // tolerance can ask, yet above the rounding of delta near an optimum).
    if delta.is_nan() || delta >= -1e-22 * loss.abs() {
        return (loss, false);
    }
    // Armijo backtracking on F (Yuan et al. 2012, eq. 20). Each trial
    // refreshes a, 1 - a and r with its loss (the accepted one's are then
    // current; if none is, those of the start are computed again).
    let pen0 = penalty_ws(&st.w, &wk.ws, l1, l2);
    let f0 = loss + pen0;
    let mut t = 1.0;
    for _ in 0..40 {
        let mut trial = std::mem::take(&mut wk.trial);
        for ((tr, e), d) in trial.iter_mut().zip(&st.eta).zip(&wk.deta) {
            *tr = e + t * d;
        }
        let lt = refresh(prob, &trial, wk);
        wk.trial = trial;
        let pt: f64 = wk
            .ws
            .iter()
            .zip(&wk.wnew)
            .map(|(&j, &nw)| {
                let w = st.w[j as usize] + t * (nw - st.w[j as usize]);
                l1 * w.abs() + 0.5 * l2 * w * w
            })
            .sum();
        // A predicted decrease below F's rounding cannot be tested on F: there
        // the quadratic model is exact to many digits, take the full step.
        let tiny = -delta <= 1e-13 * f0.abs();
        if tiny || lt + pt <= f0 + ARMIJO * t * delta {
            std::mem::swap(&mut st.eta, &mut wk.trial);
            st.b0 += t * db;
            for (&j, &nw) in wk.ws.iter().zip(&wk.wnew) {
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
    (refresh(prob, &st.eta, wk), false)
}

/// What [`support_solve`] and [`finish_support_step`] need of a Newton
/// step's quadratic model besides the scratch in [`Work`]: the weights it
/// expands around, the penalty's `l1 = lambda alpha` and
/// `l2 = lambda (1 - alpha)`, and `hb = sum_i v_i`, the intercept's curvature.
#[derive(Clone, Copy)]
struct StepModel<'a> {
    w: &'a [f64],
    l1: f64,
    l2: f64,
    hb: f64,
}

/// Largest support solved directly by [`support_solve`] (its Gram matrix
/// takes `MAX_SUPPORT^2` doubles).
const MAX_SUPPORT: usize = 400;
/// A factored Gram is reused for the same support while the IRLS weights
/// moved by at most this fraction (sum |v - v_then| / sum v).
const REFACTOR_DV: f64 = 0.05;
/// The same for the first Newton step of a solve, whose factor is the last
/// one of the previous lambda (its solution's weights; the path predictor
/// moved them): the stale factor's quasi-Newton step from there serves as
/// well as a fresh one. On issue 3's path (100 lambdas, both benchmark
/// matrices) this saves 8-9% of the Newton steps (276 -> 254 and
/// 268 -> 244) and about 2% of the time; at 0.05 here too, the first step
/// refactors almost always.
const REFACTOR_DV_FIRST: f64 = 0.25;

/// Whether the IRLS weights `v` moved from `v0` (those a factor was built
/// with) by at most `limit` of their total: `sum |v - v0| <= limit sum v`.
fn moved_within(v: &[f64], v0: &[f64], limit: f64) -> bool {
    let (mut dv, mut sv) = (0.0, 0.0);
    for (v, v0) in v.iter().zip(v0) {
        dv += (v - v0).abs();
        sv += v;
    }
    dv <= limit * sv
}

/// Solves the quadratic model exactly on the current support (the non-zero
/// weights of the working set), their signs held fixed: the proximal Newton
/// direction when the support is right, found without the slow linear
/// convergence of coordinate descent on correlated words.
///
/// With the intercept eliminated (centered columns, as in the coordinate
/// descent), the model in the support's weights w_A is
/// `-g^T d + 1/2 d^T (G + l2 I) d + l1 s^T (w + d) + l2/2 |w|^2 + l2 w^T d`,
/// `G = X_A^T V X_A - s s^T / hb` (the centered Gram, `s = X_A^T v`) and
/// `g = X_A^T r - s sum(r) / hb`; its stationary point with the signs s of w
/// is `(G + l2 I) d = g - l1 sign(w) - l2 w` (Friedman et al. 2010, eq. 10,
/// solved jointly). G is built row by row, `sum_i v_i u_i u_i^T` over the
/// stored columns u (a complement c_j = 1 - x_j enters with its sign flipped
/// and the dense part added back), and factored by Cholesky. A weight the
/// solution carries through zero is set to zero; coordinate descent then
/// continues from the result, so a wrong support costs sweeps, not accuracy.
/// The point is kept only if it lowers the model.
///
/// Returns the new offset `o` (the model residual is `rq + v o`, `wk.rq` and
/// `wk.wnew` updated) and the largest `h_j d_j^2` of the move, or `None` (all
/// unchanged) when the design has values, the support is empty or too large,
/// G is singular, or the point does not lower the model.
fn support_solve(prob: &Problem, wk: &mut Work, model: &StepModel, o: f64) -> Option<(f64, f64)> {
    let StepModel { w, l1, l2, hb } = *model;
    let x = prob.x;
    if !x.is_binary() {
        return None;
    }
    wk.act.clear();
    wk.act
        .extend((0..wk.ws.len() as u32).filter(|&k| wk.wnew[k as usize] != 0.0));
    let m = wk.act.len();
    if m == 0 || m > MAX_SUPPORT {
        return None;
    }
    // The last factor serves again (a quasi-Newton step) for the same
    // support while the IRLS weights moved little (later steps at a lambda);
    // for a support that changed a little, the last Gram's entries do.
    let limit = if wk.first_step {
        REFACTOR_DV_FIRST
    } else {
        REFACTOR_DV
    };
    let stale_ok =
        !wk.fact_feats.is_empty() && wk.fact_l2 == l2 && moved_within(&wk.v, &wk.fact_v, limit);
    let same = stale_ok
        && wk.fact_feats.len() == m
        && wk
            .act
            .iter()
            .all(|&k| fact_pos(&wk.fact_index, wk.ws[k as usize]) != u32::MAX);
    if same {
        // The factor's order.
        wk.act
            .sort_by_cached_key(|&k| fact_pos(&wk.fact_index, wk.ws[k as usize]));
    } else if !factor_support(prob, wk, l2, hb, stale_ok) {
        return None;
    }
    // Right-hand side g - l1 sign(w) - l2 w, g the centered model gradient at d = 0.
    wk.step.clear();
    let r_sum: f64 = wk.r.iter().sum();
    for a in 0..m {
        let k = wk.act[a] as usize;
        let xr = prob.stored_dot(wk.ws[k], wk.wcomp[k], &wk.r, r_sum);
        let j = wk.ws[k] as usize;
        let g = xr + o * wk.s[k];
        wk.step.push(g - l1 * w[j].signum() - l2 * w[j]);
    }
    if !cholesky_apply(&wk.gram, &wk.fact_frozen, &mut wk.step, m) {
        return None;
    }
    finish_support_step(prob, wk, model, o)
}

/// The support's Gram sums over the rows whose IRLS weight is at least this
/// fraction of the largest. At small lambda most messages are classified
/// with near certainty: on issue 3's path (`sparsetext vectorize`'s
/// matrix), at the last 30 lambdas, 27-54% of the rows, with 33-62% of the
/// Gram's pairs, weigh less than 1e-4 of the largest, and together 0.03-
/// 0.05% of sum v. Without them the Gram is that of weights `vg <= v` (a
/// lower bound in the Loewner order, off by their share), but for its
/// diagonal, which stays exact ([`factor_support`]): as good a quasi-Newton
/// Hessian as the stale ones the solver reuses anyway (a few more
/// conjugate gradients in [`certify`], fewer sweeps), for much less work.
const GRAM_MIN_V: f64 = 1e-4;

/// Builds the centered Gram matrix (plus `l2` on the diagonal) of the
/// support `wk.act` (its lower triangle and `wk.gdiag`) and its Cholesky
/// factor (upper triangle) into `wk.gram`, and puts `wk.act` in the
/// factor's order. With `reuse`, the entries between features of the last
/// support are copied from the last Gram (their IRLS weights moved little;
/// a quasi-Newton step) and only the new features' columns are computed;
/// the members kept come first, in their old order, and the new ones after
/// them, so that the factor follows from the last one
/// ([`cholesky_factor_from`]). The sums run over the rows of weight at
/// least [`GRAM_MIN_V`] of the largest; the diagonal is each member's
/// exact curvature `wk.h` (over every row; the caller sets it). False (and
/// no factor kept) when the matrix is zero.
fn factor_support(prob: &Problem, wk: &mut Work, l2: f64, hb: f64, reuse: bool) -> bool {
    let m = wk.act.len();
    let stored = |wk: &Work, k: usize| -> Column { prob.stored(wk.ws[k], wk.wcomp[k]) };
    // Each member's index in the last support; the kept ones first.
    wk.act.sort_by_cached_key(|&k| {
        let f = wk.ws[k as usize];
        (fact_pos(&wk.fact_index, f), f)
    });
    wk.old_pos.clear();
    wk.old_pos.extend(
        wk.act
            .iter()
            .map(|&k| fact_pos(&wk.fact_index, wk.ws[k as usize])),
    );
    let fresh = wk.old_pos.iter().filter(|&&q| q == u32::MAX).count();
    let reuse = reuse && 4 * fresh <= m;
    let build_all = !reuse;
    if build_all {
        wk.old_pos.fill(u32::MAX);
    }
    // The members kept (first, ascending in the last factor).
    let kept = wk.old_pos.iter().take_while(|&&q| q != u32::MAX).count();
    std::mem::swap(&mut wk.gram, &mut wk.gold);
    // Rows' lists of support members (kept from the last build where they
    // can be, [`rows`]): a full build sums over them, and the new members'
    // columns need them.
    if build_all || fresh > 0 {
        // The rows the Gram sums over: those whose weight is at least
        // GRAM_MIN_V of the largest (see there); the others get 0.
        let cut = GRAM_MIN_V * wk.v.iter().fold(0.0f64, |m, &v| m.max(v));
        wk.vg.clear();
        wk.vg
            .extend(wk.v.iter().map(|&v| if v >= cut { v } else { 0.0 }));
        let feats: Vec<u32> = wk.act.iter().map(|&k| wk.ws[k as usize]).collect();
        let mut rows = std::mem::take(&mut wk.rows);
        rows.update(&wk.vg, &feats, |a| stored(wk, wk.act[a] as usize).rows);
        wk.rows = rows;
    }
    // U = sum_i v_i u_i u_i^T over the stored columns u, upper triangle
    // (lists ascend in a): every pair, or only the new members' columns.
    // Exact reservations: the support grows by a few members at a time,
    // and doubling capacities would hold up to twice the memory.
    wk.gram.clear();
    wk.gram.reserve_exact(m * m);
    wk.gram.resize(m * m, 0.0);
    if build_all {
        accumulate_gram(&mut wk.gram, m, &wk.rows, &mut wk.row_buf, &wk.vg);
    } else {
        for b in 0..m {
            if wk.old_pos[b] != u32::MAX {
                continue;
            }
            // Column b in full (both triangles' halves), then kept in the upper.
            wk.step.clear();
            wk.step.resize(m, 0.0);
            for &i in stored(wk, wk.act[b] as usize).rows {
                let vi = wk.vg[i as usize];
                if vi == 0.0 {
                    continue;
                }
                for &a in wk.rows.row(i as usize, &mut wk.row_buf) {
                    wk.step[a as usize] += vi;
                }
            }
            for a in 0..m {
                let (r, c) = if a <= b { (a, b) } else { (b, a) };
                wk.gram[r * m + c] = wk.step[a];
            }
        }
    }
    // x_a = sigma_a u_a + tau_a 1: G_ab = sigma_a sigma_b U_ab + sigma_a tau_b S_a
    // + tau_a sigma_b S_b + tau_a tau_b hb with S_a = sum v u_a; then center.
    // A full build centers with the sums over the rows it kept, S_a = U_aa
    // (u binary) and hb = sum vg: the centered Gram of the weights vg,
    // positive semidefinite (a rebuild from parts adds the new members'
    // columns to the kept ones', centered with the current sums).
    let hb = if build_all { wk.vg.iter().sum() } else { hb };
    // Per member: (sigma, tau, S, s = sigma S + tau hb, its centering mean
    // times hb).
    wk.gcoef.clear();
    for a in 0..m {
        let k = wk.act[a] as usize;
        let (sa, ta, ua) = match (wk.wcomp[k] == NO_COMP, build_all) {
            (true, true) => (1.0, 0.0, wk.gram[a * m + a]),
            (true, false) => (1.0, 0.0, wk.s[k]),
            (false, true) => (-1.0, 1.0, wk.gram[a * m + a]),
            (false, false) => (-1.0, 1.0, hb - wk.s[k]),
        };
        wk.gcoef.push((sa, ta, ua, sa * ua + ta * hb));
    }
    let old_m = wk.fact_feats.len();
    let mut max_diag = 0.0f64;
    for a in 0..m {
        let (sa, ta, ua, mean_a) = wk.gcoef[a];
        let pa = wk.old_pos[a];
        for b in a..m {
            let pb = wk.old_pos[b];
            wk.gram[a * m + b] = if pa != u32::MAX && pb != u32::MAX {
                // Kept members keep their order: pa <= pb, G_pa,pb is in
                // the old lower triangle (or diagonal).
                let (pa, pb) = (pa as usize, pb as usize);
                if pa == pb {
                    wk.gdiag[pa]
                } else {
                    wk.gold[pb * old_m + pa]
                }
            } else if a == b {
                // The exact curvature over every row (the coordinate
                // descent's h_j): a word found mostly in the rows left out
                // keeps it, instead of a near-zero pivot the factor freezes.
                wk.h[wk.act[a] as usize] + l2
            } else {
                let (sb, tb, ub, mean_b) = wk.gcoef[b];
                sa * sb * wk.gram[a * m + b] + sa * tb * ua + ta * sb * ub + ta * tb * hb
                    - mean_a * mean_b / hb
            };
        }
        max_diag = max_diag.max(wk.gram[a * m + a]);
    }
    clear_factor(wk);
    if max_diag <= 0.0 {
        return false;
    }
    // The Gram below the diagonal, for the next build; the factor above.
    wk.gdiag.clear();
    for a in 0..m {
        wk.gdiag.push(wk.gram[a * m + a]);
        for b in a + 1..m {
            wk.gram[b * m + a] = wk.gram[a * m + b];
        }
    }
    let old = OldFactor {
        r: &mut wk.gold,
        m: old_m,
        live: &wk.old_pos[..kept],
    };
    cholesky_factor_from(&mut wk.gram, &mut wk.fact_frozen, m, 1e-12 * max_diag, old);
    wk.fact_feats
        .extend(wk.act.iter().map(|&k| wk.ws[k as usize]));
    wk.fact_index.clear();
    wk.fact_index.extend(
        wk.fact_feats
            .iter()
            .enumerate()
            .map(|(a, &j)| (j, a as u16)),
    );
    wk.fact_index.sort_unstable();
    if build_all {
        wk.fact_v.clear();
        wk.fact_v.extend_from_slice(&wk.v);
    }
    wk.fact_l2 = l2;
    true
}

/// `U = sum_i v_i u_i u_i^T` (upper triangle of the `m x m` row-major
/// `gram`) from the rows' lists of support members (`rows`, ascending;
/// `buf` scratch), over the rows with `v_i != 0`. The sums run in single
/// precision in the first half of `gram`'s own bytes, then widen in
/// place: half the cache footprint of the scattered additions (the matrix
/// of 300 members outgrows L2 in double precision) for a relative error
/// near 1e-6, which the step's uses tolerate (a quasi-Newton Hessian, a
/// preconditioner; identical columns still give identical sums, so exactly
/// singular directions stay exactly singular).
fn accumulate_gram(
    gram: &mut [f64],
    m: usize,
    rows: &rows::SupportRows,
    buf: &mut Vec<u16>,
    v: &[f64],
) {
    // SAFETY: every bit pattern is a valid f32, and f64's alignment is a
    // multiple of f32's, so the view has no unaligned head.
    let (head, g32, _) = unsafe { gram.align_to_mut::<f32>() };
    debug_assert!(head.is_empty() && g32.len() >= 2 * m * m);
    g32[..m * m].fill(0.0);
    for (i, &vi) in v.iter().enumerate() {
        if vi == 0.0 {
            continue;
        }
        let list = rows.row(i, buf);
        let vi = vi as f32;
        for (p, &a) in list.iter().enumerate() {
            let row = &mut g32[a as usize * m..(a as usize + 1) * m];
            for &b in &list[p..] {
                debug_assert!((b as usize) < row.len());
                // SAFETY: b is a support index, below m = row.len().
                unsafe { *row.get_unchecked_mut(b as usize) += vi };
            }
        }
    }
    // Widen back to front: double t takes the bytes of singles 2t and
    // 2t + 1, read already (t > 0) or just now (t = 0).
    for t in (0..m * m).rev() {
        let bytes = f64::from(g32[t]).to_ne_bytes();
        let (lo, hi) = bytes.split_at(4);
        g32[2 * t] = f32::from_ne_bytes(lo.try_into().expect("4 bytes"));
        g32[2 * t + 1] = f32::from_ne_bytes(hi.try_into().expect("4 bytes"));
    }
}

/// The candidate `w + wk.step` on the support (signs kept, crossing weights
/// clipped to 0): its model residual, and the test that it lowers the model;
/// see [`support_solve`].
fn finish_support_step(
    prob: &Problem,
    wk: &mut Work,
    model: &StepModel,
    o: f64,
) -> Option<(f64, f64)> {
    let StepModel { w, l1, l2, hb } = *model;
    let x = prob.x;
    let n = x.rows();
    let m = wk.act.len();
    // The candidate's model residual, from rq = r and offset o.
    let o0 = o;
    let mut o = o;
    let mut moved = 0.0f64;
    for a in 0..m {
        let k = wk.act[a] as usize;
        let old = wk.wnew[k];
        let mut new = old + wk.step[a];
        if new.signum() != old.signum() {
            new = 0.0;
        }
        let d = new - old;
        if d == 0.0 || !d.is_finite() {
            continue;
        }
        wk.wnew[k] = new;
        moved = moved.max(wk.h[k] * d * d);
        match wk.wcomp[k] {
            NO_COMP => {
                x.col(wk.ws[k] as usize).axpy(-d, Some(&wk.v), &mut wk.rq);
            }
            slot => {
                prob.comp.col(slot).axpy(d, Some(&wk.v), &mut wk.rq);
                o -= d;
            }
        }
        o += d * wk.s[k] / hb;
    }
    // Model values (intercept optimal): -1/2 sum (r^2 - t^2) / v + penalty.
    let shift = (wk.rq.iter().sum::<f64>() + o * hb) / hb;
    let (mut q_new, mut q_old) = (0.0, 0.0);
    let r_shift = (wk.r.iter().sum::<f64>() + o0 * hb) / hb;
    for i in 0..n {
        let vi = wk.v[i];
        let r2 = wk.r[i] * wk.r[i];
        let t = wk.rq[i] + vi * (o - shift);
        let t0 = wk.r[i] + vi * (o0 - r_shift);
        q_new += (r2 - t * t) / vi;
        q_old += (r2 - t0 * t0) / vi;
    }
    let (mut pen_new, mut pen_old) = (0.0, 0.0);
    for &k in &wk.act {
        let (a, b) = (wk.wnew[k as usize], w[wk.ws[k as usize] as usize]);
        pen_new += l1 * a.abs() + 0.5 * l2 * a * a;
        pen_old += l1 * b.abs() + 0.5 * l2 * b * b;
    }
    let q_new = -0.5 * q_new + pen_new;
    let q_old = -0.5 * q_old + pen_old;
    if q_new < q_old && moved > 0.0 {
        Some((o, moved))
    } else {
        wk.rq.copy_from_slice(&wk.r);
        for &k in &wk.act {
            wk.wnew[k as usize] = w[wk.ws[k as usize] as usize];
        }
        None
    }
}

/// Forgets the support factor (`fact_feats` and `fact_index`).
fn clear_factor(wk: &mut Work) {
    wk.fact_index.clear();
    wk.fact_feats.clear();
}

/// The factor of the last support, to build the next one from: `r`
/// (`m x m`, from [`cholesky_factor`], overwritten) factors a matrix whose
/// rows and columns `live` (ascending) are the new matrix's leading block.
struct OldFactor<'a> {
    r: &'a mut [f64],
    m: usize,
    live: &'a [u32],
}

/// [`cholesky_factor`] of `A` from the factor of a matrix that shares its
/// leading block, `old` (the support lost the members not in `old.live` and
/// gained those after them). Deleting member q from `R^T R` leaves the rows
/// before it as they are and changes the factor S of the rows after it by a
/// rank-one update, `S'^T S' = S^T S + x x^T` with x row q of R after the
/// diagonal (Golub & Van Loan, "Matrix Computations", 6.5.4 on updating
/// factorizations; the update by plane rotations, as LINPACK's `dchud`).
/// The new members' columns of the kept rows then follow from the
/// triangular solve `R_11^T R_12 = A_12`, and only the new rows are
/// factored. A support that loses d members and gains k costs
/// `O(m^2 (d + k))` instead of `O(m^3)`. A frozen row after the first
/// deletion (a singular direction the update could not keep singular)
/// falls back to refactoring from there. `frozen` must hold `old`'s flags.
fn cholesky_factor_from(
    a: &mut [f64],
    frozen: &mut Vec<bool>,
    m: usize,
    min_pivot: f64,
    old: OldFactor,
) {
    let OldFactor { r, m: om, live } = old;
    let kept = live.len();
    // Rows before the first deletion are the old rows as they are.
    let same = live
        .iter()
        .enumerate()
        .take_while(|&(i, &q)| q as usize == i)
        .count();
    let k0 = if frozen[same.min(om)..].iter().any(|&f| f) {
        same
    } else {
        // Delete, last first, the old members not kept.
        let mut x = Vec::new();
        let mut next = kept;
        for q in (same..om).rev() {
            if next > 0 && live[next - 1] as usize == q {
                next -= 1;
                continue;
            }
            // S: the kept rows after q, live[next..]; x: row q over them.
            let rows = &live[next..];
            x.clear();
            x.extend(rows.iter().map(|&c| r[q * om + c as usize]));
            for (k, &rk) in rows.iter().enumerate() {
                let rk = rk as usize;
                let skk = r[rk * om + rk];
                let h = skk.hypot(x[k]);
                let (c, s) = (h / skk, x[k] / skk);
                r[rk * om + rk] = h;
                for (j, &cj) in rows.iter().enumerate().skip(k + 1) {
                    let e = &mut r[rk * om + cj as usize];
                    *e = (*e + s * x[j]) / c;
                    x[j] = c * x[j] - s * *e;
                }
            }
        }
        kept
    };
    for i in 0..k0 {
        let qi = live[i] as usize;
        for j in i..k0 {
            a[i * m + j] = r[qi * om + live[j] as usize];
        }
    }
    // The kept rows' flags, in place (live ascends, live[i] >= i).
    for i in 0..k0 {
        frozen[i] = frozen[live[i] as usize];
    }
    frozen.truncate(k0);
    frozen.resize(m, false);
    // The kept rows' entries in the new columns: R_11^T R_12 = A_12.
    factor_rows(a, m, 0..k0, k0, |a, i| {
        let d = a[i * m + i];
        if frozen[i] {
            a[i * m + k0..(i + 1) * m].fill(0.0);
        } else {
            for x in &mut a[i * m + k0..(i + 1) * m] {
                *x /= d;
            }
        }
    });
    cholesky_rows(a, frozen, m, min_pivot, k0);
}

/// Row i of R, columns `from..m`: `a_i -= sum_{k in ks} R_ki R_k` (the
/// up-looking Cholesky's update by the rows above, k < i).
#[inline]
fn subtract_rows(a: &mut [f64], m: usize, i: usize, ks: std::ops::Range<usize>, from: usize) {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU has AVX2 (checked just now).
        return unsafe { subtract_rows_avx2(a, m, i, ks, from) };
    }
    subtract_rows_any(a, m, i, ks, from);
}

/// [`subtract_rows`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn subtract_rows_avx2(a: &mut [f64], m: usize, i: usize, ks: std::ops::Range<usize>, from: usize) {
    subtract_rows_any(a, m, i, ks, from);
}

#[inline(always)]
fn subtract_rows_any(a: &mut [f64], m: usize, i: usize, ks: std::ops::Range<usize>, from: usize) {
    let (head, tail) = a.split_at_mut(i * m);
    let row = &mut tail[from..m];
    for k in ks {
        let rki = head[k * m + i];
        if rki != 0.0 {
            let rk = &head[k * m + from..(k + 1) * m];
            for (x, &r) in row.iter_mut().zip(rk) {
                *x -= rki * r;
            }
        }
    }
}

/// Whether the CPU runs the Cholesky kernels' AVX2 versions: four doubles
/// per instruction instead of SSE2's two, the same operations elementwise
/// (no reassociation, no fused multiply-add), so the same results. std
/// caches the answer.
#[cfg(target_arch = "x86_64")]
#[inline]
fn avx2() -> bool {
    std::arch::is_x86_feature_detected!("avx2")
}

/// Rows of R in blocks of this many share each row above them as it
/// streams by (the factor of a support of 300 is 700 kB, more than L2).
const BLOCK: usize = 4;

/// [`subtract_rows`] for the `BLOCK` rows `i0..i0 + BLOCK` (row i from column
/// `max(i, from)`), by all rows above the block, `k < i0`: each row k is
/// read once for the block. The same operations in the same order as row by
/// row, so the same results.
fn subtract_rows_above_block(a: &mut [f64], m: usize, i0: usize, from: usize) {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU has AVX2 (checked just now).
        return unsafe { subtract_rows_above_block_avx2(a, m, i0, from) };
    }
    subtract_rows_above_block_any(a, m, i0, from);
}

/// [`subtract_rows_above_block`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn subtract_rows_above_block_avx2(a: &mut [f64], m: usize, i0: usize, from: usize) {
    subtract_rows_above_block_any(a, m, i0, from);
}

#[inline(always)]
fn subtract_rows_above_block_any(a: &mut [f64], m: usize, i0: usize, from: usize) {
    let (head, tail) = a.split_at_mut(i0 * m);
    let (r0, rest) = tail.split_at_mut(m);
    let (r1, rest) = rest.split_at_mut(m);
    let (r2, rest) = rest.split_at_mut(m);
    let r3 = &mut rest[..m];
    let start = |b: usize| (i0 + b).max(from);
    let shared = start(BLOCK - 1);
    for k in 0..i0 {
        let rk = &head[k * m..(k + 1) * m];
        let c = [rk[i0], rk[i0 + 1], rk[i0 + 2], rk[i0 + 3]];
        if c == [0.0; BLOCK] {
            continue;
        }
        for (b, row) in [&mut *r0, &mut *r1, &mut *r2].into_iter().enumerate() {
            if c[b] != 0.0 {
                for j in start(b)..shared {
                    row[j] -= c[b] * rk[j];
                }
            }
        }
        let rk = &rk[shared..];
        let (x0, x1, x2, x3) = (
            &mut r0[shared..],
            &mut r1[shared..],
            &mut r2[shared..],
            &mut r3[shared..],
        );
        for (j, &r) in rk.iter().enumerate() {
            x0[j] -= c[0] * r;
            x1[j] -= c[1] * r;
            x2[j] -= c[2] * r;
            x3[j] -= c[3] * r;
        }
    }
}

/// Factors a symmetric positive definite `A` (`m x m`, upper triangle
/// given, row-major) in place as `A = R^T R`, R upper triangular (Cholesky).
/// A direction whose pivot is below `min_pivot` (singular or nearly so: a
/// word found only in messages the fit already classifies with certainty) is
/// frozen: its row of R becomes the identity's, so the others solve the
/// system without it, and [`cholesky_apply`] sets its x to 0.
#[cfg(test)]
fn cholesky_factor(a: &mut [f64], frozen: &mut Vec<bool>, m: usize, min_pivot: f64) {
    frozen.clear();
    frozen.resize(m, false);
    cholesky_rows(a, frozen, m, min_pivot, 0);
}

/// Rows `from..m` of [`cholesky_factor`], the rows before them done.
fn cholesky_rows(a: &mut [f64], frozen: &mut [bool], m: usize, min_pivot: f64, from: usize) {
    factor_rows(a, m, from..m, 0, |a, i| {
        let d = a[i * m + i];
        if d.is_nan() || d <= min_pivot {
            a[i * m + i..(i + 1) * m].fill(0.0);
            a[i * m + i] = 1.0;
            frozen[i] = true;
            return;
        }
        let r = d.sqrt();
        for x in &mut a[i * m + i..(i + 1) * m] {
            *x /= r;
        }
    });
}

/// Rows `rows` of R, each from column `max(i, from)` on, one after the
/// other: [`subtract_rows`] by every row above (blocks of `BLOCK` rows
/// first take the rows above the block together), then `finish(a, i)`.
fn factor_rows(
    a: &mut [f64],
    m: usize,
    rows: std::ops::Range<usize>,
    from: usize,
    mut finish: impl FnMut(&mut [f64], usize),
) {
    let mut i0 = rows.start;
    while i0 < rows.end {
        let block = if i0 + BLOCK <= rows.end {
            subtract_rows_above_block(a, m, i0, from);
            BLOCK
        } else {
            subtract_rows(a, m, i0, 0..i0, i0.max(from));
            1
        };
        for i in i0..i0 + block {
            subtract_rows(a, m, i, i0..i, i.max(from));
            finish(a, i);
        }
        i0 += block;
    }
}

/// Solves `R^T R x = b` in place for a factor from [`cholesky_factor`]
/// (frozen directions get x = 0; their entries of R above the diagonal,
/// set before they froze, are skipped that way). False if x is not finite.
fn cholesky_apply(a: &[f64], frozen: &[bool], b: &mut [f64], m: usize) -> bool {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU has AVX2 (checked just now).
        return unsafe { cholesky_apply_avx2(a, frozen, b, m) };
    }
    cholesky_apply_any(a, frozen, b, m)
}

/// [`cholesky_apply`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn cholesky_apply_avx2(a: &[f64], frozen: &[bool], b: &mut [f64], m: usize) -> bool {
    cholesky_apply_any(a, frozen, b, m)
}

#[inline(always)]
fn cholesky_apply_any(a: &[f64], frozen: &[bool], b: &mut [f64], m: usize) -> bool {
    // R^T y = b by rows of R: y_k = b_k / R_kk, then b_i -= R_ki y_k for
    // i > k (row k read in order, not column i across the rows).
    for k in 0..m {
        if frozen[k] {
            b[k] = 0.0;
            continue;
        }
        let yk = b[k] / a[k * m + k];
        b[k] = yk;
        if yk != 0.0 {
            for (bi, &r) in b[k + 1..].iter_mut().zip(&a[k * m + k + 1..(k + 1) * m]) {
                *bi -= r * yk;
            }
        }
    }
    // R x = y, row by row from the last.
    for i in (0..m).rev() {
        if frozen[i] {
            continue;
        }
        let row = &a[i * m + i + 1..(i + 1) * m];
        let v = b[i] - row.iter().zip(&b[i + 1..]).map(|(r, x)| r * x).sum::<f64>();
        b[i] = v / a[i * m + i];
    }
    b.iter().all(|v| v.is_finite())
}

/// Anderson acceleration of the coordinate descent (Bertrand & Massias 2021,
/// "Anderson acceleration of coordinate descent", AISTATS, Algorithm 2):
/// keeps the iterates of the last sweeps over the non-zero coordinates and,
/// every [`ANDERSON_K`] sweeps, tries the extrapolated point
/// `sum_k c_k w_k`, c minimizing `|sum_k c_k (w_{k+1} - w_k)|` with
/// `sum c = 1`. It is taken only if it lowers the quadratic model, whose value
/// with the intercept optimal is `-1/2 sum_i (r_i^2 - rq_i^2) / v_i` for the
/// model residual rq = r - V deta. Returns the new offset `o`.
#[allow(clippy::needless_range_loop)] // small dense linear algebra reads best indexed
#[allow(clippy::too_many_arguments)]
fn anderson(
    x: &Design,
    comp: &Complements,
    wk: &mut Work,
    l1: f64,
    l2: f64,
    o: f64,
    hb: f64,
) -> f64 {
    let m = wk.wnew.len();
    wk.hist.extend_from_slice(&wk.wnew);
    let kk = ANDERSON_K;
    if wk.hist.len() < (kk + 1) * m {
        return o;
    }
    // U^T U for U_k = w_{k+1} - w_k.
    let mut gram = [[0.0f64; ANDERSON_K]; ANDERSON_K];
    let diff = |k: usize, i: usize| wk.hist[(k + 1) * m + i] - wk.hist[k * m + i];
    for a in 0..kk {
        for b in a..kk {
            let v: f64 = (0..m).map(|i| diff(a, i) * diff(b, i)).sum();
            gram[a][b] = v;
            gram[b][a] = v;
        }
    }
    let trace: f64 = (0..kk).map(|a| gram[a][a]).sum();
    let mut c = [1.0f64; ANDERSON_K];
    if !(trace > 0.0 && solve_small(&mut gram, &mut c, 1e-10 * trace)) {
        wk.hist.clear();
        return o;
    }
    let total: f64 = c.iter().sum();
    if total.abs() < 1e-300 || !total.is_finite() {
        wk.hist.clear();
        return o;
    }
    // Extrapolated point into wk.wacc.
    wk.wacc.clear();
    wk.wacc.extend((0..m).map(|i| {
        (0..kk)
            .map(|k| c[k] / total * wk.hist[(k + 1) * m + i])
            .sum::<f64>()
    }));
    wk.hist.clear();
    // Its model residual, intercept re-optimized.
    // A complemented column's dense part -d v joins the offset.
    let n = wk.rq.len();
    let dense: f64 = (0..m)
        .filter(|&k| wk.wcomp[k] != NO_COMP)
        .map(|k| wk.wacc[k] - wk.wnew[k])
        .sum();
    for i in 0..n {
        wk.trial[i] = wk.rq[i] + wk.v[i] * (o - dense);
    }
    for k in 0..m {
        let d = wk.wacc[k] - wk.wnew[k];
        if d != 0.0 {
            match wk.wcomp[k] {
                NO_COMP => x
                    .col(wk.ws[k] as usize)
                    .axpy(-d, Some(&wk.v), &mut wk.trial),
                slot => comp.col(slot).axpy(d, Some(&wk.v), &mut wk.trial),
            }
        }
    }
    let shift = wk.trial.iter().sum::<f64>() / hb;
    let (mut q_acc, mut q_cur) = (0.0, 0.0);
    for i in 0..n {
        let t = wk.trial[i] - wk.v[i] * shift;
        wk.trial[i] = t;
        let cur = wk.rq[i] + wk.v[i] * o;
        let r2 = wk.r[i] * wk.r[i];
        q_acc += (r2 - t * t) / wk.v[i];
        q_cur += (r2 - cur * cur) / wk.v[i];
    }
    let pen = |w: &[f64]| -> f64 { w.iter().map(|&w| l1 * w.abs() + 0.5 * l2 * w * w).sum() };
    let q_acc = -0.5 * q_acc + pen(&wk.wacc);
    let q_cur = -0.5 * q_cur + pen(&wk.wnew);
    if q_acc < q_cur {
        std::mem::swap(&mut wk.wnew, &mut wk.wacc);
        std::mem::swap(&mut wk.rq, &mut wk.trial);
        return 0.0;
    }
    o
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

/// Builds the public [`Fit`] from a solved state (`wk` of its solve).
/// `twins`: the identical columns found so far (kept along a path, see
/// [`Twins`]).
pub(crate) fn make_fit(
    prob: &Problem,
    lambda: f64,
    alpha: f64,
    st: &State,
    wk: &Work,
    out: &Outcome,
    twins: &mut Twins,
) -> Fit {
    // The non-zero weights are in the working set (ascending).
    let weights: Vec<(u32, f64)> = wk
        .ws
        .iter()
        .map(|&j| (j, st.w[j as usize]))
        .filter(|&(_, w)| w != 0.0)
        .collect();
    let deviance = 2.0 * prob.total_weight * out.loss;
    let dev_explained = 1.0 - deviance / prob.null_dev;
    let mut warnings = Vec::new();
    // Separation: every message (with weight) on its side of the boundary.
    let separated = st
        .eta
        .iter()
        .zip(&prob.y)
        .zip(&prob.c)
        .all(|((&e, &y), &c)| c == 0.0 || y * e > 0.0);
    if separated && (lambda == 0.0 || dev_explained >= SATURATED) {
        warnings.push(format!(
            "the training data are separable: at lambda = {lambda:e} the fit explains {:.4}% \
             of the null deviance and the weights grow without bound as lambda -> 0",
            100.0 * dev_explained
        ));
    }
    if lambda * (1.0 - alpha) == 0.0 {
        for (j, k) in twins.of(prob.x, &prob.shapes, &weights) {
            warnings.push(format!(
                "features {j} and {k} are identical: with {} only the sum of their \
                 weights is determined",
                if lambda == 0.0 {
                    "lambda = 0"
                } else {
                    "alpha = 1"
                }
            ));
        }
    }
    Fit {
        lambda,
        alpha,
        intercept: st.b0,
        weights,
        objective: out.objective,
        dual: out.dual,
        rel_gap: (out.objective - out.dual) / out.dual,
        kkt: out.kkt,
        deviance,
        dev_explained,
        iterations: out.iterations,
        sweeps: out.sweeps,
        checks: out.checks,
        converged: out.converged,
        warnings,
    }
}

/// Deviance explained from which a separating fit counts as saturated
/// (glmnet's `devmax`, the path's default `max_dev_explained`).
const SATURATED: f64 = 0.999;

/// Checks lambda.
pub(crate) fn check_lambda(lambda: f64) -> Result<()> {
    if lambda.is_finite() && lambda >= 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidParam {
            name: "lambda",
            value: lambda.to_string(),
            reason: "must be finite and >= 0".into(),
        })
    }
}

/// Fits at one `lambda` from w = 0; see the module docs for the method and the
/// certificate in [`Fit::rel_gap`].
///
/// `lambda = 0` (plain logistic regression) is accepted but has no
/// certificate (the dual then needs `X^T theta = 0` exactly): the fit stops
/// when Newton steps no longer move or at `max_iter`, with `converged` false
/// unless the gap closed; on separable data it cannot converge at all.
pub fn fit(
    design: &Design,
    y: &[bool],
    weights: Option<&[f64]>,
    lambda: f64,
    params: &ValidParams,
) -> Result<Fit> {
    check_lambda(lambda)?;
    let prob = Problem::new(design, y, weights)?;
    let mut st = State::null(&prob);
    let mut wk = Work::new(design.rows(), design.cols());
    let out = solve(&prob, lambda, &mut st, &mut wk, &[], params);
    let mut twins = Twins::default();
    Ok(make_fit(
        &prob,
        lambda,
        params.alpha(),
        &st,
        &wk,
        &out,
        &mut twins,
    ))
}

/// The smallest lambda at which w = 0 is optimal (see the module docs of
/// [`crate::solver`]).
pub fn lambda_max(design: &Design, y: &[bool], weights: Option<&[f64]>, alpha: f64) -> Result<f64> {
    let prob = Problem::new(design, y, weights)?;
    Ok(prob.lambda_max(alpha))
}

/// The objective F(b0, w) of a given solution (for checking one from elsewhere).
pub fn objective(
    design: &Design,
    y: &[bool],
    weights: Option<&[f64]>,
    lambda: f64,
    alpha: f64,
    intercept: f64,
    w: &[(u32, f64)],
) -> Result<f64> {
    let prob = Problem::new(design, y, weights)?;
    let eta = design.margins(intercept, w);
    let pen: f64 = w
        .iter()
        .map(|&(_, v)| lambda * (alpha * v.abs() + 0.5 * (1.0 - alpha) * v * v))
        .sum();
    Ok(loss_at(&prob, &eta) + pen)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::solver::Params;
    use proptest::prelude::*;

    /// The small real-mail fixture: 300 SpamAssassin messages (tests/data/solver).
    pub(crate) fn real300() -> (Design, Vec<bool>) {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/solver/real300.svm");
        let data = crate::svmlight::read(path.as_ref()).unwrap();
        (Design::from_csr(&data.x).unwrap(), data.y)
    }

    /// KKT conditions of F at a fit, with tolerance `tol` (absolute, on gradients).
    pub(crate) fn assert_kkt(x: &Design, y: &[bool], s: Option<&[f64]>, fit: &Fit, tol: f64) {
        let prob = Problem::new(x, y, s).unwrap();
        let eta = x.margins(fit.intercept, &fit.weights);
        // g_j = d loss / d w_j = -X_j^T r, r_i = c_i y_i sigma(-y_i eta_i).
        let r: Vec<f64> = (0..eta.len())
            .map(|i| prob.c[i] * prob.y[i] / (1.0 + (prob.y[i] * eta[i]).exp()))
            .collect();
        let w = fit.dense_weights(x.cols());
        let (l1, l2) = (fit.lambda * fit.alpha, fit.lambda * (1.0 - fit.alpha));
        for (j, &wj) in w.iter().enumerate() {
            let g = -x.col(j).dot(&r);
            if wj != 0.0 {
                let v = (g + l2 * wj + l1 * wj.signum()).abs();
                assert!(v <= tol, "feature {j}: w {wj} stationarity {v}");
            } else {
                assert!(
                    g.abs() <= l1 + tol,
                    "feature {j}: zero with |g| {} > {l1}",
                    g.abs()
                );
            }
        }
        let gb: f64 = r.iter().sum();
        assert!(gb.abs() <= tol, "intercept gradient {gb}");
    }

    /// Obviously-correct dense reference: FISTA (Beck & Teboulle 2009) with
    /// the intercept as an unpenalized coordinate, step 1/L with
    /// L = (1/4) sum_i c_i (1 + |x_i|^2) >= the loss Hessian's norm.
    fn dense_fista(rows: &[Vec<f64>], y: &[bool], lambda: f64, alpha: f64, iters: usize) -> f64 {
        let n = rows.len();
        let p = rows[0].len();
        let c = 1.0 / n as f64;
        let ys: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect();
        let lip = 0.25
            * c
            * rows
                .iter()
                .map(|r| 1.0 + r.iter().map(|v| v * v).sum::<f64>())
                .sum::<f64>();
        let step = 1.0 / lip;
        let f = |b: f64, w: &[f64]| {
            let mut loss = 0.0;
            for i in 0..n {
                let eta = b + rows[i].iter().zip(w).map(|(x, w)| x * w).sum::<f64>();
                loss += c * log1p_exp_neg(ys[i] * eta);
            }
            loss + lambda
                * w.iter()
                    .map(|w| alpha * w.abs() + 0.5 * (1.0 - alpha) * w * w)
                    .sum::<f64>()
        };
        let (mut b, mut w) = (0.0, vec![0.0; p]);
        let (mut vb, mut vw) = (0.0, vec![0.0; p]);
        let mut t = 1.0f64;
        for _ in 0..iters {
            let mut gb = 0.0;
            let mut gw = vec![0.0; p];
            for i in 0..n {
                let eta = vb + rows[i].iter().zip(&vw).map(|(x, w)| x * w).sum::<f64>();
                let r = -c * ys[i] / (1.0 + (ys[i] * eta).exp());
                gb += r;
                for j in 0..p {
                    gw[j] += r * rows[i][j];
                }
            }
            let nb = vb - step * gb;
            let nw: Vec<f64> = (0..p)
                .map(|j| {
                    soft(vw[j] - step * gw[j], step * lambda * alpha)
                        / (1.0 + step * lambda * (1.0 - alpha))
                })
                .collect();
            let tn = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
            vb = nb + (t - 1.0) / tn * (nb - b);
            vw = (0..p)
                .map(|j| nw[j] + (t - 1.0) / tn * (nw[j] - w[j]))
                .collect();
            b = nb;
            w = nw;
            t = tn;
        }
        f(b, &w)
    }

    fn params(alpha: f64, tol: f64) -> ValidParams {
        Params::new().alpha(alpha).tol(tol).check().unwrap()
    }

    #[test]
    fn zero_at_lambda_max_and_not_just_below() {
        let (x, y) = real300();
        for alpha in [1.0, 0.5] {
            let lmax = lambda_max(&x, &y, None, alpha).unwrap();
            let at = fit(&x, &y, None, lmax, &params(alpha, 1e-8)).unwrap();
            assert!(
                at.weights.is_empty(),
                "alpha {alpha}: {} non-zero at lambda_max",
                at.nnz()
            );
            assert!(at.converged);
            let below = fit(&x, &y, None, 0.999 * lmax, &params(alpha, 1e-8)).unwrap();
            assert!(
                !below.weights.is_empty(),
                "alpha {alpha}: all zero just below lambda_max"
            );
        }
    }

    /// Along a path on real mail, the bounded full check is exact on the
    /// non-zero weights and wherever `|X_j^T r|` could exceed `l1`, bounds
    /// every feature, and skips a good part of the pass at large lambda.
    #[test]
    fn bounded_full_check_is_exact_where_it_matters() {
        let (x, y) = real300();
        let prob = Problem::new(&x, &y, None).unwrap();
        let pr = params(1.0, 1e-6);
        let lmax = lambda_max(&x, &y, None, 1.0).unwrap();
        let mut st = State::null(&prob);
        let mut wk = Work::new(x.rows(), x.cols());
        gradient_at(&prob, &mut st, &mut wk, lmax);
        let mut exact = vec![0.0; x.cols()];
        let mut skipped = 0;
        for k in 1..8 {
            let lambda = lmax * 0.7f64.powi(k);
            solve(&prob, lambda, &mut st, &mut wk, &[], &pr);
            // A point of this solve, then the check from the reference.
            full_gradient(&prob, &st.w, &mut wk, lambda);
            x.xt_dot(&wk.r, &mut exact);
            let listed: Vec<u32> = (0..x.cols() as u32)
                .filter(|&j| wk.is_exact.get(j as usize))
                .collect();
            assert_eq!(wk.exact, listed);
            for (j, &ej) in exact.iter().enumerate() {
                if let Ok(k) = wk.exact.binary_search(&(j as u32)) {
                    assert_eq!(wk.z[k], ej, "feature {j}");
                } else {
                    let zb = f64::from(wk.z_ref[j]) + wk.top.bound(x.col_len(j));
                    assert!(ej.abs() <= zb * (1.0 + 1e-12) + 1e-15, "bound, feature {j}");
                    assert!(st.w[j] == 0.0 && zb <= lambda, "feature {j} skipped");
                    skipped += 1;
                }
            }
        }
        assert!(skipped > x.cols(), "only {skipped} skipped over 7 checks");
    }

    #[test]
    fn kkt_holds_on_real_mail() {
        let (x, y) = real300();
        // Frequent words go through their complements here.
        assert!(Problem::new(&x, &y, None).unwrap().comp.len() > 0);
        let npos = y.iter().filter(|&&b| b).count() as f64;
        let n = y.len() as f64;
        let bal: Vec<f64> = y
            .iter()
            .map(|&b| {
                if b {
                    n / (2.0 * npos)
                } else {
                    n / (2.0 * (n - npos))
                }
            })
            .collect();
        for s in [None, Some(bal.as_slice())] {
            for alpha in [1.0, 0.3] {
                let lmax = lambda_max(&x, &y, s, alpha).unwrap();
                for ratio in [0.3, 0.05, 0.01] {
                    let f = fit(&x, &y, s, ratio * lmax, &params(alpha, 1e-9)).unwrap();
                    assert!(f.converged && f.rel_gap <= 1e-9, "{f:?}");
                    assert!(f.objective.is_finite() && f.intercept.is_finite());
                    // Gradients here are O(lambda_max) ~ 0.1; a gap of 1e-10
                    // leaves KKT residuals of order sqrt(gap) * curvature.
                    assert_kkt(&x, &y, s, &f, 1e-6);
                    assert!(f.kkt <= 1e-6, "reported kkt {}", f.kkt);
                }
            }
        }
    }

    /// An intercept step's update of a, 1 - a, r and the loss agrees with
    /// recomputing them at the moved margins; a long step is refused.
    #[test]
    fn intercept_shift_matches_a_fresh_refresh() {
        let (x, y) = real300();
        let prob = Problem::new(&x, &y, None).unwrap();
        let lmax = lambda_max(&x, &y, None, 1.0).unwrap();
        let mut st = State::null(&prob);
        let mut wk = Work::new(x.rows(), x.cols());
        solve(
            &prob,
            0.05 * lmax,
            &mut st,
            &mut wk,
            &[],
            &params(1.0, 1e-6),
        );
        for d in [1e-7, -3e-5, 9e-5] {
            let loss = refresh(&prob, &st.eta, &mut wk);
            let shifted = shift(&prob, &mut wk, d, loss).unwrap();
            let eta: Vec<f64> = st.eta.iter().map(|e| e + d).collect();
            let mut fresh = Work::new(x.rows(), x.cols());
            let exact = refresh(&prob, &eta, &mut fresh);
            assert!(
                (shifted - exact).abs() <= 1e-14 * exact,
                "d {d}: {shifted} vs {exact}"
            );
            for i in 0..x.rows() {
                for (got, want) in [
                    (wk.a[i], fresh.a[i]),
                    (wk.oma[i], fresh.oma[i]),
                    (wk.r[i], fresh.r[i]),
                ] {
                    assert!(
                        (got - want).abs() <= 1e-14 * want.abs(),
                        "d {d}, row {i}: {got} vs {want}"
                    );
                }
            }
        }
        let loss = refresh(&prob, &st.eta, &mut wk);
        assert_eq!(shift(&prob, &mut wk, 1e-3, loss), None);
    }

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

    #[test]
    fn weights_are_rescaled_to_mean_one() {
        let (x, y) = real300();
        let s1: Vec<f64> = (0..y.len()).map(|i| 1.0 + (i % 3) as f64).collect();
        let s2: Vec<f64> = s1.iter().map(|v| 7.0 * v).collect();
        let p = params(1.0, 1e-9);
        let a = fit(&x, &y, Some(&s1), 0.002, &p).unwrap();
        let b = fit(&x, &y, Some(&s2), 0.002, &p).unwrap();
        assert!((a.objective - b.objective).abs() <= 1e-12);
    }

    #[test]
    fn separable_data_stay_finite() {
        // Feature 0 separates the classes perfectly.
        let rows: Vec<Vec<f64>> = (0..20)
            .map(|i| vec![if i < 10 { 1.0 } else { 0.0 }, (i % 3) as f64, 1.0])
            .collect();
        let y: Vec<bool> = (0..20).map(|i| i < 10).collect();
        let x = Design::from_dense(&rows).unwrap();
        let f = fit(&x, &y, None, 1e-9, &params(1.0, 1e-6)).unwrap();
        assert!(f.objective.is_finite() && f.intercept.is_finite());
        assert!(f.weights.iter().all(|(_, w)| w.is_finite()));
        let path = crate::solver::fit_path(&x, &y, None, &Params::new().check().unwrap()).unwrap();
        assert!(path.warning.is_some(), "no saturation warning");
        assert!(path.fits.iter().all(|f| f.objective.is_finite()));
        assert!(path.fits.len() < 100);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let x = Design::from_dense(&[vec![1.0], vec![0.0]]).unwrap();
        let p = params(1.0, 1e-6);
        assert!(matches!(
            fit(&x, &[true, true], None, 0.1, &p),
            Err(Error::Training(_))
        ));
        assert!(matches!(
            fit(&x, &[true], None, 0.1, &p),
            Err(Error::InvalidParam { .. })
        ));
        assert!(matches!(
            fit(&x, &[true, false], None, -1.0, &p),
            Err(Error::InvalidParam { .. })
        ));
        assert!(matches!(
            fit(&x, &[true, false], Some(&[1.0, f64::NAN]), 0.1, &p),
            Err(Error::InvalidParam { .. })
        ));
        assert!(matches!(
            fit(&x, &[true, false], Some(&[0.0, 0.0]), 0.1, &p),
            Err(Error::Training(_))
        ));
    }

    #[test]
    fn cholesky_solves_and_freezes_singular_directions() {
        // A = [[4, 2, 0], [2, 3, 0], [0, 0, 0]] (upper triangle given): the
        // third direction is singular, its step is 0 and the rest is exact.
        let mut a = vec![4.0, 2.0, 0.0, 9.0, 3.0, 0.0, 9.0, 9.0, 0.0];
        let mut b = vec![2.0, 5.0, 7.0];
        let mut frozen = Vec::new();
        cholesky_factor(&mut a, &mut frozen, 3, 1e-12);
        assert_eq!(frozen, vec![false, false, true]);
        assert!(cholesky_apply(&a, &frozen, &mut b, 3));
        // [[4, 2], [2, 3]] x = [2, 5]: x = (-0.5, 2).
        assert!(
            (b[0] + 0.5).abs() < 1e-14 && (b[1] - 2.0).abs() < 1e-14,
            "{b:?}"
        );
        assert_eq!(b[2], 0.0);
        // Not positive definite: the pivot is negative, frozen too.
        let mut a = vec![1.0, 2.0, 0.0, 1.0];
        let mut b = vec![1.0, 1.0];
        cholesky_factor(&mut a, &mut frozen, 2, 1e-12);
        assert!(cholesky_apply(&a, &frozen, &mut b, 2));
        assert_eq!(b, vec![1.0, 0.0]);
    }

    /// The support's Gram summed in f32 and widened in place matches the
    /// sums in f64, and identical columns sum identically.
    #[test]
    fn gram_accumulates_in_single_precision_and_widens_in_place() {
        // 5 rows, 3 members; members 0 and 2 in the same rows.
        let lists: [&[u16]; 5] = [&[0, 1, 2], &[1], &[0, 2], &[], &[0, 1, 2]];
        let v = [0.25, 0.1, 1e-3, 0.2, 1.0 / 3.0];
        let m = 3;
        let cols: Vec<Vec<u32>> = (0..m as u16)
            .map(|a| (0..5).filter(|&i| lists[i as usize].contains(&a)).collect())
            .collect();
        let mut rows = rows::SupportRows::default();
        rows.update(&[1.0; 5], &[7, 8, 9], |a| &cols[a]);
        let mut gram = vec![f64::NAN; m * m];
        accumulate_gram(&mut gram, m, &rows, &mut Vec::new(), &v);
        for a in 0..m {
            for b in a..m {
                let want: f64 = (0..5)
                    .filter(|&i| lists[i].contains(&(a as u16)) && lists[i].contains(&(b as u16)))
                    .map(|i| v[i])
                    .sum();
                let got = gram[a * m + b];
                assert!(
                    (got - want).abs() <= 1e-7 * want,
                    "U[{a}][{b}] = {got}, not {want}"
                );
            }
        }
        assert_eq!(gram[0], gram[2]);
        assert_eq!(gram[0], gram[2 * m + 2]);
    }

    /// The Cholesky by blocks of rows gives `R^T R = A` and leaves the
    /// lower triangle alone.
    #[test]
    fn blocked_cholesky_reproduces_the_matrix() {
        // A = B^T B + I, 11 x 11 (two blocks of rows and three single rows).
        let m = 11;
        let b: Vec<f64> = (0..m * 14)
            .map(|t| ((t * 7919 % 211) as f64 / 105.0 - 1.0).powi(3))
            .collect();
        let full: Vec<f64> = (0..m * m)
            .map(|t| {
                let (i, j) = (t / m, t % m);
                (0..14).map(|k| b[k * m + i] * b[k * m + j]).sum::<f64>()
                    + if i == j { 1.0 } else { 0.0 }
            })
            .collect();
        let mut r = full.clone();
        let mut frozen = Vec::new();
        cholesky_factor(&mut r, &mut frozen, m, 1e-12);
        assert!(frozen.iter().all(|&f| !f));
        for i in 0..m {
            for j in i..m {
                let rtr: f64 = (0..=i).map(|k| r[k * m + i] * r[k * m + j]).sum();
                let want = full[i * m + j];
                assert!(
                    (rtr - want).abs() <= 1e-12 * want.abs().max(1.0),
                    "({i}, {j})"
                );
            }
            // The lower triangle (the Gram kept for the next build) untouched.
            for j in 0..i {
                assert_eq!(r[i * m + j], full[i * m + j]);
            }
        }
    }

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
                let (l1, l2) = (lambda * alpha, lambda * (1.0 - alpha));
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
                    let loss = optimize_intercept(&prob, &mut st, &mut wk, None);
                    reference_pass(&prob, &st.w, &mut wk, l1);
                    let (mut ex, mut wz) = (BoxExcess::default(), 0.0);
                    for (&j, &zj) in wk.exact.iter().zip(&wk.z) {
                        ex.add(zj, l1);
                        wz += st.w[j as usize] * zj;
                    }
                    let dual = dual_value(&prob, &wk, None, l1, l2, ex);
                    let bound = plain_dual_bound(loss, wz, ex, l1, l2);
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

    /// The f32 bound of a reference value never rounds below it, tiny,
    /// huge or on an f32 exactly.
    #[test]
    fn f32_above_bounds_from_above() {
        let mut xs = vec![0.0, 1e-300, 1e-45, 1e-38, 1.0, 3e38, 4e38, f64::MAX];
        xs.extend((1..2000).map(|k| (k as f64 * 0.7531).exp() * 1e-30));
        xs.extend((1..200).map(|k| f64::from(k as f32 / 7.0)));
        for x in xs {
            let b = f32_above(x);
            assert!(f64::from(b) >= x, "{x:e} -> {b:e}");
            if x < 3e38 {
                assert!(f64::from(b) <= x * (1.0 + 1e-6) + 1e-37, "{x:e} -> {b:e}");
            }
        }
    }

    /// The Cholesky kernels compiled for AVX2 (the ones this machine runs
    /// if it has it) give the baseline versions' results bit for bit.
    #[test]
    fn cholesky_kernels_agree_with_their_baseline_versions() {
        let m = 23;
        let a: Vec<f64> = (0..m * m)
            .map(|t| {
                ((t * 7919 % 211) as f64 / 105.0 - 1.0).powi(3)
                    + if t % (m + 1) == 0 { 9.0 } else { 0.0 }
            })
            .collect();
        let (mut x, mut y) = (a.clone(), a.clone());
        subtract_rows_above_block(&mut x, m, 8, 10);
        subtract_rows_above_block_any(&mut y, m, 8, 10);
        subtract_rows(&mut x, m, 13, 2..13, 13);
        subtract_rows_any(&mut y, m, 13, 2..13, 13);
        assert!(x.iter().zip(&y).all(|(p, q)| p.to_bits() == q.to_bits()));
        let mut frozen = vec![false; m];
        frozen[5] = true;
        let mut b: Vec<f64> = (0..m).map(|i| (i as f64).sin()).collect();
        let mut c = b.clone();
        assert!(cholesky_apply(&a, &frozen, &mut b, m));
        assert!(cholesky_apply_any(&a, &frozen, &mut c, m));
        assert!(b.iter().zip(&c).all(|(p, q)| p.to_bits() == q.to_bits()));
    }

    /// Building a factor from the last one (members dropped by rank-one
    /// updates, new members appended) gives the factor computed afresh, also
    /// when a singular direction forces the fallback.
    #[test]
    fn factor_from_the_last_one_matches_a_fresh_factor() {
        // M = B^T B + I (15 x 15), B pseudo-random; with `dup`, column 6
        // repeats column 5 and the identity is left out there: singular.
        let spd = |dup: bool| -> Vec<f64> {
            let b: Vec<f64> = (0..15 * 20)
                .map(|t| ((t * 7919 % 211) as f64 / 105.0 - 1.0).powi(3))
                .collect();
            let col = |j: usize| if dup && j == 6 { 5 } else { j };
            let mut mm = vec![0.0; 225];
            for i in 0..15 {
                for j in 0..15 {
                    let (ci, cj) = (col(i), col(j));
                    mm[i * 15 + j] = (0..20)
                        .map(|k| b[k * 15 + ci] * b[k * 15 + cj])
                        .sum::<f64>()
                        + if i == j && !(dup && (i == 5 || i == 6)) {
                            1.0
                        } else {
                            0.0
                        };
                }
            }
            mm
        };
        let pick = |mm: &[f64], idx: &[usize]| -> Vec<f64> {
            let k = idx.len();
            let mut out = vec![0.0; k * k];
            for a in 0..k {
                for b in a..k {
                    out[a * k + b] = mm[idx[a] * 15 + idx[b]];
                }
            }
            out
        };
        for dup in [false, true] {
            let mm = spd(dup);
            let old_idx: Vec<usize> = (0..12).collect();
            let mut old = pick(&mm, &old_idx);
            let mut frozen = Vec::new();
            cholesky_factor(&mut old, &mut frozen, 12, 1e-9);
            assert_eq!(frozen.iter().any(|&f| f), dup);
            let live: Vec<u32> = vec![0, 1, 3, 4, 5, 6, 7, 8, 9];
            let mut new_idx: Vec<usize> = live.iter().map(|&q| q as usize).collect();
            new_idx.extend([12, 13, 14]);
            let m = new_idx.len();
            let mut fresh = pick(&mm, &new_idx);
            let mut fresh_frozen = Vec::new();
            cholesky_factor(&mut fresh, &mut fresh_frozen, m, 1e-9);
            let mut from = pick(&mm, &new_idx);
            let old = OldFactor {
                r: &mut old,
                m: 12,
                live: &live,
            };
            cholesky_factor_from(&mut from, &mut frozen, m, 1e-9, old);
            assert_eq!(frozen, fresh_frozen, "dup {dup}");
            for a in 0..m {
                for b in a..m {
                    let (x, y) = (from[a * m + b], fresh[a * m + b]);
                    assert!(
                        (x - y).abs() <= 1e-9 * (1.0 + y.abs()),
                        "dup {dup}, R[{a}][{b}]: {x} vs {y}"
                    );
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn sparse_solver_matches_dense_fista(
            seed in any::<u64>(),
            n in 6usize..16,
            p in 1usize..6,
            ratio in 0.05f64..0.9,
            alpha in prop_oneof![Just(1.0), 0.2f64..1.0],
        ) {
            let mut rng = crate::solver::cv::SplitMix64::new(seed);
            let rows: Vec<Vec<f64>> = (0..n)
                .map(|_| (0..p).map(|_| match rng.below(4) { 0 | 1 => 0.0, 2 => 1.0, _ => (rng.below(5) as f64) - 1.5 }).collect())
                .collect();
            let mut y: Vec<bool> = (0..n).map(|_| rng.below(2) == 1).collect();
            y[0] = true;
            y[1] = false;
            let x = Design::from_dense(&rows).unwrap();
            let lmax = lambda_max(&x, &y, None, alpha).unwrap();
            prop_assume!(lmax > 1e-8);
            let lambda = ratio * lmax;
            let ours = fit(&x, &y, None, lambda, &params(alpha, 1e-10)).unwrap();
            prop_assert!(ours.converged);
            let reference = dense_fista(&rows, &y, lambda, alpha, 20_000);
            // Ours is certified within 1e-10; the reference is only an upper bound on F*.
            prop_assert!(ours.objective <= reference * (1.0 + 1e-9), "ours {} ref {}", ours.objective, reference);
            prop_assert!(reference <= ours.objective * (1.0 + 1e-6), "ours {} ref {}", ours.objective, reference);
            prop_assert!(ours.dual <= reference * (1.0 + 1e-12));
        }
    }
}
