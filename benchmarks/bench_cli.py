"""How fast the CLI answers: `stackyard --help` and `stackyard stack list`.

Runs each command 7 times (after one warm-up run that also creates the store)
in a fresh temporary config directory and prints the median wall time and the
median peak RSS of the child process (from `os.wait4`, per run).

    .venv/bin/python benchmarks/bench_cli.py [--runs 7] [--check]

Budget (DESIGN.md): under 300 ms wall and 80 MB peak RSS for each command.
`--check` exits non-zero when a median is over budget. Two reference rows, not
budgeted, show what the CLI cannot go below: a bare interpreter, and the same
query through the Client without the CLI (its imports: pydantic, models, store).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BUDGET_MS = 300.0
BUDGET_MB = 80.0
COMMANDS = (("--help",), ("stack", "list"))
CLIENT_ONLY = (
    "from stackyard.client import Client; c = Client(); c.list_stacks(); c.active_stack_model"
)
REFERENCES = (("python -c pass", ("-c", "pass")), ("Client().list_stacks()", ("-c", CLIENT_ONLY)))


def entry_point() -> list[str]:
    """The installed `stackyard` script beside this Python, else `python -m stackyard`."""
    script = Path(sys.executable).with_name("stackyard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "stackyard"]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Wall ms, CPU ms (user + system) and peak RSS in MB of one run of `argv`."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter() - start) * 1000
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        error = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): {error}")
    if proc.stderr:
        proc.stderr.close()
    cpu = (usage.ru_utime + usage.ru_stime) * 1000
    return wall, cpu, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--check", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args()

    config = Path(tempfile.mkdtemp(prefix="stackyard-bench-"))
    env = {**os.environ, "STACKYARD_CONFIG_PATH": str(config), "COLUMNS": "120"}
    env.pop("STACKYARD_STORE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # measure as users run it: bytecode cached
    base = entry_point()
    over = False
    rows = [("stackyard " + " ".join(c), [*base, *c], True) for c in COMMANDS]
    rows += [(f"(ref) {label}", [sys.executable, *argv], False) for label, argv in REFERENCES]
    try:
        print(f"{'command':<30}{'wall ms':>9}{'min':>8}{'max':>8}{'cpu ms':>8}{'peak MB':>9}")
        for label, argv, budgeted in rows:
            run_once(argv, env)  # warm: bytecode caches, store creation and migration
            walls, cpus, rss = zip(*(run_once(argv, env) for _ in range(args.runs)), strict=True)
            wall_ms, peak_mb = statistics.median(walls), statistics.median(rss)
            within = wall_ms < BUDGET_MS and peak_mb < BUDGET_MB
            flag = "" if within or not budgeted else "  over budget"
            over = over or bool(flag)
            print(
                f"{label:<30}{wall_ms:>9.1f}{min(walls):>8.1f}{max(walls):>8.1f}"
                f"{statistics.median(cpus):>8.1f}{peak_mb:>9.1f}{flag}"
            )
        print(f"medians of {args.runs} runs; budget {BUDGET_MS:.0f} ms wall, {BUDGET_MB:.0f} MB")
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(config, ignore_errors=True)
    return 1 if over and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
