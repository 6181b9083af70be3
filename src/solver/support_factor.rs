//! The support's centered Gram matrix and its Cholesky factor, kept from
//! one build to the next: the Newton step's exact solve on the support
//! ([`super::support_step`]) and the certificate's preconditioner
//! ([`super::certify`]) share it.
//!
//! For the support's columns x_a centered by their v-weighted means (v the
//! IRLS weights, `hb = sum v`), the Gram is
//! `G = X_A^T V X_A - s s^T / hb + l2 I` with `s = X_A^T v`. It is summed row
//! by row, `U = sum_i v_i u_i u_i^T` over the stored columns u (a
//! complement c_j = 1 - x_j enters with its sign flipped and the dense part
//! added back), from the rows' lists of members ([`RowLists`]), and
//! factored by Cholesky ([`super::cholesky`]).
//!
//! A support that changed little from the last one keeps its entries: the
//! members kept come first, in their old order, and the new ones after
//! them, so that only the new members' columns are summed and the factor
//! follows from the last one (rank-one updates for the members that left, a
//! triangular solve for the new ones).

mod row_lists;

use row_lists::RowLists;

use super::cholesky::{OldFactor, cholesky_apply, cholesky_factor_from};
use super::problem::{NO_COMPLEMENT, Problem};

/// Largest support factored (its Gram matrix takes `MAX_SUPPORT^2` doubles).
pub(crate) const MAX_SUPPORT: usize = 400;

/// The support's Gram sums over the rows whose IRLS weight is at least this
/// fraction of the largest. At small lambda most messages are classified
/// with near certainty: a third to a half of the rows, with a similar share
/// of the Gram's pairs, weigh less than this, and together a negligible
/// share of sum v. Without them the Gram is that of weights
/// `gram_weights <= v` (a lower bound in the Loewner order, off by their
/// share), but for its diagonal, which stays exact
/// ([`SupportFactor::factor`]): as good a quasi-Newton Hessian as the stale
/// ones the solver reuses anyway (a few more conjugate gradients in the
/// certificate, fewer sweeps), for much less work.
const GRAM_MIN_V: f64 = 1e-4;

/// A support member as the factor needs it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member {
    /// The caller's index of the member (kept with it as the factor orders
    /// the members).
    pub key: u32,
    pub feature: u32,
    /// Its slot in the problem's complements, or [`NO_COMPLEMENT`].
    pub complement: u32,
    /// `s_j = sum_i v_i x_ij`.
    pub sum: f64,
    /// The centered curvature `h_j = sum_i v_i x_ij^2 - s_j^2 / hb`, over
    /// every row: the Gram's diagonal for a new member.
    pub curvature: f64,
}

/// The IRLS weights a Gram is built with, their sum and the ridge.
#[derive(Clone, Copy)]
pub(crate) struct GramWeights<'a> {
    pub v: &'a [f64],
    pub hb: f64,
    pub l2: f64,
}

/// Per member, what centering its stored column u takes: `x = scale u +
/// shift` (`(1, 0)` for a column stored as is, `(-1, 1)` for a complement),
/// `stored_sum = sum v u` and `sum = scale stored_sum + shift hb`, its
/// v-weighted sum (the centering mean times hb).
#[derive(Clone, Copy, Debug)]
struct Centering {
    scale: f64,
    shift: f64,
    stored_sum: f64,
    sum: f64,
}

/// The last factored support: its Gram and Cholesky factor, and the
/// scratch that builds the next.
#[derive(Default)]
pub(crate) struct SupportFactor {
    /// The support's features, in the factor's order (empty: no factor).
    features: Vec<u32>,
    /// `(feature, position)` pairs of `features`, by feature.
    index: Vec<(u32, u16)>,
    /// `m x m`, row-major: the Cholesky factor R above the diagonal and on
    /// it, the Gram below it (for the next build).
    matrix: Vec<f64>,
    /// The Gram's diagonal.
    diagonal: Vec<f64>,
    /// The factor's frozen (singular) directions.
    frozen: Vec<bool>,
    /// The IRLS weights of the last build that summed every pair.
    v_then: Vec<f64>,
    /// The ridge `l2` the Gram holds on its diagonal.
    l2: f64,
    /// Build scratch: the last matrix, each member's position in the last
    /// factor, the members' centering, the weights the Gram sums with, the
    /// rows' lists of members and one row's list, a new member's column.
    old_matrix: Vec<f64>,
    old_position: Vec<u32>,
    centering: Vec<Centering>,
    gram_weights: Vec<f64>,
    rows: RowLists,
    row_buf: Vec<u16>,
    column: Vec<f64>,
}

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

/// Feature j's position by an index of `(feature, position)` pairs sorted
/// by feature, or `u32::MAX` if it has none.
fn position_in(index: &[(u32, u16)], j: u32) -> u32 {
    match index.binary_search_by_key(&j, |&(f, _)| f) {
        Ok(q) => u32::from(index[q].1),
        Err(_) => u32::MAX,
    }
}

