//! Shard folders (`vectorize --shards`), `import` and `certify`: the round trip,
//! models from outside, certificates against a Spark MLlib reference
//! (tests/data/spark, made by scripts/spark_reference.sh), and bad input.

use std::path::{Path, PathBuf};
use std::process::Output;

use sparsetext::model::Model;
use sparsetext::shards;
use sparsetext::svmlight;

use crate::util::{Dir, assert_one_line_error, sample, shared_model, stderr, stdout};

/// The Spark fixture's folder.
fn spark_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/spark")
}

/// Runs `import --shards SHARDS --weights WEIGHTS -o MODEL EXTRA...`.
fn import(dir: &Dir, shards: &str, weights: &str, model: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "import",
        "--shards",
        shards,
        "--weights",
        weights,
        "-o",
        model,
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
}

/// Runs and asserts success; returns stdout.
fn ok(dir: &Dir, args: &[&str]) -> String {
    succeeded(&dir.run(args))
}

/// Asserts success; returns stdout.
fn succeeded(out: &Output) -> String {
    assert!(out.status.success(), "{}", stderr(out));
    stdout(out)
}

/// `certify --json` parsed.
fn certify(dir: &Dir, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["certify", "--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(dir, &all)).unwrap()
}

/// The weights file of `model` over the shard folder `dir`'s ids, each weight
/// times `scale`.
fn weights_file(model: &Path, shard_dir: &Path, scale: f64) -> String {
    let model = Model::load(model).unwrap();
    let vocab = shards::read(shard_dir).unwrap().vocab;
    let mut text = format!("intercept {}\n", model.intercept());
    for (term, &w) in model.terms().iter().zip(model.weights()) {
        let id = vocab.id(term).unwrap() + 1;
        text.push_str(&format!("{id} {}\n", scale * f64::from(w)));
    }
    text
}

#[test]
fn shards_hold_the_matrix_vectorize_writes() {
    let dir = Dir::new();
    let sample = sample();
    let sample = sample.to_str().unwrap();
    ok(
        &dir,
        &["vectorize", sample, "-o", "x.svm", "--vocab", "v.txt"],
    );
    let printed = ok(
        &dir,
        &["vectorize", sample, "--shards", "sh", "--shard-rows", "128"],
    );
    assert!(printed.contains("-> sh"), "{printed}");
    let back = shards::read(&dir.path("sh")).unwrap();
    let m = &back.manifest;
    assert_eq!((m.rows, m.spam, m.ham, m.id_base), (520, 220, 300, 1));
    let rows: Vec<usize> = m.shards.iter().map(|s| s.rows).collect();
    assert_eq!(rows, [128, 128, 128, 128, 8]);
    assert_eq!(m.provenance.min_df, sparsetext::train::DEFAULT_MIN_DF);
    // The same rows, labels and terms as the single svmlight file.
    let single = svmlight::read(&dir.path("x.svm")).unwrap();
    let vocab = std::fs::read_to_string(dir.path("v.txt")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path("sh/vocab.txt")).unwrap(),
        vocab
    );
    assert_eq!(m.features, vocab.lines().count());
    assert_eq!(back.data.y, single.y);
    assert_eq!(back.data.x.nnz(), single.x.nnz());
    assert_eq!(m.nnz, single.x.nnz());
    for (a, b) in back.data.x.outer_iterator().zip(single.x.outer_iterator()) {
        let ids: Vec<u32> = b
            .indices()
            .iter()
            .map(|&c| single.ids[c as usize] - 1)
            .collect();
        assert_eq!(a.indices(), &ids[..]);
        assert_eq!(a.data(), b.data());
    }
    // The parts' text is the single file's, cut at row boundaries.
    let mut joined = String::new();
    for s in &m.shards {
        joined.push_str(&std::fs::read_to_string(dir.path("sh").join(&s.file)).unwrap());
    }
    assert_eq!(joined, std::fs::read_to_string(dir.path("x.svm")).unwrap());
    // train --shards learns what train --svmlight learns from the same matrix.
    ok(
        &dir,
        &[
            "train", "--shards", "sh", "--lambda", "0.003", "-o", "a.model",
        ],
    );
    ok(
        &dir,
        &[
            "train",
            "--svmlight",
            "x.svm",
            "--vocab",
            "v.txt",
            "--lambda",
            "0.003",
            "-o",
            "b.model",
        ],
    );
    let (a, b) = (
        Model::load(&dir.path("a.model")).unwrap(),
        Model::load(&dir.path("b.model")).unwrap(),
    );
    assert_eq!(a.terms(), b.terms());
    assert_eq!(a.weights(), b.weights());
}

