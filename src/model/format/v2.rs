//! The payload of format version 2, read into today's model: version 3 added the analyzer's
//! `received` setting and the summary's `decision_rule`. bincode stores no field names, so
//! the old shape is spelled out here, field for field in file order.

use serde::Deserialize;

use super::super::TrainingSummary;
use crate::analyze::{AnalyzerConfig, ReceivedTokens, Stemmer};
use crate::dataset::Scheme;

/// A version-2 payload.
#[derive(Deserialize)]
pub(super) struct PayloadV2<'a> {
    analyzer: AnalyzerConfigV2,
    scheme: Scheme,
    #[serde(borrow)]
    terms: Vec<&'a str>,
    weights: Vec<f32>,
    intercept: f64,
    lambda: f64,
    alpha: f64,
    threshold: f64,
    unsure: Option<(f64, f64)>,
    summary: SummaryV2,
}

#[derive(Deserialize)]
struct AnalyzerConfigV2 {
    stemmer: Stemmer,
    lowercase: bool,
    min_token_len: usize,
    max_token_len: usize,
    header_fields: Vec<String>,
    address_domains: bool,
    url_hosts: bool,
    host_suffixes: bool,
    attachment_tokens: bool,
    html_tags: bool,
    word_pairs: bool,
    max_text_bytes: Option<usize>,
}

#[derive(Deserialize)]
struct SummaryV2 {
    spam_messages: u64,
    ham_messages: u64,
    cv_auc: Option<f64>,
    cv_auc_se: Option<f64>,
    lambda_rule: String,
    version: String,
    date: String,
}

impl<'a> From<PayloadV2<'a>> for super::Payload<'a> {
    /// Version 2 tokenized whole `Received:` fields and did not record its decision rule.
    fn from(p: PayloadV2<'a>) -> super::Payload<'a> {
        let a = p.analyzer;
        let s = p.summary;
        super::Payload {
            analyzer: AnalyzerConfig {
                stemmer: a.stemmer,
                lowercase: a.lowercase,
                min_token_len: a.min_token_len,
                max_token_len: a.max_token_len,
                header_fields: a.header_fields,
                address_domains: a.address_domains,
                url_hosts: a.url_hosts,
                host_suffixes: a.host_suffixes,
                attachment_tokens: a.attachment_tokens,
                html_tags: a.html_tags,
                word_pairs: a.word_pairs,
                max_text_bytes: a.max_text_bytes,
                received: ReceivedTokens::Whole,
            },
            scheme: p.scheme,
            terms: p.terms,
            weights: p.weights,
            intercept: p.intercept,
            lambda: p.lambda,
            alpha: p.alpha,
            threshold: p.threshold,
            unsure: p.unsure,
            summary: TrainingSummary {
                spam_messages: s.spam_messages,
                ham_messages: s.ham_messages,
                cv_auc: s.cv_auc,
                cv_auc_se: s.cv_auc_se,
                lambda_rule: s.lambda_rule,
                decision_rule: String::new(),
                version: s.version,
                date: s.date,
            },
        }
    }
}
