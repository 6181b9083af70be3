//! What an answer says about a message: the model's verdict on spamd's score
//! scale, the symbols list and the report.
//!
//! # The score scale
//!
//! SpamAssassin users' thresholds are points, 5.0 by default (`required_score`).
//! The model gives a log-odds margin `m` and decides at an anchor `a`: the
//! logit of its threshold, or, when the model carries an unsure band, of the
//! band's upper edge (from there on it says spam). The points are
//!
//! ```text
//! S = 5.0 + 2.0 * (m - a)        T = 5.0
//! ```
//!
//! rounded to one decimal as spamd writes them, and adjusted by at most one
//! rounding step so that `S >= T` exactly when the verdict is spam (spamd's own
//! rule: a ham message never shows the threshold). Two points per unit of
//! log-odds put p(spam) = 0.99 at about 14 points and 0.01 at about -5 for a
//! model whose threshold is near 0.5, the range SpamAssassin's rules give.
//! An unsure message (inside the band) is `Spam: False`; the `X-Sparsetext`
//! header and the report say `unsure`.

use crate::model::{Model, Score, Verdict};

/// SpamAssassin's default `required_score`: the `T` of every answer.
pub const REQUIRED_SCORE: f64 = 5.0;

/// Points per unit of log-odds.
pub const POINTS_PER_LOGIT: f64 = 2.0;

/// The largest magnitude of points written, so that the field stays short.
const MAX_POINTS: f64 = 999.0;

/// A scored message, as an answer reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct Judgement {
    /// The model's verdict.
    pub verdict: Verdict,
    /// The model's score.
    pub p_spam: f64,
    /// Points on spamd's scale, a multiple of 0.1.
    pub points: f64,
    /// The strongest features and their contributions to the log-odds.
    pub features: Vec<(String, f64)>,
}

impl Judgement {
    /// Judges a score under `model`; `features` as [`crate::model::Scorer::explain`] gives them.
    pub fn new(model: &Model, score: &Score, features: Vec<(String, f64)>) -> Judgement {
        let verdict = model.verdict(score.p_spam);
        Judgement {
            verdict,
            p_spam: score.p_spam,
            points: points(score.margin, anchor(model), verdict == Verdict::Spam),
            features,
        }
    }

    /// Whether the answer says `Spam: True`.
    pub fn is_spam(&self) -> bool {
        self.verdict == Verdict::Spam
    }

    /// The header a processed message carries, as `classify -p` writes it.
    pub fn header_field(&self) -> String {
        crate::passthrough::field(self.verdict, self.p_spam)
    }

    /// `SYMBOLS`' body: `SPARSETEXT_SPAM` (or `_HAM`, `_UNSURE`), then the strongest
    /// features, comma-separated (commas, spaces and control characters in a term
    /// become `_`), with no line ending (protocol 1.3 and later).
    pub fn symbols(&self) -> String {
        let mut names = vec![self.verdict_symbol()];
        names.extend(self.features.iter().map(|(term, _)| {
            term.chars()
                .map(|c| {
                    if c == ',' || c.is_whitespace() || c.is_control() {
                        '_'
                    } else {
                        c
                    }
                })
                .collect()
        }));
        names.join(",")
    }

    /// `REPORT`'s body: a table as SpamAssassin's report lays it out, one line per feature
    /// with its points (its contribution times [`POINTS_PER_LOGIT`]).
    pub fn report(&self) -> String {
        let mut out = format!(
            "Content analysis details:   ({:.1} points, {REQUIRED_SCORE:.1} required)\r\n\r\n \
             pts rule name              description\r\n\
             ---- ---------------------- --------------------------------------------------\r\n",
            self.points
        );
        out.push_str(&format!(
            "{:>4.1} {:<22} sparsetext: {}; p={:.4}\r\n",
            self.points,
            self.verdict_symbol(),
            self.verdict,
            self.p_spam
        ));
        for (term, contribution) in &self.features {
            let term: String = term.chars().filter(|c| !c.is_control()).collect();
            out.push_str(&format!(
                "{:>4.1} {term:<22} log-odds {contribution:+.3}\r\n",
                POINTS_PER_LOGIT * contribution
            ));
        }
        out
    }

    fn verdict_symbol(&self) -> String {
        format!("SPARSETEXT_{}", self.verdict.as_str().to_ascii_uppercase())
    }
}

/// The log-odds at which the model starts saying spam.
pub fn anchor(model: &Model) -> f64 {
    let edge = model.unsure().map_or(model.threshold(), |(_, high)| high);
    (edge / (1.0 - edge)).ln()
}

/// Points for `margin`, a multiple of 0.1 that is `>= REQUIRED_SCORE` iff `is_spam`.
pub fn points(margin: f64, anchor: f64, is_spam: bool) -> f64 {
    let raw = REQUIRED_SCORE + POINTS_PER_LOGIT * (margin - anchor);
    let raw = if raw.is_nan() { 0.0 } else { raw };
    let tenths = (raw.clamp(-MAX_POINTS, MAX_POINTS) * 10.0).round();
    let required = REQUIRED_SCORE * 10.0;
    let tenths = if is_spam {
        tenths.max(required)
    } else {
        tenths.min(required - 1.0)
    };
    tenths / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_at_least_the_threshold_exactly_for_spam() {
        let anchor = (0.6f64 / 0.4).ln();
        assert_eq!(points(anchor, anchor, true), 5.0);
        assert_eq!(points(anchor, anchor, false), 4.9);
        assert_eq!(points(anchor - 0.01, anchor, false), 4.9);
        assert_eq!(points(anchor + 1.0, anchor, true), 7.0);
        assert_eq!(points(anchor - 3.0, anchor, false), -1.0);
        assert_eq!(points(1e9, anchor, true), MAX_POINTS);
        assert_eq!(points(f64::NAN, anchor, false), 0.0);
        for i in -200..200 {
            let margin = anchor + f64::from(i) * 0.013;
            let spam = margin >= anchor;
            let p = points(margin, anchor, spam);
            assert_eq!(p >= REQUIRED_SCORE, spam, "{margin}");
            let written: f64 = format!("{p:.1}").parse().unwrap();
            assert_eq!(written, p);
        }
    }

    #[test]
    fn symbols_and_report_name_the_verdict_and_features() {
        let j = Judgement {
            verdict: Verdict::Unsure,
            p_spam: 0.5,
            points: 4.9,
            features: vec![("subject:free".into(), 1.25), ("a,b c".into(), -0.5)],
        };
        assert_eq!(j.symbols(), "SPARSETEXT_UNSURE,subject:free,a_b_c");
        let report = j.report();
        assert!(report.starts_with("Content analysis details:   (4.9 points, 5.0 required)"));
        assert!(report.contains(" 2.5 subject:free           log-odds +1.250\r\n"));
        assert!(report.contains("-1.0 a,b c"));
        assert_eq!(j.header_field(), "X-Sparsetext: unsure; p=0.5000");
    }
}