impl SupportFactor {
    /// No factor.
    pub fn new() -> SupportFactor {
        SupportFactor {
            l2: f64::NAN,
            ..SupportFactor::default()
        }
    }

    /// Number of members factored (0: no factor).
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// Feature j's position in the factor, or `u32::MAX` if it has none.
    pub fn position(&self, j: u32) -> u32 {
        position_in(&self.index, j)
    }

    /// Whether the Gram was built with the ridge `l2` and IRLS weights that
    /// `v` moved from by at most `limit` of their total: its entries then
    /// serve (a quasi-Newton Hessian).
    pub fn is_close(&self, v: &[f64], l2: f64, limit: f64) -> bool {
        self.l2 == l2 && moved_within(v, &self.v_then, limit)
    }

    /// Solves `G x = b` in place (frozen directions get x = 0), b in the
    /// factor's order; false if x is not finite.
    pub fn solve(&self, b: &mut [f64]) -> bool {
        cholesky_apply(&self.matrix, &self.frozen, b, self.features.len())
    }

    /// Builds the centered Gram of `members` (plus `l2` on the diagonal) and
    /// its Cholesky factor, and puts `members` in the factor's order. With
    /// `reuse`, the entries between members of the last support are copied
    /// from the last Gram (their IRLS weights moved little; a quasi-Newton
    /// step) and only the new members' columns are summed, unless more than
    /// a quarter of the members are new. The sums run over the rows of
    /// weight at least [`GRAM_MIN_V`] of the largest; the diagonal is each
    /// new member's exact curvature (over every row). False (and no factor
    /// kept) when the matrix is zero.
    pub fn factor(
        &mut self,
        prob: &Problem,
        members: &mut [Member],
        weights: GramWeights,
        reuse: bool,
    ) -> bool {
        let m = members.len();
        // Each member's position in the last support; the kept ones first.
        let index = &self.index;
        members.sort_by_cached_key(|mb| (position_in(index, mb.feature), mb.feature));
        self.old_position.clear();
        self.old_position
            .extend(members.iter().map(|mb| position_in(index, mb.feature)));
        let fresh = self.old_position.iter().filter(|&&q| q == u32::MAX).count();
        let build_all = !(reuse && 4 * fresh <= m);
        if build_all {
            self.old_position.fill(u32::MAX);
        }
        // The members kept (first, ascending in the last factor).
        let kept = self
            .old_position
            .iter()
            .take_while(|&&q| q != u32::MAX)
            .count();
        std::mem::swap(&mut self.matrix, &mut self.old_matrix);
        // Rows' lists of members (kept from the last build where they can
        // be): a full build sums over them, and the new members' columns
        // need them.
        if build_all || fresh > 0 {
            self.update_row_lists(prob, members, weights.v);
        }
        self.sum_stored_products(prob, members, build_all);
        let max_diag = self.center(members, weights, build_all);
        let old_m = self.features.len();
        self.index.clear();
        self.features.clear();
        if max_diag <= 0.0 {
            return false;
        }
        // The Gram below the diagonal, for the next build; the factor above.
        self.diagonal.clear();
        for a in 0..m {
            self.diagonal.push(self.matrix[a * m + a]);
            for b in a + 1..m {
                self.matrix[b * m + a] = self.matrix[a * m + b];
            }
        }
        let old = OldFactor {
            r: &mut self.old_matrix,
            m: old_m,
            live: &self.old_position[..kept],
        };
        cholesky_factor_from(&mut self.matrix, &mut self.frozen, m, 1e-12 * max_diag, old);
        self.features.extend(members.iter().map(|mb| mb.feature));
        self.index.extend(
            self.features
                .iter()
                .enumerate()
                .map(|(a, &j)| (j, a as u16)),
        );
        self.index.sort_unstable();
        if build_all {
            self.v_then.clear();
            self.v_then.extend_from_slice(weights.v);
        }
        self.l2 = weights.l2;
        true
    }

    /// The weights the Gram sums with (those of the rows of weight at least
    /// [`GRAM_MIN_V`] of the largest; the others get 0) and the rows' lists
    /// of `members` over them.
    fn update_row_lists(&mut self, prob: &Problem, members: &[Member], v: &[f64]) {
        let cut = GRAM_MIN_V * v.iter().fold(0.0f64, |m, &v| m.max(v));
        self.gram_weights.clear();
        self.gram_weights
            .extend(v.iter().map(|&v| if v >= cut { v } else { 0.0 }));
        let feats: Vec<u32> = members.iter().map(|mb| mb.feature).collect();
        self.rows.update(&self.gram_weights, &feats, |a| {
            prob.stored(members[a].feature, members[a].complement).rows
        });
    }

