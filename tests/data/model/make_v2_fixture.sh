#!/usr/bin/env bash
# Makes the saved format-version-2 model fixture, v2.model, and v2.scores (what
# the version-2 sparsetext said of some sample messages), with the last commit
# that wrote version 2. tests/cli.rs checks that today's sparsetext reads the
# file and scores those messages the same.
#
# Usage: tests/data/model/make_v2_fixture.sh   (from anywhere; builds in a temporary worktree)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel)
commit=f7db2e3  # the last commit writing format version 2
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/src" 2>/dev/null; rm -rf "$tmp"' EXIT
git -C "$root" worktree add --detach "$tmp/src" "$commit" >/dev/null
(cd "$tmp/src" && CARGO_TARGET_DIR="$tmp/target" cargo build --release --quiet)
st=$tmp/target/release/sparsetext
cd "$root"
SOURCE_DATE_EPOCH=1764547200 "$st" train corpora/sample --cv 5 --nlambda 30 --unsure 0.3,0.7 \
  -o "$here/v2.model" >/dev/null
files=$(find corpora/sample -type f | sort | awk 'NR % 10 == 1')
# shellcheck disable=SC2086
"$st" classify -m "$here/v2.model" $files >"$here/v2.scores" || true
