#!/usr/bin/env bash
# The reports in a real browser: `train --report` (lambda by cross-validation),
# `train --lambda --report` (no cross-validation) and `eval --report` on a
# corpus, each index.html then opened by headless Chromium (Debian's chromium
# package, installed when absent), which renders it to a PNG screenshot. The
# screenshots stay outside the repository, in OUT; look at them.
#
# Checks that Chromium loaded each page and drew a screenshot of more than a
# blank page's size; what the pictures show is for a person to judge.
#
# Usage: bench/report.sh [TRAIN_CORPUS] [EVAL_CORPUS] [OUT]
#   (defaults: corpora/sample, the training corpus, $TMPDIR/sparsetext-report).
# Needs a release build: $CARGO_TARGET_DIR/release/sparsetext or target/release/sparsetext
# (SPARSETEXT=path overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
train=${1:-corpora/sample}
eval=${2:-$train}
out=${3:-${TMPDIR:-/tmp}/sparsetext-report}
bin=${SPARSETEXT:-${CARGO_TARGET_DIR:-target}/release/sparsetext}

if ! command -v chromium >/dev/null; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium
fi

rm -rf "$out"
mkdir -p "$out"
"$bin" train "$train" --no-store -o "$out/cv.model" --report "$out/train" >/dev/null
"$bin" train "$train" --no-store --lambda 0.003 -o "$out/fixed.model" --report "$out/fixed" >/dev/null
"$bin" eval -m "$out/cv.model" "$eval" --report "$out/eval" >/dev/null

for report in train fixed eval; do
    page=$(realpath "$out/$report/index.html")
    shot="$out/$report.png"
    # A tall window: the whole page in one picture. --no-sandbox: root in a container.
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --window-size=1000,5200 --screenshot="$shot" "file://$page" 2>"$out/$report.log"
    size=$(stat -c %s "$shot")
    # A blank page of this size compresses to a few kilobytes.
    if [ "$size" -lt 50000 ]; then
        echo "bench/report.sh: $shot is $size bytes: did the page render?" >&2
        exit 1
    fi
    echo "$report: $page -> $shot ($size bytes)"
done