    /// `U = sum_i v_i u_i u_i^T` over the stored columns u into the upper
    /// triangle of `matrix` (lists ascend in a): every pair, or only the new
    /// members' columns.
    #[allow(clippy::needless_range_loop)] // several arrays indexed alike
    fn sum_stored_products(&mut self, prob: &Problem, members: &[Member], build_all: bool) {
        let m = members.len();
        // Exact reservations: the support grows by a few members at a time,
        // and doubling capacities would hold up to twice the memory.
        self.matrix.clear();
        self.matrix.reserve_exact(m * m);
        self.matrix.resize(m * m, 0.0);
        if build_all {
            accumulate_gram(
                &mut self.matrix,
                m,
                &self.rows,
                &mut self.row_buf,
                &self.gram_weights,
            );
            return;
        }
        for b in 0..m {
            if self.old_position[b] != u32::MAX {
                continue;
            }
            // Column b in full (both triangles' halves), then kept in the upper.
            self.column.clear();
            self.column.resize(m, 0.0);
            let mb = members[b];
            for &i in prob.stored(mb.feature, mb.complement).rows {
                let vi = self.gram_weights[i as usize];
                if vi == 0.0 {
                    continue;
                }
                for &a in self.rows.row(i as usize, &mut self.row_buf) {
                    self.column[a as usize] += vi;
                }
            }
            for a in 0..m {
                let (r, c) = if a <= b { (a, b) } else { (b, a) };
                self.matrix[r * m + c] = self.column[a];
            }
        }
    }

    /// Turns U into the centered Gram G plus `l2` on the diagonal (upper
    /// triangle of `matrix`), the kept members' entries copied from the last
    /// Gram; returns G's largest diagonal entry.
    ///
    /// `x_a = sigma_a u_a + tau_a 1`: `G_ab = sigma_a sigma_b U_ab +
    /// sigma_a tau_b S_a + tau_a sigma_b S_b + tau_a tau_b hb` with
    /// `S_a = sum v u_a`; then center. A full build centers with the sums
    /// over the rows it kept, `S_a = U_aa` (u binary) and
    /// `hb = sum gram_weights`: the centered Gram of those weights, positive
    /// semidefinite (a rebuild
    /// from parts adds the new members' columns to the kept ones', centered
    /// with the current sums).
    #[allow(clippy::needless_range_loop)] // several arrays indexed alike
    fn center(&mut self, members: &[Member], weights: GramWeights, build_all: bool) -> f64 {
        let m = members.len();
        let hb = if build_all {
            self.gram_weights.iter().sum()
        } else {
            weights.hb
        };
        self.centering.clear();
        for (a, mb) in members.iter().enumerate() {
            let (scale, shift, stored_sum) = match (mb.complement == NO_COMPLEMENT, build_all) {
                (true, true) => (1.0, 0.0, self.matrix[a * m + a]),
                (true, false) => (1.0, 0.0, mb.sum),
                (false, true) => (-1.0, 1.0, self.matrix[a * m + a]),
                (false, false) => (-1.0, 1.0, hb - mb.sum),
            };
            self.centering.push(Centering {
                scale,
                shift,
                stored_sum,
                sum: scale * stored_sum + shift * hb,
            });
        }
        let old_m = self.features.len();
        let mut max_diag = 0.0f64;
        for a in 0..m {
            let ca = self.centering[a];
            let pa = self.old_position[a];
            for b in a..m {
                let pb = self.old_position[b];
                self.matrix[a * m + b] = if pa != u32::MAX && pb != u32::MAX {
                    // Kept members keep their order: pa <= pb, G_pa,pb is in
                    // the old lower triangle (or diagonal).
                    let (pa, pb) = (pa as usize, pb as usize);
                    if pa == pb {
                        self.diagonal[pa]
                    } else {
                        self.old_matrix[pb * old_m + pa]
                    }
                } else if a == b {
                    // The exact curvature over every row (the coordinate
                    // descent's h_j): a word found mostly in the rows left
                    // out keeps it, instead of a near-zero pivot the factor
                    // freezes.
                    members[a].curvature + weights.l2
                } else {
                    let cb = self.centering[b];
                    ca.scale * cb.scale * self.matrix[a * m + b]
                        + ca.scale * cb.shift * ca.stored_sum
                        + ca.shift * cb.scale * cb.stored_sum
                        + ca.shift * cb.shift * hb
                        - ca.sum * cb.sum / hb
                };
            }
            max_diag = max_diag.max(self.matrix[a * m + a]);
        }
        max_diag
    }
}

/// `U = sum_i v_i u_i u_i^T` (upper triangle of the `m x m` row-major
/// `gram`) from the rows' lists of support members (`rows`, ascending;
/// `buf` scratch), over the rows with `v_i != 0`. The sums run in single
/// precision in the first half of `gram`'s own bytes, then widen in
/// place: half the cache footprint of the scattered additions (the matrix
/// of a few hundred members outgrows L2 in double precision) for a relative
/// error near 1e-6, which the step's uses tolerate (a quasi-Newton Hessian,
/// a preconditioner; identical columns still give identical sums, so
/// exactly singular directions stay exactly singular).
fn accumulate_gram(gram: &mut [f64], m: usize, rows: &RowLists, buf: &mut Vec<u16>, v: &[f64]) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut rows = RowLists::default();
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
}
