//! Ridge (alpha = 0) through the binary, the (lambda1, lambda2) form of the
//! penalty, and `train --compare`.

use crate::util::{Dir, assert_one_line_error, sample, stderr, stdout};

fn real300() -> String {
    format!(
        "{}/tests/data/solver/real300.svm",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn ridge_trains_certifies_and_classifies() {
    let dir = Dir::new();
    let out = dir.run(&[
        "train", "--alpha", "0", "--lambda", "0.003", "-o", "r.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // Every term of the vocabulary keeps a weight: "features:    N of N kept (alpha 0)".
    let line = text.lines().find(|l| l.starts_with("features:")).unwrap();
    let counts: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(counts[1], counts[3], "{line}");
    assert!(line.ends_with("(alpha 0)"), "{line}");
    assert!(text.contains("certificate: relative duality gap"), "{text}");
    assert!(!text.contains("NOT converged"), "{text}");
    let inspect = stdout(&dir.run(&["inspect", "-m", "r.model"]));
    assert!(inspect.contains("alpha:           0\n"), "{inspect}");
    assert!(
        inspect.contains(&format!("features:        {}\n", counts[1])),
        "{inspect}"
    );
    // l1 = 0, l2 = lambda / 2.
    assert!(
        inspect.contains("l1, l2:          0.000000e0, 1.500000e-3"),
        "{inspect}"
    );
    let words = dir.run(&["words", "-m", "r.model", "--top", "2"]);
    assert_eq!(stdout(&words).lines().count(), 4);
    assert!(
        stderr(&words).contains("words: the top 2 of "),
        "{}",
        stderr(&words)
    );
    // Every message of the sample goes to its own side.
    for label in ["spam", "ham"] {
        let folder = sample().join(label);
        let out = dir.run(&["classify", "-m", "r.model", folder.to_str().unwrap()]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.lines().count() > 100, "{text}");
        assert!(
            text.lines().all(|l| l.starts_with(&format!("{label}\t"))),
            "{text}"
        );
    }
}

#[test]
fn the_l1_l2_form_is_the_lambda_alpha_form() {
    let dir = Dir::new();
    let svm = real300();
    let common = ["train", "--svmlight", svm.as_str(), "--threshold", "0.5"];
    let a = dir.run(
        &[
            &common[..],
            &["--l1", "0.002", "--l2", "0.001", "-o", "a.model"],
        ]
        .concat(),
    );
    assert!(a.status.success(), "{}", stderr(&a));
    let b = dir.run(
        &[
            &common[..],
            &["--lambda", "0.004", "--alpha", "0.5", "-o", "b.model"],
        ]
        .concat(),
    );
    assert!(b.status.success(), "{}", stderr(&b));
    let words = |m: &str| stdout(&dir.run(&["words", "-m", m]));
    assert_eq!(words("a.model"), words("b.model"));
    assert!(!words("a.model").is_empty());
    let inspect = stdout(&dir.run(&["inspect", "-m", "a.model"]));
    assert!(inspect.contains("alpha:           0.5\n"), "{inspect}");
    assert!(
        inspect.contains("l1, l2:          2.000000e-3, 1.000000e-3"),
        "{inspect}"
    );
    // Both forms at once, one weight alone, or a negative weight: a one-line error.
    let both = dir.run(
        &[
            &common[..],
            &["--l1", "0.1", "--l2", "0.1", "--alpha", "0.5"],
        ]
        .concat(),
    );
    assert_one_line_error(&both, &["--l1", "--alpha"]);
    let alone = dir.run(&[&common[..], &["--l1", "0.1"]].concat());
    assert_one_line_error(&alone, &["--l2"]);
    let negative = dir.run(&[&common[..], &["--l1=-1", "--l2", "0"]].concat());
    assert_one_line_error(&negative, &["l1", "-1"]);
}

#[test]
fn compare_fits_the_three_penalties_and_writes_the_asked_one() {
    let dir = Dir::new();
    let svm = real300();
    let out = dir.run(&[
        "train",
        "--svmlight",
        &svm,
        "--compare",
        "--cv",
        "3",
        "--nlambda",
        "15",
        "--alpha",
        "0.2",
        "-o",
        "c.model",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("penalty"))
        .skip(1)
        .take(4)
        .collect();
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names, ["L1", "EN", "L2", "EN"], "{text}");
    // The ridge row keeps more features than the lasso row.
    let features = |row: &str| -> usize {
        let f: Vec<&str> = row.split_whitespace().collect();
        f[f.len() - 4].parse().unwrap()
    };
    assert!(features(rows[2]) > features(rows[0]), "{text}");
    let inspect = stdout(&dir.run(&["inspect", "-m", "c.model"]));
    assert!(inspect.contains("alpha:           0.2\n"), "{inspect}");
}
