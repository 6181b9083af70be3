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

/// A fixture case's lambda_max equals ours (`lmax`), and its reference
/// objective the fit's to 1e-6 relative; certified, the fit is never worse
/// than the reference by more than its gap, and its dual is below it.
fn assert_matches_reference(case: &serde_json::Value, lmax: f64, fit: &solver::Fit) {
    let want_lmax = case["lambda_max"].as_f64().unwrap();
    assert!(
        (lmax - want_lmax).abs() <= 1e-12 * want_lmax,
        "lambda_max {lmax} vs {want_lmax}"
    );
    let reference = case["reference"].as_f64().unwrap();
    let rel = (fit.objective - reference) / reference;
    assert!(
        rel.abs() <= 1e-6,
        "{case}: ours {} relative difference {rel:e}",
        fit.objective
    );
    assert!(
        rel <= 1e-9,
        "{case}: ours {} is worse by {rel:e}",
        fit.objective
    );
    assert!(
        fit.dual <= reference * (1.0 + 1e-12),
        "dual above a primal value"
    );
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
        let lmax = solver::lambda_max(&x, &y, weights, alpha).unwrap();
        let params = Params::new().alpha(alpha).tol(1e-9).check().unwrap();
        let fit = solver::fit(&x, &y, weights, lambda, &params).unwrap();
        assert!(fit.converged, "{case}");
        assert_matches_reference(case, lmax, &fit);
        // The public objective() agrees with the fit's own.
        let again =
            solver::objective(&x, &y, weights, lambda, alpha, fit.intercept, &fit.weights).unwrap();
        assert!((again - fit.objective).abs() <= 1e-12);
    }
}

