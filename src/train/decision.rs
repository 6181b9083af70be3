//! The model's decision rule: a spam threshold and an unsure band, either given or chosen
//! from out-of-fold probabilities.
//!
//! A probability of 0.5 is the even-odds point of the training mail's own spam share. Mail
//! from a later period arrives with another share and with words the model never saw, so a
//! filter that must call almost no ham spam sets its spam cut where the training ham ends,
//! as bogofilter's `spam_cutoff` does, and sends what falls between its ham and spam cuts to
//! a human (bogofilter's "unsure"). Out-of-fold probabilities (each message scored by the
//! cross-validation fit that did not see it) are what the model will do on unseen mail, so
//! the cuts are read off them:
//!
//! - the spam cut `high`: the lowest probability at and above which at most a share
//!   `fpr_target` of the training ham falls, and never below 0.5;
//! - the ham cut `low`: the highest probability below which at most a share `fnr_target` of
//!   the training spam falls, and never above 0.5 nor `high`.
//!
//! Between them a message is unsure; the threshold is `high`.

use crate::error::{Error, Result};

/// How the model decides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DecisionRule {
    /// Cuts read off the out-of-fold probabilities (see the [module docs](self)); without
    /// cross-validation (a fixed lambda), 0.5 and no band.
    OutOfFold {
        /// Share of the training ham at or above the spam cut, in [0, 0.5).
        fpr_target: f64,
        /// Share of the training spam below the ham cut, in [0, 0.5).
        fnr_target: f64,
    },
    /// This threshold and band (checked as [`crate::model::Model::set_decision`] does).
    Given {
        /// Spam at and above this probability.
        threshold: f64,
        /// Ham below `low`, spam from `high`, unsure between.
        unsure: Option<(f64, f64)>,
    },
}

/// Default share of the training ham (out of fold) the spam verdict may take.
pub const DEFAULT_FPR_TARGET: f64 = 0.0025;
/// Default share of the training spam (out of fold) the ham verdict may take.
pub const DEFAULT_FNR_TARGET: f64 = 0.01;

impl Default for DecisionRule {
    fn default() -> Self {
        DecisionRule::OutOfFold {
            fpr_target: DEFAULT_FPR_TARGET,
            fnr_target: DEFAULT_FNR_TARGET,
        }
    }
}

impl DecisionRule {
    /// Checks the targets or the given threshold and band.
    pub(crate) fn check(&self) -> Result<()> {
        match *self {
            DecisionRule::OutOfFold {
                fpr_target,
                fnr_target,
            } => {
                for (name, value) in [("fpr_target", fpr_target), ("fnr_target", fnr_target)] {
                    if !(0.0..0.5).contains(&value) {
                        return Err(Error::InvalidParam {
                            name,
                            value: value.to_string(),
                            reason: "must be in [0, 0.5)".into(),
                        });
                    }
                }
                Ok(())
            }
            DecisionRule::Given { threshold, unsure } => {
                crate::model::check_decision(threshold, unsure).map_err(Error::from)
            }
        }
    }
}

/// A decision rule's outcome: the model's threshold and band, and how they were chosen.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Spam at and above this probability.
    pub threshold: f64,
    /// Ham below `low`, spam from `high`, unsure between; `None` when the cuts meet.
    pub unsure: Option<(f64, f64)>,
    /// How they were chosen, for the model's summary.
    pub rule: String,
}

/// The cuts of [`DecisionRule::OutOfFold`] for out-of-fold spam probabilities `p` of
/// messages labelled `y` (true: spam); see the [module docs](self). Both classes present.
pub(crate) fn out_of_fold(p: &[f64], y: &[bool], fpr_target: f64, fnr_target: f64) -> Decision {
    let mut ham: Vec<f64> = p
        .iter()
        .zip(y)
        .filter(|(_, s)| !**s)
        .map(|(p, _)| *p)
        .collect();
    let mut spam: Vec<f64> = p
        .iter()
        .zip(y)
        .filter(|(_, s)| **s)
        .map(|(p, _)| *p)
        .collect();
    ham.sort_by(|a, b| b.total_cmp(a));
    spam.sort_by(f64::total_cmp);
    // At most `allowed` ham at or above `high`: just above the (allowed + 1)-th highest.
    let allowed = (fpr_target * ham.len() as f64).floor() as usize;
    let high = ham
        .get(allowed)
        .map_or(0.5, |&p| p.next_up())
        .clamp(0.5, MAX_CUT);
    // At most `allowed` spam below `low`: the (allowed + 1)-th lowest is not.
    let allowed = (fnr_target * spam.len() as f64).floor() as usize;
    let low = spam
        .get(allowed)
        .map_or(0.5, |&p| p)
        .clamp(MIN_CUT, 0.5)
        .min(high);
    let rule = format!(
        "out of fold: at most {}% of the training ham at or above the spam cut, {}% of the \
         training spam below the ham cut",
        100.0 * fpr_target,
        100.0 * fnr_target
    );
    Decision {
        threshold: high,
        unsure: (low < high).then_some((low, high)),
        rule,
    }
}

/// The cuts stay inside (0, 1), as the model requires, with room to be printed.
const MIN_CUT: f64 = 1e-6;
const MAX_CUT: f64 = 1.0 - 1e-6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_leave_the_target_shares_outside() {
        // 400 ham at 0.0, 0.001, ..., 0.399 and one at 0.9; 100 spam at 0.30 .. 0.99.
        let mut p: Vec<f64> = (0..400).map(|i| f64::from(i) / 1000.0).collect();
        p.push(0.9);
        let mut y = vec![false; 401];
        p.extend((0..100).map(|i| 0.30 + f64::from(i) * 0.0069));
        y.extend([true; 100]);
        let d = out_of_fold(&p, &y, 0.0025, 0.02);
        // One ham (0.25% of 401 is 1) may be at or above the cut: it is the 0.9 one.
        let ham_above = p
            .iter()
            .zip(&y)
            .filter(|(p, s)| !**s && **p >= d.threshold)
            .count();
        assert_eq!(ham_above, 1);
        assert_eq!(d.threshold, 0.5);
        let (low, high) = d.unsure.expect("a band");
        assert_eq!(high, d.threshold);
        let spam_below = p.iter().zip(&y).filter(|(p, s)| **s && **p < low).count();
        assert_eq!(spam_below, 2);
        assert!(low <= 0.5);
    }

    #[test]
    fn separated_classes_decide_at_even_odds() {
        let p = [0.01, 0.02, 0.97, 0.99];
        let y = [false, false, true, true];
        let d = out_of_fold(&p, &y, 0.0025, 0.01);
        // The spam cut never goes below 0.5, the ham cut never above it.
        assert_eq!((d.threshold, d.unsure), (0.5, None));
    }

    #[test]
    fn targets_are_checked() {
        let rule = |fpr_target, fnr_target| DecisionRule::OutOfFold {
            fpr_target,
            fnr_target,
        };
        assert!(rule(0.0, 0.0).check().is_ok());
        assert!(rule(0.5, 0.01).check().is_err());
        assert!(rule(0.01, f64::NAN).check().is_err());
        let given = |threshold, unsure| DecisionRule::Given { threshold, unsure };
        assert!(given(0.5, Some((0.5, 0.5))).check().is_err());
        assert!(given(0.9, Some((0.4, 0.9))).check().is_ok());
    }
}
