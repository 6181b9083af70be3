//! The full check's gradient: `z = X^T r` over every feature, computed
//! exactly only where it can matter.
//!
//! A feature matters to the check when its weight is non-zero or when
//! `|X_j^T r|` might exceed `l1 = lambda alpha` (it violates the KKT
//! conditions, and it sets the dual point's scale). A *reference pass*
//! computes every `X_j^T r` and keeps `r_ref = r` and `|X_j^T r_ref|`
//! (rounded up to f32). A later *bounded pass* on a binary design bounds
//! `|X_j^T r| <= |X_j^T r_ref| + |X_j^T (r - r_ref)|`, the second term from
//! the column's length alone ([`DotBound`]), and computes exactly only the
//! features the bound cannot keep inside the box `|X_j^T r| <= l1`; the rest
//! can neither violate the KKT conditions nor move the dual's scale. At large
//! lambda, where the residual moves little from one lambda to the next and
//! most words are far from entering, this skips most of the pass, a block of
//! [`FeaturesByLength`] at a time, and most features are never looked at one
//! by one.
//!
//! [`FeaturesByLength`]: super::features_by_length::FeaturesByLength

use super::bitset::BitSet;
use super::dot_bound::DotBound;
use super::problem::Problem;

/// Share of the design's non-zeros above which a bounded pass costs about a
/// full pass: it makes a reference pass instead, and a new reference.
const REF_REFRESH: f64 = 0.5;

/// Exact features whose z a reference pass keeps as it goes (see
/// [`GradientCheck::reference_pass`]); along a path at most a few hundred.
const EXACT_KEEP: usize = 4096;

/// `X^T r` where it can matter, and the bounds that rule out the rest.
pub(crate) struct GradientCheck {
    /// The features computed exactly (ascending; `is_exact` their bits).
    /// A feature stays exact until the next reference pass.
    pub exact: Vec<u32>,
    /// `z[k] = X_j^T r`, j = `exact[k]`, at the last check.
    pub z: Vec<f64>,
    pub is_exact: BitSet,
    /// The features a bounded pass adds to `exact` (scratch).
    fresh: Vec<u32>,
    /// Per feature, `|X_j^T r_ref|` rounded up to f32 (binary designs).
    pub at_reference: Vec<f32>,
    /// Per block of [`FeaturesByLength`](super::features_by_length::FeaturesByLength),
    /// the largest `at_reference` of its members.
    pub block_max: Vec<f64>,
    /// `r_ref`, the residual of the last reference pass.
    reference: Vec<f64>,
    /// Whether `reference` and the bounds serve (a binary design's).
    has_reference: bool,
    /// Bounds `|X_j^T (r - r_ref)|` by column length.
    pub drift: DotBound,
}

/// The bounded checks' threshold: a bound must clear `l1` by more than the
/// rounding of its sums.
pub(crate) fn check_limit(l1: f64) -> f64 {
    l1 * (1.0 - 1e-9)
}

/// An f32 at least `x` (`x >= 0`), branch-free: `x (1 + 2^-22)` plus the
/// least normal f32, rounded to nearest, cannot round below x (the
/// rounding gives up at most 2^-24 of it; overflow gives infinity).
#[inline]
fn f32_above(x: f64) -> f32 {
    (x * (1.0 + 1.0 / 4_194_304.0) + f64::from(f32::MIN_POSITIVE)) as f32
}

impl GradientCheck {
    /// No reference yet, for `n` rows and `p` features.
    pub fn new(n: usize, p: usize) -> GradientCheck {
        GradientCheck {
            exact: Vec::new(),
            z: Vec::new(),
            is_exact: BitSet::new(p),
            fresh: Vec::new(),
            at_reference: Vec::new(),
            block_max: Vec::new(),
            reference: vec![0.0; n],
            has_reference: false,
            drift: DotBound::default(),
        }
    }

