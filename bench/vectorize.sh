#!/usr/bin/env bash
# Throughput of parse + tokenize + vectorize on the full public corpus:
# sparsetext (MIME decoding, stemming, header tags; writes the svmlight file)
# versus scikit-learn's CountVectorizer (raw text, no MIME decoding; nothing
# written), on the same files, in the same run, runs alternating. Median of
# RUNS runs each.
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

files=$(find -L "$corpus" -type f | wc -l)
bytes=$(find -L "$corpus" -type f -print0 | du -cbL --files0-from=- | tail -1 | cut -f1)
# Runs alternate (ours on 2 threads, ours on 1 thread, theirs) so that load
# drift on this shared machine hits every tool alike. For ours, the CPU time
# (user + sys) of each run is kept too.
two=() one=() cpu=() theirs=() theirs_cpu=()
run_ours() { # THREADS -> "wall cpu" seconds
  local real user sys
  read -r real user sys < <({ TIMEFORMAT='%3R %3U %3S'; time target/release/sparsetext vectorize \
    --threads "$1" "$corpus" -o "$out/x.svm" --vocab "$out/v.txt" >/dev/null 2>&3; } 3>&2 2>&1)
  echo "$real $(awk "BEGIN { print $user + $sys }")"
}
for _ in $(seq "$runs"); do
  read -r wall c < <(run_ours 2)
  two+=("$wall") cpu+=("$c")
  read -r wall _ < <(run_ours 1)
  one+=("$wall")
  read -r wall c < <("$PY" bench/vectorize_peer.py "$corpus" 1 2>/dev/null)
  theirs+=("$wall") theirs_cpu+=("$c")
done
median() { printf '%s\n' "$@" | sort -g | sed -n "$((($# + 1) / 2))p"; }

"$PY" - "$files" "$bytes" "$(median "${two[@]}")" "$(median "${one[@]}")" "$(median "${theirs[@]}")" \
  "$(median "${cpu[@]}")" "$(median "${theirs_cpu[@]}")" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
files, size = int(sys.argv[1]), int(sys.argv[2])
two, one, theirs, cpu, theirs_cpu = map(float, sys.argv[3:8])
print(f"corpus: {files} messages, {size / 1e6:.1f} MB; median of runs; 2 cores, load average {sys.argv[8]} at the end")
print("| tool | seconds | MB/s | messages/s | speed-up |")
print("|---|---|---|---|---|")
rows = [
    ("sparsetext vectorize (whole process, 2 threads)", two),
    ("sparsetext vectorize --threads 1 (whole process)", one),
    ("scikit-learn CountVectorizer(binary=True) (in-process)", theirs),
]
for name, t in rows:
    print(f"| {name} | {t:.2f} | {size / 1e6 / t:.1f} | {files / t:.0f} | {theirs / t:.1f}x |")
print(f"CPU-seconds per run (median): sparsetext 2 threads {cpu:.2f} (user + sys, whole process), "
      f"scikit-learn {theirs_cpu:.2f} (process time of the timed part): {theirs_cpu / cpu:.1f}x")
PY
