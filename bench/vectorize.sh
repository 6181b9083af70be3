#!/usr/bin/env bash
# Throughput of parse + tokenize + vectorize on the full public corpus:
# sparsetext (MIME decoding, stemming, header tags; writes the svmlight file)
# versus scikit-learn's CountVectorizer (raw text, no MIME decoding; nothing
# written), on the same files, in the same run. Median of RUNS runs each.
#
# Usage: bench/vectorize.sh [CORPUS] (default corpora/spamassassin, fetched if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpora/spamassassin}
runs=${RUNS:-5}
[ -d "$corpus" ] || corpora/fetch-spamassassin.sh
. bench/venv.sh scikit-learn==1.7.2 numpy==2.3.4
cargo build --release --quiet
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

files=$(find "$corpus" -type f | wc -l)
bytes=$(find "$corpus" -type f -print0 | du -cb --files0-from=- | tail -1 | cut -f1)
times=()
for _ in $(seq "$runs"); do
  start=$(date +%s%N)
  target/release/sparsetext vectorize "$corpus" -o "$out/x.svm" --vocab "$out/v.txt" >/dev/null
  end=$(date +%s%N)
  times+=("$(((end - start) / 1000000))e-3")
done
ours=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((runs + 1) / 2))p")
theirs=$("$PY" bench/vectorize_peer.py "$corpus" "$runs")

"$PY" - "$files" "$bytes" "$ours" "$theirs" <<'PY'
import sys
files, size, ours, theirs = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
print(f"corpus: {files} messages, {size / 1e6:.1f} MB; median of runs; 2 cores")
print(f"| tool | seconds | MB/s | messages/s | speed-up |")
print(f"|---|---|---|---|---|")
for name, t in [("sparsetext vectorize (whole process, 2 threads)", ours), ("scikit-learn CountVectorizer(binary=True) (in-process)", theirs)]:
    print(f"| {name} | {t:.2f} | {size / 1e6 / t:.1f} | {files / t:.0f} | {theirs / t:.1f}x |")
PY
