//! [`Stemmer`]: which Snowball stemmer (rust-stemmers) the analyzer runs,
//! and [`stem_in_place`], the word chain's last stage.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_stemmers::Algorithm;
use serde::{Deserialize, Serialize};

use super::cache::StemCache;
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

/// Replaces `buf` by its stem, remembered in `cache` if one is given; true
/// if it changed.
#[inline]
pub(crate) fn stem_in_place(
    snowball: &rust_stemmers::Stemmer,
    buf: &mut String,
    cache: Option<&mut StemCache>,
) -> bool {
    let stem = |buf: &mut String| match snowball.stem(buf) {
        Cow::Borrowed(_) => false,
        Cow::Owned(stem) => {
            buf.clear();
            buf.push_str(&stem);
            true
        }
    };
    match cache {
        Some(cache) => cache.stem(buf, stem),
        None => stem(buf),
    }
}

#[cfg(test)]
mod tests {
    use super::super::cache::{WARMUP_MESSAGES, with_thread_caches};
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
    fn cached_stems_match_uncached() {
        let snowball = rust_stemmers::Stemmer::create(Algorithm::English);
        let words = [
            "running",
            "offers",
            "is",
            "2002",
            "guaranteed",
            "running",
            "offers",
        ];
        let mut cache = StemCache::default();
        for _ in 0..2 {
            for word in words {
                let mut buf = word.to_string();
                let changed = stem_in_place(&snowball, &mut buf, Some(&mut cache));
                assert_eq!(buf, snowball.stem(word));
                assert_eq!(changed, buf != word);
            }
        }
        // Another language on the same thread gets its own cache.
        for _ in 0..=WARMUP_MESSAGES {
            with_thread_caches(Stemmer::English, None, |caches| {
                let mut buf = "running".to_string();
                stem_in_place(&snowball, &mut buf, caches.stems);
                assert_eq!(buf, "run");
            });
        }
        let german = rust_stemmers::Stemmer::create(Algorithm::German);
        with_thread_caches(Stemmer::German, None, |caches| {
            assert!(caches.stems.is_some(), "warm");
            let mut buf = "laufen".to_string();
            stem_in_place(&german, &mut buf, caches.stems);
            assert_eq!(buf, "lauf");
        });
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
