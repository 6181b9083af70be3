#!/usr/bin/env bash
# Makes a saved model fixture of an older format version, vN.model, and vN.scores
# (what that version's sparsetext said of some sample messages), with the last
# commit that wrote version N. tests/cli.rs checks that today's sparsetext reads
# each file and scores those messages the same.
#
# Usage: tests/data/model/make_fixture.sh N   (N = 2 or 3; from anywhere; builds
# in a temporary worktree)
set -euo pipefail
version=${1:?usage: make_fixture.sh VERSION}
case $version in
  2) commit=f7db2e3 ;;  # the last commit writing format version 2
  3) commit=ecee56c ;;  # the last commit writing format version 3
  *) echo "no commit known for format version $version" >&2; exit 2 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$tmp/src" 2>/dev/null; rm -rf "$tmp"' EXIT
git -C "$root" worktree add --detach "$tmp/src" "$commit" >/dev/null
(cd "$tmp/src" && CARGO_TARGET_DIR="$tmp/target" cargo build --release --quiet)
st=$tmp/target/release/sparsetext
cd "$root"
SOURCE_DATE_EPOCH=1764547200 "$st" train corpora/sample --cv 5 --nlambda 30 --unsure 0.3,0.7 \
  -o "$here/v$version.model" >/dev/null
files=$(find corpora/sample -type f | sort | awk 'NR % 10 == 1')
# shellcheck disable=SC2086
"$st" classify -m "$here/v$version.model" $files >"$here/v$version.scores" || true
