//! [`Stemmer`]: which Snowball stemmer (rust-stemmers) the analyzer runs.

use std::fmt;
use std::str::FromStr;

use rust_stemmers::Algorithm;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Stemming language (rust-stemmers' Snowball algorithms), or none.
///
/// Spelled in lower case on the command line and in JSON (`english`,
/// `none`, ...): see [`Stemmer::ALL`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stemmer {
    /// No stemming: tokens stay as written (after case folding).
    None,
    /// Snowball Arabic.
    Arabic,
    /// Snowball Danish.
    Danish,
    /// Snowball Dutch.
    Dutch,
    /// Snowball English (Porter 2).
    English,
    /// Snowball Finnish.
    Finnish,
    /// Snowball French.
    French,
    /// Snowball German.
    German,
    /// Snowball Greek.
    Greek,
    /// Snowball Hungarian.
    Hungarian,
    /// Snowball Italian.
    Italian,
    /// Snowball Norwegian.
    Norwegian,
    /// Snowball Portuguese.
    Portuguese,
    /// Snowball Romanian.
    Romanian,
    /// Snowball Russian.
    Russian,
    /// Snowball Spanish.
    Spanish,
    /// Snowball Swedish.
    Swedish,
    /// Snowball Tamil.
    Tamil,
    /// Snowball Turkish.
    Turkish,
}

impl Stemmer {
    /// Every stemmer, `None` first.
    pub const ALL: [Stemmer; 19] = [
        Stemmer::None,
        Stemmer::Arabic,
        Stemmer::Danish,
        Stemmer::Dutch,
        Stemmer::English,
        Stemmer::Finnish,
        Stemmer::French,
        Stemmer::German,
        Stemmer::Greek,
        Stemmer::Hungarian,
        Stemmer::Italian,
        Stemmer::Norwegian,
        Stemmer::Portuguese,
        Stemmer::Romanian,
        Stemmer::Russian,
        Stemmer::Spanish,
        Stemmer::Swedish,
        Stemmer::Tamil,
        Stemmer::Turkish,
    ];

    /// The lower-case name used by [`FromStr`] and [`fmt::Display`].
    pub fn name(self) -> &'static str {
        match self {
            Stemmer::None => "none",
            Stemmer::Arabic => "arabic",
            Stemmer::Danish => "danish",
            Stemmer::Dutch => "dutch",
            Stemmer::English => "english",
            Stemmer::Finnish => "finnish",
            Stemmer::French => "french",
            Stemmer::German => "german",
            Stemmer::Greek => "greek",
            Stemmer::Hungarian => "hungarian",
            Stemmer::Italian => "italian",
            Stemmer::Norwegian => "norwegian",
            Stemmer::Portuguese => "portuguese",
            Stemmer::Romanian => "romanian",
            Stemmer::Russian => "russian",
            Stemmer::Spanish => "spanish",
            Stemmer::Swedish => "swedish",
            Stemmer::Tamil => "tamil",
            Stemmer::Turkish => "turkish",
        }
    }

    /// The rust-stemmers algorithm, `None` for [`Stemmer::None`].
    pub(crate) fn algorithm(self) -> Option<Algorithm> {
        Some(match self {
            Stemmer::None => return None,
            Stemmer::Arabic => Algorithm::Arabic,
            Stemmer::Danish => Algorithm::Danish,
            Stemmer::Dutch => Algorithm::Dutch,
            Stemmer::English => Algorithm::English,
            Stemmer::Finnish => Algorithm::Finnish,
            Stemmer::French => Algorithm::French,
            Stemmer::German => Algorithm::German,
            Stemmer::Greek => Algorithm::Greek,
            Stemmer::Hungarian => Algorithm::Hungarian,
            Stemmer::Italian => Algorithm::Italian,
            Stemmer::Norwegian => Algorithm::Norwegian,
            Stemmer::Portuguese => Algorithm::Portuguese,
            Stemmer::Romanian => Algorithm::Romanian,
            Stemmer::Russian => Algorithm::Russian,
            Stemmer::Spanish => Algorithm::Spanish,
            Stemmer::Swedish => Algorithm::Swedish,
            Stemmer::Tamil => Algorithm::Tamil,
            Stemmer::Turkish => Algorithm::Turkish,
        })
    }
}

impl Default for Stemmer {
    /// English: the corpora this crate is built for are mostly English mail.
    fn default() -> Self {
        Stemmer::English
    }
}

impl fmt::Display for Stemmer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Stemmer {
    type Err = Error;

    /// Parses a lower-case name (ASCII case is ignored).
    fn from_str(s: &str) -> Result<Self, Error> {
        Stemmer::ALL
            .into_iter()
            .find(|st| st.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::InvalidParam {
                name: "stemmer",
                value: s.to_string(),
                reason: format!(
                    "expected one of {}",
                    Stemmer::ALL.map(Stemmer::name).join(", ")
                ),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for st in Stemmer::ALL {
            assert_eq!(st.to_string().parse::<Stemmer>().unwrap(), st);
            assert_eq!(st.to_string(), st.to_string().to_lowercase());
        }
        assert_eq!("English".parse::<Stemmer>().unwrap(), Stemmer::English);
    }

    #[test]
    fn unknown_name_is_invalid_param() {
        let err = "klingon".parse::<Stemmer>().unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidParam {
                name: "stemmer",
                ..
            }
        ));
        assert!(err.to_string().contains("english"), "{err}");
    }

    #[test]
    fn every_language_has_an_algorithm() {
        for st in Stemmer::ALL {
            assert_eq!(st.algorithm().is_none(), st == Stemmer::None);
        }
    }

    #[test]
    fn serde_uses_lowercase_names() {
        assert_eq!(
            serde_json::to_string(&Stemmer::German).unwrap(),
            "\"german\""
        );
        let st: Stemmer = serde_json::from_str("\"none\"").unwrap();
        assert_eq!(st, Stemmer::None);
    }
}
