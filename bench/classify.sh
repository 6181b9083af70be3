#!/usr/bin/env bash
# Classification speed: sparsetext versus bogofilter and spamprobe (Debian
# packages), trained on the same messages, timed on the same messages, in the
# same run:
#   1. latency: one message on stdin, whole process (start, load model, parse,
#      score), median over LATENCY_MSGS test messages x LATENCY_RUNS runs each;
#   2. batch: every message of the public corpus, messages/s on 1 and 2 cores,
#      median of RUNS runs (SLOW_RUNS for spamprobe, which takes ~25 s a run).
# Training portion: files whose MD5 part (after `NNNNN.`) does not start with
# 0, 1 or 2 (4,912 messages); the rest (1,134) is the test portion, used for
# the latency messages and the sanity check of every tool's verdicts.
#
# Usage: bench/classify.sh [CORPUS] (default corpora/spamassassin, fetched if missing)
# Needs root once, to apt-get install bogofilter and spamprobe.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpora/spamassassin}
runs=${RUNS:-5}
slow_runs=${SLOW_RUNS:-3}
latency_runs=${LATENCY_RUNS:-20}
latency_msgs=${LATENCY_MSGS:-50}
py=bench/classify/harness.py

# shellcheck source=bench/peers/setup.sh
. bench/peers/setup.sh

echo "== training on the same messages" >&2
python3 "$py" split "$corpus" "$work"
"$st" train --ham "$work/train/ham" --spam "$work/train/spam" -o "$work/st.model" >/dev/null
find "$work/train/ham" -type l | bogofilter -C -d "$work/bogo" -n -b
find "$work/train/spam" -type l | bogofilter -C -d "$work/bogo" -s -b
# spamprobe's mmapped hash database: its documented faster format (Berkeley DB is the default)
spamprobe -c -d "hash:$work/sp" -M good "$work"/train/ham/* >/dev/null 2>&1
spamprobe -d "hash:$work/sp" -M spam "$work"/train/spam/* >/dev/null 2>&1

sparsetext="$st classify -m $work/st.model"
bogofilter="bogofilter -C -d $work/bogo -T" # batch adds -e: exit 0 unless error
spamprobe="spamprobe -d hash:$work/sp -M score"

echo "== latency: $latency_msgs messages x $latency_runs runs x 3 tools" >&2
python3 "$py" latency "$work" "$latency_runs" "$latency_msgs" \
  sparsetext "$sparsetext" bogofilter "$bogofilter" spamprobe "$spamprobe"

echo "== batch: $(find "$corpus" -type f | wc -l) messages" >&2
find "$corpus" -type f | sort >"$work/all"
nfiles=$(wc -l <"$work/all")
sed -n 'p;n' "$work/all" >"$work/half1"
sed -n 'n;p' "$work/all" >"$work/half2"
mapfile -t all <"$work/all"
mapfile -t half1 <"$work/half1"
mapfile -t half2 <"$work/half2"

# batch NAME CORES RUNS COMMAND...: median wall time -> messages/s, and median CPU
# time (user + sys of every process) per message; COMMAND writes one verdict line
# per message to $out (counted), which the sanity check reads
batch() {
  local name=$1 cores=$2 n=$3 walls=() cpus=() real user sys
  shift 3
  "$@" # warm-up
  for _ in $(seq "$n"); do
    read -r real user sys < <({ TIMEFORMAT='%3R %3U %3S'; time "$@" 2>&3; } 3>&2 2>&1)
    walls+=("$real")
    cpus+=("$(awk "BEGIN { print $user + $sys }")")
  done
  local lines wall cpu
  lines=$(cat "$out"* | wc -l)
  [ "$lines" -eq "$nfiles" ] || { echo "$name: $lines verdicts for $nfiles messages" >&2; exit 1; }
  wall=$(printf '%s\n' "${walls[@]}" | sort -g | sed -n "$(((n + 1) / 2))p")
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | sed -n "$(((n + 1) / 2))p")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$cores" "$(awk "BEGIN { print $nfiles / $wall }")" \
    "$nfiles" "$(awk "BEGIN { print $cpu / $nfiles * 1e6 }")" >>"$work/batch.tsv"
  echo "$name, $cores core(s): median $wall s wall, $cpu s CPU (of $n runs)" >&2
}
st_run() { $sparsetext --threads "$1" "$corpus" >"$out"; }
bogo_1() { $bogofilter -e -b <"$work/all" >"$out"; }
bogo_2() {
  $bogofilter -e -b <"$work/half1" >"$out.1" & $bogofilter -e -b <"$work/half2" >"$out.2"; wait $!
}
sp_1() { $spamprobe "${all[@]}" >"$out" 2>/dev/null; }
sp_2() {
  $spamprobe "${half1[@]}" >"$out.1" 2>/dev/null & $spamprobe "${half2[@]}" >"$out.2" 2>/dev/null; wait $!
}
out=$work/st1 batch sparsetext 1 "$runs" st_run 1
out=$work/st2 batch sparsetext 2 "$runs" st_run 2
out=$work/bogo1 batch bogofilter 1 "$runs" bogo_1
out=$work/bogo2 batch bogofilter 2 "$runs" bogo_2
out=$work/sp1 batch spamprobe 1 "$slow_runs" sp_1
out=$work/sp2 batch spamprobe 2 "$slow_runs" sp_2

python3 "$py" verdicts "$work" sparsetext sparsetext "$work/st2"
python3 "$py" verdicts "$work" bogofilter bogofilter "$work/bogo1"
python3 "$py" verdicts "$work" spamprobe spamprobe "$work/sp1" "$work/all"

echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%FT%RZ)"
python3 "$py" table "$work"
