//! The public result of a solve: [`Fit`], the weights with their
//! certificate and the warnings where the problem has no unique answer.

use super::identical_columns::IdenticalColumns;
use super::problem::{Problem, State};
use super::solve::Outcome;

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

/// Deviance explained from which a separating fit counts as saturated
/// (glmnet's `devmax`, the path's default `max_dev_explained`).
const SATURATED: f64 = 0.999;

impl Fit {
    /// The public fit of a solved state at `lambda` (mixing `alpha`), whose
    /// non-zero weights are in `working_set` (ascending) and whose solve
    /// reported `out`. `identical`: the identical columns found so far
    /// (kept along a path).
    pub(crate) fn assemble(
        prob: &Problem,
        lambda: f64,
        alpha: f64,
        st: &State,
        working_set: &[u32],
        out: &Outcome,
        identical: &mut IdenticalColumns,
    ) -> Fit {
        let weights: Vec<(u32, f64)> = working_set
            .iter()
            .map(|&j| (j, st.w[j as usize]))
            .filter(|&(_, w)| w != 0.0)
            .collect();
        let deviance = 2.0 * prob.total_weight * out.loss;
        let dev_explained = 1.0 - deviance / prob.null_deviance;
        let mut warnings = Vec::new();
        // Separation: every message (with weight) on its side of the boundary.
        let separated = st
            .eta
            .iter()
            .zip(&prob.y)
            .zip(&prob.row_weight)
            .all(|((&e, &y), &c)| c == 0.0 || y * e > 0.0);
        if separated && (lambda == 0.0 || dev_explained >= SATURATED) {
            warnings.push(format!(
                "the training data are separable: at lambda = {lambda:e} the fit explains {:.4}% \
                 of the null deviance and the weights grow without bound as lambda -> 0",
                100.0 * dev_explained
            ));
        }
        if lambda * (1.0 - alpha) == 0.0 {
            for (j, k) in identical.of(prob.x, &prob.by_length, &weights) {
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
}
