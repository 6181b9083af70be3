//! The problem one solve works on: the design, the labels as +-1 and the
//! observation weights as `c_i = s_i / N` (so that the loss is
//! `sum_i c_i log(1 + exp(-y_i eta_i))`), the intercept-only fit, the
//! penalty's two weights, and the iterate ([`State`]).

use super::design::{Column, Complements, Design};
use super::features_by_length::FeaturesByLength;
use crate::error::{Error, Result};

/// The data of a problem: design, +-1 labels, weights c_i = s_i / N.
pub(crate) struct Problem<'a> {
    pub x: &'a Design,
    /// y_i = +1 (spam) or -1 (ham).
    pub y: Vec<f64>,
    /// c_i = s_i / N, the observation weights rescaled to mean 1 and divided by N.
    pub row_weight: Vec<f64>,
    /// Intercept of the intercept-only fit.
    pub null_intercept: f64,
    /// Deviance of the intercept-only fit.
    pub null_deviance: f64,
    /// Sum of the raw weights (N when unweighted), to turn losses into deviances.
    pub total_weight: f64,
    /// Complements of the columns found in most rows (coordinate descent
    /// walks those instead).
    pub complements: Complements,
    /// Features grouped by column length and first row.
    pub by_length: FeaturesByLength,
}

/// The alpha whose lambda_max starts a ridge path (glmnet: `lambda.max` for
/// alpha = 0 is computed as for alpha = 0.001).
pub(crate) const RIDGE_PATH_ALPHA: f64 = 1e-3;

/// A feature's column stored as is, not through its complement (see
/// [`Problem::stored`]).
pub(crate) const NO_COMPLEMENT: u32 = u32::MAX;

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
            Some(w) => rescaled_weights(w, n)?,
        };
        let pos: f64 = y.iter().zip(&s).filter(|(y, _)| **y).map(|(_, s)| s).sum();
        let neg: f64 = y.iter().zip(&s).filter(|(y, _)| !**y).map(|(_, s)| s).sum();
        if pos == 0.0 || neg == 0.0 {
            let which = if pos == 0.0 { "ham" } else { "spam" };
            return Err(Error::Training(format!(
                "all {n} messages (with non-zero weight) are {which}: need both classes"
            )));
        }
        let row_weight: Vec<f64> = s.iter().map(|s| s / n as f64).collect();
        let p0 = pos / (pos + neg);
        let null_intercept = (p0 / (1.0 - p0)).ln();
        let null_deviance = -2.0 * (pos * p0.ln() + neg * (1.0 - p0).ln());
        Ok(Problem {
            x,
            y: y.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect(),
            row_weight,
            null_intercept,
            null_deviance,
            total_weight: n as f64,
            complements: x.complements(),
            by_length: FeaturesByLength::new(x),
        })
    }

    /// The smallest lambda at which w = 0 is optimal:
    /// `max_j |X_j^T (s * (y01 - p0))| / (N alpha)`, p0 the weighted spam rate.
    /// For ridge (alpha = 0) no lambda makes w = 0 optimal; as glmnet does,
    /// the path then starts where it would for alpha = 0.001.
    pub fn lambda_max(&self, alpha: f64) -> f64 {
        let alpha = alpha.max(RIDGE_PATH_ALPHA);
        let p0 = 1.0 / (1.0 + (-self.null_intercept).exp());
        let r: Vec<f64> = self
            .y
            .iter()
            .zip(&self.row_weight)
            .map(|(&y, &c)| c * (if y > 0.0 { 1.0 } else { 0.0 } - p0))
            .collect();
        let mut z = vec![0.0; self.x.cols()];
        self.x.xt_dot(&r, &mut z);
        z.iter().fold(0.0f64, |m, v| m.max(v.abs())) / alpha
    }

    /// Feature j's column as stored: itself, or (`slot` from
    /// `complements.find`, else [`NO_COMPLEMENT`]) its complement c_j,
    /// `x_j = 1 - c_j`.
    #[inline]
    pub fn stored(&self, j: u32, slot: u32) -> Column<'_> {
        if slot == NO_COMPLEMENT {
            self.x.col(j as usize)
        } else {
            self.complements.col(slot)
        }
    }

    /// `x_j . y` through the stored column, given `y_sum = sum(y)`.
    #[inline]
    pub fn stored_dot(&self, j: u32, slot: u32, y: &[f64], y_sum: f64) -> f64 {
        let col = self.stored(j, slot);
        if slot == NO_COMPLEMENT {
            col.dot(y)
        } else {
            y_sum - col.dot(y)
        }
    }

    /// Feature j's v-weighted sum `s_j = sum_i v_i x_ij` and centered
    /// curvature `h_j = sum_i v_i x_ij^2 - s_j^2 / hb` (`hb = sum v`): the
    /// diagonal of the Gram of the columns centered by their v-weighted means.
    #[inline]
    pub fn centered_curvature(&self, j: u32, slot: u32, v: &[f64], hb: f64) -> (f64, f64) {
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

/// Observation weights checked and rescaled to mean 1.
fn rescaled_weights(w: &[f64], n: usize) -> Result<Vec<f64>> {
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
    // Divide by the largest first: the sum of weights near f64::MAX would
    // overflow.
    let max = w.iter().fold(0.0f64, |m, &v| m.max(v));
    if max <= 0.0 {
        return Err(Error::Training("all observation weights are zero".into()));
    }
    let sum: f64 = w.iter().map(|v| v / max).sum();
    let scale = n as f64 / sum;
    Ok(w.iter().map(|v| v / max * scale).collect())
}

/// Checks lambda.
pub fn check_lambda(lambda: f64) -> Result<()> {
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

/// The Elastic-Net penalty `l1 |w| + l2/2 w^2` per weight, with
/// `l1 = lambda alpha` and `l2 = lambda (1 - alpha)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Penalty {
    pub l1: f64,
    pub l2: f64,
}

impl Penalty {
    pub fn new(lambda: f64, alpha: f64) -> Penalty {
        Penalty {
            l1: lambda * alpha,
            l2: lambda * (1.0 - alpha),
        }
    }

    /// The penalty of one weight.
    #[inline]
    pub fn of(self, w: f64) -> f64 {
        self.l1 * w.abs() + 0.5 * self.l2 * w * w
    }

    /// The penalty of the weights `w[j]`, j in `features`.
    pub fn on(self, w: &[f64], features: &[u32]) -> f64 {
        features.iter().map(|&j| self.of(w[j as usize])).sum()
    }

    /// Distance from 0 of the subdifferential of F in w_j, given
    /// `zj = X_j^T r` (minus the loss's gradient in w_j).
    #[inline]
    pub fn violation(self, zj: f64, wj: f64) -> f64 {
        if wj != 0.0 {
            (-zj + self.l2 * wj + self.l1 * wj.signum()).abs()
        } else {
            (zj.abs() - self.l1).max(0.0)
        }
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
            b0: prob.null_intercept,
            w: vec![0.0; prob.x.cols()],
            eta: vec![prob.null_intercept; prob.x.rows()],
        }
    }
}
