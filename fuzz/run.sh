#!/usr/bin/env bash
# Fuzzes each target for a bounded time with cargo fuzz (libFuzzer, nightly).
#
#   fuzz/run.sh [SECONDS] [TARGET...]     default: 180 s each, all five targets
#
# Seeds come from the bundled sample corpus and the test fixtures (built afresh
# into fuzz/seeds/ on every run); what libFuzzer learns is kept in fuzz/corpus/
# (git-ignored) so later runs continue from it. A crash is saved under
# fuzz/artifacts/TARGET/ and fails the run: turn it into a regression test
# named after what it caught (tests/fuzz_regressions.rs), then fix it.
# One summary line per target goes to stdout and fuzz/summary.txt (git-ignored).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-180}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(mail mbox svmlight model passthrough serve_request)
root=..

command -v cargo-fuzz >/dev/null || {
    echo "fuzz/run.sh: needs cargo-fuzz (cargo install cargo-fuzz) and a nightly toolchain" >&2
    exit 3
}

# --- seeds -------------------------------------------------------------------
rm -rf seeds && mkdir -p seeds/{mail,mbox,svmlight,model,passthrough,serve_request}
cp "$root"/corpora/sample/*/* "$root"/tests/data/mail/* "$root"/tests/data/model/* seeds/mail/
# An mbox of a few sample messages, plus the mail seeds themselves.
for f in $(ls "$root"/corpora/sample/ham/* | head -8) $(ls "$root"/corpora/sample/spam/* | head -8); do
    printf 'From seed@example.com Thu Jan  1 00:00:00 2026\n'
    sed 's/^\(>*From \)/>\1/' "$f"
    printf '\n'
done > seeds/mbox/sample.mbox
cp "$root"/tests/data/mail/* seeds/mbox/
# Passthrough: a chunk size byte, then a message (forged fields, CR-only, CRLF).
for f in "$root"/tests/data/mail/* $(ls "$root"/corpora/sample/spam/* | head -4); do
    { printf '\007X-Sparsetext: spam\n x-sparsetext :ham\n'; cat "$f"; } > "seeds/passthrough/$(basename "$f")"
done
printf '\003Subject: old mac\rX-Sparsetext: ham\r\rbody\r' > seeds/passthrough/cr-only
# svmlight and a model, from the release binary (built if missing).
bin="$root/target/release/sparsetext"
[ -x "$bin" ] || (cd "$root" && cargo build --release --quiet)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" vectorize "$root/corpora/sample" -o "$tmp/sample.svm" --vocab "$tmp/vocab.txt" >/dev/null
sed -n 1,40p "$tmp/sample.svm" > seeds/svmlight/sample.svm
printf '1 1:0.5 3:2 # comment\n0 qid:3 2:1e-3\n-1 0:1\n' > seeds/svmlight/variants.svm
printf '+1 1000000000:1\n-1 1:1 4294967294:2\n' > seeds/svmlight/large-ids.svm
"$bin" train "$root/corpora/sample" --lambda 0.01 -o "$tmp/s.model" >/dev/null
cp "$tmp/s.model" seeds/model/sample.model
# The same payload, for the mode that wraps it in a valid container (see model.rs).
size=$(stat -c %s "$tmp/s.model")
{ printf P; head -c $((size - 4)) "$tmp/s.model" | tail -c +21; } > seeds/model/payload
cp "$root"/tests/data/model/* seeds/model/
# Requests as spamc sends them, and a TELL.
for m in CHECK SYMBOLS REPORT REPORT_IFSPAM PROCESS HEADERS; do
    printf '%s SPAMC/1.5\r\nContent-length: 5\r\nUser: ann\r\n\r\nHello' "$m" > "seeds/serve_request/$m"
done
printf 'TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local, remote\r\nCompress: zlib\r\n\r\n' > seeds/serve_request/TELL
printf 'PING SPAMC/1.5\r\n\r\n' > seeds/serve_request/PING

# --- fuzz ----------------------------------------------------------------------
cargo +nightly fuzz build -O
status=0
: > summary.txt
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="artifacts/$target/last-run.log"
    # svmlight's memory must follow the non-zeros of its input, never its largest
    # feature id: a tighter limit there turns any blow-up into a crash.
    limits=(-rss_limit_mb=2048)
    [ "$target" = svmlight ] && limits=(-rss_limit_mb=512 -malloc_limit_mb=256)
    if cargo +nightly fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$seconds" -timeout=10 "${limits[@]}" -max_len=262144 \
        -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result="CRASH (see $log and artifacts/$target/)"
        status=1
    fi
    # libFuzzer's own count: "Done N runs in S second(s)" (build time excluded).
    done_line=$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log" | tail -1 || true)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo '?')
    line="$target: ${done_line:-no summary}, coverage $cov edges, $result"
    echo "$line" | tee -a summary.txt
done
exit $status
