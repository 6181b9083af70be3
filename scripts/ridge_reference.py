#!/usr/bin/env python3
"""Reference objective values for the ridge (alpha = 0) solver's tests
(tests/data/solver/ridge_reference.json).

Solves F(b0, w) = (1/N) sum_i s_i log(1 + exp(-y_i (b0 + x_i.w))) + (lambda / 2) ||w||_2^2,
intercept unpenalized, on tests/data/solver/real300.svm (see
scripts/solver_reference.py) with two established implementations run to a
tight tolerance:

  * scikit-learn LogisticRegression(penalty="l2", solver="newton-cg",
    C = 1 / (N lambda), tol=1e-12), sample_weight = s (it leaves the intercept
    unpenalized);
  * LIBLINEAR 2.50 `-s 0 -c C -B 1 -R -e 1e-10` (-R: bias not regularized;
    unweighted cases only).

Each case records both objectives (computed here by the formula above, in
float64 with np.logaddexp) and `reference` = the smaller. lambda is given as a
fraction of the ridge path's lambda_max (glmnet's: that of alpha = 0.001). Run:

    bash bench/solver/venv.sh && bench/.venv/solver/bin/python scripts/ridge_reference.py
"""
import os
import sys
import warnings

import numpy as np
from sklearn.datasets import load_svmlight_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from solver_reference import DATA, row_weights, save  # noqa: E402


def objective(X, y, s, lam, b0, w):
    eta = b0 + X @ w
    return np.mean(s * np.logaddexp(0.0, -y * eta)) + 0.5 * lam * (w @ w)


def ridge_lambda_max(X, y, s):
    y01 = (y > 0).astype(float)
    p0 = (s * y01).sum() / s.sum()
    return np.abs(X.T @ (s * (y01 - p0))).max() / (len(y) * 0.001)


def run_sklearn(X, y, s, lam):
    from sklearn.linear_model import LogisticRegression
    m = LogisticRegression(penalty="l2", C=1.0 / (len(y) * lam), solver="newton-cg",
                           tol=1e-12, max_iter=100_000, fit_intercept=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, y, sample_weight=s)
    # classes_ = [-1, 1]: coef_ is the logit of +1 (spam).
    return float(m.intercept_[0]), np.ravel(m.coef_)


def run_liblinear(X, y, lam):
    from liblinear.liblinearutil import parameter, problem, train
    C = 1.0 / (len(y) * lam)
    m = train(problem(y, X), parameter(f"-s 0 -c {C} -B 1 -R -e 1e-10 -q"))
    w, b0 = m.get_decfun()
    sign = 1.0 if m.get_labels()[0] == 1 else -1.0
    return sign * b0, sign * np.asarray(w)


def main():
    X, y = load_svmlight_file(os.path.join(DATA, "real300.svm"))
    X = X.tocsr()
    cases = []
    for weighted in [False, True]:
        s = row_weights(y, weighted)
        lmax = ridge_lambda_max(X, y, s)
        for ratio in [0.1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6]:
            lam = ratio * lmax
            case = {"ratio": ratio, "lambda": lam, "weighted": weighted, "lambda_max": lmax}
            b0, w = run_sklearn(X, y, s, lam)
            case["sklearn"] = objective(X, y, s, lam, b0, w)
            ref = case["sklearn"]
            if not weighted:
                b0, w = run_liblinear(X, y, lam)
                case["liblinear"] = objective(X, y, s, lam, b0, w)
                ref = min(ref, case["liblinear"])
            case["reference"] = ref
            cases.append(case)
            print(case, file=sys.stderr)
    save("ridge_reference.json", X, "scripts/ridge_reference.py",
         {"liblinear-official": "2.50.0"},
         "(1/N) sum_i s_i log(1+exp(-y_i(b0+x_i.w))) + (lambda/2)|w|^2; s rescaled to mean 1",
         cases)


if __name__ == "__main__":
    main()
