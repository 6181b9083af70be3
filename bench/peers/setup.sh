# shellcheck shell=bash disable=SC2034,SC2154  # sourced: corpus set, st read by the caller
# Sourced by bench/classify.sh and bench/peers.sh (from the repository root,
# with $corpus set, and optionally $extra_tools, more Debian packages each
# named for its command): installs bogofilter, spamprobe and those from Debian
# packages if missing (needs root once; without recommended packages, which
# for spamassassin bring a C toolchain to compile its rules), fetches the public
# corpus if it is the default one, builds sparsetext in release, and makes a
# scratch folder $work that is removed on exit. Sets st (the sparsetext
# binary) and work.
missing=()
read -ra tools <<<"bogofilter spamprobe ${extra_tools:-}"
for tool in "${tools[@]}"; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -ne 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$corpus" = corpora/spamassassin ]; then
  corpora/fetch-spamassassin.sh >&2
fi
cargo build --release --quiet  # SPARSETEXT_STATIC=1 in the environment measures the static build
st=target/release/sparsetext
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
