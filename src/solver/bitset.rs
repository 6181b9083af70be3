//! A set of small integers as one bit each: feature membership (the working
//! set, the features the gradient check computes exactly) and row membership
//! (the rows the support's Gram lists), an eighth of a `Vec<bool>`'s memory,
//! which counts on a large vocabulary.

/// A fixed-size set of `0..n`, one bit per member.
#[derive(Clone, Debug, Default)]
pub(crate) struct BitSet(Vec<u64>);

impl BitSet {
    /// The empty set of `0..n`.
    pub fn new(n: usize) -> BitSet {
        BitSet(vec![0; n.div_ceil(64)])
    }

    /// Whether `i` is in the set.
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }

    /// Puts `i` in the set (`on`) or takes it out.
    #[inline]
    pub fn set(&mut self, i: usize, on: bool) {
        let bit = 1u64 << (i % 64);
        if on {
            self.0[i / 64] |= bit;
        } else {
            self.0[i / 64] &= !bit;
        }
    }
}
