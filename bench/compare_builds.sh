#!/usr/bin/env bash
# Two builds of sparsetext side by side, runs alternating (old, new, new, old,
# ...) so that load drift on a shared machine hits both alike: the solver's
# certified path (examples/solver_bench, 100 lambdas to 1e-4 lambda_max,
# alpha 1, tol 1e-6), `vectorize` of the public corpus and batch `classify`
# of it. Prints the median of RUNS runs of each and the ratio new / old.
#
# Usage: bench/compare_builds.sh OLD_DIR NEW_DIR
#   each DIR holds a release `sparsetext` and `solver_bench` (e.g.
#   target/release and target/release/examples of two checkouts, copied).
# CORPUS (default corpora/spamassassin, fetched if missing), RUNS (default 7).
set -euo pipefail
cd "$(dirname "$0")/.."
old=$(cd "$1" && pwd) new=$(cd "$2" && pwd)
runs=${RUNS:-7}
corpus=${CORPUS:-corpora/spamassassin}
[ -d "$corpus" ] || corpora/fetch-spamassassin.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The solver's matrix: the training portion (file-name MD5 not starting with
# 0, 1 or 2), as bench/solver/run.sh makes it, vectorized by the old build.
mkdir -p "$work/train"
find -L "$corpus" -type f | while read -r f; do
    base=$(basename "$f") md5=${base#*.}
    case $md5 in [012]*) continue ;; esac
    dir=$work/train/$(basename "$(dirname "$f")")
    mkdir -p "$dir"
    ln -s "$(readlink -f "$f")" "$dir/$base"
done
"$old/sparsetext" vectorize "$work/train" -o "$work/train.svm" --vocab "$work/train.vocab" >/dev/null
"$old/sparsetext" train "$corpus" --lambda 1e-4 -o "$work/full.model" >/dev/null

seconds() { # command... -> wall seconds
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    awk "BEGIN { printf \"%.4f\", $end - $start }"
}
path_seconds() { # DIR -> the path's seconds as solver_bench reports them
    "$1/solver_bench" "$work/train.svm" --tol 1e-6 --path 100:1e-4:1 2>/dev/null | cut -f5
}
declare -A times
# ABBA order: whichever build runs second in a round tends to be slower.
for ((i = 0; i < runs; i++)); do
    order="old new"; ((i % 2)) && order="new old"
    for side in $order; do
        dir=$old; [ $side = new ] && dir=$new
        times[path.$side]+="$(path_seconds "$dir") "
        times[vectorize.$side]+="$(seconds "$dir/sparsetext" vectorize "$corpus" -o "$work/x.svm" --vocab "$work/x.vocab") "
        times[classify.$side]+="$(seconds "$dir/sparsetext" classify -m "$work/full.model" "$corpus") "
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-10s %10s %10s %8s   (median of %d alternating runs, seconds)\n' what old new new/old "$runs"
for what in path vectorize classify; do
    o=$(median <<<"${times[$what.old]}") n=$(median <<<"${times[$what.new]}")
    printf '%-10s %10.4f %10.4f %8.3f\n' "$what" "$o" "$n" "$(awk "BEGIN { print $n / $o }")"
done
