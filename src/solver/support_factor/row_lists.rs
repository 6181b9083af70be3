//! The rows' lists of the support's members, which the support's Gram
//! matrix sums over ([`super::SupportFactor::factor`]), kept from one build
//! to the next.
//!
//! The Gram `U = sum_i v_i u_i u_i^T` is summed row by row, so it needs,
//! for every row, the support members found in it, ascending in the
//! factor's order. Building these lists (CSR by counting, two scattered
//! passes over every member's column) costs about as much as the sums.
//! But the support changes by a few members from one build to the next,
//! and the factor's order keeps the members that stay first, in their old
//! order, with the new ones after them. So the lists of one build, the
//! *base* (in that support's order), serve the next builds: the current
//! order starts with base members in the base's order (the longest such
//! run is the *kept* members), a table maps each base slot to a kept
//! member's position (or none, for a member that left), and the members
//! after the kept ones (added since, or back after leaving) get small lists
//! of their own, rebuilt at every build. A row's list is its base list
//! mapped, then its other members'. The base is built anew when the
//! members outside the kept run, in the support or in the base,
//! outnumber [`BASE_STALE`] of the support (or the factor's order was
//! lost, and the run is short), or when a row the base left out is
//! needed.
//!
//! Only the rows the Gram sums over are listed: those of weight
//! `weight_i != 0` (see [`super::GRAM_MIN_V`]), which, at small lambda, leaves
//! out a third to half of the pairs. Along a path the messages classified
//! with near certainty only grow in number, so a base rarely misses a row
//! that a later build needs.

use crate::solver::bitset::BitSet;

/// The base is rebuilt once the members outside the kept run (the
/// support's others, and the base's members that left) are more than this
/// fraction of the support (the threshold matters little: neither a
/// tighter nor a looser one measured faster).
const BASE_STALE: f64 = 0.25;

/// No current position: the base member left the support.
const GONE: u16 = u16::MAX;

/// Rows' lists of support members by position in the factor's order; see
/// the module notes.
#[derive(Default)]
pub(crate) struct RowLists {
    /// The base's members: (feature, slot) by feature, for lookups.
    base_index: Vec<(u32, u16)>,
    /// The rows the base lists (the others' lists are empty).
    base_rows: BitSet,
    /// Rows' lists of base slots (CSR, slots ascending).
    base_ptr: Vec<u32>,
    base_slot: Vec<u16>,
    /// Per base slot: its kept member's position, or `GONE`.
    pos: Vec<u16>,
    /// Rows' lists of the members after the kept run (CSR, positions
    /// ascending).
    new_ptr: Vec<u32>,
    new_pos: Vec<u16>,
}

impl RowLists {
    /// Prepares the lists of the rows with `weight_i != 0` for the support
    /// `feats` (features in the factor's order, at most `u16::MAX - 1` of
    /// them); `rows(a)` gives the rows member `a`'s stored column lists.
    pub fn update<'a>(
        &mut self,
        weights: &[f64],
        feats: &[u32],
        rows: impl Fn(usize) -> &'a [u32],
    ) {
        let (n, m) = (weights.len(), feats.len());
        // The kept run: base members in the base's order, each base slot
        // mapped to its position as the run is found.
        self.pos.clear();
        self.pos.resize(self.base_index.len(), GONE);
        let mut kept = 0;
        let mut last = None;
        for &f in feats {
            let slot = self
                .base_index
                .binary_search_by_key(&f, |&(g, _)| g)
                .ok()
                .map(|q| self.base_index[q].1);
            match slot {
                Some(s) if last.is_none_or(|l| s > l) => {
                    self.pos[usize::from(s)] = kept as u16;
                    last = Some(s);
                }
                _ => break,
            }
            kept += 1;
        }
        let changed = (m - kept) + (self.base_index.len() - kept);
        if self.base_ptr.len() != n + 1
            || changed as f64 > BASE_STALE * m as f64
            || weights
                .iter()
                .enumerate()
                .any(|(i, &v)| v != 0.0 && !self.base_rows.get(i))
        {
            self.build_base(weights, feats, &rows);
            return;
        }
        count_lists(
            weights,
            kept..m,
            &rows,
            &mut self.new_ptr,
            &mut self.new_pos,
        );
    }

    /// The base for the support `feats`: its slots are the positions.
    fn build_base<'a>(
        &mut self,
        weights: &[f64],
        feats: &[u32],
        rows: &impl Fn(usize) -> &'a [u32],
    ) {
        let m = feats.len();
        self.base_index.clear();
        self.base_index
            .extend(feats.iter().zip(0u16..).map(|(&f, s)| (f, s)));
        self.base_index.sort_unstable();
        self.base_rows = BitSet::new(weights.len());
        for (i, &v) in weights.iter().enumerate() {
            self.base_rows.set(i, v != 0.0);
        }
        count_lists(weights, 0..m, rows, &mut self.base_ptr, &mut self.base_slot);
        self.pos.clear();
        self.pos.extend(0..m as u16);
        count_lists(weights, m..m, rows, &mut self.new_ptr, &mut self.new_pos);
    }

    /// Row `i`'s list of current positions, ascending, into `buf`; for a
    /// row with `weight_i != 0` at the last update (the others' lists may be
    /// empty or stale).
    #[inline]
    pub fn row<'b>(&self, i: usize, buf: &'b mut Vec<u16>) -> &'b [u16] {
        let base = &self.base_slot[self.base_ptr[i] as usize..self.base_ptr[i + 1] as usize];
        let new = &self.new_pos[self.new_ptr[i] as usize..self.new_ptr[i + 1] as usize];
        buf.clear();
        buf.extend(
            base.iter()
                .map(|&s| self.pos[usize::from(s)])
                .filter(|&a| a != GONE),
        );
        buf.extend_from_slice(new);
        buf
    }
}

