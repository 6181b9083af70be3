//! Evaluation metrics: ROC AUC, the confusion matrix and its rates, spam recall at a
//! bounded ham false-positive rate, and the binomial deviance; AUC and deviance also
//! weighted, as cross-validation scores its folds.
//!
//! Conventions, shared by every function here:
//!
//! * `labels[i]` is `true` for spam (the positive class), `false` for ham.
//! * `scores[i]` is any score where larger means "more spammy" (a probability or a margin);
//!   a message is called spam when its score is `>= threshold`.
//! * `scores` and `labels` must have the same length and scores must not be NaN. Breaking
//!   this is a bug in the caller and panics with a message.
//!
//! ```
//! use sparsetext::metrics::{Confusion, auc};
//!
//! let scores = [0.9, 0.8, 0.3, 0.1];
//! let labels = [true, false, true, false];
//! assert_eq!(auc(&scores, &labels), Some(0.75));
//! let c = Confusion::new(&scores, &labels, 0.5);
//! assert_eq!((c.tp, c.fp, c.tn, c.fn_), (1, 1, 1, 1));
//! assert_eq!(c.accuracy(), 0.5);
//! # Ok::<(), sparsetext::Error>(())
//! ```

/// Probabilities are clamped to `[PROB_MIN, 1 - PROB_MIN]` before taking logs in
/// [`binomial_deviance`], as glmnet does (cran/glmnet: R/cv.lognet.R, `prob_min = 1e-05`,
/// `predmat = pmin(pmax(predmat, prob_min), prob_max)`).
pub const PROB_MIN: f64 = 1e-5;

fn check_weights(weights: &[f64], labels: &[bool]) {
    assert_eq!(
        weights.len(),
        labels.len(),
        "metrics: {} weights but {} labels",
        weights.len(),
        labels.len()
    );
}

fn check_inputs(scores: &[f64], labels: &[bool]) {
    assert_eq!(
        scores.len(),
        labels.len(),
        "metrics: {} scores but {} labels",
        scores.len(),
        labels.len()
    );
    assert!(
        !scores.iter().any(|s| s.is_nan()),
        "metrics: a score is NaN"
    );
}

/// Indices of `scores` sorted by score, ascending (ties in index order).
fn order_ascending(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    order
}

/// Indices of `scores` sorted by score, descending (ties in index order).
fn order_descending(scores: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order
}

/// Calls `f(spam, ham)` once per group of tied scores, in the order of
/// `order` (indices sorted by score), with the group's spam and ham weights
/// (`weight(i)` per message, summed in index order).
fn for_each_tie_group<W: Copy + Default + std::ops::AddAssign>(
    scores: &[f64],
    labels: &[bool],
    order: &[usize],
    weight: impl Fn(usize) -> W,
    mut f: impl FnMut(W, W),
) {
    let mut i = 0;
    while i < order.len() {
        let score = scores[order[i]];
        let (mut spam, mut ham) = (W::default(), W::default());
        // `==` rather than total_cmp so that -0.0 and 0.0 tie.
        while i < order.len() && scores[order[i]] == score {
            if labels[order[i]] {
                spam += weight(order[i]);
            } else {
                ham += weight(order[i]);
            }
            i += 1;
        }
        f(spam, ham);
    }
}

/// [`for_each_tie_group`] with the groups' spam and ham counts.
fn for_each_tie_count(scores: &[f64], labels: &[bool], order: &[usize], f: impl FnMut(u64, u64)) {
    for_each_tie_group(scores, labels, order, |_| 1u64, f);
}

/// Area under the ROC curve: the probability that a random spam scores above a random ham,
/// counting ties as one half (the Mann-Whitney U statistic over `n_spam * n_ham`).
///
/// `None` when either class is absent (the AUC is undefined). O(n log n): one sort, then one
/// pass over groups of tied scores.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    check_inputs(scores, labels);
    let n_spam = labels.iter().filter(|&&l| l).count() as u64;
    let n_ham = labels.len() as u64 - n_spam;
    if n_spam == 0 || n_ham == 0 {
        return None;
    }
    // Walking scores upwards, every ham seen so far scores below the group's spam, and the
    // group's own ham ties with it. Count the (spam, ham) pairs spam wins, ties as half, in
    // exact integers by doubling: a win adds 2, a tie 1.
    let mut ham_below = 0u64;
    let mut twice_spam_wins = 0u128;
    let order = order_ascending(scores);
    for_each_tie_count(scores, labels, &order, |spam, ham| {
        twice_spam_wins += u128::from(spam) * u128::from(2 * ham_below + ham);
        ham_below += ham;
    });
    let pairs = u128::from(n_spam) * u128::from(n_ham);
    // Each pair counts 2 in all, to spam's wins or ham's.
    let twice_ham_wins = 2 * pairs - twice_spam_wins;
    Some(1.0 - twice_ham_wins as f64 / (2 * pairs) as f64)
}

