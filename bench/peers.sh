#!/usr/bin/env bash
# Accuracy side by side: sparsetext, bogofilter and spamprobe (Debian packages)
# trained on the same messages and scored on the same messages, in one run.
#
# Split: a message of the SpamAssassin public corpus is in the test
# portion when the MD5 in its file name (after `NNNNN.`) starts with 0, 1 or 2
# (772 ham, 362 spam); the other 4,912 are the training portion. Every tool
# learns from exactly the training portion with its default settings and
# scores exactly the test portion; bench/peers/harness.py computes the table
# from the scores each tool prints. Also printed: training time (wall), model
# size on disk, whole-process batch throughput on the test portion (one
# process, 2 cores where the tool uses them), and sparsetext's 10-fold
# cross-validated AUC on the whole corpus.
#
# Usage: bench/peers.sh [CORPUS] (default corpora/spamassassin, fetched if missing)
# Needs root once, to apt-get install bogofilter and spamprobe.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpora/spamassassin}
py=bench/peers/harness.py

# shellcheck source=bench/peers/setup.sh
. bench/peers/setup.sh
python3 bench/classify/harness.py split "$corpus" "$work"
find "$work/test" -type l | sort >"$work/testfiles"
mapfile -t testfiles <"$work/testfiles"

# timed NAME COMMAND...: wall seconds of COMMAND -> $work/NAME.time
timed() {
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }" >"$work/$name.time"
}
size() { du -sb "$@" | awk '{ s += $1 } END { printf "%.1f kB", s / 1000 }'; }

echo "== training" >&2
timed sparsetext "$st" train --ham "$work/train/ham" --spam "$work/train/spam" \
  -o "$work/st.model" >"$work/st.train"
sed 's/^/  sparsetext: /' "$work/st.train" | head -8 >&2
train_bogo() {
  find "$work/train/ham" -type l | bogofilter -C -d "$work/bogo" -n -b
  find "$work/train/spam" -type l | bogofilter -C -d "$work/bogo" -s -b
}
timed bogofilter train_bogo
train_sp() {
  spamprobe -c -d "hash:$work/sp" -M good "$work"/train/ham/* >/dev/null 2>&1
  spamprobe -d "hash:$work/sp" -M spam "$work"/train/spam/* >/dev/null 2>&1
}
timed spamprobe train_sp
{
  printf 'sparsetext\t%s\t%s (%s words)\n' "$(cat "$work/sparsetext.time")" \
    "$(size "$work/st.model")" "$("$st" words -m "$work/st.model" | wc -l)"
  printf 'bogofilter\t%s\t%s\n' "$(cat "$work/bogofilter.time")" "$(size "$work/bogo")"
  printf 'spamprobe\t%s\t%s\n' "$(cat "$work/spamprobe.time")" "$(size "$work/sp"*)"
} >"$work/train.tsv"

echo "== scoring the test portion" >&2
timed st_score "$st" classify -m "$work/st.model" "${testfiles[@]}" >"$work/st.out"
timed bogo_score bogofilter -C -d "$work/bogo" -T -e -b <"$work/testfiles" >"$work/bogo.out"
timed sp_score spamprobe -d "hash:$work/sp" score "${testfiles[@]}" >"$work/sp.out" 2>/dev/null
n=${#testfiles[@]}
{
  printf 'sparsetext\t%s\n' "$(awk "BEGIN { print $n / $(cat "$work/st_score.time") }")"
  printf 'bogofilter\t%s\n' "$(awk "BEGIN { print $n / $(cat "$work/bogo_score.time") }")"
  printf 'spamprobe\t%s\n' "$(awk "BEGIN { print $n / $(cat "$work/sp_score.time") }")"
} >"$work/speed.tsv"
python3 "$py" score "$work" sparsetext sparsetext "$work/st.out"
python3 "$py" score "$work" bogofilter bogofilter "$work/bogo.out"
python3 "$py" score "$work" spamprobe spamprobe "$work/sp.out" "$work/testfiles"

echo "== sparsetext: 10-fold cross-validation on the whole corpus" >&2
"$st" train "$corpus" -o "$work/all.model" >"$work/all.train"

echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%FT%RZ)"
echo "versions: sparsetext $(git describe --always --dirty), $(bogofilter -V 2>&1 | head -1), $(spamprobe 2>&1 | grep -o 'SpamProbe v[^ ]*' | head -1)"
python3 "$py" table "$work"
echo
echo "sparsetext on the whole corpus (6,046 messages), 10-fold stratified CV (seed 1):"
grep -E '^(lambda|CV AUC|features)' "$work/all.train"
