//! [`Interner::merge`]: the terms of several interners as one sorted list,
//! and each interner's ids remapped to it.

use std::cmp::Ordering;

use rayon::prelude::*;

use super::{Interner, TermList};

/// The terms of several [`Interner`]s merged: each distinct term once, ids
/// in term order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Merged {
    /// The distinct terms, sorted.
    pub(crate) terms: TermList,
    /// For each interner, in the order given, and each of its ids: the id of
    /// the same term in `terms`.
    pub(crate) remaps: Vec<Vec<u32>>,
}

impl Interner {
    /// Merges the terms of `interners`: each one's ids are sorted by term
    /// (the interners in parallel), then the sorted lists are cut at the
    /// same terms into pieces, and the pieces merged in parallel. The result
    /// depends only on the set of terms, not on how they were spread over
    /// the interners, nor on the number of pieces.
    pub(crate) fn merge(interners: Vec<Interner>) -> Merged {
        let lists: Vec<TermList> = interners.into_iter().map(|i| i.terms).collect();
        let sorted: Vec<Vec<(SortKey, u32)>> = lists.par_iter().map(TermList::sorted).collect();
        // Cut points: terms of the longest list at equal steps; each list is
        // cut before its first term not less than each cut term.
        let pieces = 4 * rayon::current_num_threads();
        let longest = (0..lists.len()).max_by_key(|&i| lists[i].len());
        let cuts: Vec<(SortKey, &[u8])> = longest.map_or(Vec::new(), |l| {
            let len = sorted[l].len();
            let mut at: Vec<usize> = (1..pieces).map(|p| p * len / pieces).collect();
            at.dedup();
            (at.into_iter().filter(|&a| a > 0))
                .map(|a| (sorted[l][a].0, lists[l].bytes(sorted[l][a].1)))
                .collect()
        });
        let bounds: Vec<Vec<usize>> = (lists.iter().zip(&sorted))
            .map(|(list, run)| {
                let mut bounds = vec![0];
                for &(key, term) in &cuts {
                    bounds.push(run.partition_point(|&(k, id)| (k, list.bytes(id)) < (key, term)));
                }
                bounds.push(run.len());
                bounds
            })
            .collect();
        let pieces: Vec<Piece> = (0..=cuts.len())
            .into_par_iter()
            .map(|p| {
                let runs: Vec<&[(SortKey, u32)]> = (sorted.iter().zip(&bounds))
                    .map(|(run, b)| &run[b[p]..b[p + 1]])
                    .collect();
                Piece::merge(&lists, &runs)
            })
            .collect();

        let mut terms = TermList::default();
        let mut offsets = Vec::with_capacity(pieces.len());
        for piece in &pieces {
            offsets.push(terms.len() as u32);
            terms.text.push_str(&piece.terms.text);
            let base = terms.bounds[terms.bounds.len() - 1];
            (terms.bounds).extend(piece.terms.bounds[1..].iter().map(|end| base + end));
        }
        let remaps = (0..lists.len())
            .into_par_iter()
            .map(|i| {
                let mut remap = vec![0; lists[i].len()];
                let ids = sorted[i].iter().map(|&(_, id)| id as usize);
                let merged = (pieces.iter().zip(&offsets))
                    .flat_map(|(piece, &offset)| piece.ranks[i].iter().map(move |r| offset + r));
                for (id, merged) in ids.zip(merged) {
                    remap[id] = merged;
                }
                remap
            })
            .collect();
        Merged { terms, remaps }
    }
}

impl TermList {
    /// Each id with its [`sort_key`], sorted by term.
    fn sorted(&self) -> Vec<(SortKey, u32)> {
        let mut sorted: Vec<(SortKey, u32)> = (0..self.len() as u32)
            .map(|id| (sort_key(self.bytes(id)), id))
            .collect();
        sorted.par_sort_unstable_by(|a, b| self.cmp_keyed(*a, *b));
        sorted
    }

