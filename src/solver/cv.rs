//! Stratified k-fold cross-validation along the lambda path.
//!
//! The lambda grid comes from the path on all the data; each fold fits that
//! grid warm-started from one lambda to the next (liblinear: linear.cpp,
//! `find_parameter_C`), on its own column-major design built once. Folds run
//! in parallel with rayon; each is sequential and seeded, so the result is the
//! same whatever the number of threads. A fold whose path stopped early
//! (saturation) scores the remaining lambdas with its last fit, as glmnet's
//! cv.lognet does. Per lambda we report the mean over folds of the held-out
//! binomial deviance (probabilities clamped to [1e-5, 1 - 1e-5], as glmnet;
//! [`crate::metrics`]) and AUC, weighted by fold weight, and their standard
//! errors; then
//! `lambda_min` and `lambda_1se` by glmnet's rule (R/getmin.R).

use rayon::prelude::*;

use super::design::Design;
use super::fit::Fit;
use super::params::ValidParams;
use super::path::{Path, lambda_grid, path_on_grid};
use super::problem::Problem;
use crate::error::{Error, Result};
use crate::metrics::{weighted_auc, weighted_binomial_deviance};

/// Cross-validation curves and the lambdas they select.
#[derive(Clone, Debug, PartialEq)]
pub struct CvResult {
    /// The lambdas (those of `path`).
    pub lambdas: Vec<f64>,
    /// Mean held-out deviance per observation, per lambda.
    pub deviance_mean: Vec<f64>,
    /// Its standard error.
    pub deviance_se: Vec<f64>,
    /// Mean held-out AUC per lambda (NaN where no fold had both classes).
    pub auc_mean: Vec<f64>,
    /// Its standard error.
    pub auc_se: Vec<f64>,
    /// The lambda of least mean deviance (the largest such on ties).
    pub lambda_min: f64,
    /// Index of `lambda_min`.
    pub index_min: usize,
    /// The largest lambda whose mean deviance is within one standard error of the minimum.
    pub lambda_1se: f64,
    /// Index of `lambda_1se`.
    pub index_1se: usize,
    /// The lambda of highest mean AUC.
    pub auc_lambda_min: f64,
    /// Index of `auc_lambda_min`.
    pub auc_index_min: usize,
    /// The largest lambda whose mean AUC is within one standard error of the best.
    pub auc_lambda_1se: f64,
    /// Index of `auc_lambda_1se`.
    pub auc_index_1se: usize,
    /// The fold (0..k) of each row.
    pub folds: Vec<usize>,
    /// The path on all the data.
    pub path: Path,
    /// Each fold's path, fitted without the fold's rows (it may stop early).
    pub fold_paths: Vec<Vec<Fit>>,
}

