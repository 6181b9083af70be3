//! Identical columns among the weighted features, for the fits' warnings:
//! with alpha = 1 (or lambda = 0) two identical columns share one weight
//! between them in any proportion, so the fit is not unique.
//!
//! Identical columns have the same length and first row: the candidates
//! for a feature are found in [`FeaturesByLength`] by binary search and
//! compared. Along a path the weighted features change by a few per lambda,
//! so [`IdenticalColumns`] remembers the features it has looked up and looks
//! up only the new ones: scanning every column for every weighted feature
//! of every fit would cost a noticeable share of the path.

use super::design::Design;
use super::features_by_length::FeaturesByLength;

/// The identical columns found so far, kept along a path.
#[derive(Clone, Debug, Default)]
pub(crate) struct IdenticalColumns {
    /// Features looked up, ascending.
    seen: Vec<u32>,
    /// `(j, k)`: j looked up, k != j a column identical to j's; ascending.
    pairs: Vec<(u32, u32)>,
}

impl IdenticalColumns {
    /// Pairs `(j, k)`, j a feature with a non-zero weight (`weights`
    /// ascending) and k any other feature whose column (rows and values) is
    /// identical; a pair of two weighted features once, as `j < k`.
    pub(crate) fn of(
        &mut self,
        x: &Design,
        by_length: &FeaturesByLength,
        weights: &[(u32, f64)],
    ) -> Vec<(u32, u32)> {
        let fresh: Vec<u32> = weights
            .iter()
            .map(|&(j, _)| j)
            .filter(|j| self.seen.binary_search(j).is_err())
            .collect();
        if !fresh.is_empty() {
            self.pairs.extend(scan(x, by_length, &fresh));
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

/// Every `(j, k)`, j in `feats` and k != j a column identical to j's.
fn scan(x: &Design, by_length: &FeaturesByLength, feats: &[u32]) -> Vec<(u32, u32)> {
    let mut pairs = Vec::new();
    for &j in feats {
        let cj = x.col(j as usize);
        if cj.rows.is_empty() {
            continue;
        }
        for &k in by_length.same_length_and_first_row(x, j as usize) {
            let ck = x.col(k as usize);
            if k != j && cj.rows == ck.rows && cj.values == ck.values {
                pairs.push((j, k));
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
        let s = FeaturesByLength::new(&x);
        let mut identical = IdenticalColumns::default();
        assert_eq!(identical.of(&x, &s, &[(1, 1.0)]), vec![]);
        assert_eq!(
            identical.of(&x, &s, &[(0, 1.0), (1, 1.0)]),
            vec![(0, 2), (0, 3)]
        );
        // 0 and 3 both weighted: their pair once, as j < k.
        let both = vec![(0, 2), (0, 3), (3, 2)];
        assert_eq!(identical.of(&x, &s, &[(0, 1.0), (3, 1.0)]), both);
        assert_eq!(identical.of(&x, &s, &[(3, 1.0)]), vec![(3, 0), (3, 2)]);
        assert_eq!(identical.of(&x, &s, &[(4, 1.0)]), vec![]);
        // A fresh cache gives the same answers.
        assert_eq!(
            IdenticalColumns::default().of(&x, &s, &[(0, 1.0), (3, 1.0)]),
            both
        );
    }
}