    /// Compares two `(sort key, id)` pairs of this list as their terms' bytes.
    #[inline]
    fn cmp_keyed(&self, a: (SortKey, u32), b: (SortKey, u32)) -> Ordering {
        a.0.cmp(&b.0)
            .then_with(|| self.bytes(a.1).cmp(self.bytes(b.1)))
    }
}

/// The first 16 bytes of a term, zero-padded, as two big-endian numbers:
/// terms whose keys differ compare as their keys do, so most comparisons of
/// a sort or merge are integer compares in the array being sorted, not a
/// `memcmp` of bytes elsewhere (equal keys fall back to the bytes). Sixteen
/// bytes, not eight: many terms share a tag such as `subject:`.
type SortKey = [u64; 2];

#[inline]
fn sort_key(term: &[u8]) -> SortKey {
    let mut head = [0u8; 16];
    let n = term.len().min(16);
    head[..n].copy_from_slice(&term[..n]);
    let word = |i: usize| u64::from_be_bytes(head[i..i + 8].try_into().expect("8 bytes"));
    [word(0), word(8)]
}

/// One piece of [`Interner::merge`]: the distinct terms of some consecutive
/// runs of the interners' sorted terms, and where each landed.
struct Piece {
    terms: TermList,
    /// For each interner, the piece-local id of each term of its run, in run order.
    ranks: Vec<Vec<u32>>,
}

impl Piece {
    /// Merges `runs[i]`, a sorted run of `lists[i]`'s `(sort key, id)` pairs.
    fn merge(lists: &[TermList], runs: &[&[(SortKey, u32)]]) -> Piece {
        let mut terms = TermList::default();
        let mut ranks: Vec<Vec<u32>> = runs
            .iter()
            .map(|run| Vec::with_capacity(run.len()))
            .collect();
        // at[i]: how far runs[i] has been merged; ties: the runs whose head is the least.
        let mut at = vec![0; runs.len()];
        let mut ties = Vec::with_capacity(runs.len());
        loop {
            let mut least: Option<(SortKey, &str)> = None;
            ties.clear();
            for (i, run) in runs.iter().enumerate() {
                let Some(&(key, id)) = run.get(at[i]) else {
                    continue;
                };
                let term = lists[i].get(id);
                let order = least.map_or(Ordering::Less, |(least_key, least_term)| {
                    key.cmp(&least_key)
                        .then_with(|| term.as_bytes().cmp(least_term.as_bytes()))
                });
                match order {
                    Ordering::Less => {
                        least = Some((key, term));
                        ties.clear();
                        ties.push(i);
                    }
                    Ordering::Equal => ties.push(i),
                    Ordering::Greater => {}
                }
            }
            let Some((_, term)) = least else { break };
            let rank = terms.len() as u32;
            for &i in &ties {
                ranks[i].push(rank);
                at[i] += 1;
            }
            terms.push(term);
        }
        Piece { terms, ranks }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// However the tokens are spread over interners, the merge holds each
        /// distinct term once, sorted, and every remapped id names the term
        /// its interner gave that id.
        #[test]
        fn merge_sorts_the_union_and_remaps_consistently(
            parts in proptest::collection::vec(proptest::collection::vec("[a-cé]{0,3}|[a-c]{22,26}", 0..20), 0..4)
        ) {
            let mut interners = Vec::new();
            let mut ids = Vec::new();
            for part in &parts {
                let mut interner = Interner::default();
                ids.push(part.iter().map(|t| interner.id(t)).collect::<Vec<_>>());
                interners.push(interner);
            }
            let merged = Interner::merge(interners);
            let mut union: Vec<&str> = parts.iter().flatten().map(String::as_str).collect();
            union.sort_unstable();
            union.dedup();
            proptest::prop_assert_eq!(merged.terms.iter().collect::<Vec<_>>(), union);
            for ((part, ids), remap) in parts.iter().zip(&ids).zip(&merged.remaps) {
                for (term, &id) in part.iter().zip(ids) {
                    proptest::prop_assert_eq!(merged.terms.get(remap[id as usize]), term.as_str());
                }
            }
        }
    }
}
