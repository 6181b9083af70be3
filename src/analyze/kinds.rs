//! [`TokenKinds`]: which kinds of tokens an analysis emits, all of them or
//! only those that can be one of a scorer's features.

use std::sync::Arc;

use super::cache::FeatureSetId;
use super::prefix_filter::PrefixFilter;
use super::{Analyzer, AnalyzerConfig};
use crate::mail;

/// Which kinds of tokens to emit: see [`Analyzer::kinds_for`].
#[derive(Clone, Debug)]
pub(crate) struct TokenKinds {
    /// Header fields tokenized (lower case), a subset of the config's.
    pub(super) header_fields: Vec<String>,
    /// The same, for the decoder: other fields are not decoded.
    pub(super) fields: mail::Fields,
    /// Words of the body text.
    pub(super) body_words: bool,
    /// `url:` tokens.
    pub(super) url_hosts: bool,
    /// `attach:` tokens.
    pub(super) attachments: bool,
    /// `html:` tokens.
    pub(super) html_tags: bool,
    /// Drops words that cannot stem to a wanted word token (`None`: keep all).
    pub(super) prefix_filter: Option<Arc<PrefixFilter>>,
    /// Names the features these kinds were made for, whose lookups a
    /// thread's feature cache remembers; a clone shares it.
    pub(super) features_id: FeatureSetId,
}

/// Equal kinds emit the same tokens, whatever features they were made for.
impl PartialEq for TokenKinds {
    fn eq(&self, other: &TokenKinds) -> bool {
        self.header_fields == other.header_fields
            && self.fields == other.fields
            && self.body_words == other.body_words
            && self.url_hosts == other.url_hosts
            && self.attachments == other.attachments
            && self.html_tags == other.html_tags
            && self.prefix_filter == other.prefix_filter
    }
}

impl Eq for TokenKinds {}

impl TokenKinds {
    /// Every kind of token `config` asks for.
    pub(super) fn all(config: &AnalyzerConfig) -> TokenKinds {
        TokenKinds {
            header_fields: config.header_fields.clone(),
            fields: mail::Fields::only(&config.header_fields).with_html_tags(config.html_tags),
            body_words: true,
            url_hosts: true,
            attachments: true,
            html_tags: true,
            prefix_filter: None,
            features_id: FeatureSetId::new(),
        }
    }
}

/// The [`PrefixFilter`] kind of body words.
pub(super) const BODY_KIND: u32 = 0;

/// The [`PrefixFilter`] kind of the words of `TokenKinds::header_fields[i]`.
pub(super) fn field_kind(i: usize) -> u32 {
    u32::try_from(i + 1).expect("fewer than 2^32 header fields")
}

impl Analyzer {
    /// Every kind of token this analyzer's config asks for.
    #[cfg(test)]
    pub(crate) fn all_kinds(&self) -> TokenKinds {
        self.all_kinds.clone()
    }

    /// The kinds of tokens that can equal one of `terms` (say a model's
    /// features): the header fields some term is tagged with, body words if
    /// some term has no ':', URL hosts if some term starts with `url:`,
    /// attachments if some with `attach:`, markup if some with `html:`.
    /// [`Analyzer::feature_hits`] with them skips the work for the rest.
    pub(crate) fn kinds_for<'t>(&self, terms: impl IntoIterator<Item = &'t str>) -> TokenKinds {
        let mut kinds = TokenKinds {
            header_fields: Vec::new(),
            fields: mail::Fields::only(&[]),
            body_words: false,
            url_hosts: false,
            attachments: false,
            html_tags: false,
            prefix_filter: None,
            features_id: FeatureSetId::new(),
        };
        let mut fields = vec![false; self.config.header_fields.len()];
        // Tokens the word chain may have to produce: body words, and words of tagged fields.
        let mut words: Vec<(Option<&str>, &str)> = Vec::new();
        for term in terms {
            let Some((tag, word)) = term.split_once(':') else {
                kinds.body_words = true;
                words.push((None, term));
                continue;
            };
            words.push((Some(tag), word));
            // A field named `url` or `attach` shares its tag: keep both.
            kinds.url_hosts |= tag == "url";
            kinds.attachments |= tag == "attach";
            kinds.html_tags |= tag == "html";
            for (field, wanted) in self.config.header_fields.iter().zip(&mut fields) {
                *wanted |= field == tag;
            }
        }
        kinds.header_fields = (self.config.header_fields.iter().zip(fields))
            .filter(|(_, wanted)| *wanted)
            .map(|(field, _)| field.clone())
            .collect();
        kinds.fields = mail::Fields::only(&kinds.header_fields)
            .with_html_tags(self.config.html_tags && kinds.html_tags);
        // A word pair needs both of its words, whatever they are.
        if !self.config.word_pairs {
            let kind_of = |tag: Option<&str>| match tag {
                None => Some(BODY_KIND),
                Some(tag) => kinds
                    .header_fields
                    .iter()
                    .position(|f| f == tag)
                    .map(field_kind),
            };
            let stems = words
                .iter()
                .filter_map(|&(tag, word)| Some((kind_of(tag)?, word)));
            kinds.prefix_filter = PrefixFilter::new(self.config.stemmer, stems).map(Arc::new);
        }
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{fixture, tokens_of_kinds};
    use super::*;

    /// Tokenizing only the kinds some terms need finds exactly the
    /// occurrences of those terms that full tokenizing finds.
    #[test]
    fn needed_kinds_keep_every_occurrence_of_the_terms() {
        let analyzer = Analyzer::new(AnalyzerConfig::default());
        let mut mails: Vec<Vec<u8>> = ["html.eml", "base64.eml", "nested-multipart.eml"]
            .iter()
            .map(|name| fixture(name))
            .collect();
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora/sample/spam");
        let mut names: Vec<_> = std::fs::read_dir(sample)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        mails.extend(names.iter().take(40).map(|p| std::fs::read(p).unwrap()));
        let mut all = Vec::new();
        for raw in &mails {
            analyzer.tokenize(raw, &mut |t| all.push(t.to_string()));
        }
        all.sort();
        all.dedup();
        // Term sets of one kind each, and mixtures (every 7th, 13th term).
        let subject: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("subject:"))
            .collect();
        let urls: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|t| t.starts_with("url:"))
            .collect();
        let body: Vec<&str> = all
            .iter()
            .map(String::as_str)
            .filter(|t| !t.contains(':'))
            .collect();
        let every = |n: usize| {
            all.iter()
                .step_by(n)
                .map(String::as_str)
                .collect::<Vec<_>>()
        };
        for terms in [
            subject,
            urls,
            body,
            every(7),
            every(13),
            vec!["received:from"],
            vec![],
        ] {
            let kinds = analyzer.kinds_for(terms.iter().copied());
            assert_ne!(
                kinds,
                analyzer.all_kinds(),
                "{:?}",
                &terms[..terms.len().min(3)]
            );
            for raw in &mails {
                let mut full = Vec::new();
                analyzer.tokenize(raw, &mut |t| {
                    if terms.contains(&t) {
                        full.push(t.to_string())
                    }
                });
                let mut needed = Vec::new();
                let notes = tokens_of_kinds(&analyzer, raw, &kinds, &mut |t| {
                    if terms.contains(&t) {
                        needed.push(t.to_string())
                    }
                });
                assert_eq!(needed, full);
                assert!(notes.tokens >= needed.len());
            }
        }
        let kinds = analyzer.kinds_for(["subject:free", "url:example.com", "cash", "attach:.exe"]);
        assert_eq!(kinds.header_fields, ["subject"]);
        assert!(kinds.body_words && kinds.url_hosts && kinds.attachments);
    }
}
