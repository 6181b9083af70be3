use super::*;
use crate::corpus::{Corpus, Item, Label};

const SPAM: &[u8] = b"Subject: cheap pills\n\nCheap pills and cash, click now";
const HAM: &[u8] = b"Subject: agenda\n\nThe agenda of the lunch meeting";

fn explain() -> LearnOptions {
    LearnOptions {
        explain: true,
        ..LearnOptions::default()
    }
}

fn change(model: &Path, bytes: &[u8], action: Action) -> Outcome {
    learn(model, &[(bytes, action)], &explain()).unwrap()
}

#[test]
fn relabel_forget_and_idempotence() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("spam.model");
    testing_train(&model).unwrap();
    let first = change(&model, SPAM, Action::Spam);
    assert_eq!(first.messages[0].change, Change::Added);
    assert_eq!(first.store_counts, (3, 2));
    let m = &first.messages[0];
    assert!(m.after.unwrap() > m.before.unwrap(), "{m:?}");
    let refit = first.refit.as_ref().unwrap();
    assert!(refit.converged && refit.lambda == 0.01);

    let bytes = std::fs::read(&model).unwrap();
    let same = change(&model, SPAM, Action::Spam);
    assert_eq!(same.messages[0].change, Change::Unchanged);
    assert!(same.refit.is_none());
    assert_eq!(std::fs::read(&model).unwrap(), bytes, "nothing written");

    let relabeled = change(&model, SPAM, Action::Ham);
    assert_eq!(relabeled.messages[0].change, Change::Relabeled);
    assert_eq!(relabeled.store_counts, (2, 3));
    let m = &relabeled.messages[0];
    assert!(m.after.unwrap() < m.before.unwrap(), "{m:?}");

    let forgotten = change(&model, SPAM, Action::Forget);
    assert_eq!(forgotten.messages[0].change, Change::Forgotten);
    assert_eq!(forgotten.store_counts, (2, 2));
    let gone = change(&model, SPAM, Action::Forget);
    assert_eq!(gone.messages[0].change, Change::NotFound);
    assert!(gone.refit.is_none());
}

#[test]
fn the_refit_is_the_model_trained_on_the_same_mail() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("spam.model");
    testing_train(&model).unwrap();
    change(&model, SPAM, Action::Spam);
    change(&model, HAM, Action::Ham);
    let learned = Model::load(&model).unwrap();

    // From scratch on the same six messages, at the same lambda.
    let mail = |label, text: &str| Item::from_bytes("m", Some(label), text.into());
    let corpus = Corpus {
        items: vec![
            mail(Label::Spam, "Subject: cash now\n\nWin cash, cheap pills"),
            mail(Label::Spam, "Subject: offer\n\nCash prizes: click here now"),
            mail(Label::Ham, "Subject: lunch\n\nLunch at noon? The minutes"),
            mail(Label::Ham, "Subject: minutes\n\nThe minutes of the meeting"),
            mail(Label::Spam, std::str::from_utf8(SPAM).unwrap()),
            mail(Label::Ham, std::str::from_utf8(HAM).unwrap()),
        ],
        ..Corpus::default()
    };
    let params = TrainParams::new()
        .min_df(1)
        .lambda(Some(0.01))
        .check()
        .unwrap();
    let scratch = TrainingSet::from_corpus(&corpus, &params)
        .unwrap()
        .train(&params)
        .unwrap()
        .model;
    // Both fits are certified to a relative gap of 1e-6: their scores agree closely.
    let (a, b) = (Scorer::new(learned), Scorer::new(scratch));
    for item in &corpus.items {
        let bytes = item.mail().unwrap();
        let (pa, pb) = (a.score(&bytes).p_spam, b.score(&bytes).p_spam);
        assert!((pa - pb).abs() < 1e-3, "{pa} vs {pb}");
    }
    assert_eq!(a.model().summary().spam_messages, 3);
    assert_eq!(a.model().summary().lambda_rule, "fixed (--lambda)");
}

#[test]
fn the_copy_delivered_to_junk_is_the_message_that_was_learned() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("spam.model");
    testing_train(&model).unwrap();
    change(&model, SPAM, Action::Spam);
    let mut delivered = b"From x@example.com Thu Dec  3 10:00:00 2026\n\
        Return-Path: <x@example.com>\nReceived: from a\n\tby b\n\
        X-Sparsetext: spam p=0.9\nX-Spam-Flag: YES\n"
        .to_vec();
    delivered.extend_from_slice(SPAM);
    let moved = change(&model, &delivered, Action::Ham);
    assert_eq!(moved.messages[0].change, Change::Relabeled);
}

#[test]
fn a_store_of_another_model_or_none_is_refused_and_one_class_is_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.model"), dir.path().join("b.model"));
    testing_train(&a).unwrap();
    let err = learn(&a.with_extension("x"), &[(SPAM, Action::Spam)], &explain()).unwrap_err();
    assert!(err.to_string().contains("no training store"), "{err}");
    testing_train(&b).unwrap();
    change(&b, SPAM, Action::Spam);
    std::fs::copy(dir.path().join("b.store"), dir.path().join("a.store")).unwrap();
    let err = learn(&a, &[(HAM, Action::Ham)], &explain()).unwrap_err();
    assert!(matches!(err, Error::Store { .. }), "{err}");

    // Forgetting both ham would leave one class: an error, and nothing changes.
    testing_train(&a).unwrap();
    let ham1 = b"Subject: lunch\n\nLunch at noon? The minutes";
    let ham2 = b"Subject: minutes\n\nThe minutes of the meeting";
    let model = std::fs::read(&a).unwrap();
    let store = std::fs::read(dir.path().join("a.store")).unwrap();
    let err = learn(
        &a,
        &[(&ham1[..], Action::Forget), (&ham2[..], Action::Forget)],
        &explain(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Training(_)), "{err}");
    assert_eq!(std::fs::read(&a).unwrap(), model);
    assert_eq!(std::fs::read(dir.path().join("a.store")).unwrap(), store);
}

#[test]
fn learn_with_cv_chooses_lambda_again_and_keeps_the_decision() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("spam.model");
    testing_train(&model).unwrap();
    let options = LearnOptions {
        cv: Some(2),
        ..LearnOptions::default()
    };
    let out = learn(
        &model,
        &[(SPAM, Action::Spam), (HAM, Action::Ham)],
        &options,
    )
    .unwrap();
    assert!(out.refit.is_some());
    let m = Model::load(&model).unwrap();
    assert!(
        m.summary().lambda_rule.contains("2-fold CV"),
        "{:?}",
        m.summary()
    );
    assert_eq!(m.threshold(), 0.5);
}
