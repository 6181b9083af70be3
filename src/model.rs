//! The model file: everything `classify` needs to score a message as `train` would, and
//! everything `words` / `inspect` need to explain it, and nothing else.
//!
//! A [`Model`] holds the analyzer configuration (so classification tokenizes exactly as
//! training did), the row [`Scheme`], the surviving non-zero features (term, weight) sorted
//! by term, the intercept, the penalty (`lambda`, `alpha`), the decision rule (threshold and
//! an optional unsure band) and a [`TrainingSummary`]. Its invariants (terms strictly
//! increasing, weights finite and non-zero, threshold in (0, 1), ...) are checked by
//! [`Model::new`] and again on every load: bytes from disk are never trusted.
//!
//! # File format (version 1)
//!
//! ```text
//! offset  size  field
//!      0     8  magic b"SPRSTXT\0"
//!      8     4  format version, u32 little-endian
//!     12     8  payload length N, u64 little-endian
//!     20     N  payload: serde + bincode 2, `config::standard()` (varints, little-endian)
//!   20+N     4  CRC-32 (IEEE, crc32fast) of the payload, u32 little-endian
//! ```
//!
//! The magic and the version never move, so any future sparsetext can say "this is a model
//! from a newer version" rather than "corrupt". The payload holds the terms as
//! length-prefixed UTF-8 and the weights as `f32`, so a feature costs its term's length plus
//! about five bytes. **Any change to the payload's shape, including a new field in
//! [`AnalyzerConfig`], changes the format and needs a [`FORMAT_VERSION`] bump** (version 2
//! added the analyzer's `html_tags` and `word_pairs`; version 1 files are refused with a
//! message that says to retrain).
//!
//! Saving is atomic: the bytes go to a temporary file in the target's folder, are synced,
//! and the file is renamed over the target, so a crash or error leaves either the old model
//! or the new one, never a torn file.
//!
//! # Scoring
//!
//! A [`Scorer`] is built once from a model. For each message it tokenizes with the model's
//! analyzer, counts every distinct token, turns the counts into row values with
//! [`Scheme::row_values`] and computes `margin = intercept + sum_j w_j x_j`,
//! `p_spam = 1 / (1 + exp(-margin))`.
//!
//! Counting *every* token, not just the model's features, matters with `l2_normalize`: the
//! norm a row is divided by runs over all of the message's tokens, including those that got
//! a zero weight (or were never in the model). This reproduces training only if training
//! normalizes each row over all of the message's tokens too, i.e. before any vocabulary
//! pruning drops columns. Without `l2_normalize` only the model's features matter.
//!
//! ```
//! use sparsetext::model::{Model, ModelParts, Scorer, TrainingSummary, Verdict};
//!
//! let model = Model::new(ModelParts {
//!     features: vec![("cash".into(), 2.0), ("lunch".into(), -1.5)],
//!     intercept: -0.5,
//!     ..ModelParts::new(TrainingSummary::new(10, 12, "fixed"))
//! })?;
//! let dir = tempfile::tempdir().unwrap();
//! let path = dir.path().join("spam.model");
//! let bytes = model.save(&path)?;
//! assert_eq!(bytes, std::fs::metadata(&path).unwrap().len());
//! let loaded = Model::load(&path)?;
//! assert_eq!(loaded, model);
//!
//! let scorer = Scorer::new(loaded);
//! let score = scorer.score(b"Subject: hi\r\n\r\ncash cash cash\r\n");
//! assert!(score.p_spam > 0.5);
//! assert_eq!(scorer.model().verdict(score.p_spam), Verdict::Spam);
//! # Ok::<(), sparsetext::Error>(())
//! ```

use std::cmp::Ordering;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::analyze::{Analyzer, AnalyzerConfig, NOT_A_FEATURE, Notes, TokenKinds, WordMemo};
use crate::atomic::write_atomic;
use crate::dataset::Scheme;
use crate::error::{Error, Result};
use crate::vocab::TermCountsBuilder;

/// The first eight bytes of every model file.
pub const MAGIC: [u8; 8] = *b"SPRSTXT\0";

/// The format version this sparsetext writes, and the newest it reads.
pub const FORMAT_VERSION: u32 = 2;

/// Version 1 (before the analyzer's `html_tags` and `word_pairs` fields): its
/// payload no longer decodes, so it is refused by name rather than as corrupt.
const FIRST_READABLE_VERSION: u32 = 2;

/// Bytes before the payload: magic, version, payload length.
const HEADER_LEN: usize = 20;

/// Bytes after the payload: the CRC-32.
const TRAILER_LEN: usize = 4;

/// The largest payload we read (256 MiB, about 20 million features). Also bincode's
/// allocation limit while decoding, so no length field in a file can make us allocate more.
const MAX_PAYLOAD_LEN: usize = 1 << 28;

/// bincode's configuration for the payload.
fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_PAYLOAD_LEN>()
}

/// How and when the model was trained; shown by `inspect`, not used to classify.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Spam messages trained on.
    pub spam_messages: u64,
    /// Ham messages trained on.
    pub ham_messages: u64,
    /// Cross-validated ROC AUC at the chosen lambda, in [0, 1]; `None` without CV.
    pub cv_auc: Option<f64>,
    /// Standard error of `cv_auc` over the folds (>= 0); `None` without CV.
    pub cv_auc_se: Option<f64>,
    /// How lambda was chosen, e.g. "lambda_1se of 10-fold CV" or "fixed".
    pub lambda_rule: String,
    /// The sparsetext version that trained the model.
    pub version: String,
    /// When training finished, UTC, ISO-8601 (`2026-11-26T09:30:00Z`).
    pub date: String,
}

impl TrainingSummary {
    /// A summary dated now, stamped with this sparsetext's version, without CV figures.
    pub fn new(spam_messages: u64, ham_messages: u64, lambda_rule: &str) -> TrainingSummary {
        TrainingSummary {
            spam_messages,
            ham_messages,
            cv_auc: None,
            cv_auc_se: None,
            lambda_rule: lambda_rule.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            date: utc_iso8601(SystemTime::now()),
        }
    }

    /// The same summary dated `unix_seconds` after 1970-01-01 UTC instead of now: a
    /// reproducible build's `SOURCE_DATE_EPOCH`, so that the same input trains the same file.
    pub fn dated_at(mut self, unix_seconds: u64) -> TrainingSummary {
        self.date = utc_iso8601(UNIX_EPOCH + std::time::Duration::from_secs(unix_seconds));
        self
    }
}

/// `time` as `YYYY-MM-DDThh:mm:ssZ` (UTC; times before 1970 print as the epoch).
fn utc_iso8601(time: SystemTime) -> String {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 -> civil date: Howard Hinnant's `civil_from_days`
    // (http://howardhinnant.github.io/date_algorithms.html), for non-negative days.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// What a [`Model`] is built from: the unchecked parts. [`Model::new`] checks them.
///
/// [`ModelParts::new`] fills in defaults (default analyzer and scheme, no features,
/// intercept 0, lambda 0, alpha 1, threshold 0.5, no unsure band) for struct-update syntax.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelParts {
    /// The analyzer configuration training used.
    pub analyzer: AnalyzerConfig,
    /// The row value scheme training used.
    pub scheme: Scheme,
    /// (term, weight) pairs in any order. Zero weights, and weights too small to survive
    /// rounding to `f32`, are dropped; terms must be distinct and non-empty.
    pub features: Vec<(String, f64)>,
    /// The unpenalized intercept (finite).
    pub intercept: f64,
    /// The penalty strength (finite, >= 0).
    pub lambda: f64,
    /// The Elastic-Net mixing parameter: 1 is the lasso (in (0, 1]).
    pub alpha: f64,
    /// Spam when `p_spam >= threshold` (in (0, 1)).
    pub threshold: f64,
    /// Optional `(low, high)` band of "unsure" probabilities; see [`Model::verdict`].
    pub unsure: Option<(f64, f64)>,
    /// How the model was trained.
    pub summary: TrainingSummary,
}

impl ModelParts {
    /// Default parts around `summary`; see the type's docs.
    pub fn new(summary: TrainingSummary) -> ModelParts {
        ModelParts {
            analyzer: AnalyzerConfig::default(),
            scheme: Scheme::default(),
            features: Vec::new(),
            intercept: 0.0,
            lambda: 0.0,
            alpha: 1.0,
            threshold: 0.5,
            unsure: None,
            summary,
        }
    }
}

