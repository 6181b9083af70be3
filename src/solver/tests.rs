//! Unit tests of the solver's entry points: the fits against a dense
//! reference, the KKT conditions, lambda_max and bad input.

use super::*;
use crate::error::Error;
use crate::solver::loss::log1p_exp_neg;
use crate::solver::newton::soft;
use crate::solver::problem::Problem;
use crate::solver::testing::{params, real300};
use proptest::prelude::*;

/// KKT conditions of F at a fit, with tolerance `tol` (absolute, on gradients).
fn assert_kkt(x: &Design, y: &[bool], s: Option<&[f64]>, fit: &Fit, tol: f64) {
    let prob = Problem::new(x, y, s).unwrap();
    let eta = x.margins(fit.intercept, &fit.weights);
    // g_j = d loss / d w_j = -X_j^T r, r_i = c_i y_i sigma(-y_i eta_i).
    let r: Vec<f64> = (0..eta.len())
        .map(|i| prob.row_weight[i] * prob.y[i] / (1.0 + (prob.y[i] * eta[i]).exp()))
        .collect();
    let w = fit.dense_weights(x.cols());
    let (l1, l2) = (fit.lambda * fit.alpha, fit.lambda * (1.0 - fit.alpha));
    for (j, &wj) in w.iter().enumerate() {
        let g = -x.col(j).dot(&r);
        if wj != 0.0 {
            let v = (g + l2 * wj + l1 * wj.signum()).abs();
            assert!(v <= tol, "feature {j}: w {wj} stationarity {v}");
        } else {
            assert!(
                g.abs() <= l1 + tol,
                "feature {j}: zero with |g| {} > {l1}",
                g.abs()
            );
        }
    }
    let gb: f64 = r.iter().sum();
    assert!(gb.abs() <= tol, "intercept gradient {gb}");
}

/// Obviously-correct dense reference: FISTA (Beck & Teboulle 2009) with
/// the intercept as an unpenalized coordinate, step 1/L with
/// L = (1/4) sum_i c_i (1 + |x_i|^2) >= the loss Hessian's norm.
fn dense_fista(rows: &[Vec<f64>], y: &[bool], lambda: f64, alpha: f64, iters: usize) -> f64 {
    let n = rows.len();
    let p = rows[0].len();
    let c = 1.0 / n as f64;
    let ys: Vec<f64> = y.iter().map(|&b| if b { 1.0 } else { -1.0 }).collect();
    let lip = 0.25
        * c
        * rows
            .iter()
            .map(|r| 1.0 + r.iter().map(|v| v * v).sum::<f64>())
            .sum::<f64>();
    let step = 1.0 / lip;
    let f = |b: f64, w: &[f64]| {
        let mut loss = 0.0;
        for i in 0..n {
            let eta = b + rows[i].iter().zip(w).map(|(x, w)| x * w).sum::<f64>();
            loss += c * log1p_exp_neg(ys[i] * eta);
        }
        loss + lambda
            * w.iter()
                .map(|w| alpha * w.abs() + 0.5 * (1.0 - alpha) * w * w)
                .sum::<f64>()
    };
    let (mut b, mut w) = (0.0, vec![0.0; p]);
    let (mut vb, mut vw) = (0.0, vec![0.0; p]);
    let mut t = 1.0f64;
    for _ in 0..iters {
        let mut gb = 0.0;
        let mut gw = vec![0.0; p];
        for i in 0..n {
            let eta = vb + rows[i].iter().zip(&vw).map(|(x, w)| x * w).sum::<f64>();
            let r = -c * ys[i] / (1.0 + (ys[i] * eta).exp());
            gb += r;
            for j in 0..p {
                gw[j] += r * rows[i][j];
            }
        }
        let nb = vb - step * gb;
        let nw: Vec<f64> = (0..p)
            .map(|j| {
                soft(vw[j] - step * gw[j], step * lambda * alpha)
                    / (1.0 + step * lambda * (1.0 - alpha))
            })
            .collect();
        let tn = (1.0 + (1.0 + 4.0 * t * t).sqrt()) / 2.0;
        vb = nb + (t - 1.0) / tn * (nb - b);
        vw = (0..p)
            .map(|j| nw[j] + (t - 1.0) / tn * (nw[j] - w[j]))
            .collect();
        b = nb;
        w = nw;
        t = tn;
    }
    f(b, &w)
}

