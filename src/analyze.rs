//! Analyzer: a decoded message -> tokens.
//!
//! STUB: the interface the rest of the crate relies on; the real chain
//! (word split, lowercase, length cap, stemming, header tags, URL hosts)
//! replaces it.

use serde::{Deserialize, Serialize};

/// Stemming language (rust-stemmers), or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Stemmer {
    /// No stemming.
    None,
    /// Snowball English (Porter 2).
    English,
}

/// Every setting of the analyzer; stored in the model so `classify` tokenizes as `train` did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Stemming language.
    pub stemmer: Stemmer,
    /// Tokens longer than this (in chars) are dropped.
    pub max_token_len: usize,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            stemmer: Stemmer::English,
            max_token_len: 30,
        }
    }
}

/// What happened while analyzing one message, for counted warnings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notes {
    /// The message was longer than the configured cap and was truncated.
    pub truncated: bool,
}

/// Turns raw mail into tokens according to an [`AnalyzerConfig`].
#[derive(Clone, Debug)]
pub struct Analyzer {
    config: AnalyzerConfig,
}

impl Analyzer {
    /// Builds the analyzer for `config`.
    pub fn new(config: AnalyzerConfig) -> Analyzer {
        Analyzer { config }
    }

    /// The configuration this analyzer runs.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Parses `raw` and calls `sink` once per token, in message order.
    pub fn tokenize(&self, raw: &[u8], sink: &mut dyn FnMut(&str)) -> Notes {
        let message = crate::mail::parse(raw);
        for text in &message.texts {
            for word in text.split_whitespace() {
                if word.chars().count() <= self.config.max_token_len {
                    sink(&word.to_lowercase());
                }
            }
        }
        Notes::default()
    }
}