/// A trained sparse logistic regression spam filter. See the [module docs](self).
///
/// Fields are private so the invariants checked by [`Model::new`] and [`Model::load`]
/// always hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    analyzer: AnalyzerConfig,
    scheme: Scheme,
    /// Strictly increasing (byte order), non-empty.
    terms: Vec<String>,
    /// Same length as `terms`; finite, non-zero.
    weights: Vec<f32>,
    intercept: f64,
    lambda: f64,
    alpha: f64,
    threshold: f64,
    unsure: Option<(f64, f64)>,
    summary: TrainingSummary,
}

/// A model's decision for one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Spam.
    Spam,
    /// Ham (not spam).
    Ham,
    /// In the unsure band: let a human look.
    Unsure,
}

impl Verdict {
    /// `"spam"`, `"ham"` or `"unsure"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Spam => "spam",
            Verdict::Ham => "ham",
            Verdict::Unsure => "unsure",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stored form of a model, in file order. Decoded straight from the file (terms borrow
/// from the bytes, so a bogus length can't make us allocate), then checked by
/// [`Model::try_from`]. Encoding uses the same struct, so the two can't drift apart.
#[derive(Serialize, Deserialize)]
struct Payload<'a> {
    analyzer: AnalyzerConfig,
    scheme: Scheme,
    #[serde(borrow)]
    terms: Vec<&'a str>,
    weights: Vec<f32>,
    intercept: f64,
    lambda: f64,
    alpha: f64,
    threshold: f64,
    unsure: Option<(f64, f64)>,
    summary: TrainingSummary,
}

/// A broken model invariant, reported as `invalid {name} = {value}: {reason}`.
#[derive(Debug)]
struct Invalid {
    name: &'static str,
    value: String,
    reason: String,
}

fn invalid(
    name: &'static str,
    value: impl std::fmt::Display,
    reason: impl Into<String>,
) -> Invalid {
    Invalid {
        name,
        value: value.to_string(),
        reason: reason.into(),
    }
}

impl From<Invalid> for Error {
    fn from(e: Invalid) -> Error {
        Error::InvalidParam {
            name: e.name,
            value: e.value,
            reason: e.reason,
        }
    }
}

/// Checks the decision rule: threshold in (0, 1), unsure band around it.
fn check_decision(threshold: f64, unsure: Option<(f64, f64)>) -> Result<(), Invalid> {
    if !(threshold > 0.0 && threshold < 1.0) {
        return Err(invalid("threshold", threshold, "must be in (0, 1)"));
    }
    if let Some((low, high)) = unsure {
        let band = format!("({low}, {high})");
        if !(low > 0.0 && high < 1.0 && low < high) {
            return Err(invalid("unsure", band, "needs 0 < low < high < 1"));
        }
        if !(low <= threshold && threshold <= high) {
            return Err(invalid(
                "unsure",
                band,
                format!("must contain the threshold {threshold}"),
            ));
        }
    }
    Ok(())
}

impl Model {
    /// Checks every invariant.
    fn check(&self) -> Result<(), Invalid> {
        let (terms, weights) = (&self.terms, &self.weights);
        if terms.len() != weights.len() {
            return Err(invalid(
                "features",
                format!("{} terms, {} weights", terms.len(), weights.len()),
                "need one weight per term",
            ));
        }
        for (i, (term, &w)) in terms.iter().zip(weights).enumerate() {
            if term.is_empty() {
                return Err(invalid("term", "\"\"", "terms must not be empty"));
            }
            if i > 0 {
                let prev = &terms[i - 1];
                match prev.cmp(term) {
                    Ordering::Less => {}
                    Ordering::Equal => {
                        return Err(invalid("term", format!("{term:?}"), "duplicate"));
                    }
                    Ordering::Greater => {
                        return Err(invalid(
                            "term",
                            format!("{term:?}"),
                            format!("out of order after {prev:?}"),
                        ));
                    }
                }
            }
            if !w.is_finite() || w == 0.0 {
                return Err(invalid(
                    "weight",
                    w,
                    format!("of {term:?} must be finite and non-zero"),
                ));
            }
        }
        if !self.intercept.is_finite() {
            return Err(invalid("intercept", self.intercept, "must be finite"));
        }
        if !(self.lambda.is_finite() && self.lambda >= 0.0) {
            return Err(invalid("lambda", self.lambda, "must be finite and >= 0"));
        }
        if !(self.alpha > 0.0 && self.alpha <= 1.0) {
            return Err(invalid("alpha", self.alpha, "must be in (0, 1]"));
        }
        check_decision(self.threshold, self.unsure)?;
        let summary = &self.summary;
        if let Some(auc) = summary.cv_auc
            && !(0.0..=1.0).contains(&auc)
        {
            return Err(invalid("cv_auc", auc, "must be in [0, 1]"));
        }
        if let Some(se) = summary.cv_auc_se {
            if !(se.is_finite() && se >= 0.0) {
                return Err(invalid("cv_auc_se", se, "must be finite and >= 0"));
            }
            if summary.cv_auc.is_none() {
                return Err(invalid("cv_auc_se", se, "given without cv_auc"));
            }
        }
        Ok(())
    }
}

impl TryFrom<Payload<'_>> for Model {
    type Error = Invalid;

    fn try_from(p: Payload<'_>) -> Result<Model, Invalid> {
        let model = Model {
            analyzer: p.analyzer,
            scheme: p.scheme,
            terms: p.terms.into_iter().map(str::to_owned).collect(),
            weights: p.weights,
            intercept: p.intercept,
            lambda: p.lambda,
            alpha: p.alpha,
            threshold: p.threshold,
            unsure: p.unsure,
            summary: p.summary,
        };
        model.check()?;
        Ok(model)
    }
}

/// Checks the 20-byte header at the start of `bytes` and returns the payload length, or
/// the reason the bytes are not a model this sparsetext can read. Fewer than 20 bytes is
/// fine as long as they are enough to tell (a wrong magic, a newer version).
fn parse_header(bytes: &[u8]) -> Result<usize, String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    let magic_len = bytes.len().min(MAGIC.len());
    if bytes[..magic_len] != MAGIC[..magic_len] {
        return Err("not a sparsetext model (bad magic)".into());
    }
    let truncated = || format!("truncated: header is {} of {HEADER_LEN} bytes", bytes.len());
    let version = match bytes.get(8..12) {
        Some(v) => u32::from_le_bytes(v.try_into().expect("4 bytes")),
        None => return Err(truncated()),
    };
    if version > FORMAT_VERSION {
        return Err(format!(
            "format version {version} is newer than this sparsetext supports ({FORMAT_VERSION})"
        ));
    }
    if (1..FIRST_READABLE_VERSION).contains(&version) {
        return Err(format!(
            "format version {version} is older than this sparsetext reads \
             ({FIRST_READABLE_VERSION} to {FORMAT_VERSION}): train the model again"
        ));
    }
    if version == 0 {
        return Err("format version 0 does not exist (file corrupted)".into());
    }
    let payload_len = match bytes.get(12..HEADER_LEN) {
        Some(v) => u64::from_le_bytes(v.try_into().expect("8 bytes")),
        None => return Err(truncated()),
    };
    if payload_len > MAX_PAYLOAD_LEN as u64 {
        return Err(format!(
            "payload length {payload_len} is over the {MAX_PAYLOAD_LEN}-byte limit (file corrupted?)"
        ));
    }
    Ok(payload_len as usize)
}

