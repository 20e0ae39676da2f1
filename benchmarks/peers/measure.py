"""Measuring helpers shared by every side's driver (see `benchmarks/run.py`).

Standard library only: the same file runs inside stackyard's venv and inside
each peer's own venv, so both sides are timed by identical code.

A driver is `python <side>_driver.py WORKLOAD [options]`. It prints one JSON
object per finished case on stdout (a *row*), as soon as the case is done, so
that a workload killed by the runner's timeout still reports what it finished.
Whatever the measured library prints goes to stderr instead (see `claim_stdout`).

Lockstep (`--lockstep`, how `run.py` starts every driver): before each timed
sample the driver prints a gate line, `{"gate": N}`, and waits for a line on
stdin. The runner lets one side run up to its next gate, then the other, so
the two sides take turns sample by sample (A B A B ...) and are never timed
while the other side works: load that drifts during a workload hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any

Row = dict[str, Any]
# workload 1: the headline imports what a pipeline script needs, the same on both sides
IMPORT_CASE = "import step, pipeline + Client"
# stackyard only, and never in a ratio: its package import is lazy and does no such work
LAZY_IMPORT_CASE = "extra: `import stackyard` alone (lazy)"
BENCH_DIR = Path(__file__).resolve().parent.parent
CACHE = BENCH_DIR / ".cache"


@dataclass
class Options:
    """What the runner asks a driver for; one workload (and size/backend) per process."""

    workload: str
    repeat: int
    size: int
    lengths: list[int]
    backend: str
    processes: int
    per_process: int
    postgres: str
    scratch: Path
    checkout: str = "clean"
    code_dir: Path | None = None


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=1000, help="runs in the store (4, 5)")
    parser.add_argument("--lengths", default="1,10,100", help="chain lengths (3)")
    parser.add_argument("--backend", default="sqlite", help="sqlite or postgresql (6)")
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--per-process", type=int, default=25)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--scratch", default=None, help="temp dir; *.pid files in it get killed")
    parser.add_argument(
        "--checkout",
        default="clean",
        choices=CHECKOUTS,
        help="where the pipeline module lives (3): a clean or dirty git checkout, or no git",
    )
    parser.add_argument("--code-dir", default=None, help="(worker) import the pipelines from here")
    parser.add_argument(
        "--lockstep", action="store_true", help="wait for a line on stdin before each sample"
    )
    args = parser.parse_args(argv)
    _lockstep[:] = [args.lockstep]
    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    return Options(
        workload=args.workload,
        repeat=max(1, args.repeat),
        size=args.size,
        lengths=[int(n) for n in args.lengths.split(",") if n],
        backend=args.backend,
        processes=args.processes,
        per_process=args.per_process,
        postgres=args.postgres,
        scratch=scratch,
        checkout=args.checkout,
        code_dir=Path(args.code_dir) if args.code_dir else None,
    )


# -- output -------------------------------------------------------------------------------


_claimed: list[IO[str]] = []
_lockstep: list[bool] = [False]
_gates: list[int] = [0]


def gate() -> None:
    """In lockstep, say "my turn is over" and wait until the runner says "go" again.

    Called before each timed sample (and once before a driver starts); a no-op
    when the driver runs alone, by hand.
    """
    if not _lockstep[0]:
        return
    _gates[0] += 1
    claim_stdout().write(json.dumps({"gate": _gates[0]}) + "\n")
    if not sys.stdin.readline():  # the runner went away
        sys.exit(1)


def claim_stdout() -> IO[str]:
    """Keep the real stdout for our JSON rows and point fd 1 at stderr (once).

    Libraries under test log to stdout (ZenML prints every step); none of
    that may corrupt the rows the runner parses.
    """
    if not _claimed:
        sys.stdout.flush()
        _claimed.append(os.fdopen(os.dup(1), "w", buffering=1))
        os.dup2(2, 1)
    return _claimed[0]


def summary(samples: list[float]) -> Row:
    """Median, min, max and the samples, rounded for the JSON file."""
    return {
        "median": round(statistics.median(samples), 3),
        "min": round(min(samples), 3),
        "max": round(max(samples), 3),
        "samples": [round(s, 3) for s in samples],
    }


def failure(case: str, error: BaseException | str) -> Row:
    """A row that says why a case has no figures, in one line."""
    if isinstance(error, BaseException):
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        error = text.splitlines()[-1] if text else type(error).__name__
    return {"case": case, "error": str(error)[:500]}


def attempt(case: str, measure: Callable[[], Row]) -> Row:
    """`measure()` as a row for `case`, or a failure row: one bad case never stops the rest."""
    try:
        row = measure()
    except Exception as exc:  # the whole point: report, don't crash
        traceback.print_exc()
        return failure(case, exc)
    return {"case": case, **row}


def peak_rss_mb() -> float:
    """This process's peak resident set size so far (ru_maxrss is KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def driver_main(workloads: Mapping[str, Callable[[Options], Iterable[Row]]]) -> None:
    """Run the requested workload and stream its rows as JSON lines."""
    options = parse_options()
    out = claim_stdout()
    # the runner stops a late driver with SIGTERM: unwind, so `finally:` blocks stop servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if options.workload not in workloads:
        out.write(json.dumps(failure("*", f"unknown workload {options.workload!r}")) + "\n")
        return
    gate()  # start only when it is our turn: the other side's setup is not timed against us
    for row in workloads[options.workload](options):
        out.write(json.dumps(row) + "\n")


