//! [`AnalyzerConfig`]: every setting of the analyzer, its defaults and
//! their check.

use serde::{Deserialize, Serialize};

use super::Stemmer;
use crate::{Error, Result};

/// Every setting of the analyzer; stored in the model so `classify`
/// tokenizes as `train` did. See the [analyzer's docs](super) for a table of
/// defaults and ranges, and [`AnalyzerConfig::check`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Stemming language, or [`Stemmer::None`]. Stemming merges `offer`,
    /// `offers`, `offered` into one feature, which the classifier then
    /// learns from three times the evidence.
    pub stemmer: Stemmer,
    /// Fold case. Spam SHOUTS, so keeping case is a possible feature, but
    /// it splits every word's evidence in two or three.
    pub lowercase: bool,
    /// Words shorter than this (in chars, after folding) are dropped. At 2,
    /// CJK text (one word per ideograph under UAX #29) is dropped too: use 1
    /// for such corpora.
    pub min_token_len: usize,
    /// Words longer than this (in chars) are dropped: base64 lines, hashes,
    /// tracking ids, which only ever occur once.
    pub max_token_len: usize,
    /// Header fields (lower case) whose words become tagged tokens
    /// (`subject:word`).
    pub header_fields: Vec<String>,
    /// Emit `field:@domain` (and parent domains if `host_suffixes`) for each
    /// '@' address in a selected header field.
    pub address_domains: bool,
    /// Emit `url:host` for each URL in the body.
    pub url_hosts: bool,
    /// With a host, also emit its parent domains of two or more labels
    /// (`a.b.example.com` -> `b.example.com`, `example.com`).
    pub host_suffixes: bool,
    /// Emit `attach:type/subtype` and `attach:.ext` for non-text parts.
    pub attachment_tokens: bool,
    /// Emit `html:tag` and `html:tag.attribute` for the markup of HTML
    /// parts (`html:font.color`), which the text conversion drops.
    pub html_tags: bool,
    /// Also emit each pair of adjacent body words as one token
    /// (`click here`; the words joined by a space, which no word contains).
    pub word_pairs: bool,
    /// Body text tokenized per message, in bytes (`None`: no cap). Bounds
    /// the work on huge messages; a long message's first pages carry its
    /// character anyway.
    pub max_text_bytes: Option<usize>,
    /// Which words of a tagged `Received:` field become tokens: all of
    /// them, or only its route (see [`ReceivedTokens`]).
    pub received: ReceivedTokens,
}

/// Which words of a tagged `Received:` field become tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReceivedTokens {
    /// Every word, as in any other field (models of format version 2).
    Whole,
    /// The hosts, protocol and software of each hop, without its time stamp
    /// and `for` recipient, which describe when and by whom the mail was
    /// collected rather than who sent it (chosen on mail from a later
    /// period: docs/defaults.md).
    Route,
}

impl std::str::FromStr for ReceivedTokens {
    type Err = Error;

    fn from_str(s: &str) -> Result<ReceivedTokens> {
        match s {
            "whole" => Ok(ReceivedTokens::Whole),
            "route" => Ok(ReceivedTokens::Route),
            _ => Err(Error::InvalidParam {
                name: "received",
                value: s.to_owned(),
                reason: "must be route or whole".into(),
            }),
        }
    }
}

impl std::fmt::Display for ReceivedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ReceivedTokens::Whole => "whole",
            ReceivedTokens::Route => "route",
        })
    }
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            stemmer: Stemmer::English,
            lowercase: true,
            min_token_len: 2,
            max_token_len: 30,
            header_fields: DEFAULT_HEADER_FIELDS.map(String::from).to_vec(),
            address_domains: true,
            url_hosts: true,
            host_suffixes: true,
            attachment_tokens: true,
            html_tags: false,
            word_pairs: false,
            max_text_bytes: Some(DEFAULT_MAX_TEXT_BYTES),
            received: ReceivedTokens::Route,
        }
    }
}

/// Body text tokenized per message by default, in bytes. TREC's spam tracks
/// found the first few kilobytes of a message carry its verdict; this cap,
/// chosen by 5-fold CV AUC on the public corpus (`bench/defaults.sh`), scores
/// as well as no cap and bounds the work per message.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 10_000;