/// `Error::Model` for `path`.
fn model_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::Model {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

impl Model {
    /// Builds a model from its parts, checking every invariant.
    ///
    /// Weights are stored as `f32`; features whose weight is zero after that rounding are
    /// dropped. Features are sorted by term.
    ///
    /// # Errors
    /// [`Error::InvalidParam`] naming the offending part: a duplicate or empty term, a
    /// non-finite weight (or one too large for `f32`), threshold outside (0, 1), an unsure
    /// band not around the threshold, lambda < 0, alpha outside (0, 1], a non-finite
    /// intercept, `cv_auc` outside [0, 1], ...
    pub fn new(parts: ModelParts) -> Result<Model> {
        let mut features: Vec<(String, f32)> = parts
            .features
            .into_iter()
            .map(|(term, w)| (term, w as f32))
            .filter(|&(_, w)| w != 0.0)
            .collect();
        features.sort_by(|a, b| a.0.cmp(&b.0));
        let (terms, weights) = features.into_iter().unzip();
        let model = Model {
            analyzer: parts.analyzer,
            scheme: parts.scheme,
            terms,
            weights,
            intercept: parts.intercept,
            lambda: parts.lambda,
            alpha: parts.alpha,
            threshold: parts.threshold,
            unsure: parts.unsure,
            summary: parts.summary,
        };
        model.check()?;
        Ok(model)
    }

    /// The analyzer configuration to tokenize with.
    pub fn analyzer(&self) -> &AnalyzerConfig {
        &self.analyzer
    }

    /// The row value scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The features' terms, strictly increasing.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// The features' weights, parallel to [`Model::terms`].
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// The number of features (non-zero weights).
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True for an intercept-only model.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The index of `term` among the features, by binary search.
    pub fn feature_index(&self, term: &str) -> Option<usize> {
        self.terms.binary_search_by(|t| t.as_str().cmp(term)).ok()
    }

    /// The weight of `term`, if it is a feature.
    pub fn weight(&self, term: &str) -> Option<f32> {
        self.feature_index(term).map(|i| self.weights[i])
    }

    /// The intercept.
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The penalty strength the model was fitted at.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The Elastic-Net mixing parameter (1 = lasso).
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Spam when `p_spam >= threshold`.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The unsure band `(low, high)`, if any.
    pub fn unsure(&self) -> Option<(f64, f64)> {
        self.unsure
    }

    /// How the model was trained.
    pub fn summary(&self) -> &TrainingSummary {
        &self.summary
    }

    /// Replaces the decision rule (e.g. from `classify --threshold`).
    ///
    /// # Errors
    /// [`Error::InvalidParam`] when `threshold` is outside (0, 1) or the band is not
    /// `0 < low <= threshold <= high < 1` with `low < high`; the model is then unchanged.
    pub fn set_decision(&mut self, threshold: f64, unsure: Option<(f64, f64)>) -> Result<()> {
        check_decision(threshold, unsure)?;
        self.threshold = threshold;
        self.unsure = unsure;
        Ok(())
    }

    /// The verdict for a spam probability. Without an unsure band: spam when
    /// `p_spam >= threshold`, else ham. With a band `(low, high)` (which always contains the
    /// threshold): ham below `low`, spam at or above `high`, unsure in between. The threshold
    /// alone is what two-way measures such as [`crate::metrics::Confusion`] should use.
    pub fn verdict(&self, p_spam: f64) -> Verdict {
        match self.unsure {
            Some((low, _)) if p_spam < low => Verdict::Ham,
            Some((_, high)) if p_spam >= high => Verdict::Spam,
            Some(_) => Verdict::Unsure,
            None if p_spam >= self.threshold => Verdict::Spam,
            None => Verdict::Ham,
        }
    }

    /// The features ordered by weight, descending: strongest spam evidence first, strongest
    /// ham evidence last; ties by term.
    pub fn words(&self) -> Vec<(&str, f32)> {
        let mut words: Vec<(&str, f32)> = self
            .terms
            .iter()
            .map(String::as_str)
            .zip(self.weights.iter().copied())
            .collect();
        words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        words
    }

    /// The model file's bytes: header, payload, checksum (see the [module docs](self)).
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = Payload {
            analyzer: self.analyzer.clone(),
            scheme: self.scheme,
            terms: self.terms.iter().map(String::as_str).collect(),
            weights: self.weights.clone(),
            intercept: self.intercept,
            lambda: self.lambda,
            alpha: self.alpha,
            threshold: self.threshold,
            unsure: self.unsure,
            summary: self.summary.clone(),
        };
        let payload = bincode::serde::encode_to_vec(&payload, bincode_config())
            .expect("model payload encodes (serializing plain data into a Vec cannot fail)");
        assert!(
            payload.len() <= MAX_PAYLOAD_LEN,
            "model payload of {} bytes exceeds the {MAX_PAYLOAD_LEN}-byte limit",
            payload.len()
        );
        let mut bytes = Vec::with_capacity(HEADER_LEN + payload.len() + TRAILER_LEN);
        bytes.extend_from_slice(&MAGIC);
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&payload);
        bytes.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        bytes
    }

    /// Parses and checks a model file's bytes; `path` only labels errors.
    ///
    /// # Errors
    /// [`Error::Model`] with a one-line reason: `empty file`, `not a sparsetext model (bad
    /// magic)`, `truncated: ...`, `format version 7 is newer than this sparsetext supports
    /// (1)`, `checksum mismatch (file corrupted)`, `malformed payload: ...`,
    /// `invalid model: ...`. Never panics, whatever the bytes.
    pub fn from_bytes(bytes: &[u8], path: &Path) -> Result<Model> {
        let err = |reason: String| model_error(path, reason);
        let payload_len = parse_header(bytes).map_err(err)? as u64;
        let rest = (bytes.len() - HEADER_LEN) as u64;
        if rest < payload_len {
            return Err(err(format!(
                "truncated: expected {payload_len} payload bytes, found {rest}"
            )));
        }
        let needed = payload_len + TRAILER_LEN as u64;
        if rest < needed {
            return Err(err(format!(
                "truncated: checksum is {} of {TRAILER_LEN} bytes",
                rest - payload_len
            )));
        }
        if rest > needed {
            return Err(err(format!(
                "{} unexpected bytes after the checksum",
                rest - needed
            )));
        }
        let payload_len = payload_len as usize; // <= MAX_PAYLOAD_LEN
        let payload = &bytes[HEADER_LEN..HEADER_LEN + payload_len];
        let stored = &bytes[HEADER_LEN + payload_len..];
        let stored = u32::from_le_bytes(stored.try_into().expect("4 bytes"));
        if crc32fast::hash(payload) != stored {
            return Err(err("checksum mismatch (file corrupted)".into()));
        }
        let (decoded, used): (Payload<'_>, usize) =
            bincode::serde::borrow_decode_from_slice(payload, bincode_config())
                .map_err(|e| err(format!("malformed payload: {e}")))?;
        if used != payload_len {
            return Err(err(format!(
                "malformed payload: {} trailing bytes",
                payload_len - used
            )));
        }
        Model::try_from(decoded).map_err(|e| {
            err(format!(
                "invalid model: invalid {} = {}: {}",
                e.name, e.value, e.reason
            ))
        })
    }

    /// Reads and checks the model file at `path`. Reads the 20-byte header first, then only
    /// as many bytes as it announces (so pointing it at a mailbox costs 20 bytes).
    ///
    /// # Errors
    /// [`Error::Io`] when the file can't be read; [`Error::Model`] as for
    /// [`Model::from_bytes`].
    pub fn load(path: &Path) -> Result<Model> {
        let io = |e| Error::io(path, e);
        let mut file = File::open(path).map_err(io)?;
        let mut bytes = Vec::with_capacity(HEADER_LEN);
        (&mut file)
            .take(HEADER_LEN as u64)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        // Check the header before reading on: a large file that is not a model costs 20
        // bytes, and the payload length bounds what we read next.
        let payload_len = parse_header(&bytes).map_err(|r| model_error(path, r))?;
        let expected = (HEADER_LEN + payload_len + TRAILER_LEN) as u64;
        // One byte more than a model needs, to notice trailing bytes without reading them.
        (&mut file)
            .take(expected - HEADER_LEN as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > expected {
            let extra = file
                .metadata()
                .map_or(1, |m| m.len().saturating_sub(expected));
            return Err(model_error(
                path,
                format!("{extra} unexpected bytes after the checksum"),
            ));
        }
        Model::from_bytes(&bytes, path)
    }

    /// Writes the model to `path` atomically and returns the number of bytes written.
    ///
    /// The bytes go to a temporary file in the same folder (`.<name>.<random>.tmp`), which is
    /// synced and then renamed over `path`; the folder is then synced where the platform
    /// allows (best effort: the rename has already happened). On any error the temporary
    /// file is removed and a previous file at `path` is untouched. New files get the usual
    /// permissions (0666 less the umask on Unix); a replaced file's permissions are not kept.
    /// If `path` is a symbolic link, the link itself is replaced, not the file it points to.
    /// The folder must exist.
    ///
    /// # Errors
    /// [`Error::Io`] naming the folder (when the temporary file can't be created there) or
    /// `path` (writing, syncing, renaming).
    pub fn save(&self, path: &Path) -> Result<u64> {
        let bytes = self.to_bytes();
        write_atomic(path, |file| file.write_all(&bytes))?;
        Ok(bytes.len() as u64)
    }

    /// A JSON summary for `sparsetext inspect --json`, with keys `format_version`,
    /// `analyzer`, `scheme`, `lambda`, `alpha`, `intercept`, `threshold`, `unsure` (`null` or
    /// `[low, high]`), `features` (their count) and `summary`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "format_version": FORMAT_VERSION,
            "analyzer": &self.analyzer,
            "scheme": &self.scheme,
            "lambda": self.lambda,
            "alpha": self.alpha,
            "intercept": self.intercept,
            "threshold": self.threshold,
            "unsure": self.unsure,
            "features": self.terms.len(),
            "summary": &self.summary,
        })
    }
}

