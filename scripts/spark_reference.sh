#!/usr/bin/env bash
# Makes tests/data/spark/: a shard folder of the bundled sample corpus and the
# weights Spark MLlib's LogisticRegression fits on it, with Spark's own final
# objective (objectiveHistory) in reference.json, for tests/shards.rs.
#
#   shards/          sparsetext vectorize corpora/sample --shards ... --min-df 30 --shard-rows 200
#   alpha-A.weights        Spark's intercept and non-zero coefficients (1-based ids)
#   alpha-A.probabilities  Spark's p(spam) of each row of the test shard (held out)
#   reference.json         per case: lambda, alpha, Spark's tol, iterations, objective,
#                          the shards fitted and the test shard
#
# Spark runs in local mode (pyspark 3.5 from bench/spark/venv.sh, which also
# installs Java when absent), standardization=false, fitIntercept=true,
# lambda = 0.05 lambda_max of the shards fitted; the test shard is the part
# whose classes are most balanced. Run from the checkout: bash scripts/spark_reference.sh
set -euo pipefail
cd "$(dirname "$0")/.."
py=$(bash bench/spark/venv.sh)
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/sparsetext
out=tests/data/spark
mkdir -p "$out"
"$bin" vectorize corpora/sample --shards "$out/shards" --min-df 30 --shard-rows 200
cases=()
for alpha in 1 0.5; do
    json=$("$py" bench/spark/fit.py "$out/shards" 0.05 "$alpha" 1e-12 \
        "$out/alpha-$alpha.weights" --lambda-ratio \
        --probabilities "$out/alpha-$alpha.probabilities" 2>/dev/null | tail -1)
    cases+=("$(printf '{"weights": "alpha-%s.weights", "probabilities": "alpha-%s.probabilities", "fit": %s}' \
        "$alpha" "$alpha" "$json")")
done
{
    echo '{"made_by": "scripts/spark_reference.sh", "cases": ['
    (IFS=,; echo "${cases[*]}")
    echo ']}'
} | "$py" -m json.tool > "$out/reference.json"
cat "$out/reference.json"
