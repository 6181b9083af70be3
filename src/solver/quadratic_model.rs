//! The Newton step's quadratic model of the loss on the working set, and
//! the coordinate descent's point on it (Friedman, Hastie & Tibshirani
//! 2010, JSS 33(1), section 3; Yuan, Ho & Lin 2012, JMLR 13).
//!
//! Around the current weights w (margins eta, residual r), with IRLS weights
//! v, the loss in a step (db, dw) is modeled by
//! `-r^T deta + 1/2 deta^T V deta`, `deta = db + X dw`. With the intercept
//! optimal in the model, each column x_j enters centered by its v-weighted
//! mean `s_j / hb` (`s_j = sum_i v_i x_ij`, `hb = sum_i v_i`), which makes
//! the intercept orthogonal to every column (glmnet does so: without it,
//! words found in most messages zig-zag against the intercept); its
//! curvature is `h_j = sum_i v_i x_ij^2 - s_j^2 / hb`. The model's residual
//! `r - V deta` is kept as `model_residual + v o`: the sparse part is
//! updated column by column, the scalar offset o carries the dense part
//! (the intercept's implicit moves, and the complements' dense parts). With
//! the intercept optimal, the model's value is
//! `-1/2 sum_i (r_i^2 - t_i^2) / v_i` for the model residual t, plus the
//! penalty.

use super::problem::{NO_COMPLEMENT, Penalty, Problem};

/// What a Newton step's model is built around and with: the weights it
/// expands around, the penalty, `hb = sum_i v_i` (the intercept's
/// curvature), and whether the step is its solve's first.
#[derive(Clone, Copy)]
pub(crate) struct StepModel<'a> {
    pub w: &'a [f64],
    pub pen: Penalty,
    pub hb: f64,
    pub first_of_solve: bool,
}

/// The model's weights and the coordinate descent's point on it, per
/// working-set member k (feature `working_set[k]`).
#[derive(Default)]
pub(crate) struct QuadraticModel {
    /// IRLS weights v_i = c_i p_i (1 - p_i) (floored, see the Newton step).
    pub irls: Vec<f64>,
    /// The model residual less its dense part `v o` (see the module notes).
    pub model_residual: Vec<f64>,
    /// Per member: its slot in the problem's complements, or [`NO_COMPLEMENT`].
    pub complement: Vec<u32>,
    /// Per member: `s_j = sum_i v_i x_ij`.
    pub sum: Vec<f64>,
    /// Per member: the centered curvature h_j.
    pub curvature: Vec<f64>,
    /// Per member: its weight at the coordinate descent's point.
    pub w_new: Vec<f64>,
}

impl QuadraticModel {
    pub fn new(n: usize) -> QuadraticModel {
        QuadraticModel {
            irls: vec![0.0; n],
            model_residual: vec![0.0; n],
            ..QuadraticModel::default()
        }
    }

    /// The members' centered coordinates at the IRLS weights (`hb` their
    /// sum), starting from the weights `w`.
    pub fn center(&mut self, prob: &Problem, working_set: &[u32], w: &[f64], hb: f64) {
        let m = working_set.len();
        self.curvature.resize(m, 0.0);
        self.sum.resize(m, 0.0);
        self.w_new.resize(m, 0.0);
        self.complement.clear();
        self.complement.extend(
            working_set
                .iter()
                .map(|&j| prob.complements.find(j).unwrap_or(NO_COMPLEMENT)),
        );
        for (k, &j) in working_set.iter().enumerate() {
            (self.sum[k], self.curvature[k]) =
                prob.centered_curvature(j, self.complement[k], &self.irls, hb);
            self.w_new[k] = w[j as usize];
        }
    }

    /// Moves member k (feature j) by `d` in the model residual: `-d v x_j`,
    /// of which a complement's dense part `-d v` goes to the offset `o`.
    /// Returns the new offset.
    #[inline]
    pub fn move_member(
        &mut self,
        prob: &Problem,
        j: u32,
        k: usize,
        d: f64,
        hb: f64,
        o: f64,
    ) -> f64 {
        let mut o = o;
        match self.complement[k] {
            NO_COMPLEMENT => {
                prob.x
                    .col(j as usize)
                    .axpy(-d, Some(&self.irls), &mut self.model_residual);
            }
            slot => {
                prob.complements
                    .col(slot)
                    .axpy(d, Some(&self.irls), &mut self.model_residual);
                o -= d;
            }
        }
        o + d * self.sum[k] / hb
    }
}
