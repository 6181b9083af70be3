//! Scoring: raw mail -> the model's tokens -> a row -> `p(spam)`. The analyzer's per-thread
//! feature cache spares re-analyzing words a thread has seen. See [`Scorer`].

use rustc_hash::FxHashMap;

use super::Model;
use crate::analyze::{Analyzer, NOT_A_FEATURE, Notes, TokenKinds};
use crate::vocab::TermCountsBuilder;

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
/// For each message it tokenizes with the model's analyzer, counts every distinct token,
/// turns the counts into row values with [`Scheme::row_values`] and computes
/// `margin = intercept + sum_j w_j x_j`, `p_spam = 1 / (1 + exp(-margin))`.
///
/// Counting *every* token, not just the model's features, matters with `l2_normalize`: the
/// norm a row is divided by runs over all of the message's tokens, including those that got
/// a zero weight (or were never in the model). This reproduces training only if training
/// normalizes each row over all of the message's tokens too, i.e. before any vocabulary
/// pruning drops columns. Without `l2_normalize` only the model's features matter, and only
/// the token kinds that can be features are tokenized.
///
/// A token is looked up, without allocating, in a term -> feature hash map (FxHash, as
/// the vocabulary uses) built once; per message a few buffers grow with the message, never
/// one per token. With `l2_normalize` every token is also copied and sorted, since the
/// norm counts them all.
///
/// [`Scheme::row_values`]: crate::dataset::Scheme::row_values
#[derive(Clone, Debug)]
pub struct Scorer {
    model: Model,
    analyzer: Analyzer,
    /// term -> feature index.
    index: FxHashMap<Box<str>, usize>,
    /// The kinds of tokens that can be features (header fields tagged in some feature, ...):
    /// the only ones tokenized, unless rows are L2-normalized, whose norm counts every token.
    kinds: TokenKinds,
}

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
        let kinds = analyzer.kinds_for(model.terms.iter().map(String::as_str));
        Scorer {
            model,
            analyzer,
            index,
            kinds,
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
        self.contributions(&self.row(raw), top)
    }

    /// [`Scorer::score`] and [`Scorer::explain`] of one message, which is tokenized once.
    pub fn score_and_explain(&self, raw: &[u8], top: usize) -> (Score, Vec<(&str, f64)>) {
        let row = self.row(raw);
        let contributions = self.contributions(&row, top);
        (self.score_row(row), contributions)
    }

    /// The `top` largest contributions `w_j * x_j` of a row; see [`Scorer::explain`].
    fn contributions(&self, row: &Row, top: usize) -> Vec<(&str, f64)> {
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

    /// Builds a message's row, with the values training would give it (see the type's docs
    /// on `l2_normalize`).
    fn row(&self, raw: &[u8]) -> Row {
        if self.model.scheme.l2_normalize {
            self.row_of_tokens(|sink| self.analyzer.tokenize(raw, sink))
        } else {
            let lookup = |token: &str| self.lookup(token).map(|j| j as u32);
            self.row_of_hits(|hit| self.analyzer.feature_hits(raw, &self.kinds, &lookup, hit))
        }
    }

    /// A row under `l2_normalize`, from every token `tokenize` feeds to its sink: every
    /// distinct token counts towards the norm (see the type's docs).
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
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::dataset::Weighting;
    use crate::model::ModelParts;
    use crate::model::testing::{any_model, scheme, summary, tiny};

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
    fn score_and_explain_is_score_and_explain() {
        for l2 in [false, true] {
            let scorer = Scorer::new(tiny(scheme(Weighting::Counts, l2)));
            let raw = b"Subject: cash\r\n\r\ncash cash lunch click cash hello\r\n";
            for top in [0, 1, 10] {
                let (score, explained) = scorer.score_and_explain(raw, top);
                assert_eq!(score, scorer.score(raw));
                assert_eq!(explained, scorer.explain(raw, top));
            }
        }
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

    /// Scores of a thread whose feature cache is warm, and shared by turns between two scorers,
    /// equal those of fresh threads, which score their first message without a cache.
    #[test]
    fn cached_scores_equal_first_scores() {
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

    proptest! {
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
