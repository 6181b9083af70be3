#!/usr/bin/env bash
# Accuracy side by side: sparsetext, bogofilter, spamprobe and SpamAssassin 4
# (Debian packages; SpamAssassin twice: its Bayes alone, and its rules + Bayes,
# network tests off) trained on the same messages and scored on the same
# messages, each with its defaults and its own decision rule, on two splits of
# the SpamAssassin public corpus, in one run:
#   random  a message is a test message when the MD5 in its file name (after
#           `NNNNN.`) starts with 0, 1 or 2 (1,134 test, 4,912 training);
#   chrono  the corpus ordered by sent time (Date header, else the first
#           Received line), the oldest two thirds train (4,030), the newest
#           third is tested (2,016).
# bench/classify/harness.py split makes both; bench/peers/harness.py computes
# one table per split from the scores each tool prints; bench/peers/
# collection.py measures how much of each split's sparsetext model rests on
# features of the corpus's collection (digits, dates, times, the receiving
# side's own host names and mailboxes). Then sparsetext's 10-fold cross-validated AUC on the
# whole corpus.
#
# Usage: bench/peers.sh [--quick] [CORPUS] (default corpora/spamassassin,
# fetched if missing). --quick leaves SpamAssassin out. Needs root once, to
# apt-get install the peers. Takes 14 to 17 minutes on 2 shared cores (--quick:
# 1.5), of which SpamAssassin (bench/peers/spamassassin.sh) takes 4 to 6
# minutes on the random split and 8 to 9 on the chronological one, mostly spamd
# scoring 5 to 7 messages a second.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
if [ "${1:-}" = --quick ]; then
  quick=1
  shift
fi
corpus=${1:-corpora/spamassassin}
py=bench/peers/harness.py
extra_tools=
[ $quick -eq 1 ] || extra_tools="spamassassin spamc spamd"

# shellcheck source=bench/peers/setup.sh
. bench/peers/setup.sh
if [ $quick -eq 0 ]; then
  # shellcheck source=bench/peers/spamassassin.sh
  . bench/peers/spamassassin.sh
  trap 'sa_stop; rm -rf "$work"' EXIT
fi

# timed FILE COMMAND...: wall seconds of COMMAND -> FILE
timed() {
  local file=$1 start end
  shift
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk "BEGIN { print $end - $start }" >"$file"
}
size() { du -sb "$@" | awk '{ s += $1 } END { if (s < 1e6) printf "%.1f kB", s / 1e3; else printf "%.1f MB", s / 1e6 }'; }
rate() { awk "BEGIN { print $1 / $(cat "$2") }"; }

train_bogo() {
  find "$1/train/ham" -type l | bogofilter -C -d "$1/bogo" -n -b
  find "$1/train/spam" -type l | bogofilter -C -d "$1/bogo" -s -b
}
train_sp() {
  spamprobe -c -d "hash:$1/sp" -M good "$1"/train/ham/* >/dev/null 2>&1
  spamprobe -d "hash:$1/sp" -M spam "$1"/train/spam/* >/dev/null 2>&1
}

# run_split MODE: split, train every tool, score the test portion, in $work/MODE
run_split() {
  local d=$work/$1 n
  echo "== $1 split" >&2
  python3 bench/classify/harness.py split "$corpus" "$d" "$1" 2>&1 | tee "$d.split" >&2
  find "$d/test" -type l | sort >"$d/testfiles"
  mapfile -t testfiles <"$d/testfiles"
  n=${#testfiles[@]}

  echo "  training" >&2
  timed "$d/st.time" "$st" train --ham "$d/train/ham" --spam "$d/train/spam" -o "$d/st.model" >"$d/st.train"
  timed "$d/bogo.time" train_bogo "$d"
  timed "$d/sp.time" train_sp "$d"
  echo "  scoring" >&2
  timed "$d/st_score.time" "$st" classify -m "$d/st.model" "${testfiles[@]}" >"$d/st.out"
  timed "$d/bogo_score.time" bogofilter -C -d "$d/bogo" -T -e -b <"$d/testfiles" >"$d/bogo.out"
  timed "$d/sp_score.time" spamprobe -d "hash:$d/sp" score "${testfiles[@]}" >"$d/sp.out" 2>/dev/null
  "$st" words -m "$d/st.model" >"$d/st.words"
  {
    printf 'sparsetext\t%s\t%s (%s words)\t%s\n' "$(cat "$d/st.time")" "$(size "$d/st.model")" \
      "$(wc -l <"$d/st.words")" "$(rate "$n" "$d/st_score.time")"
    printf 'bogofilter\t%s\t%s\t%s\n' "$(cat "$d/bogo.time")" "$(size "$d/bogo")" "$(rate "$n" "$d/bogo_score.time")"
    printf 'spamprobe\t%s\t%s\t%s\n' "$(cat "$d/sp.time")" "$(size "$d/sp")" "$(rate "$n" "$d/sp_score.time")"
  } >"$d/tools.tsv"
  python3 "$py" score "$d" sparsetext tsv "$d/st.out"
  python3 "$py" score "$d" bogofilter bogofilter "$d/bogo.out"
  python3 "$py" score "$d" spamprobe spamprobe "$d/sp.out" "$d/testfiles"

  if [ $quick -eq 0 ]; then
    echo "  SpamAssassin: sa-learn, then spamd + spamc" >&2
    timed "$d/sa.time" sa_train "$d"
    timed "$d/sa_score.time" sa_score "$d"
    local row=("$(cat "$d/sa.time")" "$(size "$d/sa-bayes")" "$(rate "$n" "$d/sa_score.time")")
    printf 'SpamAssassin Bayes\t%s\t%s\t%s\n' "${row[@]}" >>"$d/tools.tsv"
    python3 "$py" score "$d" "SpamAssassin Bayes" tsv "$d/sa_bayes.out"
    if [ "$sa_rules" -eq 1 ]; then
      printf 'SpamAssassin rules + Bayes\t%s\t%s\t%s\n' "${row[@]}" >>"$d/tools.tsv"
      python3 "$py" score "$d" "SpamAssassin rules + Bayes" tsv "$d/sa_rules.out"
    fi
  fi
  python3 bench/peers/collection.py "$d/st.words" "$d/train" >"$d/collection.txt"
}

run_split random
run_split chrono
echo "== sparsetext: 10-fold cross-validation on the whole corpus" >&2
"$st" train "$corpus" -o "$work/all.model" >"$work/all.train"

echo
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%FT%RZ)"
spamprobe_version=$(spamprobe 2>&1 | grep -o 'SpamProbe v[^ ]*' | head -1 || true) # exits 1 on usage
versions="sparsetext $(git describe --always --dirty), $(bogofilter -V 2>&1 | head -1), $spamprobe_version"
if [ $quick -eq 0 ]; then
  versions+=", $(spamassassin -V | head -1)"
  if [ "$sa_rules" -eq 1 ]; then
    versions+=" with the Debian package's rules ($(find "$sa_cf" -name '*.cf' | wc -l) files in $sa_cf)"
  else
    versions+=" with no rules: the package ships none and sa-update is not run, so Bayes runs alone"
  fi
fi
echo "versions: $versions"
for mode in random chrono; do
  echo
  echo "### $mode split"
  echo
  grep '^sent time' "$work/$mode.split" || true
  python3 "$py" table "$work/$mode"
  echo
  cat "$work/$mode/collection.txt"
done
echo
echo "sparsetext on the whole corpus (6,046 messages), 10-fold stratified CV (seed 1):"
grep -E '^(lambda|CV AUC|features)' "$work/all.train"
