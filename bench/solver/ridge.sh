#!/usr/bin/env bash
# Ridge (alpha = 0) speed, side by side in one run: sparsetext against
# LIBLINEAR 2.50 `-s 0 -B 1 -R` at lambda 1e-3 and 1e-4, then sparsetext's
# 100-lambda certified ridge path (method in bench/solver/ridge.py).
#
# Usage: bench/solver/ridge.sh [MATRIX.svm] [ROUNDS]
#   MATRIX defaults to the benchmark matrix: the training portion of the
#   SpamAssassin public corpus through scikit-learn's
#   CountVectorizer(binary=True) (bench/solver/make_matrix.py), made from
#   CORPUS (default corpora/spamassassin, fetched if missing) when absent.
#   ROUNDS (default 3): each time is the best of that many.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=$(bash bench/solver/venv.sh | tail -1)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 RAYON_NUM_THREADS=1
cargo build --release --quiet --example solver_bench
export SOLVER_BENCH="${CARGO_TARGET_DIR:-target}/release/examples/solver_bench"
svm=${1:-bench/out/solver-train-sklearn.svm}
if [ ! -f "$svm" ]; then
  corpus=${CORPUS:-corpora/spamassassin}
  [ -d "$corpus" ] || corpora/fetch-spamassassin.sh
  mkdir -p "$(dirname "$svm")"
  "$py" bench/solver/make_matrix.py "$corpus" "$svm" --portion train
fi
"$py" bench/solver/ridge.py "$svm" "${2:-3}"
