//! A weights file: a linear model over a shard folder's feature ids, as
//! another engine (Spark MLlib, glmnet, scikit-learn) hands it back, and the
//! sparsetext [`Model`] it becomes.
//!
//! ```text
//! intercept -1.25
//! 17 0.5          ID WEIGHT: 1-based feature id (line ID of vocab.txt), weight
//! 4031 -2e-3
//! ```
//!
//! Blank lines and `#` comments are ignored; ids may come in any order but
//! each once; zero weights are dropped; every number must be finite.

use std::path::Path;

use super::Shards;
use crate::error::{Error, Result};
use crate::model::{Model, ModelParts, TermKind, TrainingSummary};

/// A weights file read: the intercept and the non-zero `(id, weight)` pairs,
/// ids ascending.
#[derive(Clone, Debug, PartialEq)]
pub struct Weights {
    /// The unpenalized intercept.
    pub intercept: f64,
    /// Non-zero weights by 1-based feature id, ascending.
    pub weights: Vec<(u32, f64)>,
}

/// Reads a weights file whose ids must be at most `features`.
///
/// # Errors
/// [`Error::Io`] reading; [`Error::Svmlight`] naming the line for a
/// malformed line, a number that is not finite, an id of 0 or beyond
/// `features`, or an id given twice.
pub fn read(path: &Path, features: usize) -> Result<Weights> {
    let text = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path, features)
}

/// Parses weights-file text; `path` names it in errors.
///
/// # Errors
/// As [`read`].
pub fn parse(text: &[u8], path: &Path, features: usize) -> Result<Weights> {
    let bad = |line: usize, reason: String| Error::Svmlight {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let text = std::str::from_utf8(text).map_err(|e| {
        let line = 1 + text[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        bad(line, "not UTF-8 text".into())
    })?;
    let number = |line: usize, field: &str, what: &str| -> Result<f64> {
        let v: f64 = field
            .parse()
            .map_err(|_| bad(line, format!("{what} {field:?} is not a number")))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(bad(line, format!("{what} {field} is not finite")))
        }
    };
    let mut intercept = None;
    let mut weights = Vec::new();
    let mut last = 0;
    for (k, raw) in text.lines().enumerate() {
        let line = k + 1;
        last = line;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split_ascii_whitespace().collect();
        let [first, value] = fields[..] else {
            return Err(bad(line, format!("{content:?} is not two fields")));
        };
        if intercept.is_none() {
            if first != "intercept" {
                return Err(bad(
                    line,
                    format!("the first line must be `intercept VALUE`, not {content:?}"),
                ));
            }
            intercept = Some(number(line, value, "intercept")?);
            continue;
        }
        let id: u64 = first
            .parse()
            .map_err(|_| bad(line, format!("feature id {first:?} is not a whole number")))?;
        if id == 0 || id > features as u64 {
            return Err(bad(
                line,
                format!("feature id {id} is outside 1..={features}, the shards' ids"),
            ));
        }
        let w = number(line, value, "weight")?;
        weights.push((id as u32, w, line));
    }
    let Some(intercept) = intercept else {
        return Err(bad(last.max(1), "no `intercept VALUE` line".into()));
    };
    weights.sort_unstable_by_key(|&(id, _, line)| (id, line));
    if let Some(pair) = weights.windows(2).find(|p| p[0].0 == p[1].0) {
        return Err(bad(
            pair[1].2,
            format!(
                "feature id {} given twice (line {} too)",
                pair[1].0, pair[0].2
            ),
        ));
    }
    Ok(Weights {
        intercept,
        weights: weights
            .into_iter()
            .filter(|&(_, w, _)| w != 0.0)
            .map(|(id, w, _)| (id, w))
            .collect(),
    })
}

/// The sparsetext model of `weights` over the folder `shards`: each id's
/// term from the vocabulary, the analyzer and scheme from the manifest (so
/// mail is tokenized as when the shards were written), the penalty recorded
/// when known, the default decision rule.
///
/// # Errors
/// As [`Model::new`] (a weight too large for the model's `f32`, ...).
pub fn to_model(
    shards: &Shards,
    weights: &Weights,
    lambda: Option<f64>,
    alpha: Option<f64>,
) -> Result<Model> {
    let m = &shards.manifest;
    let features = weights
        .weights
        .iter()
        .map(|&(id, w)| (shards.vocab.term(id - 1).to_string(), w))
        .collect();
    let summary = TrainingSummary::new(m.spam as u64, m.ham as u64, "imported");
    Model::new(ModelParts {
        analyzer: m.provenance.analyzer.clone(),
        scheme: m.provenance.scheme,
        features,
        intercept: weights.intercept,
        lambda: lambda.unwrap_or(0.0),
        alpha: alpha.unwrap_or(1.0),
        term_kind: TermKind::Tokens,
        ..ModelParts::new(summary)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Weights> {
        parse(text.as_bytes(), Path::new("w.txt"), 10)
    }

    #[test]
    fn reads_sorts_and_drops_zeros() {
        let w = p("# from Spark\nintercept -1.5\n\n7 0.25\n2 -3e-2 # a comment\n5 0\n").unwrap();
        assert_eq!(w.intercept, -1.5);
        assert_eq!(w.weights, vec![(2, -0.03), (7, 0.25)]);
        assert_eq!(p("intercept 0\n").unwrap().weights, vec![]);
    }

    #[test]
    fn errors_name_the_line() {
        let cases = [
            ("", "w.txt:1: no `intercept VALUE` line"),
            (
                "1 0.5\n",
                "w.txt:1: the first line must be `intercept VALUE`, not \"1 0.5\"",
            ),
            ("intercept x\n", "w.txt:1: intercept \"x\" is not a number"),
            (
                "intercept 0\n3 0.1 9\n",
                "w.txt:2: \"3 0.1 9\" is not two fields",
            ),
            (
                "intercept 0\n11 1\n",
                "w.txt:2: feature id 11 is outside 1..=10, the shards' ids",
            ),
            (
                "intercept 0\n0 1\n",
                "w.txt:2: feature id 0 is outside 1..=10, the shards' ids",
            ),
            (
                "intercept 0\n-1 1\n",
                "w.txt:2: feature id \"-1\" is not a whole number",
            ),
            ("intercept 0\n1 NaN\n", "w.txt:2: weight NaN is not finite"),
            ("intercept inf\n", "w.txt:1: intercept inf is not finite"),
            (
                "intercept 0\n4 1\n2 1\n4 2\n",
                "w.txt:4: feature id 4 given twice (line 2 too)",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(p(text).unwrap_err().to_string(), want, "{text:?}");
        }
        let err = parse(b"intercept 0\n1 \xff\n", Path::new("w.txt"), 10).unwrap_err();
        assert_eq!(err.to_string(), "w.txt:2: not UTF-8 text");
    }
}
