#!/usr/bin/env python3
"""Peers of sparsetext's solver, timed in-process on the same svmlight file.

    peers.py MATRIX.svm OURS.tsv [--quick]

OURS.tsv holds the lines printed by `examples/solver_bench.rs` (kind, ratio,
alpha, tol, seconds, objective(s), ...): the tight runs (tol 1e-10) give the
optimum F*, together with every peer's best objective; the others are timed.
For each problem and tool we sweep the tool's tolerance from loose to tight
and report the first (so fastest) run whose relative suboptimality
(F - F*) / F* is at most 1e-6. Single-threaded (run.sh sets the *_NUM_THREADS
variables). Prints one markdown table: seconds and peer / sparsetext ratios.

Problem (all tools): (1/N) sum log(1 + exp(-y (b0 + x.w))) + lambda (alpha |w|_1
+ (1 - alpha)/2 |w|^2), intercept unpenalized. LIBLINEAR -s 6 solves
|w|_1 + C sum log(...) with C = 1/(N lambda); -B 1 -R appends a bias feature
and leaves it unregularized, so it is the same problem (alpha = 1 only).
"""
import sys
import time
import warnings

import numpy as np
from sklearn.datasets import load_svmlight_file

TARGET = 1e-6
BUDGET = 60.0  # seconds: stop tightening a tool's tolerance past this


def objective(X, y, lam, alpha, b0, w):
    eta = b0 + X @ w
    return np.mean(np.logaddexp(0.0, -y * eta)) + lam * (
        alpha * np.abs(w).sum() + 0.5 * (1 - alpha) * (w @ w))


def lambda_max(X, y, alpha):
    y01 = (y > 0).astype(float)
    return np.abs(X.T @ (y01 - y01.mean())).max() / (len(y) * alpha)


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


# ---- tools: each returns (b0, w) or a list of them for a path ----

