# Sourced by the bench scripts: a local virtual environment with pinned peers.
# Usage: . bench/venv.sh PACKAGE==VERSION ...
bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv="$bench_dir/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
PY="$venv/bin/python"