/// The fields tagged by default, chosen by 5-fold CV AUC on the public
/// corpus (`bench/defaults.sh`, bench/DEFAULTS.md) over the six a sender
/// controls and a reader sees (subject, from, reply-to, to, content-type,
/// x-mailer) and over none. Relays, mailers, list headers and threading
/// headers (`in-reply-to`, `references`) tell bulk mail from conversation.
/// Not `date`: its words are the day, month, year, time and time-zone offset
/// of sending, which tell when the training mail was collected and mislead
/// on mail from a later period (docs/defaults.md).
pub const DEFAULT_HEADER_FIELDS: [&str; 26] = [
    "subject",
    "from",
    "reply-to",
    "to",
    "cc",
    "content-type",
    "x-mailer",
    "received",
    "return-path",
    "message-id",
    "user-agent",
    "x-priority",
    "x-msmail-priority",
    "organization",
    "list-id",
    "precedence",
    "x-keywords",
    "in-reply-to",
    "references",
    "mime-version",
    "content-transfer-encoding",
    "errors-to",
    "sender",
    "list-unsubscribe",
    "x-mimeole",
    "x-originating-ip",
];

impl AnalyzerConfig {
    /// Checks every field, naming the first bad one in
    /// [`Error::InvalidParam`].
    pub fn check(&self) -> Result<()> {
        let invalid = |name, value: String, reason: &str| {
            Err(Error::InvalidParam {
                name,
                value,
                reason: reason.to_string(),
            })
        };
        if self.min_token_len == 0 {
            return invalid("min_token_len", "0".into(), "must be at least 1");
        }
        if self.max_token_len < self.min_token_len {
            return invalid(
                "max_token_len",
                self.max_token_len.to_string(),
                &format!("must be at least min_token_len = {}", self.min_token_len),
            );
        }
        if self.max_text_bytes == Some(0) {
            return invalid(
                "max_text_bytes",
                "0".into(),
                "must be at least 1 (no value means no cap)",
            );
        }
        for field in &self.header_fields {
            let valid = !field.is_empty()
                && field
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && b != b':' && !b.is_ascii_uppercase());
            if !valid {
                return invalid(
                    "header_fields",
                    field.clone(),
                    "must be a lower-case header field name (printable ASCII, no ':')",
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_rejects_nonsense() {
        assert!(AnalyzerConfig::default().check().is_ok());
        let bad = |c: AnalyzerConfig, field: &str| match c.check() {
            Err(Error::InvalidParam { name, .. }) => assert_eq!(name, field),
            other => panic!("{field}: {other:?}"),
        };
        bad(
            AnalyzerConfig {
                min_token_len: 0,
                ..AnalyzerConfig::default()
            },
            "min_token_len",
        );
        bad(
            AnalyzerConfig {
                min_token_len: 5,
                max_token_len: 4,
                ..AnalyzerConfig::default()
            },
            "max_token_len",
        );
        bad(
            AnalyzerConfig {
                max_text_bytes: Some(0),
                ..AnalyzerConfig::default()
            },
            "max_text_bytes",
        );
        for field in ["Subject", "", "x y", "a:b"] {
            bad(
                AnalyzerConfig {
                    header_fields: vec![field.into()],
                    ..AnalyzerConfig::default()
                },
                "header_fields",
            );
        }
    }

    #[test]
    fn config_round_trips_through_serde() {
        let config = AnalyzerConfig {
            stemmer: Stemmer::German,
            max_text_bytes: None,
            header_fields: vec!["subject".into(), "received".into()],
            ..AnalyzerConfig::default()
        };
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(
            serde_json::from_str::<AnalyzerConfig>(&json).unwrap(),
            config
        );
        let bytes = bincode::serde::encode_to_vec(&config, bincode::config::standard()).unwrap();
        let (back, _): (AnalyzerConfig, _) =
            bincode::serde::decode_from_slice(&bytes, bincode::config::standard()).unwrap();
        assert_eq!(back, config);
    }
}
