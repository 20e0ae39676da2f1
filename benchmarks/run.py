"""Benchmarks: stackyard's speed, side by side with ZenML, in one command (issue 7).

    .venv/bin/python benchmarks/run.py                  # stackyard alone
    bash benchmarks/peer-setup.sh                       # once: ZenML in benchmarks/.peer-venv
    .venv/bin/python benchmarks/run.py --peer zenml     # both, with stackyard/zenml ratios
    .venv/bin/python benchmarks/run.py --quick --only 1,3

Workloads (each run --repeat times after a warm-up; median, min, max, peak RSS):
  1 import       `import stackyard` vs `import zenml.client`, fresh interpreter, minus
                 a bare interpreter's start; also Client + step + pipeline
  2 cli          `--help` and `stack list`, config dir initialised first
  3 pipelines    chains of 1, 10 and 100 trivial steps, cache off, local orchestrator
  4 store        API.md seed list query and a name-prefix get at 1k, 10k, 100k runs
  5 rest         the same through a local server, plus GET one run under wrk -t2 -c8
  6 concurrency  8 processes x 25 one-step runs on one SQLite / PostgreSQL store

Each side runs in its own virtual environment, one workload (and size or
backend) per driver process: `benchmarks/peers/<side>_driver.py`, which prints
a JSON row per case. A driver that crashes or overruns --timeout becomes a
failure row; the rest go on. Results: benchmarks/results/<YYYY-MM-DD>.json
and a chart beside it (.png, needs matplotlib: benchmarks/requirements.txt).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from report import chart, ratios, table

BENCH = Path(__file__).resolve().parent
PEERS = BENCH / "peers"
Row = dict[str, Any]
NAMES = {1: "import", 2: "cli", 3: "pipelines", 4: "store", 5: "rest", 6: "concurrency"}


@dataclass
class Side:
    """One framework under test: the interpreter of its venv and its driver."""

    name: str
    python: Path
    driver: Path

    def env(self) -> dict[str, str]:
        """The environment its driver starts from: none of our settings leak across.

        Each driver then sets its own config directory (and for ZenML turns
        analytics and the dashboard's browser tab off) before importing anything.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith(("STACKYARD_", "ZENML_"))}
        env["PYTHONUNBUFFERED"] = "1"
        return env


def sides(peer: str | None) -> list[Side]:
    """stackyard (this interpreter) and, if asked, the peer from its own venv."""
    found = [Side("stackyard", Path(sys.executable), PEERS / "stackyard_driver.py")]
    if peer:
        python = BENCH / ".peer-venv" / "bin" / "python"
        if not python.exists():
            raise SystemExit(f"no {python}: run `bash benchmarks/peer-setup.sh` first")
        found.append(Side(peer, python, PEERS / f"{peer}_driver.py"))
    return found


def plan(args: argparse.Namespace) -> list[tuple[int, list[str]]]:
    """(workload number, driver arguments) for every driver process to start."""
    sizes = [str(n) for n in args.sizes]
    steps: list[tuple[int, list[str]]] = []
    for number in args.only:
        name = NAMES[number]
        if number in (4, 5):
            steps += [(number, [name, "--size", size]) for size in sizes]
        elif number == 6:
            load = ["--processes", str(args.processes), "--per-process", str(args.per_process)]
            steps += [(number, [name, "--backend", b, *load]) for b in args.backends]
        else:
            steps.append((number, [name]))
    return steps


def invoke(
    side: Side, number: int, argv: list[str], repeat: int, timeout: float, postgres: str
) -> list[Row]:
    """Run one driver process; its rows, plus a failure row if it crashed or overran."""
    scratch = Path(tempfile.mkdtemp(prefix=f"bench-{side.name}-"))
    options = ["--repeat", str(repeat), "--scratch", str(scratch / "work"), "--postgres", postgres]
    try:
        out, failure = _drive(
            [str(side.python), str(side.driver), *argv, *options], scratch, side.env(), timeout
        )
    finally:
        _reap_daemons(scratch)
        shutil.rmtree(scratch, ignore_errors=True)
    rows = []
    for line in out.splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            rows.append(json.loads(line))
    if failure:
        rows.append({"case": f"{argv[0]} (driver)", "error": failure[:600]})
    for row in rows:
        row.update(workload=number, name=NAMES[number], side=side.name)
        row.setdefault("median", None)
    return rows


def _drive(
    command: list[str], scratch: Path, env: dict[str, str], timeout: float
) -> tuple[str, str | None]:
    """The driver's stdout, and why it failed (None if it did not)."""
    log = scratch / "driver.log"
    with open(log, "wb") as err:
        try:
            proc = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=scratch,
                env=env,
                start_new_session=True,
                text=True,
            )
        except OSError as exc:  # e.g. a peer venv that lost its interpreter
            return "", f"cannot start the driver: {exc}"
        try:
            out, _ = proc.communicate(timeout=timeout)
            failure = None if proc.returncode == 0 else f"driver exited {proc.returncode}"
        except subprocess.TimeoutExpired:
            out = _stop(proc)
            failure = f"timed out after {timeout:.0f} s (--timeout)"
    if failure:
        failure += ": " + " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
    return out, failure