/// Ridge (alpha = 0) objectives from scikit-learn 1.6.1 (newton-cg) and
/// LIBLINEAR 2.50 (`-s 0 -R`), both at tolerance 1e-10..1e-12
/// (scripts/ridge_reference.py; versions in the JSON); and at each fit the
/// gradient, computed from the CSR matrix directly, vanishes as the
/// certificate says: with the intercept optimal, `F - D = |g_w|^2 / (2 lambda)`.
#[test]
fn ridge_objectives_match_scikit_learn_and_liblinear() {
    let (csr, x, y) = real300();
    let s = balanced(&y);
    let text = std::fs::read_to_string(data_path("ridge_reference.json")).unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 12);
    let n = y.len() as f64;
    let mut nonempty = vec![false; csr.cols()];
    for (_, (_, j)) in csr.iter() {
        nonempty[j as usize] = true;
    }
    let nonempty = nonempty.iter().filter(|&&b| b).count();
    let tol = 1e-9;
    for case in cases {
        let lambda = case["lambda"].as_f64().unwrap();
        let weights = case["weighted"].as_bool().unwrap().then_some(s.as_slice());
        let lmax = solver::lambda_max(&x, &y, weights, 0.0).unwrap();
        let params = Params::new().alpha(0.0).tol(tol).check().unwrap();
        let fit = solver::fit(&x, &y, weights, lambda, &params).unwrap();
        assert!(fit.converged && fit.rel_gap <= tol, "{case}: {fit:?}");
        assert_matches_reference(case, lmax, &fit);
        // Ridge keeps every feature found in the data.
        assert_eq!(fit.nnz(), nonempty, "{case}");
        // The gradient of F: g_j = lambda w_j - X_j^T r, r_i = (s_i / N) (y01_i - p_i).
        let sw: Vec<f64> = weights.map_or(vec![1.0; y.len()], |w| w.to_vec());
        let w = fit.dense_weights(csr.cols());
        let mut eta = vec![fit.intercept; y.len()];
        for (&v, (i, j)) in csr.iter() {
            eta[i as usize] += v * w[j as usize];
        }
        let r: Vec<f64> = (0..y.len())
            .map(|i| sw[i] / n * (f64::from(y[i]) - 1.0 / (1.0 + (-eta[i]).exp())))
            .collect();
        let mut g: Vec<f64> = w.iter().map(|wj| lambda * wj).collect();
        for (&v, (i, j)) in csr.iter() {
            g[j as usize] -= v * r[i as usize];
        }
        let g_sq: f64 = g.iter().map(|v| v * v).sum();
        // F - D is the difference of two sums of N rounded terms: near
        // convergence it carries a rounding error of a few dozen ulps of D.
        let rounding = 32.0 * f64::EPSILON * fit.dual;
        let bound = 2.0 * lambda * (fit.rel_gap * fit.dual + rounding);
        assert!(
            g_sq <= 1.01 * bound,
            "{case}: |g|^2 {g_sq:e} above the gap's {bound:e}"
        );
        assert!(r.iter().sum::<f64>().abs() <= 1e-12, "intercept's gradient");
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

// ---- Robustness: degenerate and extreme inputs ----

/// Every number a fit reports is finite.
fn assert_finite(fit: &solver::Fit) {
    assert!(fit.objective.is_finite(), "objective {}", fit.objective);
    assert!(fit.dual.is_finite(), "dual {}", fit.dual);
    assert!(fit.intercept.is_finite(), "intercept {}", fit.intercept);
    assert!(!fit.rel_gap.is_nan(), "rel_gap NaN");
    assert!(fit.kkt.is_finite(), "kkt {}", fit.kkt);
    assert!(fit.deviance.is_finite(), "deviance {}", fit.deviance);
    assert!(
        fit.weights.iter().all(|(_, w)| w.is_finite() && *w != 0.0),
        "weights {:?}",
        fit.weights
    );
}

/// 40 messages, feature 0 present exactly in the spam ones (perfect
/// separation), features 1 and 2 noise.
fn separable() -> (Design, Vec<bool>) {
    let rows: Vec<Vec<f64>> = (0..40)
        .map(|i| {
            vec![
                if i % 2 == 0 { 1.0 } else { 0.0 },
                (i % 3 == 0) as u8 as f64,
                (i % 5 < 2) as u8 as f64,
            ]
        })
        .collect();
    let y: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
    (Design::from_dense(&rows).unwrap(), y)
}

#[test]
fn separable_data_give_finite_fits_and_a_warning_at_lambda_zero() {
    let (x, y) = separable();
    for alpha in [1.0, 0.5, 0.0] {
        let params = Params::new().alpha(alpha).check().unwrap();
        let lmax = solver::lambda_max(&x, &y, None, alpha).unwrap();
        // Small but positive lambda: an optimum exists, finite and certified.
        let f = solver::fit(&x, &y, None, 1e-3 * lmax, &params).unwrap();
        assert_finite(&f);
        assert!(f.converged && f.rel_gap <= 1e-6, "{f:?}");
        // lambda = 0: the infimum (zero loss) is not attained.
        let f0 = solver::fit(&x, &y, None, 0.0, &params).unwrap();
        assert_finite(&f0);
        assert!(!f0.converged);
        assert!(
            f0.warnings.iter().any(|w| w.contains("separable")),
            "alpha {alpha}: no separability warning in {:?}",
            f0.warnings
        );
        // The path stops early with a warning and keeps its fits.
        // alpha = 1: the path saturates, stops early with a warning and keeps
        // its fits. (alpha = 0.5: the ridge part keeps every fit of the
        // default grid below saturation; the path runs to its end.)
        let path = solver::fit_path(&x, &y, None, &params).unwrap();
        assert!(!path.fits.is_empty());
        path.fits.iter().for_each(assert_finite);
        if alpha == 1.0 {
            assert!(path.warning.is_some() && path.fits.len() < 100);
            let last = path.fits.last().unwrap();
            assert!(
                last.warnings.iter().any(|w| w.contains("separable")),
                "{:?}",
                last.warnings
            );
        }
    }
}

#[test]
fn duplicated_columns_share_their_weight_with_a_warning_at_alpha_one() {
    let (csr, x, y) = real300();
    // Append a copy of the most frequent feature as a new last column.
    let p = csr.cols();
    let mut counts = vec![0usize; p];
    for (_, (_, j)) in csr.iter() {
        counts[j as usize] += 1;
    }
    let top = (0..p).max_by_key(|&j| counts[j]).unwrap();
    let mut tri = sprs::TriMatI::<f64, u32>::new((csr.rows(), p + 1));
    for (&v, (i, j)) in csr.iter() {
        tri.add_triplet(i as usize, j as usize, v);
        if j as usize == top {
            tri.add_triplet(i as usize, p, v);
        }
    }
    let dup = Design::from_csr(&tri.to_csr()).unwrap();
    for alpha in [1.0, 0.5] {
        let params = Params::new().alpha(alpha).tol(1e-9).check().unwrap();
        let lmax = solver::lambda_max(&x, &y, None, alpha).unwrap();
        let lmax_dup = solver::lambda_max(&dup, &y, None, alpha).unwrap();
        assert_eq!(lmax, lmax_dup);
        let lambda = 0.01 * lmax;
        let plain = solver::fit(&x, &y, None, lambda, &params).unwrap();
        let f = solver::fit(&dup, &y, None, lambda, &params).unwrap();
        assert_finite(&f);
        assert!(f.converged);
        // Same optimal value; the pair's weights sum to the single weight
        // (alpha = 1) or split it evenly (alpha < 1: the ridge part is
        // strictly convex and makes the split unique).
        let rel = (f.objective - plain.objective).abs() / plain.objective;
        let w = f.dense_weights(p + 1);
        let w1 = plain.dense_weights(p)[top];
        if alpha == 1.0 {
            assert!(rel <= 2e-9, "objectives differ by {rel:e}");
            assert!((w[top] + w[p] - w1).abs() <= 1e-4 * w1.abs().max(1.0));
            if w1 != 0.0 {
                assert!(
                    f.warnings.iter().any(|m| m.contains("identical")),
                    "no warning about duplicated features: {:?}",
                    f.warnings
                );
            }
        } else {
            assert!((w[top] - w[p]).abs() <= 1e-4 * w[top].abs().max(1e-3));
            assert!(
                !f.warnings.iter().any(|m| m.contains("identical")),
                "alpha < 1 has a unique answer: {:?}",
                f.warnings
            );
        }
    }
}

#[test]
fn all_zero_columns_stay_zero() {
    let (csr, _, y) = real300();
    // Two empty columns in front of the real ones.
    let mut tri = sprs::TriMatI::<f64, u32>::new((csr.rows(), csr.cols() + 2));
    for (&v, (i, j)) in csr.iter() {
        tri.add_triplet(i as usize, j as usize + 2, v);
    }
    let x = Design::from_csr(&tri.to_csr()).unwrap();
    for alpha in [1.0, 0.3] {
        let params = Params::new().alpha(alpha).check().unwrap();
        let lmax = solver::lambda_max(&x, &y, None, alpha).unwrap();
        for ratio in [0.1, 1e-3] {
            let f = solver::fit(&x, &y, None, ratio * lmax, &params).unwrap();
            assert_finite(&f);
            assert!(f.converged);
            assert!(f.weights.iter().all(|&(j, _)| j >= 2), "{:?}", f.weights);
        }
    }
    // A matrix with no non-zero at all: the intercept-only model.
    let empty = Design::from_dense(&vec![vec![0.0; 3]; 6]).unwrap();
    let y6 = [true, false, false, true, false, false];
    assert_eq!(solver::lambda_max(&empty, &y6, None, 1.0).unwrap(), 0.0);
    let params = Params::new().check().unwrap();
    let f = solver::fit(&empty, &y6, None, 0.0, &params).unwrap();
    assert_finite(&f);
    assert!(f.weights.is_empty());
    assert!((f.intercept - (2.0f64 / 4.0).ln()).abs() < 1e-12);
    let path = solver::fit_path(&empty, &y6, None, &params).unwrap();
    assert!(!path.fits.is_empty());
    path.fits.iter().for_each(assert_finite);
}

#[test]
fn a_single_message_is_a_typed_error() {
    let x = Design::from_dense(&[vec![1.0, 0.0]]).unwrap();
    let params = Params::new().check().unwrap();
    for y in [[true], [false]] {
        assert!(matches!(
            solver::fit(&x, &y, None, 0.1, &params),
            Err(sparsetext::Error::Training(_))
        ));
        assert!(solver::fit_path(&x, &y, None, &params).is_err());
        assert!(solver::lambda_max(&x, &y, None, 1.0).is_err());
    }
}

#[test]
fn lambda_zero_with_alpha_below_one_is_plain_logistic_regression() {
    // Not separable (messages 0 and 1 have the same features and different
    // labels): lambda = 0 has a finite, unique optimum whose gradient is 0.
    let rows: Vec<Vec<f64>> = (0..30)
        .map(|i| {
            let i = if i == 1 { 0 } else { i };
            vec![
                (i % 2) as f64,
                (i % 3 == 0) as u8 as f64,
                1.0 + (i % 4) as f64,
            ]
        })
        .collect();
    let y: Vec<bool> = (0..30)
        .map(|i| i == 0 || (i % 2 == 1) != (i % 7 == 0))
        .collect();
    let x = Design::from_dense(&rows).unwrap();
    for alpha in [0.5, 1.0] {
        let params = Params::new().alpha(alpha).check().unwrap();
        let f = solver::fit(&x, &y, None, 0.0, &params).unwrap();
        assert_finite(&f);
        assert!(f.kkt <= 1e-9, "gradient {} at lambda 0", f.kkt);
        assert!(
            !f.warnings.iter().any(|w| w.contains("separable")),
            "{:?}",
            f.warnings
        );
        // No smaller objective anywhere near: lambda = 0 equals a tiny lambda.
        let g = solver::fit(&x, &y, None, 1e-12, &params).unwrap();
        assert!((f.objective - g.objective).abs() <= 1e-9 * g.objective);
    }
}

#[test]
fn extreme_feature_values_and_weights_stay_finite() {
    let (csr, _, y) = real300();
    // Feature values spanning 1e-150 .. 1e150 (column j scaled by 10^(k)).
    let scales = [1e-150, 1e-8, 1.0, 1e8, 1e150];
    let mut tri = sprs::TriMatI::<f64, u32>::new((csr.rows(), csr.cols()));
    for (&v, (i, j)) in csr.iter() {
        tri.add_triplet(
            i as usize,
            j as usize,
            v * scales[j as usize % scales.len()],
        );
    }
    let x = Design::from_csr(&tri.to_csr()).unwrap();
    let params = Params::new().max_iter(200).check().unwrap();
    let lmax = solver::lambda_max(&x, &y, None, 1.0).unwrap();
    assert!(lmax.is_finite() && lmax > 0.0);
    for ratio in [0.5, 0.05] {
        let f = solver::fit(&x, &y, None, ratio * lmax, &params).unwrap();
        assert_finite(&f);
        assert!(f.dual <= f.objective);
    }
    // Observation weights spanning 1e-300 .. 1e300, and all huge.
    let (_, x, _) = real300();
    let lmax = solver::lambda_max(&x, &y, None, 1.0).unwrap();
    let wild: Vec<f64> = (0..y.len()).map(|i| [1e-300, 1.0, 1e300][i % 3]).collect();
    let huge = vec![1e307; y.len()];
    for s in [wild, huge] {
        let f = solver::fit(&x, &y, Some(&s), 0.05 * lmax, &params).unwrap();
        assert_finite(&f);
        assert!(f.dual <= f.objective);
    }
    // All-huge weights are the same problem as unit weights.
    let a = solver::fit(&x, &y, Some(&vec![1e307; y.len()]), 0.05 * lmax, &params).unwrap();
    let b = solver::fit(&x, &y, None, 0.05 * lmax, &params).unwrap();
    assert!((a.objective - b.objective).abs() <= 1e-12 * b.objective);
}
