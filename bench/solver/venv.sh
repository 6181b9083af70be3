#!/usr/bin/env bash
# Creates bench/.venv/solver (git-ignored; apart from bench/venv.sh's own, whose newer numpy cannot build python-glmnet) with the pinned reference solvers used by
# scripts/solver_reference.py and bench/solver/run.sh. Idempotent.
# python-glmnet builds its Fortran core here, so it needs gfortran
# (Debian: apt-get install gfortran).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
venv="$here/bench/.venv/solver"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
py="$venv/bin/python"
if [ ! -f "$venv/.pinned-ok" ]; then
    "$py" -m pip install -q --upgrade "pip==24.3.1"
    "$py" -m pip install -q "numpy==1.26.4" "scipy==1.13.1" "scikit-learn==1.6.1" "numba==0.60.0" "llvmlite==0.43.0" \
        "skglm==0.5" "liblinear-official==2.50.0" "memory_profiler==0.61.0"
    # python-glmnet 2.2.1 (glmnet 2.x Fortran): an sdist built with numpy.distutils.
    if command -v gfortran >/dev/null; then
        "$py" -m pip install -q "setuptools<60" "wheel"
        "$py" -m pip install -q --no-build-isolation "glmnet==2.2.1" \
            || echo "venv.sh: python-glmnet failed to build; glmnet rows will be skipped" >&2
    else
        echo "venv.sh: no gfortran; glmnet rows will be skipped" >&2
    fi
    touch "$venv/.pinned-ok"
fi
echo "$py"
