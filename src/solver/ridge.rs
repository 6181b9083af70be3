//! The solver at one lambda for alpha = 0 (ridge): plain L2-regularized
//! logistic regression with the unpenalized intercept,
//!
//! ```text
//! F(b0, w) = sum_i c_i log(1 + exp(-y_i (b0 + x_i . w))) + (lambda / 2) ||w||_2^2,
//! ```
//!
//! by a truncated Newton method on all p weights and the intercept at once
//! (Lin, Weng & Keerthi 2008, "Trust region Newton method for large-scale
//! logistic regression", JMLR 9; LIBLINEAR `-s 0`, whose newton.cpp replaces
//! the trust region by a backtracking line search: Galli & Lin 2021). Every
//! weight of a ridge fit is non-zero, so the lasso solver's working set and
//! support factorization would grow to the whole problem; here each step
//! costs a few products with X and X^T instead.
//!
//! Each iteration:
//!
//! 1. Certificate: make the intercept optimal for w (1-D Newton, so that
//!    `sum_i r_i = 0`), compute `z = X^T r` and F, and the dual at
//!    theta = r, which is feasible for ridge without scaling:
//!    `D = sum_i c_i H(a_i) - ||z||^2 / (2 lambda)` ([`super::dual`]). With
//!    the intercept optimal, `F - D = ||lambda w - z||^2 / (2 lambda)`: the
//!    gap closes exactly as the gradient vanishes. Stop when
//!    `F - D <= tol D`.
//! 2. Newton direction: `H s = -g` with `g = (lambda w - z, -sum_i r_i)`, by
//!    preconditioned CG ([`pcg`]).
//! 3. Step length by backtracking from 1 on F until the Armijo condition
//!    `F(x + t s) - F(x) <= 0.01 t g^T s` holds (LIBLINEAR:
//!    `l2r_erm_fun::linesearch_and_update`); with `X s` known (CG sums it
//!    from its own products), each trial costs N logarithms.

mod pcg;
mod products;

use super::dual::{BoxExcess, dual_value};
use super::loss::{log1p_exp_neg, optimize_intercept};
use super::params::ValidParams;
use super::problem::{Penalty, Problem, State};
use super::solve::{Outcome, Work};
use pcg::{Hessian, Pcg};
use products::Products;

/// Armijo's constant of the line search.
const ARMIJO: f64 = 0.01;
/// Step halvings tried before the line search gives up (the iterate is
/// then at the limit of double precision).
const MAX_HALVINGS: usize = 30;

/// Scratch of the ridge solves, reused along a path.
pub(crate) struct Scratch {
    products: Products,
    pcg: Pcg,
    /// `X^T r`.
    z: Vec<f64>,
    /// The gradient of F in (w, b0).
    gradient: Vec<f64>,
    /// `D_i = c_i a_i (1 - a_i)`.
    curvature: Vec<f64>,
}

impl Scratch {
    fn new(prob: &Problem) -> Scratch {
        let (n, p) = (prob.x.rows(), prob.x.cols());
        Scratch {
            products: Products::new(prob),
            pcg: Pcg::new(n, p),
            z: vec![0.0; p],
            gradient: vec![0.0; p + 1],
            curvature: vec![0.0; n],
        }
    }
}

/// Solves at `lambda > 0` with alpha = 0 from `st` (warm start). On return
/// the working set holds every non-zero weight.
pub(crate) fn solve(
    prob: &Problem,
    lambda: f64,
    st: &mut State,
    wk: &mut Work,
    params: &ValidParams,
) -> Outcome {
    debug_assert!(params.alpha() == 0.0 && lambda > 0.0);
    let pen = Penalty::new(lambda, 0.0);
    let sc = wk.ridge.get_or_insert_with(|| Scratch::new(prob));
    let fitted = &mut wk.fitted;
    let p = prob.x.cols();
    let mut out = Outcome::default();
    let mut current = None;
    loop {
        let loss = optimize_intercept(prob, st, fitted, current);
        sc.products.transposed(prob, &fitted.residual, &mut sc.z);
        let r_sum = fitted.residual_sum();
        // Step 1: the certificate.
        let mut ex = BoxExcess::default();
        let (mut kkt, mut w_sq) = (r_sum.abs(), 0.0);
        for (j, (&zj, &wj)) in sc.z.iter().zip(&st.w).enumerate() {
            ex.add(zj, 0.0);
            kkt = kkt.max(pen.violation(zj, wj));
            w_sq += wj * wj;
            sc.gradient[j] = lambda * wj - zj;
        }
        sc.gradient[p] = -r_sum;
        let primal = loss + 0.5 * lambda * w_sq;
        let dual = dual_value(prob, fitted, None, pen, ex);
        out.checks += 1;
        out.objective = primal;
        out.dual = dual;
        out.kkt = kkt;
        out.loss = loss;
        if primal - dual <= params.tol() * dual {
            out.converged = true;
            break;
        }
        if out.iterations >= params.max_iter() {
            break;
        }
        // Step 2: the Newton direction.
        for (d, ((&c, &a), &b)) in sc.curvature.iter_mut().zip(
            prob.row_weight
                .iter()
                .zip(&fitted.p_wrong)
                .zip(&fitted.p_right),
        ) {
            *d = c * a * b;
        }
        let hessian = Hessian {
            prob,
            products: &sc.products,
            curvature: &sc.curvature,
            lambda,
        };
        out.sweeps += sc.pcg.solve(&hessian, &sc.gradient);
        out.iterations += 1;
        // Step 3: the step length.
        let s = &sc.pcg.step;
        let (sw, sb) = (&s[..p], s[p]);
        let step_margins = &sc.pcg.step_margins;
        let (mut w_s, mut s_sq) = (0.0, 0.0);
        for (&wj, &sj) in st.w.iter().zip(sw) {
            w_s += wj * sj;
            s_sq += sj * sj;
        }
        let g_s: f64 = sc.gradient.iter().zip(s.iter()).map(|(g, s)| g * s).sum();
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..MAX_HALVINGS {
            let trial_loss: f64 = (0..st.eta.len())
                .map(|i| {
                    let m = prob.y[i] * (st.eta[i] + t * step_margins[i]);
                    prob.row_weight[i] * log1p_exp_neg(m)
                })
                .sum();
            let trial = trial_loss + 0.5 * lambda * (w_sq + t * (2.0 * w_s + t * s_sq));
            if trial - primal <= ARMIJO * t * g_s {
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
        for (wj, &sj) in st.w.iter_mut().zip(sw) {
            *wj += t * sj;
        }
        st.b0 += t * sb;
        for (e, &d) in st.eta.iter_mut().zip(step_margins) {
            *e += t * d;
        }
        current = Some(fitted.recompute(prob, &st.eta));
    }
    wk.working_set.set_to_nonzero(&st.w);
    out
}
