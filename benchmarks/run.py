"""Benchmarks: stackyard's speed, side by side with ZenML, in one command (issue 7).

    .venv/bin/python benchmarks/run.py                  # stackyard alone
    bash benchmarks/peer-setup.sh                       # once: ZenML in benchmarks/.peer-venv
    .venv/bin/python benchmarks/run.py --peer zenml     # both, with stackyard/zenml ratios
    .venv/bin/python benchmarks/run.py --quick --only 1,3

Workloads (each run --repeat times after a warm-up; median, min, max, peak RSS):
  1 import       `from <pkg> import step, pipeline` + `from <pkg>.client import Client`
                 on both sides, fresh interpreter, minus a bare interpreter's start;
                 plus stackyard's lazy `import stackyard` alone, an extra with no ratio
  2 cli          `--help` and `stack list`, config dir initialised first
  3 pipelines    chains of 1, 10 and 100 trivial steps, cache off, local orchestrator,
                 the pipeline module in a new clean git checkout, a dirty one (an
                 uncommitted change) and a directory with no git (--checkouts)
  4 store        API.md seed list query and a name-prefix get at 1k, 10k, 100k runs
                 (stores of real runs copied with SQL, tags and metadata included,
                 ANALYZEd alike on both sides)
  5 rest         the same through a local server, plus GET one run under wrk -t2 -c8
  6 concurrency  8 processes x 25 one-step runs on one SQLite / PostgreSQL store

Each side runs in its own virtual environment, one workload (and size, backend
or checkout) per driver process: `benchmarks/peers/<side>_driver.py`, which
prints a JSON row per case. Both sides' drivers of a workload run in lockstep:
they take turns sample by sample (stackyard, peer, stackyard, peer, ...), only
one ever working, so load that drifts hits both alike; each row keeps its
samples in order, and the ratio of each pair (stackyard's i-th sample over the
peer's i-th) is reported as min/median/max. A driver that crashes or overruns
--timeout (its own working time) becomes a failure row; the rest go on.
Results: benchmarks/results/<YYYY-MM-DD>.json and a chart beside it (.png,
needs matplotlib: benchmarks/requirements.txt).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
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
        if self.name != "stackyard":  # PYTHONPATH may point at the stackyard under test
            env.pop("PYTHONPATH", None)
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
        elif number == 3:
            steps += [(number, [name, "--checkout", state]) for state in args.checkouts]
        else:
            steps.append((number, [name]))
    return steps


@dataclass
class Driver:
    """One side's driver process of a workload, run in turns with the others."""

    side: Side
    scratch: Path
    proc: subprocess.Popen[str] | None = None
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    rows: list[Row] = field(default_factory=list)
    busy: float = 0.0  # seconds it has been allowed to work: what --timeout limits
    failure: str | None = None
    at_gate: bool = False  # its gate line read: it is waiting for "go"
    done: bool = False


def invoke_all(
    under_test: list[Side],
    number: int,
    argv: list[str],
    repeat: int,
    timeout: float,
    postgres: str,
) -> list[Row]:
    """Run one workload on every side in lockstep; their rows, plus failure rows.

    Each driver stops at a gate before every timed sample (see peers/measure.py);
    the runner lets one driver go to its next gate, then the next driver, and so
    on round, so no two sides ever work at once.
    """
    drivers = [
        Driver(side, Path(tempfile.mkdtemp(prefix=f"bench-{side.name}-"))) for side in under_test
    ]
    try:
        for driver in drivers:
            _start(driver, argv, repeat, postgres)
        while not all(d.done for d in drivers):
            for driver in drivers:
                if not driver.done:
                    _turn(driver, timeout)
    finally:
        for driver in drivers:
            if driver.proc is not None and driver.proc.poll() is None:
                _stop(driver.proc)
            _reap_daemons(driver.scratch)
            shutil.rmtree(driver.scratch, ignore_errors=True)
    rows = []
    for driver in drivers:
        if driver.failure:
            driver.rows.append({"case": f"{argv[0]} (driver)", "error": driver.failure[:600]})
        for row in driver.rows:
            row.update(workload=number, name=NAMES[number], side=driver.side.name)
            row.setdefault("median", None)
        rows += driver.rows
    return rows


def _start(driver: Driver, argv: list[str], repeat: int, postgres: str) -> None:
    """Start a driver; it waits at its first gate until its first turn."""
    work = driver.scratch / "work"
    options = ["--repeat", str(repeat), "--scratch", str(work), "--postgres", postgres]
    command = [str(driver.side.python), str(driver.side.driver), *argv, *options, "--lockstep"]
    try:
        driver.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=open(driver.scratch / "driver.log", "wb"),  # noqa: SIM115 -- the child's
            cwd=driver.scratch,
            env=driver.side.env(),
            start_new_session=True,
            text=True,
        )
    except OSError as exc:  # e.g. a peer venv that lost its interpreter
        driver.failure, driver.done = f"cannot start the driver: {exc}", True
        return

    def read(out: Any = driver.proc.stdout) -> None:
        for line in out:
            driver.lines.put(line)
        driver.lines.put(None)

    threading.Thread(target=read, daemon=True).start()