# -- timing -------------------------------------------------------------------------------


def time_calls(fn: Callable[[], object], repeat: int, warmup: int = 1) -> list[float]:
    """Milliseconds of `repeat` calls of `fn`, after `warmup` untimed calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        gate()
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def spawn(
    argv: list[str],
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 120.0,
) -> tuple[float, float, str]:
    """Wall ms, peak RSS in MB and stdout of one child process; raises if it fails.

    `os.wait4` gives this child's own rusage (RUSAGE_CHILDREN would give the
    largest of all children so far); a timer kills it past `timeout`.
    """
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            argv, env=env, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = (time.perf_counter() - start) * 1000
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if code != 0:
        why = f"timed out after {timeout:.0f} s" if code == -signal.SIGKILL else f"exit {code}"
        tail = " | ".join(line.strip() for line in stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"{' '.join(argv[-3:])}: {why}: {tail}")
    return wall, usage.ru_maxrss / 1024, stdout


def time_process(
    argv: list[str],
    repeat: int,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[list[float], list[float]]:
    """Wall ms and peak MB of `repeat` runs of a command, after one warm-up run."""
    spawn(argv, env, cwd)
    runs = []
    for _ in range(repeat):
        gate()
        runs.append(spawn(argv, env, cwd))
    return [wall for wall, _, _ in runs], [rss for _, rss, _ in runs]


def import_case(statement: str, repeat: int, env: dict[str, str] | None = None) -> Row:
    """Wall time of `python -c statement` minus a bare `python -c pass`, both fresh.

    Baseline and import runs alternate so that load changes hit both alike; the
    child also reports the import's own in-process time, which noise cannot
    push below zero.
    """
    timed = (
        "import time; t = time.perf_counter()\n"
        f"{statement}\n"
        "print((time.perf_counter() - t) * 1000)"
    )
    python = sys.executable
    for argv in ([python, "-c", "pass"], [python, "-c", timed]):
        spawn(argv, env)  # warm: bytecode caches, page cache
    base, walls, rss, inside = [], [], [], []
    for _ in range(repeat):
        gate()
        base.append(spawn([python, "-c", "pass"], env)[0])
        wall, peak, stdout = spawn([python, "-c", timed], env)
        walls.append(wall)
        rss.append(peak)
        inside.append(float(stdout.strip().splitlines()[-1]))
    baseline = statistics.median(base)
    return {
        **summary([w - baseline for w in walls]),
        "unit": "ms",
        "peak_rss_mb": round(max(rss), 1),
        "extra": {
            "statement": statement,
            "wall_ms": round(statistics.median(walls), 3),
            "baseline_ms": round(baseline, 3),
            "in_process_ms": round(statistics.median(inside), 3),
        },
    }


def cli_rows(base: list[str], repeat: int, env: dict[str, str], cwd: Path) -> Iterator[Row]:
    """`<cli> --help` and `<cli> stack list`: wall time and peak RSS, config initialised.

    Both CLIs create their store on first use; that first `stack list` is
    untimed, and each command also gets one warm-up run of its own.
    """
    try:
        spawn([*base, "stack", "list"], env, cwd, timeout=300)
    except Exception as exc:
        yield failure("cli --help", exc)
        yield failure("cli stack list", exc)
        return
    for args in (["--help"], ["stack", "list"]):
        yield attempt(f"cli {' '.join(args)}", partial(_cli_case, [*base, *args], repeat, env, cwd))


def _cli_case(argv: list[str], repeat: int, env: dict[str, str], cwd: Path) -> Row:
    walls, rss = time_process(argv, repeat, env, cwd)
    command = " ".join([Path(argv[0]).name, *argv[1:]])
    return {
        **summary(walls),
        "unit": "ms",
        "peak_rss_mb": round(max(rss), 1),
        "extra": {"command": command.replace("python -m ", "")},
    }


def chain_case(
    run_chain: Callable[[int], object], length: int, repeat: int, checkout: str = ""
) -> Row:
    """Total ms of a `length`-step chain (one warm run first), and ms per step."""
    samples = time_calls(lambda: run_chain(length), repeat)
    med = statistics.median(samples)
    extra: Row = {"steps": length, "ms_per_step": round(med / length, 3)}
    if checkout:
        extra["checkout"] = checkout
    return {**summary(samples), "unit": "ms", "peak_rss_mb": peak_rss_mb(), "extra": extra}


# -- where the pipeline code lives ----------------------------------------------------------

CHECKOUTS = ("clean", "dirty", "nogit")
CHECKOUT_LABELS = {"clean": "clean git", "dirty": "dirty git", "nogit": "no git"}
_GIT = [
    "git",
    "-c",
    "user.name=bench",
    "-c",
    "user.email=bench@localhost",
    "-c",
    "init.defaultBranch=main",
]


def code_checkout(scratch: Path, state: str, module: Path) -> Path:
    """A directory holding a copy of `module`, in the git state asked for.

    - clean: a fresh git repository with the module (and a NOTES.txt) committed;
    - dirty: the same, then NOTES.txt changed and left uncommitted;
    - nogit: the files alone, with no repository in the directory or above it.

    The directory is new under `scratch` (a temporary directory), so the state of
    the checkout the harness itself runs in cannot leak into the figures. Both
    sides' drivers build it with this same function.
    """
    if state not in CHECKOUTS:
        raise ValueError(f"checkout {state!r}: one of {', '.join(CHECKOUTS)}")
    root = scratch / f"code-{state}"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copy2(module, root / module.name)
    (root / "NOTES.txt").write_text("benchmark pipeline module\n")
    enclosing = next((p for p in root.parents if (p / ".git").exists()), None)
    if state == "nogit":
        if enclosing is not None:
            raise RuntimeError(
                f"{root} lies inside the git checkout {enclosing}: not a no-git tree"
            )
        return root
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "benchmark code"]):
        subprocess.run([*_GIT, *args], cwd=root, check=True, capture_output=True)
    if state == "dirty":
        with open(root / "NOTES.txt", "a") as notes:
            notes.write("an uncommitted change\n")
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, check=True, capture_output=True, text=True
    ).stdout
    if bool(status.strip()) != (state == "dirty"):
        raise RuntimeError(f"{root}: expected a {state} checkout, git status says {status!r}")
    return root


def import_from(directory: Path, module: str) -> Any:
    """Import `module` from `directory` (first on sys.path), working in that directory.

    The working directory matters too: ZenML takes its source root from it.
    """
    import importlib

    os.chdir(directory)
    sys.path.insert(0, str(directory))
    sys.modules.pop(module, None)
    loaded = importlib.import_module(module)
    where = Path(loaded.__file__ or "").resolve().parent
    if where != directory.resolve():
        raise RuntimeError(f"{module} was imported from {where}, not from {directory}")
    return loaded


def query_case(fn: Callable[[], object], repeat: int, size: int, **extra: Any) -> Row:
    """Latency of an in-process call (one warm call first)."""
    return {
        **summary(time_calls(fn, repeat)),
        "unit": "ms",
        "peak_rss_mb": peak_rss_mb(),
        "extra": {"runs": size, **extra},
    }


def query_rows(
    client: Any,
    user_filter: str,
    size: int,
    repeat: int,
    where: str = "",
) -> Iterator[Row]:
    """The API.md seed list query and a unique name-prefix get, through either Client.

    Both Clients share these method names; only the user filter's keyword
    differs (`user_id=` in API.md, `user=` in ZenML 0.98).
    """
    stack_id, user_id = client.active_stack_model.id, client.active_user.id
    names = [r.name for r in client.list_pipeline_runs(size=3, sort_by="desc:start_time")]
    prefix = names[1][:-4]  # down to 1/100 s: unique, since runs are 17 s apart

    def seed() -> None:
        page = client.list_pipeline_runs(
            stack_id=stack_id, sort_by="desc:start_time", size=10, **{user_filter: user_id}
        )
        if len(page) != 10:
            raise RuntimeError(f"seed query returned {len(page)} runs, not 10")

    yield attempt(
        f"{where}seed query {size}",
        lambda: query_case(seed, repeat, size, query="API.md seed list query"),
    )
    yield attempt(
        f"{where}get by name prefix {size}",
        lambda: query_case(lambda: client.get_pipeline_run(prefix), repeat, size, prefix=prefix),
    )
