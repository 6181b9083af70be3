#!/usr/bin/env bash
# The README's pictures, docs/pictures/*.svg, from the public corpus: its
# chronological split (bench/classify/harness.py: the oldest two thirds by
# Date: train, the newest third is held out), `train --report` on the
# training part, `eval --report` on the held-out part. Copies path.svg,
# cv.svg and words.svg of the training report, and roc.svg and scores.svg of
# the evaluation (the ROC of mail the model never saw).
#
# Usage: scripts/pictures.sh [CORPUS] (default corpora/spamassassin; fetch it
# with corpora/fetch-spamassassin.sh). Needs a release build
# ($CARGO_TARGET_DIR/release/sparsetext or target/release/sparsetext; SPARSETEXT=path
# overrides) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpora/spamassassin}
bin=${SPARSETEXT:-${CARGO_TARGET_DIR:-target}/release/sparsetext}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/classify/harness.py split "$corpus" "$work/split" chrono
"$bin" train "$work/split/train" --no-store -o "$work/spam.model" --report "$work/train" >/dev/null
"$bin" eval -m "$work/spam.model" "$work/split/test" --report "$work/eval" >/dev/null
mkdir -p docs/pictures
for name in path cv words; do
    cp "$work/train/$name.svg" docs/pictures/
done
for name in roc scores; do
    cp "$work/eval/$name.svg" docs/pictures/
done
ls -l docs/pictures