def _turn(driver: Driver, timeout: float) -> None:
    """Let one driver work from the gate it waits at to its next gate, its end, or --timeout.

    A driver prints its gate line and then waits, so the runner first makes sure
    it has read that line (on the first turn: the driver's start-up gate), then
    says "go", then reads until the next gate line: only then is the driver
    idle again and the next side's turn may begin.
    """
    proc = driver.proc
    assert proc is not None and proc.stdin is not None
    if not driver.at_gate and not _until_gate(driver, timeout):
        return
    try:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    except OSError:  # it ended on its own; its remaining lines are still queued
        pass
    driver.at_gate = False
    _until_gate(driver, timeout)


def _until_gate(driver: Driver, timeout: float) -> bool:
    """Collect a driver's rows until it stands at a gate (True) or has ended (False)."""
    proc = driver.proc
    assert proc is not None
    began = time.monotonic()
    while True:
        left = timeout - driver.busy - (time.monotonic() - began)
        try:
            line = driver.lines.get(timeout=max(left, 0.01))
        except queue.Empty:
            _stop(proc)
            driver.failure = f"timed out after {timeout:.0f} s of its own work (--timeout)"
            break
        if line is None:  # stdout closed: the driver is finishing
            try:
                code = proc.wait(timeout=max(left, 1.0))
            except subprocess.TimeoutExpired:
                _stop(proc)
                code = "killed"
            if code != 0:
                driver.failure = f"driver exited {code}"
            break
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "gate" in row:
            driver.busy += time.monotonic() - began
            driver.at_gate = True
            return True
        driver.rows.append(row)
    driver.busy += time.monotonic() - began
    driver.done = True
    if driver.failure:
        log = (driver.scratch / "driver.log").read_text(errors="replace")
        driver.failure += ": " + " | ".join(log.strip().splitlines()[-3:])
    return False


def _stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM the driver's process group (its `finally:` stops servers), then SIGKILL."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _reap_daemons(scratch: Path) -> None:
    """Stop servers a driver started and could not stop (it noted their pids)."""
    for note in scratch.rglob("*.pid"):
        with contextlib.suppress(ValueError, OSError):
            pid = int(note.read_text().strip())
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"stackyard" in cmdline or b"zenml" in cmdline:  # still ours, not a new pid
                os.kill(pid, signal.SIGTERM)


def _version(side: Side) -> str:
    """The side's version and, for stackyard, where it was imported from and at what commit."""
    dist = "stackyard" if side.name == "stackyard" else side.name
    code = f"import importlib.metadata as m; print(m.version({dist!r}))"
    if side.name == "stackyard":
        code += "; import stackyard; print(stackyard.__file__)"
    result = subprocess.run(
        [str(side.python), "-c", code], capture_output=True, text=True, timeout=60, env=side.env()
    )
    lines = result.stdout.split()
    if not lines:
        return "unknown"
    if len(lines) == 1:
        return lines[0]
    source = Path(lines[1]).parent
    commit = subprocess.run(
        ["git", "-C", str(source), "log", "-1", "--format=%h %cs"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{lines[0]} from {source} ({commit or 'no git'})"


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
        "--checkouts",
        default="clean,dirty,nogit",
        help="git states of the pipeline module's directory for 3 (clean, dirty, nogit)",
    )
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
        help="seconds of work per driver process (one workload, size, backend or checkout)",
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
    args.checkouts = [c for c in args.checkouts.split(",") if c]
    if not set(args.checkouts) <= {"clean", "dirty", "nogit"}:
        parser.error(f"--checkouts takes clean, dirty, nogit (got {args.checkouts})")
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
    loads: list[Row] = []  # the 1-minute load average as each workload started and ended
    for number, driver_args in plan(args):
        repeat = args.trials if number == 6 else args.repeat
        begin = time.monotonic()
        load_at_start = os.getloadavg()[0]
        label = " ".join(driver_args[:3])
        names = " + ".join(side.name for side in under_test)
        print(f"[{number}] {label} ({names}, in turns) ...", end=" ", file=sys.stderr, flush=True)
        rows = invoke_all(under_test, number, driver_args, repeat, args.timeout, args.postgres)
        failed = sum(1 for r in rows if r.get("error"))
        print(
            f"{time.monotonic() - begin:.1f} s, load {os.getloadavg()[0]:.2f}, {len(rows)} rows"
            + (f", {failed} failed" if failed else ""),
            file=sys.stderr,
            flush=True,
        )
        results.extend(rows)
        loads.append(
            {
                "workload": number,
                "driver": label,
                "seconds": round(time.monotonic() - begin, 1),
                "loadavg_1m_start": round(load_at_start, 2),
                "loadavg_1m_end": round(os.getloadavg()[0], 2),
            }
        )
    print(table(results, args.peer))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    png = args.out.with_suffix(".png")
    no_chart = chart(results, png)
    report = {
        "command": " ".join(["benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]),
        "date": started.strftime("%Y-%m-%d"),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "loadavg_per_workload": loads,
        },
        "versions": {side.name: _version(side) for side in under_test},
        "options": {
            "peer": args.peer,
            "only": args.only,
            "repeat": args.repeat,
            "quick": args.quick,
            "sizes": args.sizes,
            "backends": args.backends,
            "checkouts": args.checkouts,
            "timeout": args.timeout,
            "lockstep": True,
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
