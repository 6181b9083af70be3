//! Features ordered by the shape of their column: its length (stored
//! entries), then its first row.
//!
//! Two uses, both to avoid a pass over every feature:
//! - The gradient check bounds `|X_j^T d|` for a 0/1 column from its
//!   length alone ([`super::dot_bound`]), so every feature of one length
//!   shares the bound: [`FeaturesByLength::blocks`] cuts the features,
//!   sorted by length, into blocks of at most [`BLOCK`] features of one
//!   length, and a block whose largest reference value passes the test is
//!   skipped whole. Most words of a mail vocabulary are found in one or two
//!   messages, so a check looks at a few thousand blocks instead of every
//!   word.
//! - Identical columns have the same length and first row:
//!   [`FeaturesByLength::same_length_and_first_row`] finds the candidates by
//!   binary search.
//!
//! The order is built by two counting sorts (first row, then length, both
//! stable): `O(p + N)` time, one `u32` per feature.

use super::design::Design;

/// Most features in one block.
const BLOCK: usize = 64;

/// Features by (column length, first row, feature), and the blocks of that
/// order.
#[derive(Clone, Debug)]
pub(crate) struct FeaturesByLength {
    order: Vec<u32>,
    /// Block b is `order[start[b]..start[b + 1]]`, of column length `len[b]`.
    start: Vec<u32>,
    len: Vec<u32>,
}

/// A column's first row (0 for an empty column).
fn first_row(x: &Design, j: usize) -> usize {
    x.col(j).rows.first().map_or(0, |&i| i as usize)
}

impl FeaturesByLength {
    pub fn new(x: &Design) -> FeaturesByLength {
        let (n, p) = (x.rows(), x.cols());
        // Counting sort of 0..p by key (stable), keys below n + 1.
        let counting = |items: &[u32], key: &dyn Fn(usize) -> usize| -> Vec<u32> {
            let mut at = vec![0u32; n + 2];
            for &j in items {
                at[key(j as usize) + 1] += 1;
            }
            for k in 0..=n {
                at[k + 1] += at[k];
            }
            let mut out = vec![0u32; items.len()];
            for &j in items {
                let slot = &mut at[key(j as usize)];
                out[*slot as usize] = j;
                *slot += 1;
            }
            out
        };
        let all: Vec<u32> = (0..p as u32).collect();
        let by_row = counting(&all, &|j| first_row(x, j));
        drop(all);
        let order = counting(&by_row, &|j| x.col_len(j));
        drop(by_row);
        let (mut start, mut len) = (Vec::new(), Vec::new());
        for (k, &j) in order.iter().enumerate() {
            let l = x.col_len(j as usize) as u32;
            let open = start.last().map(|&s| k - s as usize);
            if open.is_none_or(|size| size >= BLOCK || len.last() != Some(&l)) {
                start.push(k as u32);
                len.push(l);
            }
        }
        start.push(p as u32);
        FeaturesByLength { order, start, len }
    }

    /// Number of blocks.
    pub fn blocks(&self) -> usize {
        self.len.len()
    }

    /// Block b: its features and their column length.
    #[inline]
    pub fn block(&self, b: usize) -> (&[u32], usize) {
        let members = &self.order[self.start[b] as usize..self.start[b + 1] as usize];
        (members, self.len[b] as usize)
    }

    /// The features whose column has feature j's length and first row
    /// (j among them): every column identical to j's is one of them.
    pub fn same_length_and_first_row(&self, x: &Design, j: usize) -> &[u32] {
        let key = (x.col_len(j), first_row(x, j));
        let of = |&k: &u32| (x.col_len(k as usize), first_row(x, k as usize));
        let from = self.order.partition_point(|k| of(k) < key);
        let to = from + self.order[from..].partition_point(|k| of(k) == key);
        &self.order[from..to]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A design with columns of lengths 0-3 and repeated first rows.
    fn design(p: usize) -> Design {
        let rows: Vec<Vec<f64>> = (0..5)
            .map(|i| {
                (0..p)
                    .map(|j| f64::from(u8::from((i * 7 + j * 3) % (2 + j % 5) == 0)))
                    .collect()
            })
            .collect();
        Design::from_dense(&rows).unwrap()
    }

    #[test]
    fn blocks_cover_every_feature_once_sorted_by_length() {
        let x = design(300);
        let s = FeaturesByLength::new(&x);
        let mut seen = vec![false; x.cols()];
        let mut last = (0, 0, 0);
        for b in 0..s.blocks() {
            let (members, len) = s.block(b);
            assert!(!members.is_empty() && members.len() <= BLOCK);
            for &j in members {
                let j = j as usize;
                assert!(!seen[j], "feature {j} twice");
                seen[j] = true;
                assert_eq!(x.col_len(j), len);
                let key = (len, first_row(&x, j), j);
                assert!(key > last || b == 0, "{key:?} after {last:?}");
                last = key;
            }
        }
        assert!(seen.iter().all(|&s| s));
        // Large groups are cut into full blocks.
        assert!(s.blocks() < x.cols() / 10);
    }

    #[test]
    fn same_length_and_first_row_holds_every_identical_column() {
        let x = design(120);
        let s = FeaturesByLength::new(&x);
        for j in 0..x.cols() {
            let cands = s.same_length_and_first_row(&x, j);
            assert!(cands.contains(&(j as u32)));
            for k in 0..x.cols() {
                if x.col(k).rows == x.col(j).rows {
                    assert!(cands.contains(&(k as u32)), "{k} identical to {j}");
                }
            }
            for &k in cands {
                assert_eq!(x.col_len(k as usize), x.col_len(j));
                assert_eq!(first_row(&x, k as usize), first_row(&x, j));
            }
        }
    }
}
