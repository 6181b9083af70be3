//! [`TermList`]: distinct terms end to end in one string, indexed by id.

/// Distinct terms stored end to end in one string, indexed by id: one
/// allocation for all of them, not one per term.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TermList {
    pub(super) text: String,
    /// `bounds[id]..bounds[id + 1]` is term `id`'s range of `text`.
    pub(super) bounds: Vec<usize>,
}

impl Default for TermList {
    fn default() -> TermList {
        TermList {
            text: String::new(),
            bounds: vec![0],
        }
    }
}

impl TermList {
    /// Appends `term` as id [`TermList::len`] (before the call).
    pub(crate) fn push(&mut self, term: &str) {
        self.text.push_str(term);
        self.bounds.push(self.text.len());
    }

    /// The term with this id.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> &str {
        let id = id as usize;
        &self.text[self.bounds[id]..self.bounds[id + 1]]
    }

    /// The bytes of the term with this id (byte order is `str` order).
    #[inline]
    pub(super) fn bytes(&self, id: u32) -> &[u8] {
        let id = id as usize;
        &self.text.as_bytes()[self.bounds[id]..self.bounds[id + 1]]
    }

    /// Number of terms.
    pub(crate) fn len(&self) -> usize {
        self.bounds.len() - 1
    }

    /// True if there is no term.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The terms in id order.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len() as u32).map(|id| self.get(id))
    }
}
