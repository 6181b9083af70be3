#!/usr/bin/env bash
# Creates bench/.venv/spark (git-ignored) with pinned pyspark 3.5 and numpy, and
# installs a Java runtime from Debian when none is on the PATH. Prints the
# venv's python. Idempotent.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v java >/dev/null; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y openjdk-17-jre-headless >&2 \
        || DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y default-jre-headless >&2
fi
venv="$here/bench/.venv/spark"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
py="$venv/bin/python"
if [ ! -f "$venv/.pinned-ok" ]; then
    "$py" -m pip install -q --disable-pip-version-check "pyspark==3.5.3" "numpy==1.26.4" >&2
    touch "$venv/.pinned-ok"
fi
echo "$py"
