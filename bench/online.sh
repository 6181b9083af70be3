#!/usr/bin/env bash
# The TREC spam track's online evaluation, sparsetext and its peers in one run:
# the public corpus replayed in date order (Date:, else the first Received:
# date, as `sparsetext eval --online` orders it), each message first scored,
# then learned with its true label (full feedback). sparsetext refits before
# every next message (--refit-every 1) and, for the record, every 10 and 100;
# bogofilter (-T to score, then -s / -n) and spamprobe (score, then spam /
# good) are replayed over the very same order by bench/online/replay.py.
#
# sparsetext: the default analyzer and alpha 0.2 of `sparsetext train --lambda
# 0.003` on the bundled sample (whose weights are not used: the replay starts
# from an empty filter); lambda 0.003 until 100 messages are learned, then
# chosen by 10-fold cross-validation over the messages learned so far each time
# their number has grown by a quarter (--cv 10; the quarter, CV_GROWTH, was
# picked on this replay), and a fixed lambda 0.003 throughout for the record.
#
# Usage: bench/online.sh [CORPUS] (default corpora/spamassassin). Installs
# bogofilter and spamprobe from Debian packages when absent, fetches the public
# corpus and builds sparsetext in release (bench/peers/setup.sh). Prints one
# table; results go to bench/online/RESULTS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpora/spamassassin}
# shellcheck source=bench/peers/setup.sh
. bench/peers/setup.sh
bin=${SPARSETEXT:-$st}

"$bin" train --lambda 0.003 --no-store -o "$work/h.model" corpora/sample >/dev/null
row() { # NAME JSON
  python3 -c 'import json,sys; r=json.loads(sys.argv[2]); print("| %s | %.5f | %.3f | %.4f | %.4f | %d | %.0f |" % (sys.argv[1], r["auc"], r["one_minus_auc_pct"], r["fpr"], r["fnr"], r["messages"], r["seconds"]))' "$1" "$2"
}
echo "| filter (full feedback, date order) | AUC | 1-AUC % | FPR | FNR | messages | seconds |"
echo "|---|---|---|---|---|---|---|"
for run in "1 --cv 10" "10 --cv 10" "100 --cv 10" "1"; do
  read -ra k <<<"$run"
  start=$(date +%s.%N)
  json=$("$bin" eval --online -m "$work/h.model" "$corpus" --refit-every "${k[@]}" --json --scores "$work/order.tsv" 2>/dev/null)
  end=$(date +%s.%N)
  # The whole process's wall time, reading and tokenizing included, as for the peers.
  json=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["seconds"]=float(sys.argv[2]); print(json.dumps(r))' "$json" "$(awk "BEGIN { print $end - $start }")")
  row "sparsetext --refit-every $run" "$json"
done
mkdir -p "$work/bogo" "$work/sp"
row "bogofilter -T, then -s/-n" "$(python3 bench/online/replay.py bogofilter "$work/order.tsv" "$work/bogo")"
row "spamprobe score, then spam/good" "$(python3 bench/online/replay.py spamprobe "$work/order.tsv" "$work/sp")"
