//! What a model is fitted on, as the solver reads it: the matrix by columns, the labels
//! and the terms, with nothing else held.
//!
//! A corpus's rows (CSR with an `f64` per non-zero) take three times the bytes of the
//! solver's column copy of a binary matrix (a `u32` row id per non-zero, no values).
//! So the rows are dropped once the columns are built ([`Columns::from_set`]), and
//! with binary weighting the columns are built straight from the tokens, with no rows
//! at all ([`Columns::from_analyzed`]).

use crate::dataset::Weighting;
use crate::error::Result;
use crate::model::TermKind;
use crate::solver::Design;
use crate::vectorize::Analyzed;
use crate::vocab::Vocabulary;

use super::{Trained, TrainingSet, ValidTrainParams};

/// The matrix by columns, its labels and the terms of its columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Columns {
    /// Messages x terms, by columns.
    pub design: Design,
    /// `true` for spam, one per row.
    pub y: Vec<bool>,
    /// Column `j`'s term is `vocab.term(j)`.
    pub vocab: Vocabulary,
    /// Files passed over while reading mail.
    pub skipped: usize,
    /// What the vocabulary's terms are.
    pub term_kind: TermKind,
}

impl Columns {
    /// The columns of `set`'s matrix; the rows are dropped once they are built.
    ///
    /// # Errors
    /// A matrix value that is not finite; more than 2^32 - 1 rows.
    pub fn from_set(set: TrainingSet) -> Result<Columns> {
        let TrainingSet {
            data,
            vocab,
            skipped,
            term_kind,
        } = set;
        let design = Design::from_csr(&data.x)?;
        Ok(Columns {
            design,
            y: data.y,
            vocab,
            skipped,
            term_kind,
        })
    }

    /// What [`Columns::from_set`] gives on [`TrainingSet::from_analyzed`], without the
    /// rows when the parameters' weighting is binary (every value 1, not normalized).
    ///
    /// # Errors
    /// As [`TrainingSet::from_analyzed`].
    pub fn from_analyzed(analyzed: &Analyzed, params: &ValidTrainParams) -> Result<Columns> {
        let scheme = params.scheme();
        if scheme.weighting != Weighting::Binary || scheme.l2_normalize {
            return Columns::from_set(TrainingSet::from_analyzed(analyzed, params)?);
        }
        let y = analyzed.spam_labels()?;
        let (vocab, column) =
            Vocabulary::fit_ids(analyzed.terms(), analyzed.docs(), params.min_df());
        let docs = analyzed.docs();
        let design = Design::from_binary_rows(docs.len(), vocab.len(), |i| {
            (docs[i].iter())
                .map(|&(id, _)| column[id as usize])
                .filter(|&j| j != u32::MAX)
        })?;
        let columns = Columns {
            design,
            y,
            vocab,
            skipped: analyzed.skipped.len(),
            term_kind: TermKind::Tokens,
        };
        let (spam, ham) = columns.class_counts();
        if spam == 0 || ham == 0 {
            return Err(super::no_second_class(spam, ham));
        }
        Ok(columns)
    }

    /// Messages labeled spam and ham.
    pub fn class_counts(&self) -> (usize, usize) {
        let spam = self.y.iter().filter(|&&s| s).count();
        (spam, self.y.len() - spam)
    }

    /// Fits the model as [`TrainingSet::train`] does; `on_lambda(k, n)` is called as a
    /// fixed lambda's path starts its k-th lambda of n (for a progress bar).
    ///
    /// # Errors
    /// As [`TrainingSet::train`].
    pub fn train(
        &self,
        params: &ValidTrainParams,
        on_lambda: &dyn Fn(usize, usize),
    ) -> Result<Trained> {
        let (design, y, vocab) = (&self.design, &self.y, &self.vocab);
        super::train_on(design, y, vocab, self.term_kind, params, None, on_lambda)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzer;
    use crate::corpus::{Corpus, Label};
    use crate::dataset::Scheme;
    use crate::train::TrainParams;

    fn sample() -> Analyzed {
        let mut corpus = Corpus::default();
        corpus.add_labeled_root("corpora/sample".as_ref()).unwrap();
        let analyzer = Analyzer::new(Default::default());
        crate::vectorize::analyze(&corpus, &analyzer, &|_| ())
    }

    #[test]
    fn columns_from_tokens_equal_the_rows_transposed_and_fit_the_same_model() {
        let analyzed = sample();
        for min_df in [1, 2, 5] {
            let params = TrainParams::new()
                .min_df(min_df)
                .lambda(Some(2e-3))
                .date(Some(1_700_000_000))
                .check()
                .unwrap();
            let set = TrainingSet::from_analyzed(&analyzed, &params).unwrap();
            let from_rows = Columns::from_set(set.clone()).unwrap();
            let from_tokens = Columns::from_analyzed(&analyzed, &params).unwrap();
            assert!(from_tokens.design.is_binary());
            assert!(from_tokens.design.nnz() > 10_000);
            assert_eq!(from_tokens, from_rows, "min_df {min_df}");
            let model = |trained: Result<Trained>| trained.unwrap().model.to_bytes();
            let reference = model(set.train(&params));
            assert_eq!(model(from_tokens.train(&params, &|_, _| ())), reference);
            assert_eq!(model(set.into_trained(&params, &|_, _| ())), reference);
        }
    }

    #[test]
    fn weighted_columns_are_the_rows_transposed() {
        let analyzed = sample();
        let params = TrainParams::new()
            .scheme(Scheme {
                weighting: Weighting::LogCounts,
                l2_normalize: true,
            })
            .check()
            .unwrap();
        let columns = Columns::from_analyzed(&analyzed, &params).unwrap();
        assert!(!columns.design.is_binary());
        let set = TrainingSet::from_analyzed(&analyzed, &params).unwrap();
        assert_eq!(columns.design, Design::from_csr(&set.data.x).unwrap());
    }

    #[test]
    fn one_class_is_an_error_as_for_rows() {
        let mut analyzed = sample();
        analyzed.labels = vec![Some(Label::Spam); analyzed.labels.len()];
        let params = TrainParams::new().check().unwrap();
        let rows = TrainingSet::from_analyzed(&analyzed, &params).map(|_| ());
        let columns = Columns::from_analyzed(&analyzed, &params).map(|_| ());
        assert_eq!(
            columns.unwrap_err().to_string(),
            rows.unwrap_err().to_string()
        );
    }
}
