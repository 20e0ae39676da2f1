"""Servers and concurrent load, shared by every side's driver (standard library only).

Workload 5 starts a side's local server and measures it through its Client and
with `wrk`; workload 6 releases several worker processes at once on one store.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from measure import Row, claim_stdout, failure, gate, spawn, summary


def with_server_memory(row: Row, pid: int) -> Row:
    """Over REST the server's memory is the peak that matters; keep the client's too."""
    if "error" not in row:
        if "peak_rss_mb" in row:
            row["extra"]["client_peak_rss_mb"] = row["peak_rss_mb"]
        row["peak_rss_mb"] = server_peak_mb(pid)
    return row


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def note_pid(scratch: Path, name: str, pid: int) -> None:
    """Tell the runner about a daemon we started, so it can stop it if we die first."""
    (scratch / f"{name}.pid").write_text(str(pid))


def server_peak_mb(pid: int) -> float | None:
    """Peak RSS (VmHWM) of a server process and its direct children, from /proc."""
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    peak = 0.0
    for each in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
    return round(peak, 1) if peak else None


def wrk_case(url: str, token: str | None, repeat: int, seconds: int = 3) -> Row:
    """Requests per second of GET `url` under `wrk -t2 -c8` (8 kept-alive connections).

    `token=None` for a server without authentication (ZenML's local server).
    """
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed (apt-get install wrk); throughput skipped")
    auth = ["-H", f"Authorization: Bearer {token}"] if token else []
    argv = [wrk, "-t2", "-c8", f"-d{seconds}s", *auth, url]
    rates, errors = [], 0
    spawn([wrk, "-t2", "-c8", "-d1s", *auth, url])  # warm the server's code paths
    for _ in range(repeat):
        gate()
        _, _, out = spawn(argv, timeout=seconds + 30)
        for line in out.splitlines():
            if line.startswith("Requests/sec:"):
                rates.append(float(line.split()[1]))
            elif "Non-2xx" in line or line.strip().startswith("Socket errors"):
                errors += sum(int(n) for n in line.replace(",", " ").split() if n.isdigit())
    if not rates:
        raise RuntimeError(f"no Requests/sec in wrk output: {out[-200:]}")
    return {
        **summary(rates),
        "unit": "req/s",
        "better": "higher",
        "extra": {
            "errors": errors,
            "tool": "wrk -t2 -c8",
            "seconds": seconds,
            "authenticated": bool(token),
        },
    }


# -- concurrency --------------------------------------------------------------------------


def worker_loop(prepare: Callable[[], Callable[[], object]], per_process: int) -> None:
    """Body of a concurrency worker: warm up, say ready, wait for go, run, report.

    Speaks a tiny line protocol with `concurrency_trial` over stdin/stdout.
    """
    out = claim_stdout()
    run_once = prepare()
    out.write("ready\n")
    sys.stdin.readline()
    ok, errors, first_error = 0, 0, ""
    for _ in range(per_process):
        try:
            run_once()
            ok += 1
        except Exception as exc:
            errors += 1
            first_error = first_error or failure("", exc)["error"]
    out.write(json.dumps({"ok": ok, "errors": errors, "first_error": first_error}) + "\n")


def concurrency_trial(
    argv: list[str], env: dict[str, str], processes: int, timeout: float = 1800.0
) -> Row:
    """Start `processes` workers, release them at once, time until all are done.

    The runner's --timeout is the limit that normally applies; `timeout` only
    stops workers that would outlive a driver run by hand.
    """
    with contextlib.ExitStack() as files:
        logs = [files.enter_context(tempfile.TemporaryFile()) for _ in range(processes)]
        return _trial(argv, env, logs, timeout)


def _trial(argv: list[str], env: dict[str, str], logs: Sequence[IO[bytes]], timeout: float) -> Row:
    procs = [
        subprocess.Popen(
            argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
        )
        for log in logs
    ]
    late = threading.Event()

    def stop_all() -> None:
        late.set()
        for proc in procs:
            with contextlib.suppress(OSError):
                proc.kill()

    killer = threading.Timer(timeout, stop_all)
    killer.start()
    try:
        for proc, log in zip(procs, logs, strict=True):
            if proc.stdout is None or proc.stdout.readline().strip() != "ready":
                raise RuntimeError(f"a worker failed to start: {_log_tail(log)}")
        start = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.close()
        reports, peak = [], 0.0
        for proc, log in zip(procs, logs, strict=True):
            line = proc.stdout.readline() if proc.stdout else ""
            peak = max(peak, os.wait4(proc.pid, 0)[2].ru_maxrss / 1024)
            proc.returncode = 0
            reports.append(
                json.loads(line)
                if line.strip()
                else {"ok": 0, "errors": 1, "first_error": _log_tail(log)}
            )
        wall = time.perf_counter() - start
        if late.is_set():
            raise RuntimeError(f"workers still running after {timeout:.0f} s; stopped them")
    finally:
        killer.cancel()
        for proc in procs:
            if proc.returncode is None:  # not reaped above: stop and reap it
                proc.kill()
                proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
    errors = [r["first_error"] for r in reports if r["first_error"]]
    return {
        "wall_s": wall,
        "ok": sum(r["ok"] for r in reports),
        "errors": sum(r["errors"] for r in reports),
        "peak_mb": peak,
        "first_error": errors[0] if errors else "",
    }


def _log_tail(log: IO[bytes]) -> str:
    log.seek(0)
    lines = log.read().decode(errors="replace").strip().splitlines()
    return " | ".join(line.strip() for line in lines[-3:])[-500:]


def concurrency_rows(
    backend: str,
    trials: Iterator[tuple[Row, int, int]],
    processes: int,
    per_process: int,
) -> Row:
    """Fold trials (each: trial result, runs recorded, runs completed) into one row."""
    results = list(trials)
    walls = [t["wall_s"] for t, _, _ in results]
    return {
        **summary(walls),
        "unit": "s",
        "peak_rss_mb": round(max(t["peak_mb"] for t, _, _ in results), 1),
        "extra": {
            "backend": backend,
            "processes": processes,
            "runs_per_process": per_process,
            "expected_runs": processes * per_process,
            "errors": [t["errors"] for t, _, _ in results],
            "runs_recorded": [recorded for _, recorded, _ in results],
            "runs_completed": [completed for _, _, completed in results],
            "first_error": next((t["first_error"] for t, _, _ in results if t["first_error"]), ""),
        },
    }
