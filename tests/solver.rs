//! The solver against established implementations and its own certificates,
//! on a small real-mail matrix (tests/data/solver/real300.svm: 300 SpamAssassin
//! messages, made by bench/solver/make_matrix.py; see scripts/solver_reference.py).

use sparsetext::dataset::Matrix;
use sparsetext::solver::{self, Design, Params};

fn data_path(name: &str) -> String {
    format!("{}/tests/data/solver/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn real300() -> (Matrix, Design, Vec<bool>) {
    let data = sparsetext::svmlight::read(data_path("real300.svm").as_ref()).unwrap();
    let design = Design::from_csr(&data.x).unwrap();
    (data.x, design, data.y)
}

fn balanced(y: &[bool]) -> Vec<f64> {
    let n = y.len() as f64;
    let pos = y.iter().filter(|&&b| b).count() as f64;
    y.iter()
        .map(|&b| {
            if b {
                n / (2.0 * pos)
            } else {
                n / (2.0 * (n - pos))
            }
        })
        .collect()
}

/// Objective values from python-glmnet 2.2.1 (glmnet Fortran) and skglm 0.5,
/// both run to tolerance 1e-12..1e-14; provenance and versions in the JSON.
#[test]
fn objectives_match_glmnet_and_skglm() {
    let (_, x, y) = real300();
    let s = balanced(&y);
    let text = std::fs::read_to_string(data_path("reference.json")).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 16);
    for case in cases {
        let alpha = case["alpha"].as_f64().unwrap();
        let lambda = case["lambda"].as_f64().unwrap();
        let weights = case["weighted"].as_bool().unwrap().then_some(s.as_slice());
        let reference = case["reference"].as_f64().unwrap();
        let lmax = solver::lambda_max(&x, &y, weights, alpha).unwrap();
        let want_lmax = case["lambda_max"].as_f64().unwrap();
        assert!(
            (lmax - want_lmax).abs() <= 1e-12 * want_lmax,
            "lambda_max {lmax} vs {want_lmax}"
        );
        let params = Params::new().alpha(alpha).tol(1e-9).check().unwrap();
        let fit = solver::fit(&x, &y, weights, lambda, &params).unwrap();
        assert!(fit.converged, "{case}");
        let rel = (fit.objective - reference) / reference;
        assert!(
            rel.abs() <= 1e-6,
            "{case}: ours {} relative difference {rel:e}",
            fit.objective
        );
        // Certified: never worse than the reference by more than our gap.
        assert!(
            rel <= 1e-9,
            "{case}: ours {} is worse by {rel:e}",
            fit.objective
        );
        assert!(
            fit.dual <= reference * (1.0 + 1e-12),
            "dual above a primal value"
        );
        // The public objective() agrees with the fit's own.
        let again =
            solver::objective(&x, &y, weights, lambda, alpha, fit.intercept, &fit.weights).unwrap();
        assert!((again - fit.objective).abs() <= 1e-12);
    }
}

/// KKT conditions at every fit of a path, computed from the CSR matrix directly.
#[test]
fn kkt_holds_along_the_path() {
    let (csr, x, y) = real300();
    let s = balanced(&y);
    for (alpha, weights) in [(1.0, None), (0.5, Some(s.as_slice()))] {
        let params = Params::new()
            .alpha(alpha)
            .nlambda(30)
            .lambda_min_ratio(Some(1e-3))
            .tol(1e-11)
            .check()
            .unwrap();
        let path = solver::fit_path(&x, &y, weights, &params).unwrap();
        assert!(
            path.fits[0].weights.is_empty(),
            "non-zero weights at lambda_max"
        );
        assert!(!path.fits[1].weights.is_empty());
        assert_eq!(path.fits.len(), path.lambdas.len());
        let n = y.len() as f64;
        let sw: Vec<f64> = weights.map_or(vec![1.0; y.len()], |w| w.to_vec());
        let mean_s = sw.iter().sum::<f64>() / n;
        for fit in &path.fits {
            assert!(
                fit.converged && fit.rel_gap <= 1e-11,
                "lambda {}: {}",
                fit.lambda,
                fit.rel_gap
            );
            // r_i = (s_i / N) (y01_i - p_i); g = -X^T r.
            let mut g = vec![0.0; csr.cols()];
            let mut gb = 0.0;
            for (i, row) in csr.outer_iterator().enumerate() {
                let eta = fit.intercept
                    + row
                        .iter()
                        .filter_map(|(j, v)| {
                            fit.weights
                                .binary_search_by_key(&(j as u32), |&(k, _)| k)
                                .ok()
                                .map(|k| v * fit.weights[k].1)
                        })
                        .sum::<f64>();
                let p = 1.0 / (1.0 + (-eta).exp());
                let r = sw[i] / mean_s / n * (if y[i] { 1.0 } else { 0.0 } - p);
                gb += r;
                for (j, v) in row.iter() {
                    g[j] -= v * r;
                }
            }
            let (l1, l2) = (fit.lambda * alpha, fit.lambda * (1.0 - alpha));
            let w = fit.dense_weights(csr.cols());
            // A relative gap of 1e-11 bounds violations to about sqrt(2 L gap) ~ 1e-6.
            let tol = 1e-6;
            for (j, &wj) in w.iter().enumerate() {
                if wj != 0.0 {
                    let v = (g[j] + l2 * wj + l1 * wj.signum()).abs();
                    assert!(
                        v <= tol,
                        "lambda {}: feature {j} stationarity {v}",
                        fit.lambda
                    );
                } else {
                    assert!(
                        g[j].abs() <= l1 + tol,
                        "lambda {}: feature {j} |g| {}",
                        fit.lambda,
                        g[j]
                    );
                }
            }
            assert!(gb.abs() <= tol, "intercept gradient {gb}");
        }
        for k in 1..path.dev_explained.len() {
            assert!(path.dev_explained[k] >= path.dev_explained[k - 1] - 1e-9);
        }
    }
}

#[test]
fn cross_validation_is_the_same_on_one_or_two_threads() {
    let (_, x, y) = real300();
    let params = Params::new().nlambda(20).check().unwrap();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| solver::cross_validate(&x, &y, None, 5, 42, &params).unwrap())
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one, two);
    assert_eq!(one.lambdas.len(), one.deviance_mean.len());
    assert!(one.lambda_1se >= one.lambda_min);
    assert!(one.auc_lambda_1se >= one.auc_lambda_min);
    assert!(one.deviance_mean[one.index_min] <= one.deviance_mean[0]);
    assert!(
        one.auc_mean
            .iter()
            .all(|a| a.is_nan() || (0.0..=1.0).contains(a))
    );
    assert!(
        one.auc_mean[one.auc_index_min] > 0.9,
        "AUC {}",
        one.auc_mean[one.auc_index_min]
    );
    assert_eq!(one.path.lambdas, one.lambdas);
    assert!(solver::cross_validate(&x, &y, None, 1, 42, &params).is_err());
}
