//! Counting a message's tokens as interned ids: [`IdCounter`], and
//! [`TokenCounter`], which batches the lookups to overlap their cache misses.

use super::Interner;
use super::interner::{ShortTerm, prefetch};

/// Counts one message's term ids (from an [`Interner`]) without hashing:
/// a slot per id remembers the message it was last seen in and its count
/// there. Reused across messages; [`IdCounter::finish`] hands out each
/// message's `(id, count)` pairs in order of first occurrence.
#[derive(Clone, Debug)]
pub(crate) struct IdCounter {
    /// Per id: (message number it was last seen in, count in that message).
    slots: Vec<(u32, u32)>,
    /// The current message's distinct ids, in order of first occurrence.
    distinct: Vec<u32>,
    /// The current message's number, from 1 (0 marks a slot never used).
    message: u32,
}

impl Default for IdCounter {
    fn default() -> Self {
        IdCounter {
            slots: Vec::new(),
            distinct: Vec::new(),
            message: 1,
        }
    }
}

impl IdCounter {
    /// Prefetches the slot of `id`, if it has one yet.
    #[inline]
    fn prefetch(&self, id: u32) {
        if let Some(slot) = self.slots.get(id as usize) {
            prefetch(slot);
        }
    }

    /// Adds one occurrence of `id`.
    #[inline]
    pub(crate) fn push(&mut self, id: u32) {
        let i = id as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, (0, 0));
        }
        let slot = &mut self.slots[i];
        if slot.0 == self.message {
            slot.1 += 1;
        } else {
            *slot = (self.message, 1);
            self.distinct.push(id);
        }
    }

    /// The current message's `(id, count)` pairs, in order of first
    /// occurrence; starts the next message.
    pub(crate) fn finish(&mut self) -> Box<[(u32, u32)]> {
        let counts = self
            .distinct
            .iter()
            .map(|&id| (id, self.slots[id as usize].1))
            .collect();
        self.distinct.clear();
        if self.message == u32::MAX {
            self.slots.fill((0, 0));
            self.message = 0;
        }
        self.message += 1;
        counts
    }
}

/// Counts a message's tokens as ids of an [`Interner`], in batches: each
/// short token's home slot is prefetched when the token arrives and looked
/// up only a batch (32 tokens) later, and its counter slot prefetched then
/// and counted a batch later still, so the cache misses overlap with the
/// tokenizing instead of stalling one token each. Ids are handed out in a
/// different order than token by token, which changes nothing downstream:
/// [`Interner::merge`] orders ids by term.
#[derive(Clone, Debug, Default)]
pub(crate) struct TokenCounter {
    interner: Interner,
    counter: IdCounter,
    /// Short tokens seen but not yet looked up, with their hashes.
    pending: Vec<(ShortTerm, u64)>,
    /// Ids looked up but not yet counted (the previous batch).
    ids: Vec<u32>,
    /// The ids of the batch being looked up, reused.
    looked_up: Vec<u32>,
}

impl TokenCounter {
    /// Tokens looked up together.
    const BATCH: usize = 32;

    /// Adds one occurrence of `token` to the current message.
    #[inline]
    pub(crate) fn push(&mut self, token: &str) {
        match ShortTerm::new(token) {
            Some(key) => {
                let hash = key.hash();
                self.interner.short.prefetch(hash);
                self.pending.push((key, hash));
                if self.pending.len() == Self::BATCH {
                    self.flush();
                }
            }
            None => {
                let id = self.interner.long_id(token);
                self.counter.push(id);
            }
        }
    }

    /// Looks up the pending tokens and prefetches their counter slots;
    /// counts the previous batch.
    fn flush(&mut self) {
        self.looked_up.clear();
        for &(key, hash) in &self.pending {
            let id = self.interner.short_id(key, hash);
            self.counter.prefetch(id);
            self.looked_up.push(id);
        }
        self.pending.clear();
        for &id in &self.ids {
            self.counter.push(id);
        }
        std::mem::swap(&mut self.ids, &mut self.looked_up);
    }

    /// The current message's `(id, count)` pairs (as [`IdCounter::finish`]);
    /// starts the next message.
    pub(crate) fn finish(&mut self) -> Box<[(u32, u32)]> {
        self.flush();
        for &id in &self.ids {
            self.counter.push(id);
        }
        self.ids.clear();
        self.counter.finish()
    }

    /// The interner, holding every term counted so far.
    pub(crate) fn into_interner(self) -> Interner {
        self.interner
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{TermCounts, TermList};

    #[test]
    fn token_counter_counts_as_interner_and_id_counter_do() {
        // Enough distinct terms to grow the table several times, long ones
        // among them, and messages longer and shorter than a batch.
        let token = |i: usize| match i % 5 {
            0 => format!("t{i}"),
            1 => format!("subject:a-longer-term-than-23-bytes-{}", i % 50),
            _ => format!("w{}", (i * 7) % 1000),
        };
        let lengths = [0, 1, 31, 32, 33, 500, 20_000, 7];
        let mut batched = TokenCounter::default();
        let mut direct = Interner::default();
        let mut counter = IdCounter::default();
        let mut next = 0;
        for len in lengths {
            let tokens: Vec<String> = (next..next + len).map(token).collect();
            next += len;
            for t in &tokens {
                batched.push(t);
                counter.push(direct.id(t));
            }
            let as_terms = |counts: Box<[(u32, u32)]>, terms: &TermList| {
                TermCounts::from_counts(counts.iter().map(|&(id, n)| (terms.get(id).into(), n)))
            };
            let got = batched.finish();
            let got = as_terms(got, batched.interner.terms());
            assert_eq!(got, as_terms(counter.finish(), direct.terms()));
            assert_eq!(got, TermCounts::from_tokens(&tokens));
        }
        assert_eq!(batched.interner.len(), direct.len());
        assert!(batched.interner.short.capacity() >= 4096, "the table grew");
    }
}