/// [`auc`] with observation weights: each (spam, ham) pair counts the product of their
/// weights. `None` when either class has no weight.
pub fn weighted_auc(scores: &[f64], labels: &[bool], weights: &[f64]) -> Option<f64> {
    check_inputs(scores, labels);
    check_weights(weights, labels);
    let (mut ham_below, mut num) = (0.0, 0.0);
    let (mut spam_total, mut ham_total) = (0.0, 0.0);
    let order = order_ascending(scores);
    for_each_tie_group(
        scores,
        labels,
        &order,
        |i| weights[i],
        |spam, ham| {
            num += spam * (ham_below + 0.5 * ham);
            ham_below += ham;
            spam_total += spam;
            ham_total += ham;
        },
    );
    (spam_total > 0.0 && ham_total > 0.0).then(|| num / (spam_total * ham_total))
}

/// Counts of a thresholded classifier: spam is predicted when `score >= threshold`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Confusion {
    /// Spam called spam.
    pub tp: u64,
    /// Ham called spam (the costly mistake).
    pub fp: u64,
    /// Ham called ham.
    pub tn: u64,
    /// Spam called ham.
    pub fn_: u64,
}

/// `num / den`, or `empty` when `den` is 0.
fn ratio(num: u64, den: u64, empty: f64) -> f64 {
    if den == 0 {
        empty
    } else {
        num as f64 / den as f64
    }
}

impl Confusion {
    /// Tallies `scores` against `labels`, predicting spam when `score >= threshold`.
    pub fn new(scores: &[f64], labels: &[bool], threshold: f64) -> Confusion {
        check_inputs(scores, labels);
        let mut c = Confusion::default();
        for (&s, &spam) in scores.iter().zip(labels) {
            match (s >= threshold, spam) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.fn_ += 1,
            }
        }
        c
    }

    /// Number of messages.
    pub fn total(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    // An empty denominator means there was nothing to get wrong: error rates (fpr, fnr) are
    // then 0 and success rates (accuracy, precision, recall) are 1. This keeps
    // `recall + fnr == 1` and `accuracy == 1 - errors / total` true in every case.

    /// (tp + tn) / total; 1 when there are no messages.
    pub fn accuracy(&self) -> f64 {
        ratio(self.tp + self.tn, self.total(), 1.0)
    }

    /// tp / (tp + fp): the share of messages called spam that are spam; 1 when nothing was
    /// called spam (no false accusation was made).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp, 1.0)
    }

    /// tp / (tp + fn): the share of spam caught; 1 when there is no spam.
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_, 1.0)
    }

    /// fp / (fp + tn): the share of ham wrongly called spam; 0 when there is no ham.
    pub fn fpr(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn, 0.0)
    }

    /// fn / (tp + fn): the share of spam missed; 0 when there is no spam.
    pub fn fnr(&self) -> f64 {
        ratio(self.fn_, self.tp + self.fn_, 0.0)
    }
}

/// The best spam recall reachable by some threshold whose ham false-positive rate is at most
/// `max_fpr`.
///
/// Thresholds are placed between distinct scores (tied messages are always called alike), so
/// the answer is attainable. Follows the conventions of [`Confusion`]: with no spam the
/// recall is 1; with no ham every threshold has FPR 0.
pub fn recall_at_fpr(scores: &[f64], labels: &[bool], max_fpr: f64) -> f64 {
    check_inputs(scores, labels);
    let n_spam = labels.iter().filter(|&&l| l).count() as u64;
    let n_ham = labels.len() as u64 - n_spam;
    if n_spam == 0 {
        return 1.0;
    }
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut best = 0u64;
    // Lower the threshold one tie group at a time; fp only grows, so stop at the first
    // group that pushes the FPR over the bound.
    let mut over = false;
    let order = order_descending(scores);
    for_each_tie_count(scores, labels, &order, |spam, ham| {
        if over {
            return;
        }
        tp += spam;
        fp += ham;
        if ratio(fp, n_ham, 0.0) <= max_fpr {
            best = tp;
        } else {
            over = true;
        }
    });
    best as f64 / n_spam as f64
}