#[test]
fn an_imported_fit_classifies_as_the_fit_and_certifies() {
    let dir = Dir::new();
    let sample = sample();
    let sample = sample.to_str().unwrap();
    ok(&dir, &["vectorize", sample, "--shards", "sh"]);
    ok(
        &dir,
        &[
            "train",
            "--shards",
            "sh",
            "--lambda",
            "0.003",
            "--tol",
            "1e-9",
            "-o",
            "own.model",
        ],
    );
    let own = Model::load(&dir.path("own.model")).unwrap();
    let (lambda, alpha) = (own.lambda().to_string(), own.alpha().to_string());
    dir.write(
        "own.weights",
        weights_file(&dir.path("own.model"), &dir.path("sh"), 1.0),
    );
    let extra = ["--lambda", &lambda, "--alpha", &alpha];
    let printed = succeeded(&import(&dir, "sh", "own.weights", "imported.model", &extra));
    assert!(
        printed.contains(&format!("{} non-zero", own.len())),
        "{printed}"
    );
    let imported = Model::load(&dir.path("imported.model")).unwrap();
    assert_eq!(imported.terms(), own.terms());
    assert_eq!(imported.weights(), own.weights());
    assert_eq!(imported.analyzer(), own.analyzer());
    assert_eq!(
        (imported.lambda(), imported.alpha()),
        (own.lambda(), own.alpha())
    );
    // Mail is scored alike, message by message.
    let by_own = ok(&dir, &["classify", "-m", "own.model", sample]);
    let by_imported = ok(&dir, &["classify", "-m", "imported.model", sample]);
    assert_eq!(by_own.lines().count(), 520);
    assert_eq!(by_imported, by_own);

    // The fit is certified (its weights rounded to the model's f32 cost little).
    let c = certify(&dir, &["--shards", "sh", "-m", "imported.model"]);
    let gap = c["relative_gap"].as_f64().unwrap();
    assert!((0.0..1e-6).contains(&gap), "{c}");
    assert!(
        c["max_kkt_violation"].as_f64().unwrap() < 1e-4 * own.lambda(),
        "{c}"
    );
    assert_eq!(c["nnz"].as_u64().unwrap() as usize, own.len());
    // Perturbed weights are not.
    dir.write(
        "moved.weights",
        weights_file(&dir.path("own.model"), &dir.path("sh"), 0.7),
    );
    succeeded(&import(&dir, "sh", "moved.weights", "moved.model", &[]));
    let m = certify(
        &dir,
        &[
            "--shards",
            "sh",
            "-m",
            "moved.model",
            "--lambda",
            &lambda,
            "--alpha",
            &alpha,
        ],
    );
    assert!(m["relative_gap"].as_f64().unwrap() > 1e-3, "{m}");
    assert!(m["objective"].as_f64().unwrap() > c["objective"].as_f64().unwrap());
    assert!(
        m["max_kkt_violation"].as_f64().unwrap() > 0.01 * own.lambda(),
        "{m}"
    );
}

