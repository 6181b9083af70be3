//! The certificate of weights that came from elsewhere: another solver, another
//! engine (Spark MLlib, glmnet), a model file. Nothing is fitted; the point is
//! measured.
//!
//! Given (b0, w), the primal F(b0, w) is the objective of the module docs of
//! [`super`] at exactly that point. The KKT violation is measured there too: the
//! intercept's gradient `|sum_i r_i|` and, per feature, the distance from 0 of
//! the subdifferential of F in w_j (as [`super::Fit::kkt`]).
//!
//! The lower bound D <= F* comes from the same dual points the solver uses
//! ([`super::dual`], [`super::certify`]): the residual is taken at the optimal
//! intercept for this w (b0 moved by 1-D Newton; w untouched), since the dual
//! needs `sum_i theta_i = 0`, then scaled into feasibility, and also corrected
//! first, keeping the larger value. Any dual-feasible theta bounds F* from
//! below (weak duality), whatever point it was built from, so
//! `(F(b0, w) - D) / D` bounds the relative suboptimality of the point given.

use super::design::Design;
use super::dual::{BoxExcess, dual_value};
use super::loss::{loss_at, optimize_intercept};
use super::problem::{Penalty, Problem, State, check_lambda};
use super::solve::{Work, corrected_dual};
use crate::error::{Error, Result};

/// The certificate of a given (b0, w) at (lambda, alpha); see the module notes.
#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    /// F(b0, w) at the intercept given.
    pub objective: f64,
    /// F at the same w with the intercept made optimal (<= `objective`).
    pub objective_optimal_intercept: f64,
    /// A dual value D <= F*.
    pub dual: f64,
    /// `(objective - dual) / dual`: an upper bound on `(F - F*) / F*`.
    pub rel_gap: f64,
    /// The largest KKT violation at (b0, w): the intercept's gradient and,
    /// per feature, the distance from 0 of the subdifferential.
    pub kkt: f64,
    /// The feature whose violation is largest (`None`: the intercept's).
    pub kkt_feature: Option<u32>,
    /// Non-zero weights.
    pub nnz: usize,
}

/// Gap allowed to the correction's conjugate gradients, relative to F: far below
/// any tolerance a fit is run at, so the correction is as good as it gets.
const BUDGET: f64 = 1e-12;

