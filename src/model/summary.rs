//! [`TrainingSummary`]: how and when a model was trained, for `inspect`; and the civil date
//! it records, computed from Unix seconds without a calendar dependency.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

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
    /// How the threshold and unsure band were chosen (empty in models of format version 2,
    /// which did not record it).
    pub decision_rule: String,
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
            decision_rule: String::new(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