/// The fixture's reference.json.
fn spark_reference() -> serde_json::Value {
    let text = std::fs::read_to_string(spark_data().join("reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Writes the parts `names` of the shard folder `shard_dir` as one svmlight
/// file `file` in `dir`: the matrix Spark fitted.
fn join_parts(dir: &Dir, shard_dir: &Path, names: &serde_json::Value, file: &str) {
    let mut joined = String::new();
    for name in names.as_array().unwrap() {
        joined.push_str(&std::fs::read_to_string(shard_dir.join(name.as_str().unwrap())).unwrap());
    }
    dir.write(file, joined);
}

/// Reads `LABEL<TAB>P` lines (Spark's probabilities, `certify --scores`).
fn read_scores(path: &Path) -> Vec<(String, f64)> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| {
            let (label, p) = line.split_once('\t').unwrap();
            (label.to_string(), p.parse().unwrap())
        })
        .collect()
}

/// Asserts the scores file `ours` holds the rows of `spark` with p(spam) equal to 1e-6.
fn assert_scores_equal(spark: &Path, ours: &Path) {
    let (spark, ours) = (read_scores(spark), read_scores(ours));
    assert!(!ours.is_empty());
    assert_eq!(ours.len(), spark.len());
    for (k, (a, b)) in spark.iter().zip(&ours).enumerate() {
        assert_eq!(a.0, b.0, "row {k}'s label");
        assert!(
            (a.1 - b.1).abs() <= 1e-6,
            "row {k}: Spark {} vs ours {}",
            a.1,
            b.1
        );
    }
}

/// Imports Spark's weights `weights` (fitted on the parts `fit["train_shards"]`
/// of the fixture's folder at `fit`'s lambda and alpha), then checks: certify's
/// objective is Spark's, the certificate finds it near optimal and agrees with
/// our own fit's, and the model scores the test shard's rows as Spark did
/// (`probabilities`).
fn check_spark_fit(dir: &Dir, fit: &serde_json::Value, weights: &Path, probabilities: &Path) {
    let shard_dir = spark_data().join("shards");
    let vocab = shard_dir.join("vocab.txt");
    let vocab = vocab.to_str().unwrap();
    let (lambda, alpha) = (
        fit["lambda"].as_f64().unwrap().to_string(),
        fit["alpha"].as_f64().unwrap().to_string(),
    );
    let extra = ["--lambda", &lambda, "--alpha", &alpha];
    succeeded(&import(
        dir,
        shard_dir.to_str().unwrap(),
        weights.to_str().unwrap(),
        "spark.model",
        &extra,
    ));
    join_parts(dir, &shard_dir, &fit["train_shards"], "train.svm");
    let train = ["--svmlight", "train.svm", "--vocab", vocab];
    let c = certify(dir, &[&train[..], &["-m", "spark.model"]].concat());
    // Spark's last objective, at its own f64 weights; ours at the model's f32
    // rounding of them, which moves F by far less than this.
    let spark = fit["objective"].as_f64().unwrap();
    let ours = c["objective"].as_f64().unwrap();
    assert!(
        (ours - spark).abs() <= 1e-7 * spark,
        "{ours} vs Spark's {spark}"
    );
    // Spark ran at tol 1e-12: the certificate finds it near optimal.
    let gap = c["relative_gap"].as_f64().unwrap();
    assert!((0.0..1e-6).contains(&gap), "{c}");
    assert_eq!(c["nnz"].as_u64(), fit["nnz"].as_u64());
    // Our own fit at the same penalty on the same matrix: no worse than
    // Spark's, certified, and each objective above the other's dual bound.
    let own_args = [
        "train", "--lambda", &lambda, "--alpha", &alpha, "--tol", "1e-10",
    ];
    ok(
        dir,
        &[&own_args[..], &train[..], &["-o", "own.model"]].concat(),
    );
    let own = certify(dir, &[&train[..], &["-m", "own.model"]].concat());
    let own_f = own["objective"].as_f64().unwrap();
    assert!(own_f <= spark * (1.0 + 1e-7), "{own_f} vs Spark's {spark}");
    assert!(own_f >= c["dual"].as_f64().unwrap(), "{own} {c}");
    assert!(ours >= own["dual"].as_f64().unwrap(), "{own} {c}");
    // The test shard, held out of Spark's fit: the imported model scores its
    // rows as Spark predicted them.
    let test = shard_dir.join(fit["test_shard"].as_str().unwrap());
    let test_args = ["--svmlight", test.to_str().unwrap(), "--vocab", vocab];
    ok(
        dir,
        &[
            &["certify"][..],
            &test_args[..],
            &["-m", "spark.model", "--scores", "ours.p"],
        ]
        .concat(),
    );
    assert_scores_equal(probabilities, &dir.path("ours.p"));
}

#[test]
fn certify_and_scores_agree_with_spark_mllib() {
    let reference = spark_reference();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let dir = Dir::new();
        let weights = spark_data().join(case["weights"].as_str().unwrap());
        let probabilities = spark_data().join(case["probabilities"].as_str().unwrap());
        check_spark_fit(&dir, &case["fit"], &weights, &probabilities);
    }
}

