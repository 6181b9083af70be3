#!/usr/bin/env python3
"""Reference objective values for the solver's tests (tests/data/solver/reference.json).

Solves F(b0, w) = (1/N) sum_i s_i log(1 + exp(-y_i (b0 + x_i.w)))
                  + lambda (alpha ||w||_1 + (1 - alpha)/2 ||w||_2^2)
on tests/data/solver/real300.svm (300 real SpamAssassin messages, made by
bench/solver/make_matrix.py --limit 300 --seed 1 --min-df 3) with two established
implementations run to tight tolerance:

  * python-glmnet (glmnet's Fortran lognet), standardize=False, tol=1e-14,
    fitted along a geometric path from lambda_max to the target lambda;
  * skglm ProxNewton with fit_intercept=True, tol=1e-12 (unweighted cases only).

Each case records both objectives (computed here by the formula above, in
float64 with np.logaddexp) and `reference` = the smaller. Run:

    bash bench/solver/venv.sh && bench/.venv/bin/python scripts/solver_reference.py
"""
import json
import os
import sys
import warnings

import numpy as np
from sklearn.datasets import load_svmlight_file

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "tests", "data", "solver")


def objective(X, y, s, lam, alpha, b0, w):
    eta = b0 + X @ w
    loss = np.mean(s * np.logaddexp(0.0, -y * eta))
    return loss + lam * (alpha * np.abs(w).sum() + 0.5 * (1 - alpha) * (w @ w))


def lambda_max(X, y, s, alpha):
    y01 = (y > 0).astype(float)
    p0 = (s * y01).sum() / s.sum()
    return np.abs(X.T @ (s * (y01 - p0))).max() / (len(y) * alpha)


def run_glmnet(X, y, s, lam, lmax, alpha):
    from glmnet import LogitNet
    path = np.geomspace(lmax, lam, 30)
    m = LogitNet(alpha=alpha, lambda_path=path, standardize=False, fit_intercept=True,
                 n_splits=0, tol=1e-14, max_iter=10_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, (y > 0).astype(int), sample_weight=s)
    # glmnet orders classes; coef_path_ is for the class 1 (spam) logit.
    w = m.coef_path_[0][:, -1]
    b0 = m.intercept_path_[0][-1]
    return b0, w


def run_skglm(X, y, lam, alpha):
    from skglm.datafits import Logistic
    from skglm.penalties import L1, L1_plus_L2
    from skglm.solvers import ProxNewton
    from skglm import GeneralizedLinearEstimator
    pen = L1(lam) if alpha == 1 else L1_plus_L2(lam, alpha)
    est = GeneralizedLinearEstimator(Logistic(), pen,
                                     ProxNewton(tol=1e-12, max_iter=1000, fit_intercept=True))
    est.fit(X, y)
    return float(np.ravel(est.intercept_)[0]), np.ravel(est.coef_)


def main():
    import glmnet
    import skglm
    path = os.path.join(DATA, "real300.svm")
    X, y = load_svmlight_file(path)
    X = X.tocsc()
    cases = []
    for weighted in [False, True]:
        s = row_weights(y, weighted)
        for alpha in [1.0, 0.5]:
            lmax = lambda_max(X, y, s, alpha)
            for ratio in [0.5, 0.1, 0.03, 0.01]:
                lam = ratio * lmax
                case = {"alpha": alpha, "ratio": ratio, "lambda": lam, "weighted": weighted,
                        "lambda_max": lmax}
                b0, w = run_glmnet(X, y, s, lam, lmax, alpha)
                case["glmnet"] = objective(X, y, s, lam, alpha, b0, w)
                case["glmnet_nnz"] = int((w != 0).sum())
                ref = case["glmnet"]
                if not weighted:
                    b0, w = run_skglm(X, y, lam, alpha)
                    case["skglm"] = objective(X, y, s, lam, alpha, b0, w)
                    case["skglm_nnz"] = int((w != 0).sum())
                    ref = min(ref, case["skglm"])
                case["reference"] = ref
                cases.append(case)
                print(case, file=sys.stderr)
    save("reference.json", X, "scripts/solver_reference.py",
         {"glmnet (python-glmnet)": glmnet.__version__, "skglm": skglm.__version__},
         "(1/N) sum_i s_i log(1+exp(-y_i(b0+x_i.w))) + lambda(alpha|w|_1 + (1-alpha)/2|w|^2); "
         "s rescaled to mean 1", cases)


def row_weights(y, weighted):
    """Ones, or class balancing: each class gets half the total weight."""
    n = len(y)
    if not weighted:
        return np.ones(n)
    npos = (y > 0).sum()
    return np.where(y > 0, n / (2.0 * npos), n / (2.0 * (n - npos)))


def save(name, X, made_by, versions, objective_text, cases):
    """Writes a fixture on real300.svm to tests/data/solver/NAME."""
    import sklearn
    out = {
        "file": "real300.svm",
        "rows": X.shape[0],
        "cols": X.shape[1],
        "made_by": made_by,
        "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                     "scikit-learn": sklearn.__version__, **versions},
        "objective": objective_text,
        "weights": "weighted cases: s_i = N / (2 * size of i's class)",
        "cases": cases,
    }
    with open(os.path.join(DATA, name), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
