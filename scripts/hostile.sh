#!/usr/bin/env bash
# Worst-case time and memory per message: hostile messages through `classify`.
#
#   scripts/hostile.sh [OUT_DIR]        default OUT_DIR: /tmp/sparsetext-hostile
#
# Builds the release binary, trains a model on the bundled sample, writes the
# hostile messages (scripts/hostile.py) and classifies each one on stdin, plain
# and with --passthrough, under /usr/bin/time: prints a Markdown table of wall
# seconds and peak RSS. Passthrough also checks the output is the input plus
# one header line (bytes counted), so no message is lost.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/sparsetext-hostile}
cargo build --release --quiet
bin=target/release/sparsetext
mkdir -p "$out"
python3 scripts/hostile.py "$out/mail" >/dev/null
"$bin" train --lambda 0.01 -o "$out/sample.model" >/dev/null
"$bin" classify -m "$out/sample.model" </dev/null >/dev/null || true   # warm the page cache

measure() { # ARGS... < input: prints "seconds KB exit"
    local t="$out/time.txt"
    set +e
    /usr/bin/time -f "%e %M" -o "$t" "$@" >"$out/stdout" 2>"$out/stderr"
    local code=$?
    set -e
    echo "$(cat "$t" | tail -1) $code"
}

echo "| message | size | classify: s, peak RSS MB, verdict | classify -p: s, peak RSS MB | -p output = input + 1 line | no cap (--max-message-bytes 1e9): s, peak RSS MB |"
echo "|---|---|---|---|---|---|"
for file in "$out"/mail/*.eml; do
    name=$(basename "$file" .eml)
    size=$(stat -c %s "$file")
    read -r s1 kb1 code1 < <(measure "$bin" classify -m "$out/sample.model" <"$file")
    verdict=$(cut -f1 "$out/stdout")
    grep -q panicked "$out/stderr" && verdict="PANIC"
    read -r s2 kb2 code2 < <(measure "$bin" classify -m "$out/sample.model" -p <"$file")
    outsize=$(stat -c %s "$out/stdout")
    header=$(grep -a -c '^X-Sparsetext: ' "$out/stdout" || true)
    extra=$((outsize - size))
    # The added line, plus a newline when a header-only input lacked its last one.
    if [ "$header" -ge 1 ] && [ "$extra" -ge 28 ] && [ "$extra" -le 33 ]; then kept=yes; else kept="NO ($extra bytes, $header headers)"; fi
    read -r s3 kb3 code3 < <(measure "$bin" classify -m "$out/sample.model" --max-message-bytes 1000000000 <"$file")
    printf '| %s | %.1f MB | %s, %.0f, %s (exit %s) | %s, %.0f | %s | %s, %.0f |\n' \
        "$name" "$(echo "$size / 1048576" | bc -l)" "$s1" "$(echo "$kb1 / 1024" | bc -l)" "$verdict" "$code1" \
        "$s2" "$(echo "$kb2 / 1024" | bc -l)" "$kept" "$s3" "$(echo "$kb3 / 1024" | bc -l)"
done