/// One point of an ROC curve: every message scoring at least `threshold` called spam.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RocPoint {
    /// The lowest score called spam.
    pub threshold: f64,
    /// Ham called spam, as a fraction of ham (0 without ham).
    pub fpr: f64,
    /// Spam called spam, as a fraction of spam (1 without spam).
    pub tpr: f64,
}

/// The ROC curve: one point per distinct score, the threshold lowered from the highest
/// score to the lowest (tied messages are always called alike), after a first point at
/// `threshold = +inf` where nothing is called spam. FPR and TPR never decrease along it.
pub fn roc_curve(scores: &[f64], labels: &[bool]) -> Vec<RocPoint> {
    check_inputs(scores, labels);
    let n_spam = labels.iter().filter(|&&l| l).count() as u64;
    let n_ham = labels.len() as u64 - n_spam;
    let point = |threshold, tp, fp| RocPoint {
        threshold,
        fpr: ratio(fp, n_ham, 0.0),
        tpr: ratio(tp, n_spam, 1.0),
    };
    let mut curve = vec![point(f64::INFINITY, 0, 0)];
    let (mut tp, mut fp) = (0u64, 0u64);
    let order = order_descending(scores);
    for_each_tie_count(scores, labels, &order, |spam, ham| {
        tp += spam;
        fp += ham;
        // The group ends at message tp + fp of the descending order.
        let threshold = scores[order[(tp + fp) as usize - 1]];
        curve.push(point(threshold, tp, fp));
    });
    curve
}

/// Mean binomial deviance of probabilities `p` (of spam) against `labels`:
/// `mean(-2 * (y * ln p + (1 - y) * ln(1 - p)))`, with `p` clamped to
/// `[PROB_MIN, 1 - PROB_MIN]` first, as glmnet does for `type.measure = "deviance"`
/// (cran/glmnet: R/cv.lognet.R), so one confident mistake costs at most
/// `-2 ln(1e-5) ~ 23.03` instead of infinity.
///
/// NaN for empty input (the mean of nothing).
pub fn binomial_deviance(p: &[f64], labels: &[bool]) -> f64 {
    check_inputs(p, labels);
    deviance_sum(p, labels, |_| 1.0) / p.len() as f64
}

/// [`binomial_deviance`] with observation weights: `sum_i s_i d_i / sum_i s_i` for the
/// messages' deviances d_i. NaN when the weights sum to 0.
pub fn weighted_binomial_deviance(p: &[f64], labels: &[bool], weights: &[f64]) -> f64 {
    check_inputs(p, labels);
    check_weights(weights, labels);
    let total: f64 = weights.iter().sum();
    deviance_sum(p, labels, |i| weights[i]) / total
}

