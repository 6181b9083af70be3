#!/usr/bin/env bash
# Spark MLlib's LogisticRegression against sparsetext's solver on the same
# matrix: the public corpus written as shards (`vectorize --shards`), Spark in
# local mode fitting sparsetext's objective (standardization=false,
# fitIntercept=true, regParam = lambda, elasticNetParam = alpha) on every part
# but the test shard (the part whose classes are most balanced), its weights
# imported (`import`) and both models certified (`certify`) on the parts Spark
# fitted. Checks, and fails otherwise:
#   - sparsetext's scores of the test shard's rows equal Spark's predicted
#     probabilities to 1e-6;
#   - the certificates agree: Spark's objective is at least our dual bound and
#     ours at least Spark's (weak duality), so F_spark - F_ours is within the
#     larger of the two gaps.
# Prints one table: objective, relative duality gap, largest KKT violation,
# non-zeros, time for each fit, with ratios to sparsetext.
#
# Usage: bench/spark.sh [CORPUS]   (default corpora/spamassassin, fetched if missing)
# Environment: RATIO (lambda = RATIO lambda_max, default 0.01), ALPHA (1),
# TOLS (Spark's tolerances, "1e-6 1e-10"), TOL (sparsetext's, 1e-6),
# SHARD_ROWS (1000), MASTER (local[2]; a cluster's URL runs the same job there).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpora/spamassassin}
ratio=${RATIO:-0.01} alpha=${ALPHA:-1} tols=${TOLS:-"1e-6 1e-10"} tol=${TOL:-1e-6}
shard_rows=${SHARD_ROWS:-1000} master=${MASTER:-local[2]}
[ -d "$corpus" ] || corpora/fetch-spamassassin.sh
py=$(bash bench/spark/venv.sh)
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/sparsetext
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shards="$work/shards"
"$bin" vectorize "$corpus" --shards "$shards" --shard-rows "$shard_rows" >&2
json() { "$py" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$@"; }

# Spark first: it picks the test shard and turns RATIO into lambda.
rows=()
for t in $tols; do
    fit=$("$py" bench/spark/fit.py "$shards" "$ratio" "$alpha" "$t" "$work/spark-$t.weights" \
        --lambda-ratio --probabilities "$work/spark-$t.p" --master "$master" \
        2>"$work/spark.log" | tail -1) \
        || { cat "$work/spark.log" >&2; exit 1; }
    lambda=$("$py" -c 'import json, sys; print(repr(json.loads(sys.argv[1])["lambda"]))' "$fit")
    test_shard=$(json "$fit" test_shard)
    # The parts Spark fitted, as one svmlight file over the shards' vocabulary.
    (cd "$shards" && cat $(json "$fit" train_shards | tr -d "[]',")) > "$work/train.svm"
    "$bin" import --shards "$shards" --weights "$work/spark-$t.weights" \
        -o "$work/spark-$t.model" --lambda "$lambda" --alpha "$alpha" >&2
    "$bin" certify --svmlight "$shards/$test_shard" --vocab "$shards/vocab.txt" \
        -m "$work/spark-$t.model" --scores "$work/ours-$t.p" >/dev/null
    diff=$("$py" bench/spark/compare.py "$work/spark-$t.p" "$work/ours-$t.p")
    cert=$("$bin" certify --json --svmlight "$work/train.svm" --vocab "$shards/vocab.txt" \
        -m "$work/spark-$t.model")
    rows+=("{\"tool\": \"Spark MLlib $(json "$fit" spark) (tol $t, $master)\", \"fit\": $fit, \"certify\": $cert, \"test\": $diff}")
done

# sparsetext on the same matrix: the whole process (reading it, fitting, writing the model).
start=$(date +%s.%N)
"$bin" train --svmlight "$work/train.svm" --vocab "$shards/vocab.txt" --lambda "$lambda" \
    --alpha "$alpha" --tol "$tol" -o "$work/own.model" >/dev/null
seconds=$(awk "BEGIN { print $(date +%s.%N) - $start }")
cert=$("$bin" certify --json --svmlight "$work/train.svm" --vocab "$shards/vocab.txt" \
    -m "$work/own.model")
rows+=("{\"tool\": \"sparsetext train --svmlight (tol $tol, whole process)\", \"fit\": {\"seconds\": $seconds}, \"certify\": $cert}")

(IFS=$'\n'; echo "${rows[*]}") | "$py" bench/spark/table.py "$shards/manifest.json" "$test_shard" \
    "$ratio" "$(cut -d' ' -f1-3 /proc/loadavg)"
