#!/usr/bin/env bash
# Prepare `benchmarks/run.py --peer zenml`:
#  - benchmarks/.peer-venv: its own virtual environment with a pinned ZenML release
#    (server extras included, for the REST workload), so the peer never shares
#    packages with stackyard;
#  - matplotlib (benchmarks/requirements.txt) in stackyard's .venv, for the chart.
# Re-running is cheap: an existing venv with the pinned release is kept.
#
#   bash benchmarks/peer-setup.sh     # ZENML_VERSION / PYTHON / STACKYARD_VENV override the defaults
set -euo pipefail

ZENML_VERSION="${ZENML_VERSION:-0.98.0}"   # newest release that installs here (issue 7 measured 0.98)
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$here/.peer-venv"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"

installed() { "$venv/bin/python" -c "import importlib.metadata as m; print(m.version('zenml'))"; }

if [ "$(installed 2>/dev/null)" != "$ZENML_VERSION" ] || [ ! -x "$venv/bin/zenml" ]; then
    rm -rf "$venv"
    "$python" -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "zenml[server]==$ZENML_VERSION"
fi
# stackyard's venv: $STACKYARD_VENV, else the checkout's .venv (a git worktree may have none)
sy_venv="${STACKYARD_VENV:-$root/.venv}"
if [ -x "$sy_venv/bin/pip" ]; then
    "$sy_venv/bin/pip" install -q -r "$here/requirements.txt"
else
    echo "no $sy_venv/bin/pip: install benchmarks/requirements.txt (matplotlib) in stackyard's venv yourself" >&2
fi

# No ZenML config is written here: each workload's driver gives ZenML a temporary
# ZENML_CONFIG_PATH with ZENML_ANALYTICS_OPT_IN=false (peers/zenml_driver.py).
echo "peer ready: zenml $(installed) in $venv"