def glmnet_fit(X, y, lams, alpha, thresh):
    from glmnet import LogitNet
    m = LogitNet(alpha=alpha, lambda_path=np.asarray(lams), standardize=False,
                 fit_intercept=True, n_splits=0, tol=thresh, max_iter=10_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.fit(X, (y > 0).astype(int))
    fits = []
    got = list(m.lambda_path_)
    for lam in lams:
        k = int(np.argmin([abs(g - lam) for g in got]))
        if abs(got[k] - lam) > 1e-9 * lam:
            fits.append(None)  # glmnet stopped its path before lam
        else:
            fits.append((m.intercept_path_[0][k], np.asarray(m.coef_path_[0][:, k])))
    return fits


def skglm_est(lam, alpha, tol, warm):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Logistic
    from skglm.penalties import L1, L1_plus_L2
    from skglm.solvers import ProxNewton
    pen = L1(lam) if alpha == 1 else L1_plus_L2(lam, alpha)
    solver = ProxNewton(tol=tol, max_iter=1000, fit_intercept=True, warm_start=warm)
    return GeneralizedLinearEstimator(Logistic(), pen, solver)


def skglm_fit(X, y, lams, alpha, tol):
    est = skglm_est(lams[0], alpha, tol, warm=len(lams) > 1)
    fits = []
    for lam in lams:
        est.penalty.alpha = lam
        est.fit(X, y)
        fits.append((float(np.ravel(est.intercept_)[0]), np.ravel(est.coef_).copy()))
    return fits


def liblinear_fit(prob, n, lams, eps):
    from liblinear.liblinearutil import parameter, train
    fits = []
    for lam in lams:  # cold starts: LIBLINEAR has no warm start across C
        m = train(prob, parameter(f"-s 6 -c {1.0 / (n * lam)!r} -e {eps} -B 1 -R -q"))
        w, b = m.get_decfun()
        w = np.asarray(w)
        if m.get_labels()[0] != 1:
            w, b = -w, -b
        fits.append((b, w))
    return fits


def main():
    path, ours_tsv = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv
    X, y = load_svmlight_file(path)
    X = X.tocsr()
    n, p = X.shape
    Xc = X.tocsc()
    rows = []
    for line in open(ours_tsv):
        f = line.rstrip("\n").split("\t")
        rows.append(dict(kind=f[0], ratio=float(f[1]), alpha=float(f[2]), tol=float(f[3]),
                         secs=float(f[4]), obj=[float(v) for v in f[5].split(",")],
                         gap=float(f[6]), nnz=int(f[7]), peak=int(f[11]), design=int(f[12])))
    problems = sorted({(r["kind"], r["ratio"], r["alpha"]) for r in rows},
                      key=lambda k: (k[0] == "path", -k[1], -k[2]))

    from liblinear.liblinearutil import problem as ll_problem
    ll_prob = ll_problem(y, X)
    # Warm skglm's numba JIT up on a small slice, outside any timing.
    skglm_fit(X[:200], y[:200], [0.1 * lambda_max(X[:200], y[:200], 1.0)], 1.0, 1e-4)
    skglm_fit(X[:200], y[:200], [0.1 * lambda_max(X[:200], y[:200], 0.5)], 0.5, 1e-4)

    table = []
    for kind, ratio, alpha in problems:
        lmax = lambda_max(X, y, alpha)
        if kind == "single":
            lams = [ratio * lmax]
        else:
            nl = len([r for r in rows if (r["kind"], r["ratio"], r["alpha"]) == (kind, ratio, alpha)][0]["obj"])
            lams = list(lmax * np.exp(np.log(ratio) * np.arange(nl) / (nl - 1)))
        mine = [r for r in rows if (r["kind"], r["ratio"], r["alpha"]) == (kind, ratio, alpha)]
        tight = min((r for r in mine), key=lambda r: r["tol"])
        fstar = np.array(tight["obj"], dtype=float)
        results = {}  # tool -> list of (tol, secs, objs)

        def run(tool, tols, fn):
            out = []
            for tol in tols:
                secs, fits = timed(fn(tol))
                objs = np.array([objective(X, y, lam, alpha, *fit) if fit is not None else np.inf
                                 for lam, fit in zip(lams, fits)])
                out.append((tol, secs, objs))
                print(f"  {kind} {ratio} {alpha} {tool} tol {tol:g}: {secs:.3f} s", file=sys.stderr)
                if secs > BUDGET:
                    break
                worst = np.max((objs - fstar) / fstar)
                if worst <= TARGET and quick:
                    break
            results[tool] = out

        glm_tols = [1e-5, 1e-6, 1e-7, 1e-8, 1e-9, 1e-10, 1e-12]
        run("glmnet", glm_tols, lambda t: (lambda: glmnet_fit(Xc, y, lams, alpha, t)))
        if alpha == 1.0:
            ll_tols = [1e-2, 1e-3, 1e-4, 1e-5, 3e-6, 1e-6, 1e-7, 1e-8, 1e-9]
            run("liblinear", ll_tols, lambda t: (lambda: liblinear_fit(ll_prob, n, lams, t)))
        sk_tols = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8, 1e-10]
        run("skglm", sk_tols, lambda t: (lambda: skglm_fit(X, y, lams, alpha, t)))

        # F* = the best objective anyone reached.
        for out in results.values():
            for _, _, objs in out:
                fstar = np.minimum(fstar, objs)
        for r in mine:
            fstar = np.minimum(fstar, np.array(r["obj"]))

        def best(out, fn):
            ok = [(secs, tol, np.max((objs - fstar) / fstar)) for tol, secs, objs in out
                  if np.max((objs - fstar) / fstar) <= TARGET]
            if ok:
                secs, tol, worst = min(ok)
                if secs < 5.0:  # best of 3 for the chosen run: the machine is shared
                    secs = min([secs] + [timed(fn(tol))[0] for _ in range(2)])
                return secs, f"tol {tol:g}", worst
            tol, secs, objs = out[-1]
            return None, f"none reached 1e-6 (tol {tol:g}: {secs:.2f} s, worst {np.max((objs - fstar) / fstar):.1e})", None

        ours_cert = [r for r in mine if r["tol"] == 1e-6][0]
        ours_worst = np.max((np.array(ours_cert["obj"]) - fstar) / fstar)
        ours_sweep = [(r["secs"], r["tol"], np.max((np.array(r["obj"]) - fstar) / fstar)) for r in mine
                      if r["tol"] > 1e-10]
        ours_fast = min([s for s in ours_sweep if s[2] <= TARGET], default=None)
        line = {"problem": (kind, ratio, alpha), "ours": (ours_cert["secs"], ours_worst, ours_cert["gap"]),
                "ours_fast": ours_fast, "peak": ours_cert["peak"], "design": ours_cert["design"],
                "nnz": ours_cert["nnz"]}
        fns = {"glmnet": lambda t: (lambda: glmnet_fit(Xc, y, lams, alpha, t)),
               "liblinear": lambda t: (lambda: liblinear_fit(ll_prob, n, lams, t)),
               "skglm": lambda t: (lambda: skglm_fit(X, y, lams, alpha, t))}
        for tool in ["glmnet", "liblinear", "skglm"]:
            if tool in results:
                line[tool] = best(results[tool], fns[tool])
        line["sweeps"] = {tool: [(tol, secs, float(np.max((objs - fstar) / fstar))) for tol, secs, objs in out]
                          for tool, out in results.items()}
        line["ours_sweep"] = [(r["tol"], r["secs"], float(np.max((np.array(r["obj"]) - fstar) / fstar)))
                              for r in mine]
        table.append(line)

    print(f"\nmatrix: {path}: {n} x {p}, {X.nnz} non-zeros; single-threaded; "
          f"time to relative suboptimality <= 1e-6 (F* = best of all tools, ours at tol 1e-10)\n")
    print("| problem | sparsetext (certified tol 1e-6) | sparsetext fastest sweep | glmnet | LIBLINEAR -s 6 -B 1 -R | skglm | peer/ours (fastest peer) |")
    print("|---|---|---|---|---|---|---|")
    for line in table:
        kind, ratio, alpha = line["problem"]
        name = (f"lambda = {ratio:g} lambda_max, alpha {alpha:g}" if kind == "single"
                else f"path, 100 lambdas to {ratio:g} lambda_max, alpha {alpha:g}")
        secs, worst, gap = line["ours"]
        cells = [name, f"{secs:.3f} s (gap {gap:.1e}, subopt {worst:.1e}, nnz {line['nnz']})"]
        fast = line["ours_fast"]
        cells.append(f"{fast[0]:.3f} s (tol {fast[1]:g})" if fast else "-")
        peers = []
        for tool in ["glmnet", "liblinear", "skglm"]:
            if tool not in line:
                cells.append("-")
                continue
            t, how, _ = line[tool]
            cells.append(f"{t:.3f} s ({how})" if t is not None else how)
            if t is not None:
                peers.append(t)
        ratio_cell = f"{min(peers) / secs:.2f}x" if peers else "-"
        cells.append(ratio_cell)
        print("| " + " | ".join(cells) + " |")
    # The path goal: the certified path in less than half of glmnet's
    # own path at its default thresh (1e-7), measured in this run.
    for line in table:
        kind, ratio, alpha = line["problem"]
        default = [(s, w) for t, s, w in line["sweeps"].get("glmnet", []) if t == 1e-7]
        if kind == "path" and default:
            secs, worst = default[0]
            print(f"\nPath goal: sparsetext certified {line['ours'][0]:.3f} s; glmnet at its default "
                  f"thresh 1e-7 {secs:.3f} s (worst point {worst:.1e} from optimal): glmnet default / "
                  f"ours = {secs / line['ours'][0]:.2f}x (goal: more than 2x)")
    print("\nEvery run (tolerance: seconds, worst relative suboptimality over the problem's lambdas):\n")
    for line in table:
        print(f"- {line['problem']}: sparsetext " + ", ".join(
            f"{t:g}: {s:.3f} s {w:.1e}" for t, s, w in line["ours_sweep"]))
        for tool, runs in line["sweeps"].items():
            print(f"  {tool} " + ", ".join(f"{t:g}: {s:.3f} s {w:.1e}" for t, s, w in runs))
    print()
    for line in table:
        print(f"peak solver heap {line['problem']}: {line['peak'] / 1e6:.2f} MB "
              f"(design {line['design'] / 1e6:.2f} MB, ratio {line['peak'] / line['design']:.2f})")


if __name__ == "__main__":
    main()