def _stop(proc: subprocess.Popen[str]) -> str:
    """SIGTERM the driver's process group (its `finally:` stops servers), then SIGKILL."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            out, _ = proc.communicate(timeout=grace)
            return out or ""
        except subprocess.TimeoutExpired:
            continue
    return ""


def _reap_daemons(scratch: Path) -> None:
    """Stop servers a driver started and could not stop (it noted their pids)."""
    for note in scratch.rglob("*.pid"):
        with contextlib.suppress(ValueError, OSError):
            pid = int(note.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"stackyard" in cmdline or b"zenml" in cmdline:  # still ours, not a new pid
                os.kill(pid, signal.SIGTERM)


def _version(side: Side) -> str:
    dist = "stackyard" if side.name == "stackyard" else side.name
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    result = subprocess.run(
        [str(side.python), "-c", code], capture_output=True, text=True, timeout=60
    )
    return result.stdout.strip() or "unknown"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:]),
    )
    parser.add_argument("--peer", choices=["zenml"], help="also run ZenML (from .peer-venv)")
    parser.add_argument("--only", default="1,2,3,4,5,6", help="workload numbers, e.g. 1,3")
    parser.add_argument("--repeat", type=int, help="timed repetitions (default 5; quick 3)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1,000 runs only, 3 repeats, 8x5 concurrent runs",
    )
    parser.add_argument("--sizes", help="runs in the store for 4 and 5 (default 1000,10000,100000)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="stores for 6")
    parser.add_argument(
        "--trials",
        type=int,
        default=1,
        help="repetitions of workload 6 (each one is 8 x 25 runs; default 1)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "STACKYARD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="admin URL; workload 6 creates a fresh database per trial",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=1200.0,
        help="seconds per driver process (one workload, size or backend)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="JSON file (default benchmarks/results/<date>.json; the chart goes beside it as .png)",
    )
    args = parser.parse_args(argv)
    try:
        args.only = sorted({int(n) for n in args.only.split(",") if n.strip()})
    except ValueError:
        parser.error(f"--only takes workload numbers 1-6, e.g. 1,3 (got {args.only!r})")
    if not set(args.only) <= set(NAMES):
        parser.error(f"--only takes workload numbers 1-6 (got {args.only})")
    args.repeat = args.repeat or (3 if args.quick else 5)
    default_sizes = "1000" if args.quick else "1000,10000,100000"
    args.sizes = [int(n) for n in (args.sizes or default_sizes).split(",")]
    args.backends = args.backends.split(",")
    args.processes, args.per_process = 8, 5 if args.quick else 25
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    args.out = args.out or BENCH / "results" / f"{today}.json"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    under_test = sides(args.peer)
    results: list[Row] = []
    for number, driver_args in plan(args):
        repeat = args.trials if number == 6 else args.repeat
        for side in under_test:
            begin = time.monotonic()
            label = " ".join(driver_args[:3])
            print(f"[{number}] {side.name:<9} {label} ...", end=" ", file=sys.stderr, flush=True)
            rows = invoke(side, number, driver_args, repeat, args.timeout, args.postgres)
            failed = sum(1 for r in rows if r.get("error"))
            print(
                f"{time.monotonic() - begin:.1f} s, {len(rows)} rows"
                + (f", {failed} failed" if failed else ""),
                file=sys.stderr,
                flush=True,
            )
            results.extend(rows)
    print(table(results, args.peer))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    png = args.out.with_suffix(".png")
    no_chart = chart(results, png)
    report = {
        "date": started.strftime("%Y-%m-%d"),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        },
        "versions": {side.name: _version(side) for side in under_test},
        "options": {
            "peer": args.peer,
            "only": args.only,
            "repeat": args.repeat,
            "quick": args.quick,
            "sizes": args.sizes,
            "backends": args.backends,
            "trials": args.trials,
            "processes": args.processes,
            "per_process": args.per_process,
        },
        "results": results,
        "ratios": ratios(results),
        "chart": None if no_chart else str(png),
    }
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nresults: {args.out}" + (f"\nchart:   {png}" if not no_chart else ""))
    if no_chart:
        print(f"no chart: {no_chart}")
    print(
        f"load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