impl CvResult {
    /// Out-of-fold margins `eta_i = b0 + x_i w` at the grid's lambda `index`:
    /// each row scored by the fit of its fold's path, which never saw it (the
    /// fold's last fit where its path stopped before `index`).
    pub fn out_of_fold_margins(&self, design: &Design, index: usize) -> Vec<f64> {
        let mut margins = vec![0.0; design.rows()];
        for (f, fits) in self.fold_paths.iter().enumerate() {
            let rows: Vec<usize> = (0..design.rows()).filter(|&i| self.folds[i] == f).collect();
            let Some(fit) = fits.get(index).or(fits.last()) else {
                continue;
            };
            let eta = design
                .select_rows(&rows)
                .margins(fit.intercept, &fit.weights);
            for (&i, e) in rows.iter().zip(eta) {
                margins[i] = e;
            }
        }
        margins
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, seedable, portable PRNG.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (Lemire's multiply-shift; bias below 2^-32 for our n).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// Stratified fold ids: each class shuffled (Fisher-Yates, seeded) and dealt
/// round-robin, continuing across classes so fold sizes differ by at most one.
pub fn stratified_folds(y: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    let mut folds = vec![0; y.len()];
    let mut next = 0;
    for class in [true, false] {
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        for i in (1..idx.len()).rev() {
            let j = rng.below(i + 1);
            idx.swap(i, j);
        }
        for i in idx {
            folds[i] = next % k;
            next += 1;
        }
    }
    folds
}

/// glmnet's R/getmin.R: the index of the best mean (the largest lambda on
/// ties), and of the largest lambda whose mean is within one standard error of it.
/// `sign` is 1 to minimize (deviance), -1 to maximize (AUC). NaN means are skipped.
pub(crate) fn getmin(mean: &[f64], se: &[f64], sign: f64) -> (usize, usize) {
    let m: Vec<f64> = mean.iter().map(|v| sign * v).collect();
    let best = m
        .iter()
        .filter(|v| !v.is_nan())
        .fold(f64::INFINITY, |a, &b| a.min(b));
    // Lambdas decrease, so the first index reaching the best is the largest lambda.
    let imin = m.iter().position(|&v| v <= best).unwrap_or(0);
    let bound = m[imin] + se[imin];
    let i1se = m.iter().position(|&v| v <= bound).unwrap_or(imin);
    (imin, i1se)
}

/// Held-out scores of one fold: per lambda (deviance per unit weight, AUC).
struct FoldScores {
    weight: f64,
    deviance: Vec<f64>,
    auc: Vec<Option<f64>>,
}

fn score_fold(test: &Design, y: &[bool], s: &[f64], fits: &[Fit], nl: usize) -> FoldScores {
    let weight: f64 = s.iter().sum();
    let mut deviance = Vec::with_capacity(nl);
    let mut aucs = Vec::with_capacity(nl);
    let mut last: Option<(Vec<f64>, f64, Option<f64>)> = None;
    for k in 0..nl {
        if let Some(fit) = fits.get(k) {
            let eta = test.margins(fit.intercept, &fit.weights);
            let p: Vec<f64> = eta.iter().map(|e| 1.0 / (1.0 + (-e).exp())).collect();
            let dev = weighted_binomial_deviance(&p, y, s);
            let a = weighted_auc(&eta, y, s);
            last = Some((eta, dev, a));
        }
        let (_, dev, a) = last.as_ref().expect("a path has at least one fit");
        deviance.push(*dev);
        aucs.push(*a);
    }
    FoldScores {
        weight,
        deviance,
        auc: aucs,
    }
}

/// Weighted mean and glmnet's standard error over folds, skipping `None`s.
fn mean_se(values: &[(f64, Option<f64>)]) -> (f64, f64) {
    let present: Vec<(f64, f64)> = values
        .iter()
        .filter_map(|&(w, v)| v.map(|v| (w, v)))
        .collect();
    let wsum: f64 = present.iter().map(|(w, _)| w).sum();
    if present.is_empty() || wsum == 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = present.iter().map(|(w, v)| w * v).sum::<f64>() / wsum;
    let var = present
        .iter()
        .map(|(w, v)| w * (v - mean) * (v - mean))
        .sum::<f64>()
        / wsum;
    let k = present.len();
    let se = if k > 1 {
        (var / (k - 1) as f64).sqrt()
    } else {
        f64::NAN
    };
    (mean, se)
}

/// k-fold stratified, seeded cross-validation along the path; see the module docs.
pub fn cross_validate(
    design: &Design,
    y: &[bool],
    weights: Option<&[f64]>,
    k: usize,
    seed: u64,
    params: &ValidParams,
) -> Result<CvResult> {
    let n = design.rows();
    if k < 2 || k > n {
        return Err(Error::InvalidParam {
            name: "folds",
            value: k.to_string(),
            reason: format!("must be in 2..={n} (the number of messages)"),
        });
    }
    let prob = Problem::new(design, y, weights)?;
    let lmax = prob.lambda_max(params.alpha());
    let ratio = params.lambda_min_ratio(design.rows(), design.cols());
    let grid = lambda_grid(lmax, params.nlambda(), ratio);
    let path = path_on_grid(&prob, lmax, &grid, params, true);
    let nl = path.lambdas.len();
    let grid = &path.lambdas;
    let folds = stratified_folds(y, k, seed);
    let s: Vec<f64> = match weights {
        Some(w) => w.to_vec(),
        None => vec![1.0; n],
    };

    let scores: Vec<Result<(FoldScores, Vec<Fit>)>> = (0..k)
        .into_par_iter()
        .map(|f| {
            let train: Vec<usize> = (0..n).filter(|&i| folds[i] != f).collect();
            let test: Vec<usize> = (0..n).filter(|&i| folds[i] == f).collect();
            let xd = design.select_rows(&train);
            let yt: Vec<bool> = train.iter().map(|&i| y[i]).collect();
            let st: Vec<f64> = train.iter().map(|&i| s[i]).collect();
            let fp = Problem::new(&xd, &yt, weights.map(|_| st.as_slice()))?;
            let fold_lmax = fp.lambda_max(params.alpha());
            let fold_path = path_on_grid(&fp, fold_lmax, grid, params, false);
            drop(xd);
            let xt = design.select_rows(&test);
            let yv: Vec<bool> = test.iter().map(|&i| y[i]).collect();
            let sv: Vec<f64> = test.iter().map(|&i| s[i]).collect();
            let scores = score_fold(&xt, &yv, &sv, &fold_path.fits, nl);
            Ok((scores, fold_path.fits))
        })
        .collect();
    let (scores, fold_paths): (Vec<FoldScores>, Vec<Vec<Fit>>) = scores
        .into_iter()
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();

    let mut deviance_mean = Vec::with_capacity(nl);
    let mut deviance_se = Vec::with_capacity(nl);
    let mut auc_mean = Vec::with_capacity(nl);
    let mut auc_se = Vec::with_capacity(nl);
    for l in 0..nl {
        let d: Vec<(f64, Option<f64>)> = scores
            .iter()
            .map(|f| (f.weight, Some(f.deviance[l])))
            .collect();
        let (m, se) = mean_se(&d);
        deviance_mean.push(m);
        deviance_se.push(se);
        let a: Vec<(f64, Option<f64>)> = scores.iter().map(|f| (f.weight, f.auc[l])).collect();
        let (m, se) = mean_se(&a);
        auc_mean.push(m);
        auc_se.push(se);
    }
    let (index_min, index_1se) = getmin(&deviance_mean, &deviance_se, 1.0);
    let (auc_index_min, auc_index_1se) = getmin(&auc_mean, &auc_se, -1.0);
    Ok(CvResult {
        lambdas: path.lambdas.clone(),
        lambda_min: path.lambdas[index_min],
        lambda_1se: path.lambdas[index_1se],
        auc_lambda_min: path.lambdas[auc_index_min],
        auc_lambda_1se: path.lambdas[auc_index_1se],
        index_min,
        index_1se,
        auc_index_min,
        auc_index_1se,
        deviance_mean,
        deviance_se,
        auc_mean,
        auc_se,
        folds,
        path,
        fold_paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_reference_values() {
        // First outputs for seed 0 (Vigna's splitmix64.c).
        let mut r = SplitMix64::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn folds_are_stratified_and_seeded() {
        let y: Vec<bool> = (0..103).map(|i| i % 3 == 0).collect();
        let f = stratified_folds(&y, 5, 7);
        assert_eq!(f, stratified_folds(&y, 5, 7));
        assert_ne!(f, stratified_folds(&y, 5, 8));
        for fold in 0..5 {
            let size = f.iter().filter(|&&g| g == fold).count();
            let pos = (0..103).filter(|&i| f[i] == fold && y[i]).count();
            assert!((20..=21).contains(&size), "fold {fold} has {size}");
            assert!((6..=7).contains(&pos), "fold {fold} has {pos} positives");
        }
    }

    #[test]
    fn getmin_follows_glmnet() {
        // Lambdas decreasing; minimum at index 3, 1-SE bound 0.5 + 0.2 = 0.7.
        let mean = [1.0, 0.8, 0.65, 0.5, 0.5, 0.9];
        let se = [0.1, 0.1, 0.1, 0.2, 0.2, 0.1];
        assert_eq!(getmin(&mean, &se, 1.0), (3, 2));
        let auc = [0.5, 0.9, 0.95, 0.94];
        let se = [0.0, 0.01, 0.06, 0.01];
        assert_eq!(getmin(&auc, &se, -1.0), (2, 1));
    }
}
