#!/usr/bin/env bash
# Re-resolves the dev dependencies from pyproject.toml in a scratch venv and writes
# the result to .ci/constraints.txt, the versions CI installs. Run the suite after.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$(mktemp -d)/venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e ".[dev]"
{
  echo "# The versions CI installs: tested together (pip freeze of a passing run)."
  echo "# pyproject.toml keeps lower bounds; refresh with scripts/refresh_constraints.sh."
  "$venv/bin/python" -m pip freeze --exclude-editable | grep -v '^stackyard'
} > .ci/constraints.txt
rm -rf "$(dirname "$venv")"
echo "wrote .ci/constraints.txt; now run: bash .ci/run"
