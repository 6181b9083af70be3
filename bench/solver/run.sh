#!/usr/bin/env bash
# Side-by-side, single-threaded benchmark of sparsetext's solver against
# glmnet (python-glmnet 2.2.1, Fortran), LIBLINEAR 2.50 (-s 6) and skglm 0.5,
# all on the same svmlight file, in the same run.
#
# Usage: bench/solver/run.sh [MATRIX.svm]
#   MATRIX defaults to the training portion of the SpamAssassin public corpus
#   (file-name MD5 not starting with 0, 1 or 2), vectorized by
#   `sparsetext vectorize`; with SKLEARN=1 by scikit-learn's
#   CountVectorizer(binary=True) instead (bench/solver/make_matrix.py), the
#   README's matrix. CORPUS (default corpora/spamassassin, fetched if
#   missing) is the corpus folder. QUICK=1 stops each tolerance sweep at the
#   first run that reaches 1e-6.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=$(bash bench/solver/venv.sh | tail -1)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 NUMBA_NUM_THREADS=1 RAYON_NUM_THREADS=1
cargo build --release --quiet --bin sparsetext --example solver_bench
mkdir -p bench/out
svm=${1:-}
if [ -z "$svm" ]; then
  corpus=${CORPUS:-corpora/spamassassin}
  [ -d "$corpus" ] || corpora/fetch-spamassassin.sh
  if [ "${SKLEARN:-0}" = 1 ]; then
    svm=bench/out/solver-train-sklearn.svm
    [ -f "$svm" ] || "$py" bench/solver/make_matrix.py "$corpus" "$svm" --portion train
  else
    svm=bench/out/solver-train.svm
    if [ ! -f "$svm" ]; then
      # The training portion as a tree of links, folder names kept (they carry the labels).
      train=bench/out/solver-train-corpus
      rm -rf "$train"
      "$py" - "$corpus" "$train" <<'PY'
import os, re, sys
corpus, train = sys.argv[1], sys.argv[2]
name = re.compile(r"^\d{5}\.([0-9a-f]{32})(\.txt)?$")  # NNNNN.<md5>, as published (or .txt)
for root, _, files in os.walk(corpus):
    for f in files:
        m = name.match(f)
        if m is None or m.group(1)[0] in "012":
            continue
        d = os.path.join(train, os.path.basename(root))
        os.makedirs(d, exist_ok=True)
        os.symlink(os.path.realpath(os.path.join(root, f)), os.path.join(d, f))
PY
      target/release/sparsetext vectorize "$train" -o "$svm" --vocab bench/out/solver-train.vocab
    fi
  fi
fi
ours=bench/out/$(basename "$svm" .svm)-ours.tsv
bench=target/release/examples/solver_bench
problems=(--single 0.1:1 --single 0.01:1 --single 0.001:1 --single 0.1:0.5 --single 0.01:0.5 --single 0.001:0.5 --path 100:1e-4:1)
{
  "$bench" "$svm" --tol 1e-10 "${problems[@]}"
  for tol in 1e-6 1e-5 1e-4; do
    "$bench" "$svm" --tol "$tol" --repeat 5 "${problems[@]}"
  done
} > "$ours"
"$py" bench/solver/peers.py "$svm" "$ours" ${QUICK:+--quick}
