//! How mail becomes a matrix: the analyzer's flags and the weighting scheme's.

use clap::Args;
use sparsetext::analyze::{AnalyzerConfig, ReceivedTokens, Stemmer};
use sparsetext::dataset::{Scheme, Weighting};
use sparsetext::train;

/// How mail becomes tokens; every flag defaults to `AnalyzerConfig::default()`.
#[derive(Debug, Args)]
pub struct AnalyzerArgs {
    /// Stemmer: english (default), none, or another Snowball language (french, german, ...).
    #[arg(long, value_name = "LANG")]
    pub stemmer: Option<Stemmer>,

    /// Fold case [default: true].
    #[arg(long, value_name = "BOOL")]
    pub lowercase: Option<bool>,

    /// Drop words shorter than N characters [default: 2].
    #[arg(long, value_name = "N")]
    pub min_token_len: Option<usize>,

    /// Drop words longer than N characters (base64, hashes) [default: 30].
    #[arg(long, value_name = "N")]
    pub max_token_len: Option<usize>,

    /// Header fields whose words become tagged tokens (`subject:word`), comma-separated;
    /// "" for none [default: 26 fields: subject, from, to, received, message-id, ...;
    /// see `sparsetext inspect` of a model].
    #[arg(long, value_name = "FIELDS")]
    pub headers: Option<String>,

    /// `field:@domain` tokens for addresses in tagged fields [default: true].
    #[arg(long, value_name = "BOOL")]
    pub address_domains: Option<bool>,

    /// `url:host` tokens for URLs in the body [default: true].
    #[arg(long, value_name = "BOOL")]
    pub url_hosts: Option<bool>,

    /// Also the parent domains of hosts [default: true].
    #[arg(long, value_name = "BOOL")]
    pub host_suffixes: Option<bool>,

    /// `attach:` tokens for attachment types and extensions [default: true].
    #[arg(long, value_name = "BOOL")]
    pub attachment_tokens: Option<bool>,

    /// `html:tag` and `html:tag.attribute` tokens for the markup of HTML parts
    /// [default: false].
    #[arg(long, value_name = "BOOL")]
    pub html_tags: Option<bool>,

    /// Also each pair of adjacent body words as one token [default: false].
    #[arg(long, value_name = "BOOL")]
    pub word_pairs: Option<bool>,

    /// Words of tagged `Received:` fields: `route` (hosts, protocol and
    /// software of each hop, without its time stamp and `for` recipient) or
    /// `whole` [default: route].
    #[arg(long, value_name = "WHICH")]
    pub received: Option<ReceivedTokens>,

    /// Tokenize at most N bytes of each message's text; 0 for no cap [default: 10000].
    #[arg(long, value_name = "N")]
    pub max_text_bytes: Option<usize>,
}

impl AnalyzerArgs {
    /// The checked analyzer configuration.
    pub fn config(&self) -> sparsetext::Result<AnalyzerConfig> {
        let config = self.unchecked_config();
        config.check()?;
        Ok(config)
    }

    /// The analyzer configuration the flags give, before [`AnalyzerConfig::check`].
    pub fn unchecked_config(&self) -> AnalyzerConfig {
        let mut config = AnalyzerConfig::default();
        if let Some(v) = self.stemmer {
            config.stemmer = v;
        }
        if let Some(v) = self.lowercase {
            config.lowercase = v;
        }
        if let Some(v) = self.min_token_len {
            config.min_token_len = v;
        }
        if let Some(v) = self.max_token_len {
            config.max_token_len = v;
        }
        if let Some(v) = &self.headers {
            config.header_fields = v
                .split(',')
                .map(|f| f.trim().to_ascii_lowercase())
                .filter(|f| !f.is_empty())
                .collect();
        }
        if let Some(v) = self.address_domains {
            config.address_domains = v;
        }
        if let Some(v) = self.url_hosts {
            config.url_hosts = v;
        }
        if let Some(v) = self.host_suffixes {
            config.host_suffixes = v;
        }
        if let Some(v) = self.attachment_tokens {
            config.attachment_tokens = v;
        }
        if let Some(v) = self.html_tags {
            config.html_tags = v;
        }
        if let Some(v) = self.word_pairs {
            config.word_pairs = v;
        }
        if let Some(v) = self.received {
            config.received = v;
        }
        if let Some(v) = self.max_text_bytes {
            config.max_text_bytes = (v > 0).then_some(v);
        }
        config
    }
}

/// How counts become matrix values.
#[derive(Debug, Args)]
pub struct SchemeArgs {
    /// Keep terms found in at least N messages.
    #[arg(long, default_value_t = train::DEFAULT_MIN_DF, value_name = "N")]
    pub min_df: u32,

    /// Term weighting: binary, counts or log (log(1+count)).
    #[arg(long, default_value = "binary", value_name = "W")]
    pub weighting: Weighting,

    /// Scale each message's row to unit Euclidean norm.
    #[arg(long)]
    pub l2_normalize: bool,
}

impl SchemeArgs {
    /// The library's scheme.
    pub fn scheme(&self) -> Scheme {
        Scheme {
            weighting: self.weighting,
            l2_normalize: self.l2_normalize,
        }
    }
}
