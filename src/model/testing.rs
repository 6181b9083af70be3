//! Fixtures shared by the model's unit tests: small models, and proptest strategies for
//! any valid one.

use proptest::prelude::*;

use super::{Model, ModelParts, TrainingSummary};
use crate::dataset::{Scheme, Weighting};

/// A summary with CV figures, dated and versioned.
pub(crate) fn summary() -> TrainingSummary {
    TrainingSummary {
        spam_messages: 3,
        ham_messages: 4,
        cv_auc: Some(0.97),
        cv_auc_se: Some(0.01),
        lambda_rule: "lambda_1se of 10-fold CV".into(),
        decision_rule: "out of fold".into(),
        version: "0.1.0".into(),
        date: "2026-11-26T09:30:00Z".into(),
    }
}

/// cash 2, click 0.5, lunch -1.5; intercept -0.25.
pub(crate) fn tiny(scheme: Scheme) -> Model {
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

/// The row scheme of `weighting`, L2-normalized or not.
pub(crate) fn scheme(weighting: Weighting, l2_normalize: bool) -> Scheme {
    Scheme {
        weighting,
        l2_normalize,
    }
}

/// Any of the six row schemes.
pub(crate) fn any_scheme() -> impl Strategy<Value = Scheme> {
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

/// Any valid model: up to 40 features (ASCII or any printable text), weights of every
/// magnitude down to subnormal, any scheme, decision rule and CV figures.
pub(crate) fn any_model() -> impl Strategy<Value = Model> {
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
                let unsure = band.map(|(a, b)| (threshold * a, threshold + (1.0 - threshold) * b));
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