#[test]
fn zero_at_lambda_max_and_not_just_below() {
    let (x, y) = real300();
    for alpha in [1.0, 0.5] {
        let lmax = lambda_max(&x, &y, None, alpha).unwrap();
        let at = fit(&x, &y, None, lmax, &params(alpha, 1e-8)).unwrap();
        assert!(
            at.weights.is_empty(),
            "alpha {alpha}: {} non-zero at lambda_max",
            at.nnz()
        );
        assert!(at.converged);
        let below = fit(&x, &y, None, 0.999 * lmax, &params(alpha, 1e-8)).unwrap();
        assert!(
            !below.weights.is_empty(),
            "alpha {alpha}: all zero just below lambda_max"
        );
    }
}

#[test]
fn kkt_holds_on_real_mail() {
    let (x, y) = real300();
    // Frequent words go through their complements here.
    assert!(Problem::new(&x, &y, None).unwrap().complements.len() > 0);
    let npos = y.iter().filter(|&&b| b).count() as f64;
    let n = y.len() as f64;
    let bal: Vec<f64> = y
        .iter()
        .map(|&b| {
            if b {
                n / (2.0 * npos)
            } else {
                n / (2.0 * (n - npos))
            }
        })
        .collect();
    for s in [None, Some(bal.as_slice())] {
        for alpha in [1.0, 0.3] {
            let lmax = lambda_max(&x, &y, s, alpha).unwrap();
            for ratio in [0.3, 0.05, 0.01] {
                let f = fit(&x, &y, s, ratio * lmax, &params(alpha, 1e-9)).unwrap();
                assert!(f.converged && f.rel_gap <= 1e-9, "{f:?}");
                assert!(f.objective.is_finite() && f.intercept.is_finite());
                // Gradients here are O(lambda_max) ~ 0.1; a gap of 1e-10
                // leaves KKT residuals of order sqrt(gap) * curvature.
                assert_kkt(&x, &y, s, &f, 1e-6);
                assert!(f.kkt <= 1e-6, "reported kkt {}", f.kkt);
            }
        }
    }
}

#[test]
fn weights_are_rescaled_to_mean_one() {
    let (x, y) = real300();
    let s1: Vec<f64> = (0..y.len()).map(|i| 1.0 + (i % 3) as f64).collect();
    let s2: Vec<f64> = s1.iter().map(|v| 7.0 * v).collect();
    let p = params(1.0, 1e-9);
    let a = fit(&x, &y, Some(&s1), 0.002, &p).unwrap();
    let b = fit(&x, &y, Some(&s2), 0.002, &p).unwrap();
    assert!((a.objective - b.objective).abs() <= 1e-12);
}

#[test]
fn separable_data_stay_finite() {
    // Feature 0 separates the classes perfectly.
    let rows: Vec<Vec<f64>> = (0..20)
        .map(|i| vec![if i < 10 { 1.0 } else { 0.0 }, (i % 3) as f64, 1.0])
        .collect();
    let y: Vec<bool> = (0..20).map(|i| i < 10).collect();
    let x = Design::from_dense(&rows).unwrap();
    let f = fit(&x, &y, None, 1e-9, &params(1.0, 1e-6)).unwrap();
    assert!(f.objective.is_finite() && f.intercept.is_finite());
    assert!(f.weights.iter().all(|(_, w)| w.is_finite()));
    let path = crate::solver::fit_path(&x, &y, None, &Params::new().check().unwrap()).unwrap();
    assert!(path.warning.is_some(), "no saturation warning");
    assert!(path.fits.iter().all(|f| f.objective.is_finite()));
    assert!(path.fits.len() < 100);
}

