#!/usr/bin/env bash
# Load test: `sparsetext serve` and SpamAssassin's spamd (its default rules,
# network tests off) on the same messages, over loopback, one connection per
# message as spamc makes them; messages/s and latency percentiles at 1, 16 and
# 64 concurrent connections (bench/serve/, a Rust load generator), and
# sparsetext's peak resident memory. One run, both servers, one table.
#
#   bench/serve.sh                 # results appended to bench/serve/RESULTS.md
#
# Environment: MODEL (default models/spam.model, trained with the defaults on
# the corpus if absent), MESSAGES (2000, spread over the corpus), SECONDS_EACH
# (10 s per level for sparsetext), SPAMD_SECONDS (15 s per level), NO_SPAMD=1
# to skip spamd. The corpus is corpora/spamassassin (a symlink to the public
# corpus works), else the bundled sample. spamd comes from the Debian package
# spamassassin, installed when absent.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${MODEL:-models/spam.model}
messages=${MESSAGES:-2000}
seconds=${SECONDS_EACH:-10}
spamd_seconds=${SPAMD_SECONDS:-15}
port=${PORT:-17830}
spamd_port=$((port + 1))
target=${CARGO_TARGET_DIR:-target}
corpus=corpora/spamassassin
[ -d "$corpus" ] || corpus=corpora/sample

cargo build --release --quiet
(cd bench/serve && cargo build --release --quiet)
bin=$target/release/sparsetext
load=$(cd bench/serve && cargo metadata --format-version 1 --no-deps |
    sed 's/.*"target_directory":"\([^"]*\)".*/\1/')/release/serve-load
[ -f "$model" ] || "$bin" train "$corpus" -o "$model"

tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -f "$tmp/spamd.pid" ] && kill "$(cat "$tmp/spamd.pid")" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT

# Every k-th message of the corpus (ham and spam alike), sorted by path.
find "$corpus/" -type f ! -name cmds ! -name '.*' | sort >"$tmp/all"
total=$(wc -l <"$tmp/all")
step=$(( total > messages ? total / messages : 1 ))
awk -v s="$step" 'NR % s == 0' "$tmp/all" | head -n "$messages" >"$tmp/files"
count=$(wc -l <"$tmp/files")
bytes=$(xargs -d '\n' cat <"$tmp/files" | wc -c)
header="| server | connections | msg/s | p50 ms | p90 ms | p99 ms | p99.9 ms | errors |
|---|---|---|---|---|---|---|---|"

wait_for() { # PORT: until a TCP connection succeeds (60 s)
    for _ in $(seq 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench/serve.sh: nothing listens on port $1" >&2
    exit 3
}

"$bin" serve -m "$model" --listen "127.0.0.1:$port" 2>"$tmp/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
wait_for "$port"
ours=$("$load" --list "$tmp/files" --addr "127.0.0.1:$port" --label "sparsetext serve" \
    --seconds "$seconds" --max-requests 1000000)
peak_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$serve_pid/status")
# The server's own CPU time (user + system, clock ticks) per message served.
ticks=$(awk '{print $14 + $15}' "/proc/$serve_pid/stat")
kill -TERM "$serve_pid"
wait "$serve_pid" || true
logged=$(grep -c ' CHECK ' "$tmp/serve.log" || true)
cpu_us=$(( ticks * 1000000 / $(getconf CLK_TCK) / (logged > 0 ? logged : 1) ))

theirs=""
if [ "${NO_SPAMD:-0}" != 1 ]; then
    if ! command -v spamd >/dev/null; then
        sudo=""
        if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi
        $sudo apt-get update && $sudo apt-get install -y spamassassin
    fi
    user=()
    if [ "$(id -u)" -eq 0 ]; then user=(-u nobody); chmod 755 "$tmp"; fi
    mkdir -p "$tmp/home" && [ ${#user[@]} -eq 0 ] || chown nobody "$tmp/home"
    # Two children for two cores: spamd's children are single-threaded processes.
    spamd -L -x "${user[@]}" -H "$tmp/home" --listen "127.0.0.1:$spamd_port" \
        --min-children 2 --max-children 2 --min-spare 1 --max-spare 2 \
        -r "$tmp/spamd.pid" -s stderr -d 2>"$tmp/spamd.log"
    wait_for "$spamd_port"
    theirs=$("$load" --list "$tmp/files" --addr "127.0.0.1:$spamd_port" \
        --label "spamd $(spamd --version | grep -o '[0-9][0-9.]*' | head -1)" \
        --seconds "$spamd_seconds" --max-requests 100000)
fi

report="### $(date -u +%Y-%m-%d) \`bench/serve.sh\`

$count messages ($bytes bytes) from $corpus, model $model ($(stat -c %s "$model") bytes);
$(nproc) cores shared by the server, the load generator and other work; CHECK
requests, one connection each; sparsetext ${seconds} s per level, spamd
${spamd_seconds} s per level (spamd --max-children 2, default rules, -L).
Peak resident memory of sparsetext serve: $((peak_kb / 1024)) MB; its log has
$logged request lines (warm-ups included); its CPU time per message: $cpu_us µs.

$header
$ours
$theirs
"
echo "$report"
printf '%s\n' "$report" >>bench/serve/RESULTS.md