/// Certifies intercept `intercept` and weights `w` (`(feature, weight)`, each
/// feature once) on `design` with labels `y` and optional row weights, at
/// `lambda` and `alpha`.
///
/// # Errors
/// [`Error::InvalidParam`] for lambda <= 0 (no certificate without a penalty),
/// alpha outside (0, 1], a feature out of range, repeated, or a weight or the
/// intercept not finite; as [`super::fit`] for the labels and row weights.
pub fn certify(
    design: &Design,
    y: &[bool],
    weights: Option<&[f64]>,
    lambda: f64,
    alpha: f64,
    intercept: f64,
    w: &[(u32, f64)],
) -> Result<Certificate> {
    check_lambda(lambda)?;
    let bad = |name: &'static str, value: String, reason: &str| Error::InvalidParam {
        name,
        value,
        reason: reason.into(),
    };
    if lambda == 0.0 {
        return Err(bad("lambda", "0".into(), "a certificate needs lambda > 0"));
    }
    if !(alpha > 0.0 && alpha <= 1.0) {
        return Err(bad("alpha", alpha.to_string(), "must be in (0, 1]"));
    }
    if !intercept.is_finite() {
        return Err(bad("intercept", intercept.to_string(), "must be finite"));
    }
    let prob = Problem::new(design, y, weights)?;
    let p = design.cols();
    let mut dense = vec![0.0; p];
    let mut seen = vec![false; p];
    for &(j, v) in w {
        let ju = j as usize;
        if ju >= p || seen[ju] || !v.is_finite() {
            return Err(bad(
                "weight",
                format!("({j}, {v})"),
                &format!("features below {p}, each once, finite weights"),
            ));
        }
        seen[ju] = true;
        dense[ju] = v;
    }
    let nonzero: Vec<(u32, f64)> = w.iter().copied().filter(|&(_, v)| v != 0.0).collect();
    let pen = Penalty::new(lambda, alpha);
    let penalty: f64 = nonzero.iter().map(|&(_, v)| pen.of(v)).sum();
    let mut st = State {
        b0: intercept,
        w: dense,
        eta: design.margins(intercept, &nonzero),
    };
    let mut wk = Work::new(design.rows(), p);

    // At the point given: F and the KKT violations over every feature.
    let objective = loss_at(&prob, &st.eta) + penalty;
    wk.fitted.recompute(&prob, &st.eta);
    let mut z = vec![0.0; p];
    design.xt_dot(&wk.fitted.residual, &mut z);
    let mut kkt = wk.fitted.residual_sum().abs();
    let mut kkt_feature = None;
    for (j, (&zj, &wj)) in z.iter().zip(&st.w).enumerate() {
        let v = pen.violation(zj, wj);
        if v > kkt {
            kkt = v;
            kkt_feature = Some(j as u32);
        }
    }

    // The dual at the optimal intercept for this w: plain, then corrected.
    let features: Vec<u32> = nonzero.iter().map(|&(j, _)| j).collect();
    wk.working_set.add(&features);
    let loss = optimize_intercept(&prob, &mut st, &mut wk.fitted, None);
    wk.gradient
        .reference_pass(&prob, &st.w, &wk.fitted.residual, pen.l1);
    let mut ex = BoxExcess::default();
    for &zj in &wk.gradient.z {
        ex.add(zj, pen.l1);
    }
    let plain = dual_value(&prob, &wk.fitted, None, pen, ex);
    let budget = BUDGET * (loss + penalty);
    let dual = match corrected_dual(&prob, &st, &mut wk, pen, budget) {
        Some(d) => plain.max(d),
        None => plain,
    };
    Ok(Certificate {
        objective,
        objective_optimal_intercept: loss + penalty,
        dual,
        rel_gap: (objective - dual) / dual,
        kkt,
        kkt_feature,
        nnz: nonzero.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::testing::real300;
    use crate::solver::{Params, fit};

    /// A certified fit certifies again from outside at its own tolerance; the
    /// same weights perturbed do not, and F only grows.
    #[test]
    fn a_fit_certifies_and_a_perturbed_one_does_not() {
        let (x, y) = real300();
        for alpha in [1.0, 0.5] {
            let params = Params::new().alpha(alpha).tol(1e-9).check().unwrap();
            let lambda = 0.05 * crate::solver::lambda_max(&x, &y, None, alpha).unwrap();
            let f = fit(&x, &y, None, lambda, &params).unwrap();
            let c = certify(&x, &y, None, lambda, alpha, f.intercept, &f.weights).unwrap();
            assert!((c.objective - f.objective).abs() <= 1e-12 * f.objective);
            assert!(c.rel_gap <= 1e-9 && c.rel_gap >= -1e-12, "{c:?}");
            assert!(c.kkt <= 1e-3 * lambda, "{c:?}");
            assert_eq!(c.nnz, f.nnz());
            let moved: Vec<(u32, f64)> = f.weights.iter().map(|&(j, v)| (j, 0.8 * v)).collect();
            let m = certify(&x, &y, None, lambda, alpha, f.intercept, &moved).unwrap();
            assert!(m.objective > c.objective);
            assert!(m.rel_gap > 1e-4, "{m:?}");
            assert!(m.kkt > 0.01 * lambda, "{m:?}");
            // The same D bounds both: it depends on F* only through weak duality.
            assert!(m.dual <= c.objective && c.dual <= m.objective);
        }
    }

    #[test]
    fn bad_points_are_refused() {
        let (x, y) = real300();
        let p = x.cols() as u32;
        assert!(certify(&x, &y, None, 0.0, 1.0, 0.0, &[]).is_err());
        assert!(certify(&x, &y, None, 0.1, 0.0, 0.0, &[]).is_err());
        assert!(certify(&x, &y, None, 0.1, 1.0, f64::NAN, &[]).is_err());
        assert!(certify(&x, &y, None, 0.1, 1.0, 0.0, &[(p, 1.0)]).is_err());
        assert!(certify(&x, &y, None, 0.1, 1.0, 0.0, &[(0, 1.0), (0, 2.0)]).is_err());
        assert!(certify(&x, &y, None, 0.1, 1.0, 0.0, &[(0, f64::INFINITY)]).is_err());
    }
}