    /// `X^T r` exactly for the non-zero weights (all in `working_set`), and
    /// for every feature whose `|X_j^T r|` might exceed `l1` by the bound
    /// from the last reference pass; the features computed join `exact`
    /// (those already in it are computed again). The rest are skipped a
    /// block at a time where the block's largest reference value passes
    /// the test. A design with values, or no reference, or a residual moved
    /// so far that the bound would rule out too little, gets a reference
    /// pass instead.
    pub fn bounded_pass(
        &mut self,
        prob: &Problem,
        w: &[f64],
        working_set: &[u32],
        residual: &[f64],
        l1: f64,
    ) {
        let x = prob.x;
        if !(x.is_binary() && self.has_reference) {
            self.reference_pass(prob, w, residual, l1);
            return;
        }
        self.drift
            .build(residual.iter().zip(&self.reference).map(|(r, q)| r - q));
        let limit = check_limit(l1);
        // Non-zeros to visit; past REF_REFRESH of the design's (r moved far
        // from r_ref, as after a cold start), a full pass instead.
        let budget = REF_REFRESH * x.nnz() as f64;
        let mut nnz: usize = self.exact.iter().map(|&j| x.col_len(j as usize)).sum();
        self.fresh.clear();
        for &j in working_set {
            if w[j as usize] != 0.0 && !self.is_exact.get(j as usize) {
                self.fresh.push(j);
                nnz += x.col_len(j as usize);
            }
        }
        for b in 0..prob.by_length.blocks() {
            let (members, len) = prob.by_length.block(b);
            let spread = self.drift.bound(len);
            if self.block_max[b] + spread <= limit {
                continue;
            }
            for &j in members {
                let j = j as usize;
                if w[j] == 0.0
                    && !self.is_exact.get(j)
                    && f64::from(self.at_reference[j]) + spread > limit
                {
                    self.fresh.push(j as u32);
                    nnz += len;
                }
            }
            if nnz as f64 > budget {
                self.reference_pass(prob, w, residual, l1);
                return;
            }
        }
        for &j in &self.fresh {
            self.is_exact.set(j as usize, true);
        }
        // Exact reservations: a cold start at small lambda makes most features
        // exact, and doubling capacities would hold up to twice their memory.
        self.exact.reserve_exact(self.fresh.len());
        self.exact.extend_from_slice(&self.fresh);
        self.exact.sort_unstable();
        self.z.clear();
        self.z.reserve_exact(self.exact.len());
        for &j in &self.exact {
            self.z.push(x.col(j as usize).dot(residual));
        }
    }

    /// A full pass `X^T r`; r becomes the reference of the bounded passes
    /// (binary designs) and the exact features those that matter at `l1`
    /// (the non-zero weights and `|X_j^T r| > l1`; every feature of a design
    /// with values).
    pub fn reference_pass(&mut self, prob: &Problem, w: &[f64], residual: &[f64], l1: f64) {
        let x = prob.x;
        self.has_reference = x.is_binary();
        let limit = check_limit(l1);
        self.exact.clear();
        self.z.clear();
        if !self.has_reference {
            (0..w.len()).for_each(|j| self.is_exact.set(j, true));
            self.exact.extend(0..w.len() as u32);
            self.z.resize(w.len(), 0.0);
            x.xt_dot(residual, &mut self.z);
            return;
        }
        // The reference bound for every feature, and which are exact, whose
        // z are kept as they come while the lists hold them (EXACT_KEEP, or
        // the capacity a cold start left); past that (a cold start at small
        // lambda makes most features exact) they are computed again with
        // exact reservations instead of growing the lists by doubling, which
        // would hold up to twice their memory.
        self.at_reference.resize(x.cols(), 0.0);
        self.exact.reserve_exact(EXACT_KEEP);
        self.z.reserve_exact(EXACT_KEEP);
        let keep = self.exact.capacity().min(self.z.capacity());
        let mut count = 0;
        for (j, &wj) in w.iter().enumerate() {
            let z = x.col(j).dot(residual);
            let on = wj != 0.0 || z.abs() > limit;
            self.is_exact.set(j, on);
            if on {
                if count < keep {
                    self.exact.push(j as u32);
                    self.z.push(z);
                }
                count += 1;
            }
            self.at_reference[j] = f32_above(z.abs());
        }
        if count > keep {
            self.exact.clear();
            self.z.clear();
            self.exact.reserve_exact(count);
            self.exact
                .extend((0..w.len() as u32).filter(|&j| self.is_exact.get(j as usize)));
            self.z.reserve_exact(count);
            self.z
                .extend(self.exact.iter().map(|&j| x.col(j as usize).dot(residual)));
        }
        self.reference.copy_from_slice(residual);
        self.drift.zero(x.rows());
        self.block_max.clear();
        let at_reference = &self.at_reference;
        self.block_max.extend((0..prob.by_length.blocks()).map(|b| {
            let (members, _) = prob.by_length.block(b);
            members
                .iter()
                .fold(0.0f64, |m, &j| m.max(f64::from(at_reference[j as usize])))
        }));
    }