/// `sum_i -2 s_i (y_i ln p_i + (1 - y_i) ln(1 - p_i))`, p clamped (see [`PROB_MIN`]).
fn deviance_sum(p: &[f64], labels: &[bool], weight: impl Fn(usize) -> f64) -> f64 {
    let mut total = 0.0;
    for (i, (&p, &spam)) in p.iter().zip(labels).enumerate() {
        let p = p.clamp(PROB_MIN, 1.0 - PROB_MIN);
        total += -2.0 * weight(i) * if spam { p.ln() } else { (1.0 - p).ln() };
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn roc_curve_points_are_the_confusions_at_each_distinct_score() {
        let scores = [0.9, 0.8, 0.8, 0.3, 0.1];
        let labels = [true, true, false, true, false];
        let curve = roc_curve(&scores, &labels);
        assert_eq!(curve.len(), 5, "+inf and four distinct scores");
        assert_eq!((curve[0].fpr, curve[0].tpr), (0.0, 0.0));
        for p in &curve[1..] {
            let c = Confusion::new(&scores, &labels, p.threshold);
            assert_eq!((p.fpr, p.tpr), (c.fpr(), c.recall()), "at {}", p.threshold);
        }
        assert_eq!((curve[4].fpr, curve[4].tpr), (1.0, 1.0));
    }

    /// O(n^2) AUC straight from the definition.
    fn brute_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
        let (mut wins, mut pairs) = (0.0, 0.0);
        for (i, &si) in scores.iter().enumerate() {
            for (j, &sj) in scores.iter().enumerate() {
                if labels[i] && !labels[j] {
                    pairs += 1.0;
                    if si > sj {
                        wins += 1.0;
                    } else if si == sj {
                        wins += 0.5;
                    }
                }
            }
        }
        (pairs > 0.0).then(|| wins / pairs)
    }

    /// Best recall with FPR <= max_fpr, trying every threshold (each score, and +inf).
    fn brute_recall_at_fpr(scores: &[f64], labels: &[bool], max_fpr: f64) -> f64 {
        let mut best: f64 = 0.0;
        let candidates = scores.iter().copied().chain([f64::INFINITY]);
        for t in candidates {
            let c = Confusion::new(scores, labels, t);
            if c.fpr() <= max_fpr {
                best = best.max(c.recall());
            }
        }
        best
    }

    #[test]
    fn auc_hand_cases() {
        // Perfect, reversed, and all tied.
        assert_eq!(auc(&[0.9, 0.1], &[true, false]), Some(1.0));
        assert_eq!(auc(&[0.1, 0.9], &[true, false]), Some(0.0));
        assert_eq!(auc(&[0.5, 0.5, 0.5], &[true, false, false]), Some(0.5));
        // Spam {0.8, 0.4}, ham {0.6, 0.4, 0.2}: pairs (0.8 beats all 3) + (0.4: beats 0.2,
        // ties 0.4, loses to 0.6) = 3 + 1.5 = 4.5 of 6.
        let scores = [0.8, 0.4, 0.6, 0.4, 0.2];
        let labels = [true, true, false, false, false];
        assert_eq!(auc(&scores, &labels), Some(0.75));
        // -0.0 and 0.0 are the same score: a tie.
        assert_eq!(auc(&[0.0, -0.0], &[true, false]), Some(0.5));
        // Infinite margins are fine.
        assert_eq!(
            auc(&[f64::INFINITY, f64::NEG_INFINITY], &[true, false]),
            Some(1.0)
        );
    }

    #[test]
    fn weighted_auc_counts_ties_half() {
        let w = [1.0; 4];
        assert_eq!(
            weighted_auc(&[0.1, 0.2, 0.3, 0.4], &[false, false, true, true], &w),
            Some(1.0)
        );
        assert_eq!(
            weighted_auc(&[0.1, 0.2, 0.3, 0.4], &[true, true, false, false], &w),
            Some(0.0)
        );
        assert_eq!(
            weighted_auc(&[0.5; 4], &[true, false, true, false], &w),
            Some(0.5)
        );
        assert_eq!(weighted_auc(&[0.1, 0.2], &[true, true], &w[..2]), None);
    }

    #[test]
    fn auc_undefined_with_one_class() {
        assert_eq!(auc(&[], &[]), None);
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(auc(&[0.1, 0.2], &[false, false]), None);
    }

    #[test]
    #[should_panic(expected = "2 scores but 1 labels")]
    fn length_mismatch_panics() {
        auc(&[0.1, 0.2], &[true]);
    }

    #[test]
    #[should_panic(expected = "NaN")]
    fn nan_score_panics() {
        auc(&[0.1, f64::NAN], &[true, false]);
    }

    #[test]
    fn confusion_hand_case() {
        let scores = [0.9, 0.7, 0.5, 0.4, 0.2, 0.1];
        let labels = [true, false, true, true, false, false];
        let c = Confusion::new(&scores, &labels, 0.5);
        // >= 0.5 is spam: 0.9 (tp), 0.7 (fp), 0.5 (tp); then 0.4 (fn), 0.2 / 0.1 (tn).
        assert_eq!(
            c,
            Confusion {
                tp: 2,
                fp: 1,
                tn: 2,
                fn_: 1
            }
        );
        assert_eq!(c.total(), 6);
        assert_eq!(c.accuracy(), 4.0 / 6.0);
        assert_eq!(c.precision(), 2.0 / 3.0);
        assert_eq!(c.recall(), 2.0 / 3.0);
        assert_eq!(c.fpr(), 1.0 / 3.0);
        assert_eq!(c.fnr(), 1.0 / 3.0);
    }

    #[test]
    fn confusion_empty_denominators() {
        let none = Confusion::default();
        assert_eq!(
            (
                none.accuracy(),
                none.precision(),
                none.recall(),
                none.fpr(),
                none.fnr()
            ),
            (1.0, 1.0, 1.0, 0.0, 0.0)
        );
        // Ham only, none flagged: nothing called spam, no spam to catch.
        let c = Confusion::new(&[0.1, 0.2], &[false, false], 0.5);
        assert_eq!((c.precision(), c.recall(), c.fpr()), (1.0, 1.0, 0.0));
        // Spam only, all missed.
        let c = Confusion::new(&[0.1, 0.2], &[true, true], 0.5);
        assert_eq!((c.recall(), c.fnr(), c.fpr()), (0.0, 1.0, 0.0));
    }

    #[test]
    fn recall_at_fpr_hand_cases() {
        // Descending: s(0.9) h(0.8) s(0.7) s(0.6) h(0.3) s(0.2)
        let scores = [0.9, 0.8, 0.7, 0.6, 0.3, 0.2];
        let labels = [true, false, true, true, false, true];
        assert_eq!(recall_at_fpr(&scores, &labels, 0.0), 0.25);
        assert_eq!(recall_at_fpr(&scores, &labels, 0.49), 0.25);
        assert_eq!(recall_at_fpr(&scores, &labels, 0.5), 0.75);
        assert_eq!(recall_at_fpr(&scores, &labels, 1.0), 1.0);
        // A ham tied with the top spam: no threshold separates them.
        assert_eq!(recall_at_fpr(&[0.9, 0.9], &[true, false], 0.0), 0.0);
        assert_eq!(recall_at_fpr(&[0.9, 0.9], &[true, false], 1.0), 1.0);
        // Degenerate classes.
        assert_eq!(recall_at_fpr(&[0.1], &[false], 0.0), 1.0);
        assert_eq!(recall_at_fpr(&[0.1, 0.5], &[true, true], 0.0), 1.0);
    }

    #[test]
    fn deviance_hand_cases() {
        // -2 ln 0.5 for each message.
        let d = binomial_deviance(&[0.5, 0.5], &[true, false]);
        assert!((d - 2.0 * std::f64::consts::LN_2).abs() < 1e-15);
        // p = 0.8 for spam, 0.8 for ham: (-2 ln .8 - 2 ln .2) / 2.
        let d = binomial_deviance(&[0.8, 0.8], &[true, false]);
        assert!((d - (-(0.8f64.ln()) - 0.2f64.ln())).abs() < 1e-12);
        // Clamped: a confident mistake costs -2 ln(1e-5), not infinity.
        let d = binomial_deviance(&[0.0], &[true]);
        assert!((d - (-2.0 * 1e-5f64.ln())).abs() < 1e-12, "{d}");
        let d = binomial_deviance(&[1.0], &[true]);
        assert!((d - (-2.0 * (1.0 - 1e-5f64).ln())).abs() < 1e-15, "{d}");
        assert!(binomial_deviance(&[], &[]).is_nan());
    }

    fn scored_labels() -> impl Strategy<Value = (Vec<f64>, Vec<bool>)> {
        // Few distinct scores so ties are common.
        prop::collection::vec(
            ((0u8..8).prop_map(|s| f64::from(s) / 8.0), any::<bool>()),
            0..40,
        )
        .prop_map(|v| v.into_iter().unzip())
    }

    proptest! {
        #[test]
        fn auc_matches_brute_force((scores, labels) in scored_labels()) {
            let fast = auc(&scores, &labels);
            let slow = brute_auc(&scores, &labels);
            match (fast, slow) {
                (Some(a), Some(b)) => prop_assert!((a - b).abs() < 1e-12, "{a} vs {b}"),
                (a, b) => prop_assert_eq!(a, b),
            }
        }

        #[test]
        fn recall_at_fpr_matches_brute_force(
            (scores, labels) in scored_labels(),
            max_fpr in 0.0f64..=1.0,
        ) {
            prop_assert_eq!(
                recall_at_fpr(&scores, &labels, max_fpr),
                brute_recall_at_fpr(&scores, &labels, max_fpr)
            );
        }

        #[test]
        fn confusion_rates_are_consistent(
            (scores, labels) in scored_labels(),
            threshold in 0.0f64..1.0,
        ) {
            let c = Confusion::new(&scores, &labels, threshold);
            prop_assert_eq!(c.total(), scores.len() as u64);
            prop_assert!((c.recall() + c.fnr() - 1.0).abs() < 1e-12);
            let errors = (c.fp + c.fn_) as f64;
            if c.total() > 0 {
                prop_assert!((c.accuracy() - (1.0 - errors / c.total() as f64)).abs() < 1e-12);
            }
        }
    }
}