/// The Python that runs bench/spark/fit.py: `SPARSETEXT_SPARK_PYTHON`, else the
/// venv bench/spark/venv.sh makes. `None` (the test passes without Spark) only
/// when `SPARSETEXT_SKIP_EXTERNAL=1`.
fn spark_python() -> Option<PathBuf> {
    let python = std::env::var_os("SPARSETEXT_SPARK_PYTHON").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/.venv/spark/bin/python"),
        PathBuf::from,
    );
    let java = std::process::Command::new("java").arg("-version").output();
    let pyspark = std::process::Command::new(&python)
        .args(["-c", "import pyspark"])
        .output();
    let missing = match (java, pyspark) {
        (Ok(j), _) if !j.status.success() => Some("java does not run"),
        (Err(_), _) => Some("java is not installed"),
        (_, Ok(p)) if p.status.success() => None,
        _ => Some("pyspark is not installed"),
    };
    let Some(missing) = missing else {
        return Some(python);
    };
    if std::env::var("SPARSETEXT_SKIP_EXTERNAL").as_deref() == Ok("1") {
        eprintln!("skipped: {missing} (SPARSETEXT_SKIP_EXTERNAL=1): Spark is not run");
        return None;
    }
    panic!(
        "{missing} for {}: `bash bench/spark/venv.sh` installs Java and pyspark, \
         or set SPARSETEXT_SKIP_EXTERNAL=1 to skip this test",
        python.display()
    );
}

