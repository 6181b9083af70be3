//! Identical columns among the weighted features, for the fits' warnings:
//! with alpha = 1 (or lambda = 0) two identical columns share one weight
//! between them in any proportion, so the fit is not unique.
//!
//! Finding them takes a pass over every column's length and a comparison
//! with each column of a weighted feature's length. Along a path the
//! weighted features change by a few per lambda, so [`Twins`] remembers the
//! features it has looked up and scans only for the new ones (on issue 3's
//! path, 100 lambdas, this was 3% of the path's time when every fit scanned
//! for all of its features).

use super::design::Design;

/// The identical columns found so far, kept along a path.
#[derive(Clone, Debug, Default)]
pub(crate) struct Twins {
    /// Features looked up, ascending.
    seen: Vec<u32>,
    /// `(j, k)`: j looked up, k != j a column identical to j's; ascending.
    pairs: Vec<(u32, u32)>,
}

impl Twins {
    /// Pairs `(j, k)`, j a feature with a non-zero weight (`weights`
    /// ascending) and k any other feature whose column (rows and values) is
    /// identical; a pair of two weighted features once, as `j < k`.
    pub(crate) fn of(&mut self, x: &Design, weights: &[(u32, f64)]) -> Vec<(u32, u32)> {
        let fresh: Vec<u32> = weights
            .iter()
            .map(|&(j, _)| j)
            .filter(|j| self.seen.binary_search(j).is_err())
            .collect();
        if !fresh.is_empty() {
            self.pairs.extend(scan(x, &fresh));
            self.pairs.sort_unstable();
            self.seen.extend(fresh);
            self.seen.sort_unstable();
        }
        let weighted = |f: u32| weights.binary_search_by_key(&f, |&(i, _)| i).is_ok();
        self.pairs
            .iter()
            .filter(|&&(j, k)| weighted(j) && (j < k || !weighted(k)))
            .copied()
            .collect()
    }
}

/// Every `(j, k)`, j in `feats` and k != j a column identical to j's. One
/// pass over the column lengths, each tested against a bit set of the
/// features' lengths; columns are compared only when their lengths match.
fn scan(x: &Design, feats: &[u32]) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    // Features by column length, sorted; lengths as a bit set.
    let mut by_len: Vec<(usize, u32)> = feats
        .iter()
        .map(|&j| (x.col_len(j as usize), j))
        .filter(|&(len, _)| len > 0)
        .collect();
    if by_len.is_empty() {
        return pairs;
    }
    by_len.sort_unstable();
    let mut lens = vec![0u64; x.rows() / 64 + 1];
    for &(len, _) in &by_len {
        lens[len / 64] |= 1 << (len % 64);
    }
    for k in 0..x.cols() {
        let len = x.col_len(k);
        if lens[len / 64] & (1 << (len % 64)) == 0 {
            continue;
        }
        let ck = x.col(k);
        let from = by_len.partition_point(|&(l, _)| l < len);
        for &(_, j) in by_len[from..].iter().take_while(|&&(l, _)| l == len) {
            let cj = x.col(j as usize);
            if j as usize != k && cj.rows == ck.rows && cj.values == ck.values {
                pairs.push((j, k as u32));
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns 0, 2 and 3 identical, 1 and 4 different.
    fn design() -> Design {
        let cols: [&[usize]; 5] = [&[0, 2], &[1], &[0, 2], &[0, 2], &[0]];
        let rows: Vec<Vec<f64>> = (0..3)
            .map(|i| {
                cols.iter()
                    .map(|c| f64::from(u8::from(c.contains(&i))))
                    .collect()
            })
            .collect();
        Design::from_dense(&rows).unwrap()
    }

    #[test]
    fn pairs_follow_the_weighted_features_as_they_change() {
        let x = design();
        let mut twins = Twins::default();
        assert_eq!(twins.of(&x, &[(1, 1.0)]), vec![]);
        assert_eq!(twins.of(&x, &[(0, 1.0), (1, 1.0)]), vec![(0, 2), (0, 3)]);
        // 0 and 3 both weighted: their pair once, as j < k.
        let both = vec![(0, 2), (0, 3), (3, 2)];
        assert_eq!(twins.of(&x, &[(0, 1.0), (3, 1.0)]), both);
        assert_eq!(twins.of(&x, &[(3, 1.0)]), vec![(3, 0), (3, 2)]);
        assert_eq!(twins.of(&x, &[(4, 1.0)]), vec![]);
        // A fresh cache gives the same answers.
        assert_eq!(Twins::default().of(&x, &[(0, 1.0), (3, 1.0)]), both);
    }
}
