//! Bounds on `x^T d` for a 0/1 column x from the column's length alone: the
//! checks that skip a feature when even the bound keeps it inside the box
//! `|X_j^T theta| <= l1` (the gradient check, [`super::gradient_check`], and
//! the certificate's `X^T Delta`, [`super::certify`]).
//!
//! Hölder: for x with k ones, `|x^T d| <= S(k)`, the sum of the k largest
//! `|d_i|`; and, since `x^T d = sum d - (1 - x)^T d`, also
//! `|x^T d| <= |sum d| + S(N - k)`. S is exact up to [`TOP`] entries and
//! continued beyond by the `TOP`-th largest `|d_i|` per entry, capped by
//! `||d||_1`: still an upper bound, and columns that long are rarely
//! skipped anyway.

/// How many of the largest `|d_i|` are sorted.
const TOP: usize = 512;

/// The sorted head of `|d|`, its prefix sums, `||d||_1` and `sum d`, and
/// the bound for every column length `0..=N` (one table lookup per feature:
/// the checks ask it for every feature of a vocabulary).
#[derive(Default)]
pub(crate) struct DotBound {
    buf: Vec<f64>,
    prefix: Vec<f64>,
    floor: f64,
    total: f64,
    sum: f64,
    by_len: Vec<f64>,
}

impl DotBound {
    /// Prepares the bounds for the vector `d`.
    pub fn build(&mut self, d: impl Iterator<Item = f64>) {
        self.buf.clear();
        self.sum = 0.0;
        for di in d {
            self.sum += di;
            self.buf.push(di.abs());
        }
        let n = self.buf.len();
        self.total = self.buf.iter().sum();
        let top = TOP.min(n);
        if top < n {
            self.buf
                .select_nth_unstable_by(top - 1, |a, b| b.total_cmp(a));
        }
        self.buf[..top].sort_unstable_by(|a, b| b.total_cmp(a));
        self.prefix.clear();
        self.prefix.push(0.0);
        for k in 0..top {
            let next = self.prefix[k] + self.buf[k];
            self.prefix.push(next);
        }
        self.floor = if top > 0 { self.buf[top - 1] } else { 0.0 };
        let mut by_len = std::mem::take(&mut self.by_len);
        by_len.clear();
        by_len.extend((0..=n).map(|k| self.head(k).min(self.sum.abs() + self.head(n - k))));
        self.by_len = by_len;
    }

    /// The bounds for `d = 0` of length `n` (all zero), without sorting: a
    /// reference pass's, where r is its own reference.
    pub fn zero(&mut self, n: usize) {
        self.buf.clear();
        self.prefix.clear();
        self.prefix.push(0.0);
        self.floor = 0.0;
        self.total = 0.0;
        self.sum = 0.0;
        self.by_len.clear();
        self.by_len.resize(n + 1, 0.0);
    }

    /// S(k): the sum of the k largest `|d_i|` (an upper bound beyond `TOP`).
    fn head(&self, k: usize) -> f64 {
        let top = self.prefix.len() - 1;
        if k <= top {
            self.prefix[k]
        } else {
            (self.prefix[top] + (k - top) as f64 * self.floor).min(self.total)
        }
    }

    /// An upper bound on `|x^T d|` for a 0/1 column x with `k` ones.
    #[inline]
    pub fn bound(&self, k: usize) -> f64 {
        self.by_len[k]
    }

    /// `base` plus the bound on `|x^T d|` for a 0/1 column x with `k` ones,
    /// if it is at most `limit` (else the caller computes `x^T d`).
    #[inline]
    pub fn within(&self, k: usize, base: f64, limit: f64) -> Option<f64> {
        let b = base + self.by_len[k];
        (b <= limit).then_some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against every column of a small exhaustive family: all 0/1 vectors of
    /// length 10, for vectors d of mixed signs, sizes and a zero sum.
    #[test]
    fn bounds_every_binary_column() {
        let cases: [Vec<f64>; 3] = [
            (0..10).map(|i| ((i * 7) % 5) as f64 - 2.0).collect(),
            (0..10).map(|i| 1e-3 * (i as f64 + 1.0)).collect(),
            (0..10)
                .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
                .collect(),
        ];
        for d in cases {
            let mut t = DotBound::default();
            t.build(d.iter().copied());
            for mask in 0u32..1 << 10 {
                let k = mask.count_ones() as usize;
                let dot: f64 = (0..10).filter(|&i| mask >> i & 1 == 1).map(|i| d[i]).sum();
                assert!(dot.abs() <= t.bound(k) + 1e-12, "{d:?}, mask {mask:b}");
            }
        }
        // within() answers whether the bound clears the limit.
        let mut t = DotBound::default();
        t.build([1.0, -1.0, 2.0, -2.0, 0.5].into_iter());
        for k in 0..=5 {
            for limit in [0.5, 1.0, 2.0, 3.0, 4.0, 7.0] {
                let b = 0.25 + t.bound(k);
                match t.within(k, 0.25, limit) {
                    Some(v) => assert!(b <= v && v <= limit, "k {k}, limit {limit}"),
                    None => assert!(b > limit, "k {k}, limit {limit}"),
                }
            }
        }
        // The complement side is what bounds a full column of a zero-sum d.
        let mut t = DotBound::default();
        t.build([1.0, -1.0, 2.0, -2.0].into_iter());
        assert_eq!(t.bound(4), 0.0);
        assert_eq!(t.bound(1), 2.0);
    }

    /// The zero vector's bounds, built directly, are those the sort gives.
    #[test]
    fn zero_matches_a_build_on_zeros() {
        let (mut a, mut b) = (DotBound::default(), DotBound::default());
        a.build([1.0, -2.0, 3.0].into_iter());
        a.zero(700);
        b.build(std::iter::repeat_n(0.0, 700));
        for k in 0..=700 {
            assert_eq!(a.bound(k), b.bound(k));
            assert_eq!(a.head(k), b.head(k));
        }
    }

    /// Beyond the sorted head the continuation still bounds the sum.
    #[test]
    fn long_vectors_are_bounded_past_the_sorted_head() {
        let n = 3 * TOP;
        let d: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 + 1.0).collect();
        let mut t = DotBound::default();
        t.build(d.iter().copied());
        let mut sorted = d.clone();
        sorted.sort_unstable_by(|a, b| b.total_cmp(a));
        let mut s = 0.0;
        for k in 1..=n {
            s += sorted[k - 1];
            assert!(t.head(k) >= s * (1.0 - 1e-12), "k {k}");
        }
        assert_eq!(t.head(TOP), sorted[..TOP].iter().sum::<f64>());
    }
}