/// `1 / (1 + exp(-margin))` without overflow: for negative margins use
/// `exp(m) / (1 + exp(m))`, so `exp` only ever sees non-positive arguments (the same sign
/// branch as linfa: algorithms/linfa-logistic/src/lib.rs, `log_logistic`).
pub fn logistic(margin: f64) -> f64 {
    if margin >= 0.0 {
        1.0 / (1.0 + (-margin).exp())
    } else {
        let e = margin.exp();
        e / (1.0 + e)
    }
}

/// A message's score under a model.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// The probability of spam, `logistic(margin)`.
    pub p_spam: f64,
    /// `intercept + sum_j w_j x_j`: the log-odds of spam.
    pub margin: f64,
    /// What the analyzer noticed (e.g. truncation), for counted warnings.
    pub notes: Notes,
}

/// Scores messages with a [`Model`]: built once, then shared (it is `Sync`; scoring takes
/// `&self`).
///
/// A token is looked up, without allocating, in a term -> feature hash map (FxHash, as
/// the vocabulary uses) built once; per message a few buffers grow with the message, never
/// one per token. In a release build on a 2-core EPYC VM, with 5,000 features and a
/// 2,000-token message, the scorer's own work is ~130 ns per token (~290 ns with
/// `l2_normalize`, which must also copy and sort every token), on top of the analyzer's.
#[derive(Clone, Debug)]
pub struct Scorer {
    model: Model,
    analyzer: Analyzer,
    /// term -> feature index.
    index: FxHashMap<Box<str>, usize>,
    /// The kinds of tokens that can be features (header fields tagged in some feature, ...),
    /// the only ones tokenized; all kinds when rows are L2-normalized, whose norm counts every
    /// token.
    kinds: TokenKinds,
    /// Names this scorer's features for the per-thread [`WordMemo`] (a clone shares them).
    memo_id: u64,
}

/// Messages a thread scores before it sets up its [`WordMemo`]: the table is 256 KB, whose
/// page faults cost more than they save on one message (`classify` on stdin), and pay off over
/// a batch.
const MEMO_WARMUP: u32 = 1;

