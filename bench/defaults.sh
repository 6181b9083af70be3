#!/usr/bin/env bash
# How each analyzer / vectorizer setting was chosen: 5-fold cross-validated AUC
# (at lambda_min, L1, seed 1) on the whole public corpus, one setting changed at a time
# from the defaults. Prints one table; the README's "Defaults" section quotes it.
#
# Usage: bench/defaults.sh [CORPUS]   (default corpora/spamassassin, fetched if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-corpora/spamassassin}
[ -d "$corpus" ] || corpora/fetch-spamassassin.sh
cargo build --release --quiet
more_headers="subject,from,reply-to,to,cc,content-type,x-mailer,received,return-path,message-id,user-agent,x-priority,x-msmail-priority,organization,list-id,precedence,x-keywords,in-reply-to,references,date,mime-version,content-transfer-encoding,errors-to,sender,list-unsubscribe,x-mimeole,x-originating-ip"
variants=(
  "defaults|"
  "no stemming|--stemmer none"
  "keep case|--lowercase false"
  "min token length 1|--min-token-len 1"
  "min token length 3|--min-token-len 3"
  "max token length 20|--max-token-len 20"
  "max token length 50|--max-token-len 50"
  "no tagged headers|--headers="
  "27 tagged headers|--headers $more_headers"
  "no address domains|--address-domains false"
  "no URL hosts|--url-hosts false"
  "no host suffixes|--host-suffixes false"
  "no attachment tokens|--attachment-tokens false"
  "text cap 3,000 bytes|--max-text-bytes 3000"
  "no text cap|--max-text-bytes 0"
  "min-df 1|--min-df 1"
  "min-df 5|--min-df 5"
  "log counts|--weighting log"
  "counts + L2 rows|--weighting counts --l2-normalize"
)
model=$(mktemp)
trap 'rm -f "$model"' EXIT
printf '| setting | flags | vocabulary | features | CV AUC (± se) |\n|---|---|---|---|---|\n'
for v in "${variants[@]}"; do
  name=${v%%|*}
  flags=${v#*|}
  # shellcheck disable=SC2086
  out=$(target/release/sparsetext train "$corpus" --cv 5 --nlambda 40 --rule min --top 0 -o "$model" $flags)
  vocab=$(sed -n 's/^vocabulary: *\([0-9]*\) terms.*/\1/p' <<<"$out")
  feats=$(sed -n 's/^features: *\([0-9]*\) of.*/\1/p' <<<"$out")
  auc=$(sed -n 's/^CV AUC: *\([0-9.]*\) ± \([0-9.]*\).*/\1 ± \2/p' <<<"$out")
  shown=${flags:0:40}
  [ ${#flags} -gt 40 ] && shown="$shown..."
  printf '| %s | `%s` | %s | %s | %s |\n' "$name" "$shown" "$vocab" "$feats" "$auc"
done