/// Rows' lists (CSR by counting: `ptr` over the rows of `weights`, `list`) of
/// the members `members`, each listed by its own index, ascending in a
/// row; rows with `weight_i = 0` get none. Exact reservations: doubling
/// capacities would hold up to twice the memory.
fn count_lists<'a>(
    weights: &[f64],
    members: std::ops::Range<usize>,
    rows: &impl Fn(usize) -> &'a [u32],
    ptr: &mut Vec<u32>,
    list: &mut Vec<u16>,
) {
    let n = weights.len();
    ptr.clear();
    ptr.resize(n + 1, 0);
    for a in members.clone() {
        for &i in rows(a) {
            ptr[i as usize + 1] += u32::from(weights[i as usize] != 0.0);
        }
    }
    for i in 0..n {
        ptr[i + 1] += ptr[i];
    }
    let total = ptr[n] as usize;
    list.clear();
    list.reserve_exact(total);
    list.resize(total, 0);
    // ptr[i] serves as row i's cursor (ending at row i + 1's start), then
    // shifts back by one row.
    for a in members {
        for &i in rows(a) {
            if weights[i as usize] != 0.0 {
                let cursor = &mut ptr[i as usize];
                list[*cursor as usize] = a as u16;
                *cursor += 1;
            }
        }
    }
    ptr.copy_within(0..n, 1);
    ptr[0] = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows' lists agree with lists built from scratch as the support
    /// gains and loses members in the factor's way (kept first in their old
    /// order, new ones after), and when the order is reshuffled.
    #[test]
    fn lists_follow_the_support() {
        let n = 40;
        // Feature f is in the rows i with (i * (f + 3)) % 7 < 3.
        let cols: Vec<Vec<u32>> = (0..60u32)
            .map(|f| (0..n as u32).filter(|i| (i * (f + 3)) % 7 < 3).collect())
            .collect();
        // Rows 5-9 weigh 0 at first, later also 30-34; rows 5-9 come back.
        let mut weights = vec![0.5; n];
        weights[5..10].fill(0.0);
        let check = |sr: &RowLists, feats: &[u32], weights: &[f64]| {
            let mut buf = Vec::new();
            for i in (0..n).filter(|&i| weights[i] != 0.0) {
                let want: Vec<u16> = (0..feats.len() as u16)
                    .filter(|&a| cols[feats[usize::from(a)] as usize].contains(&(i as u32)))
                    .collect();
                assert_eq!(sr.row(i, &mut buf), want, "row {i} of {feats:?}");
            }
        };
        let mut sr = RowLists::default();
        let mut feats: Vec<u32> = (0..20).collect();
        let update = |sr: &mut RowLists, feats: &[u32], weights: &[f64]| {
            sr.update(weights, feats, |a| &cols[feats[a] as usize]);
        };
        update(&mut sr, &feats, &weights);
        check(&sr, &feats, &weights);
        // Steps: drop one member and add two, several times (some within
        // the base's tolerance, then past it).
        for step in 0..6u32 {
            feats.remove(usize::try_from(step * 3 % 17).unwrap());
            feats.push(20 + 2 * step);
            feats.push(21 + 2 * step);
            if step == 2 {
                weights[30..35].fill(0.0);
            }
            if step == 4 {
                weights[5..10].fill(0.25);
            }
            update(&mut sr, &feats, &weights);
            check(&sr, &feats, &weights);
        }
        // A new order (the kept run is one member long): rebuilt.
        feats.reverse();
        update(&mut sr, &feats, &weights);
        check(&sr, &feats, &weights);
        // A member of the base back after a new one: listed with it.
        let moved = feats.remove(0);
        feats.push(50);
        feats.push(moved);
        update(&mut sr, &feats, &weights);
        check(&sr, &feats, &weights);
    }
}
