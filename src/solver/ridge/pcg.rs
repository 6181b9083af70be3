//! The Newton system of the ridge solver, `H s = -g`, solved inexactly by
//! preconditioned conjugate gradients (truncated Newton: Lin, Weng & Keerthi
//! 2008, "Trust region Newton method for large-scale logistic regression",
//! JMLR 9, section 2; LIBLINEAR: newton.cpp, `pcg`).
//!
//! The variables are the p weights and the intercept, last. With
//! `D_i = c_i a_i (1 - a_i)` the loss's curvature at row i (a_i the fitted
//! probability of the wrong label), the Hessian of F is
//!
//! ```text
//! H = [X 1]^T diag(D) [X 1] + diag(lambda, ..., lambda, 0)       (LWK 2008, section 2)
//! ```
//!
//! and `H v` costs one product with X and one with X^T, never forming H.
//! The preconditioner is the diagonal `M = lambda + beta diag([X 1]^T D [X 1])`
//! (the intercept's `(1 - beta) lambda + beta sum_i D_i`), a mix of the identity and the Jacobi
//! diagonal as Hsia, Chiang & Lin 2018 ("Preconditioned conjugate gradient
//! methods in truncated Newton frameworks for large-scale linear
//! classification", ACML 2018) found robust. CG stops once the quadratic
//! model `Q(s) = g^T s + s^T H s / 2` gains little per step relative to its
//! total, `i (Q_i - Q_{i-1}) >= tol_i Q_i` (Nash & Sofer 1990; Galli & Lin
//! 2021, "A study on truncated Newton methods for linear classification",
//! IEEE TNNLS), with `tol_i = min(0.5, sqrt(|g|_{M^-1}))` (for F / lambda, as LIBLINEAR
//! scales the problem) so that the steps grow exact as the gradient vanishes.

use super::super::problem::Problem;
use super::products::Products;

/// Weight of the Jacobi diagonal in the preconditioner (`beta` above).
const JACOBI_WEIGHT: f64 = 0.01;
/// Largest relative gain per step at which CG stops (`eps_cg`).
const CG_TOL: f64 = 0.5;

/// `H v` for the current curvature.
pub(crate) struct Hessian<'a> {
    pub prob: &'a Problem<'a>,
    pub products: &'a Products,
    /// `D_i = c_i a_i (1 - a_i)`.
    pub curvature: &'a [f64],
    pub lambda: f64,
}

impl Hessian<'_> {
    /// `out = H v` after `v_j = next(j, v_j)` for every variable (intercept
    /// last), applied as the product walks v; leaves `X v_w + v_b` in `xv`
    /// and `D` times it in `dxv`. Returns `v^T H v`.
    fn apply(
        &self,
        next: impl Fn(usize, f64) -> f64,
        v: &mut [f64],
        xv: &mut [f64],
        dxv: &mut [f64],
        out: &mut [f64],
    ) -> f64 {
        let p = self.prob.x.cols();
        v[p] = next(p, v[p]);
        let vb = v[p];
        self.products.margins_by(
            self.prob,
            vb,
            |j| {
                v[j] = next(j, v[j]);
                v[j]
            },
            xv,
        );
        for ((t, &x), &d) in dxv.iter_mut().zip(xv.iter()).zip(self.curvature) {
            *t = d * x;
        }
        let mut v_hv = 0.0;
        self.products.transposed_by(self.prob, dxv, |j, xj_u| {
            let o = xj_u + self.lambda * v[j];
            out[j] = o;
            v_hv += v[j] * o;
        });
        out[p] = dxv.iter().sum();
        v_hv + vb * out[p]
    }

    /// The preconditioner's diagonal into `m` (length p + 1).
    fn preconditioner(&self, m: &mut [f64]) {
        let p = self.prob.x.cols();
        self.products
            .squared_transposed(self.prob, self.curvature, &mut m[..p]);
        for mj in &mut m[..p] {
            *mj = self.lambda + JACOBI_WEIGHT * *mj;
        }
        let hb: f64 = self.curvature.iter().sum();
        m[p] = (1.0 - JACOBI_WEIGHT) * self.lambda + JACOBI_WEIGHT * hb;
    }
}

/// Scratch of the CG iterations; `step` holds the last solution and
/// `step_margins` its `X s_w + s_b`, gathered from the products CG makes
/// anyway (so that the line search needs no product of its own).
pub(crate) struct Pcg {
    pub step: Vec<f64>,
    pub step_margins: Vec<f64>,
    residual: Vec<f64>,
    z: Vec<f64>,
    direction: Vec<f64>,
    h_direction: Vec<f64>,
    precond: Vec<f64>,
    xv: Vec<f64>,
    dxv: Vec<f64>,
}

impl Pcg {
    pub fn new(n: usize, p: usize) -> Pcg {
        let v = || vec![0.0; p + 1];
        Pcg {
            step: v(),
            step_margins: vec![0.0; n],
            residual: v(),
            z: v(),
            direction: v(),
            h_direction: v(),
            precond: v(),
            xv: vec![0.0; n],
            dxv: vec![0.0; n],
        }
    }

    /// An approximate solution of `H s = -g` into `self.step` (`g` of length
    /// p + 1); returns the number of CG iterations (Hessian products).
    pub fn solve(&mut self, h: &Hessian, g: &[f64]) -> usize {
        let n_var = g.len();
        let m = &mut self.precond;
        h.preconditioner(m);
        let (s, r, z, d) = (
            &mut self.step,
            &mut self.residual,
            &mut self.z,
            &mut self.direction,
        );
        s.fill(0.0);
        self.step_margins.fill(0.0);
        let mut z_r = 0.0;
        for k in 0..n_var {
            r[k] = -g[k];
            z[k] = r[k] / m[k];
            d[k] = 0.0;
            z_r += z[k] * r[k];
        }
        // |g|_{M^-1} of F / lambda, LIBLINEAR's scaling of the problem.
        let tol = CG_TOL.min((z_r / h.lambda).sqrt().sqrt());
        // Q(s) = g^T s + s^T H s / 2, zero at s = 0; each CG step lowers it
        // by `step * z^T r / 2` (exact line minimization along d, with
        // d^T r = z^T r).
        let mut q = 0.0;
        let mut beta = 0.0;
        let max_iter = n_var.max(5);
        let mut iter = 0;
        while iter < max_iter {
            iter += 1;
            // d = z + beta d, formed as the product walks it.
            let zz: &[f64] = z;
            let d_hd = h.apply(
                |j, dj| zz[j] + beta * dj,
                d,
                &mut self.xv,
                &mut self.dxv,
                &mut self.h_direction,
            );
            if d_hd <= 1e-300 {
                break;
            }
            let step = z_r / d_hd;
            for (m, &x) in self.step_margins.iter_mut().zip(&self.xv) {
                *m += step * x;
            }
            let hd = &self.h_direction;
            let mut z_r_new = 0.0;
            for k in 0..n_var {
                s[k] += step * d[k];
                r[k] -= step * hd[k];
                z[k] = r[k] / m[k];
                z_r_new += z[k] * r[k];
            }
            let gain = -0.5 * step * z_r;
            let q_new = q + gain;
            if iter as f64 * gain >= tol * q_new {
                break;
            }
            q = q_new;
            beta = z_r_new / z_r;
            z_r = z_r_new;
        }
        iter
    }
}