/// Spark itself, on the fixture's shards: the fixture's first case fitted again
/// reaches the fixture's objective, and the round trip holds for the new fit.
#[test]
fn spark_mllib_round_trip() {
    let Some(python) = spark_python() else {
        return;
    };
    let dir = Dir::new();
    let reference = spark_reference();
    let case = &reference["cases"][0];
    let fixture = &case["fit"];
    let fit_py = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/spark/fit.py");
    let shard_dir = spark_data().join("shards");
    let out = std::process::Command::new(&python)
        .arg(&fit_py)
        .arg(&shard_dir)
        .arg(fixture["lambda"].as_f64().unwrap().to_string())
        .arg(fixture["alpha"].as_f64().unwrap().to_string())
        .arg("1e-12")
        .arg(dir.path("spark.weights"))
        .arg("--probabilities")
        .arg(dir.path("spark.p"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let fit: serde_json::Value =
        serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap();
    assert_eq!(fit["test_shard"], fixture["test_shard"]);
    let (f, f0) = (
        fit["objective"].as_f64().unwrap(),
        fixture["objective"].as_f64().unwrap(),
    );
    assert!((f - f0).abs() <= 1e-9 * f0, "{f} vs the fixture's {f0}");
    check_spark_fit(&dir, &fit, &dir.path("spark.weights"), &dir.path("spark.p"));
}

#[test]
fn bad_shards_weights_and_models_are_one_line_errors() {
    let dir = Dir::new();
    let data = spark_data();
    let shard_dir = data.join("shards");
    let shard_dir = shard_dir.to_str().unwrap();
    let weights = data.join("alpha-1.weights");
    let weights = weights.to_str().unwrap();
    std::fs::create_dir(dir.path("empty")).unwrap();
    let import_to_out =
        |shards: &str, weights: &str| import(&dir, shards, weights, "out.model", &[]);
    assert_one_line_error(
        &import_to_out("empty", weights),
        &["empty/manifest.json", "No such file"],
    );
    let cases = [
        (
            "intercept 0.5\n1 0.25\n99999 1\n",
            "w:3: feature id 99999 is outside 1..=",
        ),
        (
            "intercept 0.5\n1 0.25 oops\n",
            "w:2: \"1 0.25 oops\" is not two fields",
        ),
        ("1 0.25\n", "w:1: the first line must be `intercept VALUE`"),
        ("intercept 0\n2 inf\n", "w:2: weight inf is not finite"),
        ("intercept 0\n2 NaN\n", "w:2: weight NaN is not finite"),
        ("intercept nan\n", "w:1: intercept nan is not finite"),
        ("intercept 0\n2 1e300\n", "w: invalid"),
    ];
    for (text, error) in cases {
        dir.write("w", text);
        assert_one_line_error(&import_to_out(shard_dir, "w"), &[error]);
    }
    // Shards that do not match their manifest, in a copy of the fixture's.
    let copy = |name: &str| {
        let to = dir.path(name);
        std::fs::create_dir(&to).unwrap();
        for entry in std::fs::read_dir(shard_dir).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
        to
    };
    let missing = copy("missing");
    std::fs::remove_file(missing.join("part-00001.svm")).unwrap();
    assert_one_line_error(
        &import_to_out("missing", weights),
        &["missing/part-00001.svm", "No such file"],
    );
    let wider = copy("wider");
    let manifest = std::fs::read_to_string(wider.join("manifest.json")).unwrap();
    let manifest = manifest.replace("\"features\": 634", "\"features\": 635");
    std::fs::write(wider.join("manifest.json"), manifest).unwrap();
    assert_one_line_error(
        &import_to_out("wider", weights),
        &["wider/vocab.txt: 634 terms, but the manifest says 635 features"],
    );
    let analyzer = copy("analyzer");
    let manifest = std::fs::read_to_string(analyzer.join("manifest.json")).unwrap();
    let manifest = manifest.replace("\"min_token_len\": 2", "\"min_token_len\": 0");
    std::fs::write(analyzer.join("manifest.json"), manifest).unwrap();
    assert_one_line_error(
        &import_to_out("analyzer", weights),
        &["analyzer/manifest.json"],
    );
    // No half model is left by any of them.
    assert!(!dir.path("out.model").exists());
    // A model already there is left as it was when an import fails.
    dir.write("out.model", "old");
    dir.write("w", "intercept 0\n2 NaN\n");
    assert_one_line_error(
        &import_to_out(shard_dir, "w"),
        &["w:2: weight NaN is not finite"],
    );
    assert_eq!(std::fs::read(dir.path("out.model")).unwrap(), b"old");
    let out = import(&dir, shard_dir, weights, "m", &["--alpha", "0"]);
    assert_one_line_error(&out, &["alpha"]);

    // A model for other features: trained on the full sample vocabulary.
    let model = shared_model().to_str().unwrap();
    let out = dir.run(&["certify", "--shards", shard_dir, "-m", model]);
    assert_one_line_error(
        &out,
        &[
            "terms are not in the matrix's vocabulary",
            "a model for other features",
        ],
    );
    succeeded(&import(&dir, shard_dir, weights, "spark.model", &[]));
    let out = dir.run(&["certify", "--shards", shard_dir, "-m", "spark.model"]);
    assert_one_line_error(&out, &["spark.model: records no lambda: give --lambda"]);
    let out = dir.run(&[
        "certify",
        "--shards",
        shard_dir,
        "-m",
        "spark.model",
        "--lambda=-1",
    ]);
    assert_one_line_error(&out, &["lambda"]);
    // Feature ids as terms, without a vocabulary: a token model does not fit.
    let all = format!("{shard_dir}/part-00000.svm");
    let out = dir.run(&[
        "certify",
        "--svmlight",
        &all,
        "-m",
        "spark.model",
        "--lambda",
        "0.01",
    ]);
    assert_one_line_error(&out, &["the matrix's feature ids (give --vocab)"]);
    let out = dir.run(&["vectorize", "--shards", "sh", "--shard-rows", "0"]);
    assert_one_line_error(
        &out,
        &["--shard-rows", "\"0\" is not a whole number of rows >= 1"],
    );
    std::fs::write(dir.path("empty/keep.txt"), "mine").unwrap();
    let out = dir.run(&["vectorize", sample().to_str().unwrap(), "--shards", "empty"]);
    assert_one_line_error(&out, &["empty: holds files but no manifest.json"]);
}
