#!/usr/bin/env bash
# Memory and time against corpus size: generates (seeded) corpora of N messages
# from the public corpus (examples/scale_corpus.rs: resampled messages, 3% of
# body words from a heavy-tailed synthetic vocabulary), then measures with
# /usr/bin/time -v the peak resident memory and wall time of
#   vectorize, train --lambda 1e-4 (fixed lambda), train (10-fold CV),
# and prints beside each peak the reference size R of the matrix:
#   R = non-zeros x 4 B + rows x 8 B + vocabulary term bytes + 16 B per term.
# train runs with --no-store (the training store keeps every message's tokens
# by design; it is not the matrix).
#
# Usage: bench/scale.sh [N ...]          (default 100000 300000 1000000)
#   SCALE_DIR  where the corpora go (default /tmp/sparsetext-scale; 1M messages
#              take about 5.4 GB), kept between runs
#   STEPS      which runs (default "vectorize fixed cv"; vectorize always runs, as
#              it gives R)
#   BIN        the sparsetext binary (default: built here, release); when given,
#              nothing is built and GEN names the generator (default: built here)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 300000 1000000)
dir=${SCALE_DIR:-/tmp/sparsetext-scale}
steps=${STEPS:-vectorize fixed cv}
[ -d corpora/spamassassin ] || corpora/fetch-spamassassin.sh
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
target=${CARGO_TARGET_DIR:-target}
[ -n "${BIN:-}" ] || cargo build --release --quiet --bin sparsetext --example scale_corpus
bin=${BIN:-$target/release/sparsetext}
gen=${GEN:-$target/release/examples/scale_corpus}
mkdir -p "$dir"

# measure NAME MESSAGES R_BYTES TAG CMD...: runs CMD under /usr/bin/time -v (its
# report kept as $dir/MESSAGES-TAG.time), prints its row.
measure() {
  local name=$1 messages=$2 r=$3 tag=$4
  shift 4
  /usr/bin/time -v -o "$dir/$messages-$tag.time" "$@" >"$dir/stdout.txt" 2>"$dir/stderr.txt" || {
    cat "$dir/stderr.txt" >&2
    return 1
  }
  row "$name" "$messages" "$r" "$dir/$messages-$tag.time"
}

# row NAME MESSAGES R_BYTES TIME_FILE: the table row of a run timed. CPU seconds
# (user + system) vary less than wall seconds on a shared machine.
row() {
  awk '
    /Maximum resident set size/ { kb = $NF }
    /User time \(seconds\)/ { cpu += $NF }
    /System time \(seconds\)/ { cpu += $NF }
    /Elapsed \(wall clock\)/ {
      k = split($NF, t, ":"); s = 0
      for (i = 1; i <= k; i++) s = s * 60 + t[i]
    }
    END {
      printf "| %d | %s | %.1f | %.0f | %.1f | %.0f | %.0f | %.0f | %.2f |\n",
        n, name, s, n / s, cpu, n / cpu, kb / 1024, r / 1048576, kb * 1024 / r
    }' name="$1" n="$2" r="$3" "$4"
}

echo "sparsetext $(git rev-parse --short HEAD), $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "| messages | run | seconds | messages/s | CPU s | messages / CPU s | peak MiB | R MiB | peak / R |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  corpus=$dir/$n
  if [ ! -s "$corpus/spam.mbox" ]; then
    "$gen" corpora/spamassassin "$corpus" "$n" 1
  fi
  # vectorize gives the matrix's size, hence R, for the rows of every run; kept
  # beside the corpus, so a later run without the vectorize step reuses it.
  if [[ " $steps " == *" vectorize "* || ! -s "$corpus/sizes.txt" ]]; then
    /usr/bin/time -v -o "$dir/$n-vectorize.time" "$bin" vectorize --ham "$corpus/ham.mbox" \
      --spam "$corpus/spam.mbox" -o "$dir/x.svm" --vocab "$dir/vocab.txt" >"$dir/vectorize.txt"
    rm -f "$dir/x.svm"
    nnz=$(sed -n 's/^matrix: .* with \([0-9]*\) non-zeros.*/\1/p' "$dir/vectorize.txt")
    terms=$(wc -l <"$dir/vocab.txt")
    term_bytes=$(($(wc -c <"$dir/vocab.txt") - terms))
    echo "$nnz $terms $term_bytes" >"$corpus/sizes.txt"
    row vectorize "$n" "$((nnz * 4 + n * 8 + term_bytes + 16 * terms))" "$dir/$n-vectorize.time" \
      >"$dir/vectorize-row.txt"
  fi
  read -r nnz terms term_bytes <"$corpus/sizes.txt"
  r=$((nnz * 4 + n * 8 + term_bytes + 16 * terms))
  for step in $steps; do
    case $step in
    vectorize) cat "$dir/vectorize-row.txt" ;;
    fixed) measure "train --lambda 1e-4" "$n" "$r" fixed "$bin" train --no-store --lambda 1e-4 \
      --ham "$corpus/ham.mbox" --spam "$corpus/spam.mbox" -o "$dir/model" ;;
    cv) measure "train (10-fold CV)" "$n" "$r" cv "$bin" train --no-store \
      --ham "$corpus/ham.mbox" --spam "$corpus/spam.mbox" -o "$dir/model" ;;
    esac
  done
  echo "  ($n messages: $(du -b "$corpus/ham.mbox" "$corpus/spam.mbox" | awk '{ s += $1 } END { printf "%.0f MB of mbox", s / 1e6 }'), $nnz non-zeros, $terms terms)" >&2
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