    /// The strong rule's candidates for the next lambda: the features with
    /// `|z_j| >= cut`, z_j from the last check (where it bounded
    /// `|X_j^T r|`, the reference value instead), into `out`.
    pub fn strong_rule_candidates(&self, prob: &Problem, cut: f64, out: &mut Vec<u32>) {
        out.clear();
        out.extend(
            self.exact
                .iter()
                .zip(&self.z)
                .filter(|&(_, z)| z.abs() >= cut)
                .map(|(&j, _)| j),
        );
        for b in 0..prob.by_length.blocks() {
            if self.block_max.get(b).is_none_or(|&m| m < cut) {
                continue;
            }
            let (members, _) = prob.by_length.block(b);
            out.extend(members.iter().filter(|&&j| {
                !self.is_exact.get(j as usize) && f64::from(self.at_reference[j as usize]) >= cut
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::problem::State;
    use crate::solver::solve::{Work, gradient_at, solve};
    use crate::solver::testing::{params, real300};

    /// Along a path on real mail, the bounded full check is exact on the
    /// non-zero weights and wherever `|X_j^T r|` could exceed `l1`, bounds
    /// every feature, and skips a good part of the pass at large lambda.
    #[test]
    fn bounded_full_check_is_exact_where_it_matters() {
        let (x, y) = real300();
        let prob = Problem::new(&x, &y, None).unwrap();
        let pr = params(1.0, 1e-6);
        let lmax = prob.lambda_max(1.0);
        let mut st = State::null(&prob);
        let mut wk = Work::new(x.rows(), x.cols());
        gradient_at(&prob, &mut st, &mut wk, lmax);
        let mut exact = vec![0.0; x.cols()];
        let mut skipped = 0;
        for k in 1..8 {
            let lambda = lmax * 0.7f64.powi(k);
            solve(&prob, lambda, &mut st, &mut wk, &[], &pr);
            // A point of this solve, then the check from the reference.
            let check = &mut wk.gradient;
            let residual = &wk.fitted.residual;
            check.bounded_pass(&prob, &st.w, &wk.working_set.features, residual, lambda);
            x.xt_dot(residual, &mut exact);
            let listed: Vec<u32> = (0..x.cols() as u32)
                .filter(|&j| check.is_exact.get(j as usize))
                .collect();
            assert_eq!(check.exact, listed);
            for (j, &ej) in exact.iter().enumerate() {
                if let Ok(k) = check.exact.binary_search(&(j as u32)) {
                    assert_eq!(check.z[k], ej, "feature {j}");
                } else {
                    let zb = f64::from(check.at_reference[j]) + check.drift.bound(x.col_len(j));
                    assert!(ej.abs() <= zb * (1.0 + 1e-12) + 1e-15, "bound, feature {j}");
                    assert!(st.w[j] == 0.0 && zb <= lambda, "feature {j} skipped");
                    skipped += 1;
                }
            }
        }
        assert!(skipped > x.cols(), "only {skipped} skipped over 7 checks");
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
}