thread_local! {
    /// The memo of the scorer named by the id, allocated after `MEMO_WARMUP` messages.
    static MEMO: std::cell::RefCell<Option<(u64, WordMemo)>> =
        const { std::cell::RefCell::new(None) };
    /// Messages scored by this thread, up to `MEMO_WARMUP`.
    static SCORED: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Source of [`Scorer::memo_id`].
static NEXT_MEMO_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One message's row restricted to the model's features: `(feature index, value)`, sorted by
/// feature index.
struct Row {
    features: Vec<(usize, f64)>,
    notes: Notes,
}

impl Scorer {
    /// A scorer for `model`, with the analyzer its configuration describes.
    pub fn new(model: Model) -> Scorer {
        assert!(
            model.terms.len() < NOT_A_FEATURE as usize,
            "a model of fewer than 2^32 - 1 features"
        );
        let analyzer = Analyzer::new(model.analyzer.clone());
        let index = model
            .terms
            .iter()
            .enumerate()
            .map(|(j, t)| (Box::from(t.as_str()), j))
            .collect();
        let kinds = if model.scheme.l2_normalize {
            analyzer.all_kinds()
        } else {
            analyzer.kinds_for(model.terms.iter().map(String::as_str))
        };
        Scorer {
            model,
            analyzer,
            index,
            kinds,
            memo_id: NEXT_MEMO_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Gives the model back.
    pub fn into_model(self) -> Model {
        self.model
    }

    /// Scores raw mail bytes.
    pub fn score(&self, raw: &[u8]) -> Score {
        self.score_row(self.row(raw))
    }

    /// The features present in raw mail bytes and their contributions `w_j * x_j` to the
    /// margin, largest magnitude first (ties by term), at most `top` of them. With `top` at
    /// least the number present, `intercept + sum of contributions == score(raw).margin`
    /// (up to rounding).
    pub fn explain(&self, raw: &[u8], top: usize) -> Vec<(&str, f64)> {
        let row = self.row(raw);
        let mut out: Vec<(&str, f64)> = row
            .features
            .iter()
            .map(|&(j, x)| {
                (
                    self.model.terms[j].as_str(),
                    f64::from(self.model.weights[j]) * x,
                )
            })
            .collect();
        out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(b.0)));
        out.truncate(top);
        out
    }

    /// The feature index of `token`.
    fn lookup(&self, token: &str) -> Option<usize> {
        self.index.get(token).copied()
    }

    /// Runs `f` with this thread's memo of this scorer, once the thread has scored
    /// `MEMO_WARMUP` messages (before: with none).
    fn with_memo<T>(&self, f: impl FnOnce(Option<&mut WordMemo>) -> T) -> T {
        if SCORED.get() < MEMO_WARMUP {
            SCORED.set(SCORED.get() + 1);
            return f(None);
        }
        MEMO.with(|cell| {
            let Ok(mut slot) = cell.try_borrow_mut() else {
                return f(None); // Scoring from within scoring: not done, but harmless.
            };
            let (id, memo) = slot.get_or_insert_with(|| (self.memo_id, WordMemo::default()));
            if *id != self.memo_id {
                memo.clear();
                *id = self.memo_id;
            }
            f(Some(memo))
        })
    }

    fn score_row(&self, row: Row) -> Score {
        let dot: f64 = row
            .features
            .iter()
            .map(|&(j, x)| f64::from(self.model.weights[j]) * x)
            .sum();
        let margin = self.model.intercept + dot;
        Score {
            p_spam: logistic(margin),
            margin,
            notes: row.notes,
        }
    }

    /// Builds a message's row, with the values training would give it (see the module docs on
    /// `l2_normalize`).
    fn row(&self, raw: &[u8]) -> Row {
        if self.model.scheme.l2_normalize {
            self.row_of_tokens(|sink| self.analyzer.tokenize_needed(raw, &self.kinds, sink))
        } else {
            let lookup = |token: &str| self.lookup(token).map(|j| j as u32);
            self.row_of_hits(|hit| {
                self.with_memo(|memo| {
                    self.analyzer
                        .tokenize_features(raw, &self.kinds, &lookup, memo, hit)
                })
            })
        }
    }

    /// A row under `l2_normalize`, from every token `tokenize` feeds to its sink: every
    /// distinct token counts towards the norm (see the module docs).
    fn row_of_tokens(&self, tokenize: impl FnOnce(&mut dyn FnMut(&str)) -> Notes) -> Row {
        let mut all = TermCountsBuilder::default();
        let notes = tokenize(&mut |token: &str| all.push(token));
        let all = all.finish();
        let norm = self
            .model
            .scheme
            .row_norm(all.terms().iter().map(|&(_, c)| c));
        let (mut counts, mut features) = (Vec::new(), Vec::new());
        for (token, count) in all.terms() {
            if let Some(j) = self.lookup(token) {
                counts.push(*count);
                features.push(j);
            }
        }
        self.finish_row(&counts, features, norm, notes)
    }

    /// A row without `l2_normalize`, where only the model's features matter: from the feature
    /// index of each hit `tokenize` feeds to its sink. Counts each feature's hits, then lists
    /// those hit in index order (a message hits few distinct features, many times).
    fn row_of_hits(&self, tokenize: impl FnOnce(&mut dyn FnMut(u32)) -> Notes) -> Row {
        let mut hits = vec![0u32; self.model.terms.len()];
        let mut present: Vec<u32> = Vec::new();
        let notes = tokenize(&mut |j| {
            let count = &mut hits[j as usize];
            if *count == 0 {
                present.push(j);
            }
            *count = count.saturating_add(1);
        });
        present.sort_unstable();
        let counts: Vec<u32> = present.iter().map(|&j| hits[j as usize]).collect();
        let features = present.into_iter().map(|j| j as usize).collect();
        self.finish_row(&counts, features, 1.0, notes)
    }

    /// The row of `features` hit `counts` times, sorted by feature index.
    fn finish_row(&self, counts: &[u32], features: Vec<usize>, norm: f64, notes: Notes) -> Row {
        let mut values = Vec::with_capacity(counts.len());
        self.model.scheme.row_values(counts, norm, &mut values);
        let mut row: Vec<(usize, f64)> = features.into_iter().zip(values).collect();
        row.sort_unstable_by_key(|&(j, _)| j);
        Row {
            features: row,
            notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::Weighting;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/model");

    fn summary() -> TrainingSummary {
        TrainingSummary {
            spam_messages: 3,
            ham_messages: 4,
            cv_auc: Some(0.97),
            cv_auc_se: Some(0.01),
            lambda_rule: "lambda_1se of 10-fold CV".into(),
            version: "0.1.0".into(),
            date: "2026-11-26T09:30:00Z".into(),
        }
    }

    /// cash 2, click 0.5, lunch -1.5; intercept -0.25.
    fn tiny(scheme: Scheme) -> Model {
        Model::new(ModelParts {
            scheme,
            features: vec![
                ("lunch".into(), -1.5),
                ("cash".into(), 2.0),
                ("click".into(), 0.5),
            ],
            intercept: -0.25,
            lambda: 0.01,
            alpha: 0.9,
            threshold: 0.6,
            unsure: Some((0.4, 0.8)),
            ..ModelParts::new(summary())
        })
        .unwrap()
    }

    fn scheme(weighting: Weighting, l2_normalize: bool) -> Scheme {
        Scheme {
            weighting,
            l2_normalize,
        }
    }

    fn p() -> &'static Path {
        Path::new("test.model")
    }

    /// The reason of an `Error::Model`, or a panic.
    fn reason(result: Result<Model>) -> String {
        match result {
            Err(Error::Model { path, reason }) => {
                assert_eq!(path, p());
                reason
            }
            other => panic!("expected Error::Model, got {other:?}"),
        }
    }

    /// A container around arbitrary payload bytes, with a correct checksum.
    fn container(payload: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        b.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        b.extend_from_slice(payload);
        b.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
        b
    }

    /// A well-formed payload of `model`, for tampering with before re-encoding.
    fn payload_of(model: &Model) -> Payload<'_> {
        Payload {
            analyzer: model.analyzer.clone(),
            scheme: model.scheme,
            terms: model.terms.iter().map(String::as_str).collect(),
            weights: model.weights.clone(),
            intercept: model.intercept,
            lambda: model.lambda,
            alpha: model.alpha,
            threshold: model.threshold,
            unsure: model.unsure,
            summary: model.summary.clone(),
        }
    }

    fn encode(payload: &Payload<'_>) -> Vec<u8> {
        container(&bincode::serde::encode_to_vec(payload, bincode_config()).unwrap())
    }

    fn files_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn dates_are_iso8601_utc() {
        let at = |secs| utc_iso8601(UNIX_EPOCH + std::time::Duration::from_secs(secs));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(at(4_107_542_399), "2100-02-28T23:59:59Z");
        assert_eq!(at(4_107_542_400), "2100-03-01T00:00:00Z");
        let now = TrainingSummary::new(1, 2, "fixed");
        assert_eq!(now.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(now.date.len(), 20, "{}", now.date);
        assert!(now.date.starts_with("20") && now.date.ends_with('Z'));
    }

    #[test]
    fn new_sorts_features_and_drops_zeros() {
        let model = Model::new(ModelParts {
            features: vec![
                ("zebra".into(), 1.0),
                ("apple".into(), -2.0),
                ("gone".into(), 0.0),
                ("tiny".into(), 1e-50), // rounds to 0 as f32
                ("mango".into(), 0.1),
            ],
            ..ModelParts::new(summary())
        })
        .unwrap();
        assert_eq!(model.terms(), ["apple", "mango", "zebra"]);
        assert_eq!(model.weights(), [-2.0, 0.1f32, 1.0]);
        assert_eq!(model.len(), 3);
        assert_eq!(model.weight("mango"), Some(0.1));
        assert_eq!(model.weight("gone"), None);
        assert_eq!(
            model.words(),
            [("zebra", 1.0), ("mango", 0.1f32), ("apple", -2.0)]
        );
    }

    #[test]
    fn new_rejects_broken_parts() {
        let base = || ModelParts::new(summary());
        let f = |t: &str, w: f64| vec![(t.to_owned(), w)];
        let cases: Vec<(&str, ModelParts)> = vec![
            (
                "term",
                ModelParts {
                    features: vec![("a".into(), 1.0), ("a".into(), 2.0)],
                    ..base()
                },
            ),
            (
                "term",
                ModelParts {
                    features: f("", 1.0),
                    ..base()
                },
            ),
            (
                "weight",
                ModelParts {
                    features: f("a", f64::NAN),
                    ..base()
                },
            ),
            (
                "weight",
                ModelParts {
                    features: f("a", 1e39), // overflows f32
                    ..base()
                },
            ),
            (
                "intercept",
                ModelParts {
                    intercept: f64::INFINITY,
                    ..base()
                },
            ),
            (
                "lambda",
                ModelParts {
                    lambda: -1.0,
                    ..base()
                },
            ),
            (
                "lambda",
                ModelParts {
                    lambda: f64::NAN,
                    ..base()
                },
            ),
            (
                "alpha",
                ModelParts {
                    alpha: 0.0,
                    ..base()
                },
            ),
            (
                "alpha",
                ModelParts {
                    alpha: 1.5,
                    ..base()
                },
            ),
            (
                "threshold",
                ModelParts {
                    threshold: 1.0,
                    ..base()
                },
            ),
            (
                "threshold",
                ModelParts {
                    threshold: f64::NAN,
                    ..base()
                },
            ),
            (
                "unsure",
                ModelParts {
                    unsure: Some((0.6, 0.9)), // threshold 0.5 outside
                    ..base()
                },
            ),
            (
                "unsure",
                ModelParts {
                    unsure: Some((0.5, 0.5)),
                    ..base()
                },
            ),
            (
                "unsure",
                ModelParts {
                    unsure: Some((0.0, 0.9)),
                    ..base()
                },
            ),
            (
                "cv_auc",
                ModelParts {
                    summary: TrainingSummary {
                        cv_auc: Some(1.5),
                        ..summary()
                    },
                    ..base()
                },
            ),
            (
                "cv_auc_se",
                ModelParts {
                    summary: TrainingSummary {
                        cv_auc: None,
                        ..summary()
                    },
                    ..base()
                },
            ),
        ];
        for (expected, parts) in cases {
            let dbg = format!("{parts:?}");
            match Model::new(parts) {
                Err(Error::InvalidParam { name, .. }) => assert_eq!(name, expected, "{dbg}"),
                other => panic!("{dbg}: expected InvalidParam {expected}, got {other:?}"),
            }
        }
    }

    #[test]
    fn set_decision_checks_and_keeps_model_on_error() {
        let mut model = tiny(Scheme::default());
        assert!(model.set_decision(0.0, None).is_err());
        assert!(model.set_decision(0.5, Some((0.6, 0.7))).is_err());
        assert_eq!((model.threshold(), model.unsure()), (0.6, Some((0.4, 0.8))));
        model.set_decision(0.3, None).unwrap();
        assert_eq!((model.threshold(), model.unsure()), (0.3, None));
    }

    #[test]
    fn verdicts() {
        let mut model = tiny(Scheme::default());
        // Band (0.4, 0.8): ham below 0.4, spam from 0.8, unsure between.
        assert_eq!(model.verdict(0.399), Verdict::Ham);
        assert_eq!(model.verdict(0.4), Verdict::Unsure);
        assert_eq!(model.verdict(0.7999), Verdict::Unsure);
        assert_eq!(model.verdict(0.8), Verdict::Spam);
        model.set_decision(0.6, None).unwrap();
        assert_eq!(model.verdict(0.5999), Verdict::Ham);
        assert_eq!(model.verdict(0.6), Verdict::Spam);
        assert_eq!(Verdict::Unsure.to_string(), "unsure");
    }

    #[test]
    fn round_trip_small() {
        let model = tiny(scheme(Weighting::LogCounts, true));
        let bytes = model.to_bytes();
        assert_eq!(&bytes[..8], b"SPRSTXT\0");
        assert_eq!(Model::from_bytes(&bytes, p()).unwrap(), model);
    }

    #[test]
    fn empty_and_short_files() {
        assert_eq!(reason(Model::from_bytes(b"", p())), "empty file");
        assert_eq!(
            reason(Model::from_bytes(b"abc", p())),
            "not a sparsetext model (bad magic)"
        );
        assert_eq!(
            reason(Model::from_bytes(b"SPR", p())),
            "truncated: header is 3 of 20 bytes"
        );
        assert_eq!(
            reason(Model::from_bytes(b"SPRSTXT!and more bytes", p())),
            "not a sparsetext model (bad magic)"
        );
    }

    #[test]
    fn an_email_is_not_a_model() {
        let path = Path::new(FIXTURES).join("not-a-model.eml");
        match Model::load(&path) {
            Err(Error::Model { path: p, reason }) => {
                assert_eq!(p, path);
                assert_eq!(reason, "not a sparsetext model (bad magic)");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let path = PathBuf::from(FIXTURES).join("no-such.model");
        assert!(matches!(Model::load(&path), Err(Error::Io { path: p, .. }) if p == path));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let bytes = tiny(Scheme::default()).to_bytes();
        for len in 0..bytes.len() {
            let r = reason(Model::from_bytes(&bytes[..len], p()));
            if len > 0 {
                assert!(r.starts_with("truncated: "), "prefix {len}: {r}");
            }
        }
        let payload_len = bytes.len() - 24;
        assert_eq!(
            reason(Model::from_bytes(&bytes[..30], p())),
            format!("truncated: expected {payload_len} payload bytes, found 10")
        );
    }

    #[test]
    fn every_bit_flip_is_detected() {
        let bytes = tiny(scheme(Weighting::Counts, true)).to_bytes();
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut bad = bytes.clone();
                bad[i] ^= 1 << bit;
                let r = reason(Model::from_bytes(&bad, p()));
                if (20..bytes.len() - 4).contains(&i) || i >= bytes.len() - 4 {
                    assert_eq!(
                        r, "checksum mismatch (file corrupted)",
                        "byte {i} bit {bit}"
                    );
                }
            }
        }
    }

    #[test]
    fn load_reports_like_from_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.model");
        let bytes = tiny(Scheme::default()).to_bytes();
        let on_disk = |content: &[u8]| {
            std::fs::write(&path, content).unwrap();
            match Model::load(&path) {
                Err(Error::Model { reason, .. }) => reason,
                other => panic!("{other:?}"),
            }
        };
        for len in 0..bytes.len() {
            assert_eq!(
                on_disk(&bytes[..len]),
                reason(Model::from_bytes(&bytes[..len], p())),
                "prefix {len}"
            );
        }
        let mut long = bytes.clone();
        long.extend_from_slice(&[0; 1000]);
        assert_eq!(on_disk(&long), "1000 unexpected bytes after the checksum");
        let mut flipped = bytes.clone();
        flipped[30] ^= 4;
        assert_eq!(on_disk(&flipped), "checksum mismatch (file corrupted)");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn load_stops_after_a_bad_header() {
        // An endless stream: load must not read on past the header.
        let r = Model::load(Path::new("/dev/zero"));
        assert!(
            matches!(&r, Err(Error::Model { reason, .. }) if reason.contains("bad magic")),
            "{r:?}"
        );
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let mut bytes = tiny(Scheme::default()).to_bytes();
        bytes.extend_from_slice(b"xy");
        assert_eq!(
            reason(Model::from_bytes(&bytes, p())),
            "2 unexpected bytes after the checksum"
        );
    }

    #[test]
    fn versions() {
        let mut bytes = tiny(Scheme::default()).to_bytes();
        bytes[8..12].copy_from_slice(&7u32.to_le_bytes());
        assert_eq!(
            reason(Model::from_bytes(&bytes, p())),
            "format version 7 is newer than this sparsetext supports (2)"
        );
        // The version is read before the rest of the header, whose layout may change.
        assert_eq!(
            reason(Model::from_bytes(&bytes[..12], p())),
            "format version 7 is newer than this sparsetext supports (2)"
        );
        bytes[8..12].copy_from_slice(&1u32.to_le_bytes());
        assert_eq!(
            reason(Model::from_bytes(&bytes, p())),
            "format version 1 is older than this sparsetext reads (2 to 2): train the model again"
        );
        bytes[8..12].copy_from_slice(&0u32.to_le_bytes());
        assert!(reason(Model::from_bytes(&bytes, p())).contains("version 0"));
    }

    #[test]
    fn huge_payload_length_is_refused_without_allocating() {
        let mut bytes = tiny(Scheme::default()).to_bytes();
        bytes[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(reason(Model::from_bytes(&bytes, p())).contains("over the"));
        bytes[12..20].copy_from_slice(&(MAX_PAYLOAD_LEN as u64).to_le_bytes());
        assert!(reason(Model::from_bytes(&bytes, p())).starts_with("truncated: expected"));
    }

    #[test]
    fn checksummed_garbage_is_malformed() {
        // 2^40 terms, or one term of 2^40 bytes (varint 0xFD + u64), then nothing.
        for count in [&[][..], &[1]] {
            let mut payload = bytes_before_terms();
            payload.extend_from_slice(count);
            payload.push(0xFD);
            payload.extend_from_slice(&(1u64 << 40).to_le_bytes());
            let r = reason(Model::from_bytes(&container(&payload), p()));
            assert!(r.starts_with("malformed payload: "), "{r}");
        }
        let r = reason(Model::from_bytes(&container(b"\xff\xff\xff"), p()));
        assert!(r.starts_with("malformed payload: "), "{r}");
        // A valid payload followed by junk inside the checksummed region.
        let model = tiny(Scheme::default());
        let mut payload =
            bincode::serde::encode_to_vec(payload_of(&model), bincode_config()).unwrap();
        payload.push(0);
        assert_eq!(
            reason(Model::from_bytes(&container(&payload), p())),
            "malformed payload: 1 trailing bytes"
        );
    }

    /// The encoded bytes of the fields before `terms`, to craft payloads by hand.
    fn bytes_before_terms() -> Vec<u8> {
        let mut b =
            bincode::serde::encode_to_vec(AnalyzerConfig::default(), bincode_config()).unwrap();
        b.extend(bincode::serde::encode_to_vec(Scheme::default(), bincode_config()).unwrap());
        b
    }

    #[test]
    fn checksummed_invalid_models_are_rejected_on_load() {
        let model = tiny(Scheme::default());
        let check = |tamper: &dyn Fn(&mut Payload<'_>), expected: &str| {
            let mut p_ = payload_of(&model);
            tamper(&mut p_);
            let r = reason(Model::from_bytes(&encode(&p_), p()));
            assert!(r.starts_with("invalid model: invalid "), "{r}");
            assert!(r.contains(expected), "{r} lacks {expected}");
        };
        check(&|p| p.terms.swap(0, 1), "out of order");
        check(&|p| p.terms[1] = p.terms[0], "duplicate");
        check(&|p| p.terms[0] = "", "must not be empty");
        check(&|p| p.weights[0] = 0.0, "non-zero");
        check(&|p| p.weights[2] = f32::NAN, "finite");
        check(&|p| p.weights.pop().map_or((), drop), "one weight per term");
        check(&|p| p.threshold = 1.5, "threshold");
        check(&|p| p.unsure = Some((0.7, 0.9)), "unsure");
        check(&|p| p.lambda = -0.5, "lambda");
        check(&|p| p.alpha = 0.0, "alpha");
        check(&|p| p.intercept = f64::NAN, "intercept");
        check(&|p| p.summary.cv_auc = Some(f64::NAN), "cv_auc");
    }

    #[test]
    fn json_has_the_inspect_keys() {
        let model = tiny(scheme(Weighting::Counts, true));
        let json = model.to_json();
        let keys: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
            "format_version",
            "analyzer",
            "scheme",
            "lambda",
            "alpha",
            "intercept",
            "threshold",
            "unsure",
            "features",
            "summary",
        ];
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
        assert_eq!(json["features"], 3);
        assert_eq!(json["format_version"], FORMAT_VERSION);
        assert_eq!(json["unsure"], serde_json::json!([0.4, 0.8]));
        // Whatever serde shape the scheme and analyzer config have, the same one here.
        assert_eq!(
            json["scheme"],
            serde_json::to_value(model.scheme()).unwrap()
        );
        assert_eq!(
            json["analyzer"],
            serde_json::to_value(model.analyzer()).unwrap()
        );
        assert_eq!(json["summary"]["cv_auc"], 0.97);
        assert_eq!(json["summary"]["lambda_rule"], "lambda_1se of 10-fold CV");
    }

    // ---- saving -------------------------------------------------------------------------

    #[test]
    fn save_writes_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spam.model");
        let first = tiny(Scheme::default());
        let n = first.save(&path).unwrap();
        assert_eq!(n, std::fs::metadata(&path).unwrap().len());
        assert_eq!(Model::load(&path).unwrap(), first);
        let mut second = first.clone();
        second.set_decision(0.9, None).unwrap();
        second.save(&path).unwrap();
        assert_eq!(Model::load(&path).unwrap(), second);
        assert_eq!(files_in(dir.path()), ["spam.model"]);
    }

    #[cfg(unix)]
    #[test]
    fn saved_models_get_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spam.model");
        tiny(Scheme::default()).save(&path).unwrap();
        let plain = dir.path().join("plain");
        File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), mode(&plain));
    }

    #[cfg(unix)]
    #[test]
    fn save_replaces_a_symlink_not_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.model");
        let link = dir.path().join("spam.model");
        let old = tiny(Scheme::default());
        old.save(&target).unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut new = old.clone();
        new.set_decision(0.9, None).unwrap();
        new.save(&link).unwrap();
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(Model::load(&link).unwrap(), new);
        assert_eq!(Model::load(&target).unwrap(), old);
    }

    #[test]
    fn save_into_missing_folder_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone").join("spam.model");
        let err = tiny(Scheme::default()).save(&path).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path: p, .. } if p == &dir.path().join("gone")),
            "{err:?}"
        );
        assert!(files_in(dir.path()).is_empty());
    }

    #[test]
    fn failed_rename_removes_the_temp_file() {
        // The target is a non-empty folder: the rename fails after the temp file is written.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spam.model");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("keep"), b"x").unwrap();
        let err = tiny(Scheme::default()).save(&path).unwrap_err();
        assert!(
            matches!(&err, Error::Io { path: p, .. } if p == &path),
            "{err:?}"
        );
        assert_eq!(files_in(dir.path()), ["spam.model"]);
        assert_eq!(files_in(&path), ["keep"]);
    }

    #[test]
    fn failed_write_keeps_the_previous_model() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spam.model");
        let old = tiny(Scheme::default());
        old.save(&path).unwrap();
        let before = std::fs::read(&path).unwrap();
        // Half the bytes, then the disk fills up.
        let new_bytes = tiny(scheme(Weighting::Counts, false)).to_bytes();
        let err = write_atomic(&path, |f| {
            f.write_all(&new_bytes[..new_bytes.len() / 2])?;
            Err(std::io::Error::other("no space left on device"))
        })
        .unwrap_err();
        assert!(
            matches!(&err, Error::Io { path: p, source } if p == &path && source.to_string() == "no space left on device"),
            "{err:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert_eq!(Model::load(&path).unwrap(), old);
        assert_eq!(files_in(dir.path()), ["spam.model"]);
    }

    #[cfg(unix)]
    #[test]
    fn read_only_folder_keeps_the_previous_model() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("spam.model");
        let old = tiny(Scheme::default());
        old.save(&path).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let writable = File::create(dir.path().join("probe")).is_ok();
        if !writable {
            let mut new = old.clone();
            new.set_decision(0.9, None).unwrap();
            assert!(matches!(new.save(&path), Err(Error::Io { .. })));
            assert_eq!(Model::load(&path).unwrap(), old);
            assert_eq!(files_in(dir.path()), ["spam.model"]);
        } // else: running as root, permissions don't bind; other tests cover the failure paths.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    #[test]
    fn size_of_a_500_word_model() {
        let words = std::fs::read_to_string(Path::new(FIXTURES).join("words.txt")).unwrap();
        let words: Vec<&str> = words.lines().collect();
        assert_eq!(words.len(), 500);
        let chars: usize = words.iter().map(|w| w.len()).sum();
        let model = Model::new(ModelParts {
            features: words
                .iter()
                .enumerate()
                .map(|(i, w)| ((*w).to_owned(), (i as f64 - 250.0) / 97.0 + 0.001))
                .collect(),
            ..ModelParts::new(TrainingSummary::new(1000, 1000, "lambda_1se of 10-fold CV"))
        })
        .unwrap();
        assert_eq!(model.len(), 500);
        let size = model.to_bytes().len();
        let empty = Model::new(ModelParts::new(model.summary.clone()))
            .unwrap()
            .to_bytes()
            .len();
        // Each feature: 1 length byte + the term's bytes + a 4-byte f32; and the two
        // sequence lengths grow from 1-byte to 3-byte varints (bincode: 251..=65535).
        assert_eq!(size - empty, chars + 500 * 5 + 2 * 2);
        eprintln!(
            "500 features ({:.2} chars/term): {size} bytes, {empty} without features, \
             {:.2} bytes/feature",
            chars as f64 / 500.0,
            (size - empty) as f64 / 500.0
        );
        assert!(size < 24 + 200 + 500 * 12, "{size}");
    }

    // ---- scoring ------------------------------------------------------------------------

    /// A row from a token list, bypassing the analyzer.
    fn score_tokens(scorer: &Scorer, tokens: &[&str]) -> Score {
        scorer.score_row(if scorer.model.scheme.l2_normalize {
            scorer.row_of_tokens(|sink| {
                tokens.iter().for_each(|t| sink(t));
                Notes::default()
            })
        } else {
            scorer.row_of_hits(|hit| {
                tokens
                    .iter()
                    .filter_map(|t| scorer.lookup(t))
                    .for_each(|j| hit(j as u32));
                Notes::default()
            })
        })
    }

    /// The obvious implementation: count every token, value every distinct token with
    /// `Scheme::row_values`, dot with the model's weights.
    fn reference_margin(model: &Model, tokens: &[String]) -> f64 {
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for t in tokens {
            *counts.entry(t).or_default() += 1;
        }
        let all: Vec<u32> = counts.values().copied().collect();
        let norm = model.scheme.row_norm(all.iter().copied());
        let mut values = Vec::new();
        model.scheme.row_values(&all, norm, &mut values);
        let dot: f64 = counts
            .keys()
            .zip(&values)
            .map(|(t, v)| model.weight(t).map_or(0.0, |w| f64::from(w) * v))
            .sum();
        model.intercept + dot
    }

    const TOKENS: [&str; 7] = ["cash", "cash", "lunch", "hello", "cash", "world", "hello"];

    #[test]
    fn hand_computed_margins() {
        let ln2 = std::f64::consts::LN_2;
        let cases = [
            // cash and lunch are present: -0.25 + 2 - 1.5.
            (scheme(Weighting::Binary, false), 0.25),
            // cash 3 times: -0.25 + 2 * 3 - 1.5 * 1.
            (scheme(Weighting::Counts, false), 4.25),
            // -0.25 + 2 ln 4 - 1.5 ln 2.
            (scheme(Weighting::LogCounts, false), -0.25 + 2.5 * ln2),
            // Four distinct tokens (cash lunch hello world): each 1/2. -0.25 + 1 - 0.75.
            (scheme(Weighting::Binary, true), 0.0),
            // Counts 3, 1, 2, 1: norm sqrt(15), not sqrt(10) as over the features alone.
            (scheme(Weighting::Counts, true), -0.25 + 4.5 / 15f64.sqrt()),
            // ln 4, ln 2, ln 3, ln 2.
            (
                scheme(Weighting::LogCounts, true),
                -0.25
                    + (2.0 * 4f64.ln() - 1.5 * ln2)
                        / (4f64.ln().powi(2) + 2.0 * ln2 * ln2 + 3f64.ln().powi(2)).sqrt(),
            ),
        ];
        for (scheme, margin) in cases {
            let scorer = Scorer::new(tiny(scheme));
            let s = score_tokens(&scorer, &TOKENS);
            assert!(
                (s.margin - margin).abs() < 1e-12,
                "{scheme:?}: {} vs {margin}",
                s.margin
            );
            assert!((s.p_spam - 1.0 / (1.0 + (-margin).exp())).abs() < 1e-12);
        }
        // No tokens: the intercept alone.
        for l2 in [false, true] {
            let s = score_tokens(&Scorer::new(tiny(scheme(Weighting::Counts, l2))), &[]);
            assert_eq!(s.margin, -0.25);
        }
    }

    #[test]
    fn explain_sums_to_the_margin() {
        let scorer = Scorer::new(tiny(scheme(Weighting::Counts, false)));
        let raw = b"Subject: hello\r\n\r\ncash cash lunch click cash\r\n";
        let score = scorer.score(raw);
        let all = scorer.explain(raw, 10);
        let terms: Vec<&str> = all.iter().map(|c| c.0).collect();
        // Whatever else the analyzer emits, these three features are in the body.
        for t in ["cash", "lunch", "click"] {
            assert!(terms.contains(&t), "{terms:?}");
        }
        let sum: f64 = all.iter().map(|c| c.1).sum();
        assert!((scorer.model().intercept() + sum - score.margin).abs() < 1e-12);
        assert!(
            all.windows(2).all(|w| w[0].1.abs() >= w[1].1.abs()),
            "{all:?}"
        );
        assert_eq!(scorer.explain(raw, 1), all[..1]);
        assert!(scorer.explain(raw, 0).is_empty());
    }

    #[test]
    fn logistic_is_stable() {
        assert_eq!(logistic(0.0), 0.5);
        assert_eq!(logistic(1000.0), 1.0);
        assert_eq!(logistic(-1000.0), 0.0);
        assert!(logistic(-745.0) > 0.0); // exp(-745) is subnormal, not 0/0
        for m in [-30.0f64, -2.0, -0.1, 0.1, 2.0, 30.0] {
            let naive = 1.0 / (1.0 + (-m).exp());
            assert!((logistic(m) - naive).abs() < 1e-15);
            assert!((logistic(m) + logistic(-m) - 1.0).abs() < 1e-15);
        }
    }

    /// Scores of a thread whose word memo is warm, and shared by turns between two scorers,
    /// equal those of fresh threads, which score their first message without a memo.
    #[test]
    fn memoized_scores_equal_first_scores() {
        let cash = tiny(scheme(Weighting::Counts, false));
        let tagged = Model::new(ModelParts {
            scheme: scheme(Weighting::LogCounts, false),
            features: vec![
                ("subject:cash".into(), 1.25),
                ("cash".into(), -0.5),
                ("lunch".into(), 0.75),
                ("url:example.com".into(), 0.5),
            ],
            ..ModelParts::new(summary())
        })
        .unwrap();
        let scorers = [Scorer::new(cash), Scorer::new(tagged)];
        let mails: Vec<Vec<u8>> = [
            "Subject: Cash cash\n\nCash for lunch, click http://x.example.com now; cash!",
            "Subject: lunch\n\nLunch? Lunches, lunching: CLICK, clicks. cash",
            "Subject: nothing\n\nNo features here at all.",
        ]
        .iter()
        .map(|m| m.as_bytes().to_vec())
        .collect();
        let fresh = |s: &Scorer, raw: &[u8]| {
            std::thread::scope(|scope| scope.spawn(|| s.score(raw)).join().unwrap())
        };
        for _ in 0..3 {
            for raw in &mails {
                for scorer in &scorers {
                    assert_eq!(scorer.score(raw), fresh(scorer, raw));
                    let first = std::thread::scope(|scope| {
                        scope.spawn(|| scorer.explain(raw, 10)).join().unwrap()
                    });
                    assert_eq!(scorer.explain(raw, 10), first);
                }
            }
        }
        assert!(scorers[0].score(&mails[0]).margin > scorers[0].score(&mails[2]).margin);
    }

    #[test]
    fn scorer_is_shareable() {
        fn sync_send<T: Sync + Send>() {}
        sync_send::<Scorer>();
        sync_send::<Model>();
    }

    // ---- properties ---------------------------------------------------------------------

    fn any_scheme() -> impl Strategy<Value = Scheme> {
        (
            prop_oneof![
                Just(Weighting::Binary),
                Just(Weighting::Counts),
                Just(Weighting::LogCounts)
            ],
            any::<bool>(),
        )
            .prop_map(|(weighting, l2_normalize)| Scheme {
                weighting,
                l2_normalize,
            })
    }

    fn any_model() -> impl Strategy<Value = Model> {
        let weight = prop_oneof![
            prop::num::f32::NORMAL | prop::num::f32::SUBNORMAL,
            -4.0f32..4.0
        ];
        (
            prop::collection::btree_map("[a-z]{1,8}|\\PC{1,6}", weight, 0..40),
            any_scheme(),
            -10.0f64..10.0,
            0.0f64..1e3,
            0.01f64..=1.0,
            0.01f64..0.99,
            prop::option::of((0.0f64..1.0, 0.0f64..1.0)),
            prop::option::of((0.0f64..=1.0, prop::option::of(0.0f64..0.1))),
            "\\PC{0,20}",
        )
            .prop_filter_map(
                "valid",
                |(features, scheme, intercept, lambda, alpha, threshold, band, cv, rule)| {
                    let unsure =
                        band.map(|(a, b)| (threshold * a, threshold + (1.0 - threshold) * b));
                    Model::new(ModelParts {
                        scheme,
                        features: features
                            .into_iter()
                            .map(|(t, w)| (t, f64::from(w)))
                            .collect(),
                        intercept,
                        lambda,
                        alpha,
                        threshold,
                        unsure,
                        summary: TrainingSummary {
                            cv_auc: cv.map(|c| c.0),
                            cv_auc_se: cv.and_then(|c| c.1),
                            lambda_rule: rule,
                            ..summary()
                        },
                        ..ModelParts::new(summary())
                    })
                    .ok()
                },
            )
    }

    proptest! {
        #[test]
        fn save_load_identity(model in any_model()) {
            let bytes = model.to_bytes();
            let back = Model::from_bytes(&bytes, p()).unwrap();
            prop_assert_eq!(&back, &model);
            // Bit-identical weights (PartialEq would accept -0.0 == 0.0, which can't occur).
            prop_assert!(back.weights.iter().zip(&model.weights).all(|(a, b)| a.to_bits() == b.to_bits()));
            prop_assert_eq!(back.to_bytes(), bytes);
        }

        #[test]
        fn file_round_trip(model in any_model()) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("m.model");
            let n = model.save(&path).unwrap();
            prop_assert_eq!(n as usize, model.to_bytes().len());
            prop_assert_eq!(Model::load(&path).unwrap(), model);
        }

        #[test]
        fn no_checksummed_bytes_panic(payload in prop::collection::vec(any::<u8>(), 0..300)) {
            let _ = Model::from_bytes(&container(&payload), p());
        }

        #[test]
        fn mutated_payloads_never_panic(
            model in any_model(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        ) {
            let mut payload = bincode::serde::encode_to_vec(payload_of(&model), bincode_config()).unwrap();
            for (i, b) in edits {
                let i = i.index(payload.len());
                payload[i] = b;
            }
            // Whatever decodes must satisfy every invariant again.
            if let Ok(m) = Model::from_bytes(&container(&payload), p()) {
                prop_assert!(m.check().is_ok());
            }
        }

        #[test]
        fn scoring_matches_the_reference(
            model in any_model(),
            picks in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..60),
            noise in prop::collection::vec("[a-z]{1,8}", 0..10),
        ) {
            // Tokens: the model's own terms (often repeated) mixed with other words.
            let mut tokens: Vec<String> = Vec::new();
            for (i, from_model) in picks {
                if from_model && !model.is_empty() {
                    tokens.push(model.terms[i.index(model.len())].clone());
                } else if !noise.is_empty() {
                    tokens.push(noise[i.index(noise.len())].clone());
                }
            }
            let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
            let expected = reference_margin(&model, &tokens);
            let scorer = Scorer::new(model);
            let got = score_tokens(&scorer, &refs);
            let tol = 1e-9 * (1.0 + expected.abs());
            prop_assert!((got.margin - expected).abs() <= tol, "{} vs {}", got.margin, expected);
        }

        #[test]
        fn scoring_raw_mail_matches_the_reference(
            model in any_model(),
            body in prop::collection::vec("[a-z]{1,8}", 0..40),
        ) {
            // Through the real analyzer: the reference counts what it emits.
            let raw = format!("Subject: test\r\n\r\n{}\r\n", body.join(" "));
            let analyzer = Analyzer::new(model.analyzer().clone());
            let mut tokens = Vec::new();
            analyzer.tokenize(raw.as_bytes(), &mut |t: &str| tokens.push(t.to_owned()));
            let expected = reference_margin(&model, &tokens);
            let scorer = Scorer::new(model);
            let got = scorer.score(raw.as_bytes()).margin;
            prop_assert!((got - expected).abs() <= 1e-9 * (1.0 + expected.abs()));
        }
    }
}