#[test]
fn bad_input_is_a_typed_error() {
    let x = Design::from_dense(&[vec![1.0], vec![0.0]]).unwrap();
    let p = params(1.0, 1e-6);
    assert!(matches!(
        fit(&x, &[true, true], None, 0.1, &p),
        Err(Error::Training(_))
    ));
    assert!(matches!(
        fit(&x, &[true], None, 0.1, &p),
        Err(Error::InvalidParam { .. })
    ));
    assert!(matches!(
        fit(&x, &[true, false], None, -1.0, &p),
        Err(Error::InvalidParam { .. })
    ));
    assert!(matches!(
        fit(&x, &[true, false], Some(&[1.0, f64::NAN]), 0.1, &p),
        Err(Error::InvalidParam { .. })
    ));
    assert!(matches!(
        fit(&x, &[true, false], Some(&[0.0, 0.0]), 0.1, &p),
        Err(Error::Training(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn sparse_solver_matches_dense_fista(
        seed in any::<u64>(),
        n in 6usize..16,
        p in 1usize..6,
        ratio in 0.05f64..0.9,
        alpha in prop_oneof![Just(1.0), 0.2f64..1.0],
    ) {
        let mut rng = crate::solver::cv::SplitMix64::new(seed);
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|_| (0..p).map(|_| match rng.below(4) { 0 | 1 => 0.0, 2 => 1.0, _ => (rng.below(5) as f64) - 1.5 }).collect())
            .collect();
        let mut y: Vec<bool> = (0..n).map(|_| rng.below(2) == 1).collect();
        y[0] = true;
        y[1] = false;
        let x = Design::from_dense(&rows).unwrap();
        let lmax = lambda_max(&x, &y, None, alpha).unwrap();
        prop_assume!(lmax > 1e-8);
        let lambda = ratio * lmax;
        let ours = fit(&x, &y, None, lambda, &params(alpha, 1e-10)).unwrap();
        prop_assert!(ours.converged);
        let reference = dense_fista(&rows, &y, lambda, alpha, 20_000);
        // Ours is certified within 1e-10; the reference is only an upper bound on F*.
        prop_assert!(ours.objective <= reference * (1.0 + 1e-9), "ours {} ref {}", ours.objective, reference);
        prop_assert!(reference <= ours.objective * (1.0 + 1e-6), "ours {} ref {}", ours.objective, reference);
        prop_assert!(ours.dual <= reference * (1.0 + 1e-12));
    }
}

#[test]
fn a_warm_start_reaches_the_same_certified_fit_in_fewer_steps() {
    let (x, y) = real300();
    let p = params(0.5, 1e-8);
    let lambda = 0.05 * lambda_max(&x, &y, None, 0.5).unwrap();
    let cold = fit(&x, &y, None, lambda, &p).unwrap();
    // From the answer itself: one check certifies it.
    let mut solver = Solver::new(&x, &y, None).unwrap();
    solver.warm_start(cold.intercept, &cold.weights).unwrap();
    let again = solver.fit(lambda, &p).unwrap();
    assert!(again.converged && again.iterations == 0, "{again:?}");
    // From a nearby point (half the weights), fewer Newton steps than from zero.
    let half: Vec<(u32, f64)> = cold.weights.iter().map(|&(j, w)| (j, w / 2.0)).collect();
    let mut solver = Solver::new(&x, &y, None).unwrap();
    solver.warm_start(cold.intercept, &half).unwrap();
    let warm = solver.fit(lambda, &p).unwrap();
    assert!(warm.converged);
    assert!((warm.objective - cold.objective).abs() <= 1e-7 * cold.objective);
    assert_kkt(&x, &y, None, &warm, 1e-5);
    // Bad starts are errors, not panics.
    let mut solver = Solver::new(&x, &y, None).unwrap();
    assert!(solver.warm_start(f64::NAN, &[]).is_err());
    assert!(solver.warm_start(0.0, &[(x.cols() as u32, 1.0)]).is_err());
}
