# shellcheck shell=bash disable=SC2034,SC2154  # sourced: work set, sa_rules read by the caller
# Sourced by bench/peers.sh after bench/peers/setup.sh ($work set): SpamAssassin
# with a private configuration under $work/sa, never the system's: the site
# directory holds copies of /etc/spamassassin/*.pre (the plugins Debian loads)
# and our local.cf; the rules are the Debian package's, /usr/share/spamassassin
# (rules fetched by sa-update are ignored, so a run depends on the package
# alone). Network tests off (-L), no auto-learning, no expiry, no
# auto-welcomelist or reputation. If the package ships no rules, Bayes runs
# alone (sa_rules=0).
#
#   sa_train DIR   learn DIR/train/{ham,spam} into the Bayes database DIR/sa-bayes
#   sa_score DIR   score DIR/testfiles through spamd -> DIR/sa_rules.out, DIR/sa_bayes.out
sa=$work/sa
mkdir -p "$sa/site" "$sa/home"
cp /etc/spamassassin/*.pre "$sa/site/"
: >"$sa/user_prefs"
sa_rules=1
sa_cf=/usr/share/spamassassin
if ! compgen -G "$sa_cf/[0-9][0-9]_*.cf" >/dev/null; then
  sa_rules=0
  sa_cf=$sa/bayes-only
  mkdir -p "$sa_cf"
  echo "body BAYES_ANY eval:check_bayes('0.00', '1.00')" >"$sa_cf/23_bayes.cf"
fi
cat >"$sa/site/local.cf" <<'EOF'
bayes_auto_learn 0
bayes_auto_expire 0
report_safe 0
ifplugin Mail::SpamAssassin::Plugin::AWL
use_auto_whitelist 0
endif
ifplugin Mail::SpamAssassin::Plugin::TxRep
use_txrep 0
endif
add_header all Bayes _BAYES_
add_header all Tests _TESTSSCORES(,)_
EOF
sa_opts=(-L --siteconfigpath="$sa/site" --configpath="$sa_cf")
# spamd run by root serves as nobody: nobody must read the database
sa_user=()
if [ "$(id -u)" -eq 0 ]; then
  sa_user=(-u nobody)
  chmod 755 "$work"
fi

sa_train() {
  local dir=$1 label
  for label in ham spam; do
    HOME=$sa/home sa-learn "${sa_opts[@]}" -p "$sa/user_prefs" --dbpath "$dir/sa-bayes/bayes" \
      "--$label" "$dir/train/$label" | sed "s/^/  sa-learn --$label: /" >&2
  done
}

sa_score() {
  local dir=$1 _
  [ ${#sa_user[@]} -eq 0 ] || chown -R nobody "$dir/sa-bayes" "$sa/home"
  spamd "${sa_opts[@]}" -x "${sa_user[@]}" -H "$sa/home" --cf="bayes_path $dir/sa-bayes/bayes" \
    --socketpath="$sa/sock" --min-children 2 --max-children 2 --max-spare 2 \
    -r "$sa/spamd.pid" -s stderr -d 2>>"$sa/spamd.log"
  for _ in $(seq 120); do
    [ -S "$sa/sock" ] && break
    sleep 1
  done
  python3 bench/peers/spamc_score.py "$sa/sock" "$dir/testfiles" "$dir/sa_rules.out" "$dir/sa_bayes.out"
  sa_stop
}

sa_stop() {
  local _
  if [ -f "$sa/spamd.pid" ]; then
    kill "$(cat "$sa/spamd.pid")"
    for _ in $(seq 30); do
      [ -e "$sa/sock" ] || break
      sleep 1
    done
    rm -f "$sa/spamd.pid" "$sa/sock"
  fi
}
