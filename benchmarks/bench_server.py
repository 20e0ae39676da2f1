"""Throughput and latency of the REST server over a SQLite store of many runs.

Builds a store of N pipeline runs (bulk-inserted with `SqlStore.insert_row` in one
transaction; kept in `--cache` and reused when given), starts
`python -m stackyard.server --workers 2` on it, then measures:
- the API.md seed query (stack_id + user_id, desc:start_time, size 10): median
  of 20 calls through `RestStore`, and through `SqlStore` in-process to show
  what HTTP adds;
- load tests with 8 kept-alive connections of the seed query
  (`GET /api/v1/pipeline_runs?stack_id=..&user_id=..&sort_by=desc:start_time&size=10`)
  and of its floor, getting one run (`GET /api/v1/pipeline_runs/{id}`), taking
  turns `--repeat` times: `wrk -t2 -c8` when wrk is installed, else a Python
  client with one connection per thread. Prints the median (min, max) of
  requests/s and of the 99th percentile latency.

    python benchmarks/bench_server.py [--runs 100000] [--duration 10] [--workers 2]
        [--repeat 3] [--cache DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

if TYPE_CHECKING:
    from stackyard.store.base import Store

SECRET = "bench-server-secret"
TARGETS = {"get one": (1000, None), "seed list": (2000, 20.0)}  # req/s, p99 ms


def build_store(url: str, runs: int) -> tuple[UUID, UUID, UUID]:
    """A store with `runs` runs over 2 stacks and 2 users; returns (admin, stack, a run)."""
    from stackyard.models.binding import utcnow
    from stackyard.models.spec import spec_for
    from stackyard.store.sql import accounts
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(url, seed_user=None)
    admin = accounts.create_first_admin(store, "admin", "bench-password")
    store = store.as_user(admin)
    other = store.create("user", {"name": "colleague"})
    default = store.find("stack", "default")
    components = {t.value: ids for t, ids in default.component_ids.items()}
    second = store.create("stack", {"name": "second", "components": components})
    pipeline = store.create("pipeline", {"name": "bench_pipeline"})
    spec = spec_for("pipeline_run")
    start = utcnow() - timedelta(days=365)
    run_id = uuid4()
    with store.db.transaction() as tx:
        for i in range(runs):
            at = start + timedelta(seconds=i * 17)
            store.insert_row(
                tx,
                spec,
                {
                    "id": run_id if i == runs // 2 else uuid4(),
                    "created": at,
                    "updated": at,
                    "user_id": admin.id if i % 4 else other.id,
                    "name": f"bench_pipeline-{at:%Y_%m_%d-%H_%M_%S_%f}",
                    "status": "completed",
                    "start_time": at,
                    "end_time": at + timedelta(seconds=3),
                    "pipeline_id": pipeline.id,
                    "stack_id": default.id if i % 3 else second.id,
                    "config": {"parameters": {"i": i}},
                },
            )
    store.close()
    return admin.id, default.id, run_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(url: str, workers: int) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "stackyard.server", "--store-url", url, "--port", str(port),
         "--workers", str(workers), "--no-access-log"],
        env={**os.environ, "STACKYARD_SERVER_SECRET": SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return process, base
        except httpx.TransportError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the server did not start")


def seed_query_ms(store: Store, user_id: UUID, stack_id: UUID) -> float:
    """Median of 20 seed queries (after a warm-up) through any store."""
    query = {"stack_id": stack_id, "user_id": user_id, "sort_by": "desc:start_time", "size": 10}
    assert len(store.list("pipeline_run", **query)) == 10  # warm-up, and a sanity check
    times = []
    for _ in range(20):
        start = time.perf_counter()
        store.list("pipeline_run", **query)
        times.append(time.perf_counter() - start)
    store.close()
    return statistics.median(times) * 1000


def load_wrk(url: str, token: str, duration: int) -> tuple[float, float]:
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{duration}s", "--latency",
         "-H", f"Authorization: Bearer {token}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_python(url: str, token: str, duration: int, connections: int = 8) -> tuple[float, float]:
    """Fallback without wrk: one kept-alive connection per thread (slower than wrk)."""
    host, port, path = re.match(r"http://([^:/]+):(\d+)(/.*)", url).groups()  # type: ignore[union-attr]
    latencies: list[list[float]] = [[] for _ in range(connections)]
    stop = time.monotonic() + duration

    def worker(out: list[float]) -> None:
        conn = http.client.HTTPConnection(host, int(port))
        headers = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < stop:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200
            out.append(time.perf_counter() - start)

    threads = [threading.Thread(target=worker, args=(out,)) for out in latencies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = sorted(t for out in latencies for t in out)
    return len(every) / duration, every[int(len(every) * 0.99)] * 1000


def cached_store(directory: Path, runs: int) -> tuple[str, UUID, UUID, UUID]:
    """The store of `runs` runs in `directory`, built on first use."""
    path = directory / f"server-{runs}.db"
    ids_path = path.with_suffix(".json")
    url = f"sqlite:///{path}"
    if not ids_path.exists():
        path.unlink(missing_ok=True)
        started = time.perf_counter()
        ids = build_store(url, runs)
        print(f"store: {runs:,} runs built in {time.perf_counter() - started:.1f} s")
        ids_path.write_text(json.dumps([str(i) for i in ids]))
    user_id, stack_id, run_id = (UUID(i) for i in json.loads(ids_path.read_text()))
    return url, user_id, stack_id, run_id


def summary(samples: list[tuple[float, float]]) -> str:
    rps = sorted(r for r, _ in samples)
    p99 = sorted(p for _, p in samples)
    return (
        f"{statistics.median(rps):,.0f} req/s ({rps[0]:,.0f}-{rps[-1]:,.0f}), "
        f"p99 {statistics.median(p99):.1f} ms ({p99[0]:.1f}-{p99[-1]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="load test seconds")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="load tests of each, in turn")
    parser.add_argument("--cache", type=Path, help="keep the store here and reuse it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
        os.environ["STACKYARD_CONFIG_PATH"] = tmp
        directory = args.cache or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        url, user_id, stack_id, run_id = cached_store(directory, args.runs)
        from stackyard.server.tokens import issue

        token = issue(SECRET.encode(), user_id, 0)
        process, base = start_server(url, args.workers)
        try:
            from stackyard.store.rest import RestStore
            from stackyard.store.sql.store import SqlStore

            sql = seed_query_ms(SqlStore(url, seed_user=None), user_id, stack_id)
            rest = seed_query_ms(RestStore(base, token=token), user_id, stack_id)
            print(f"seed query, median of 20: {rest:.2f} ms over REST, {sql:.2f} ms in-process SQL")
            targets = {
                "get one": f"{base}/api/v1/pipeline_runs/{run_id}",
                "seed list": f"{base}/api/v1/pipeline_runs?stack_id={stack_id}"
                f"&user_id={user_id}&sort_by=desc:start_time&size=10",
            }
            tool = "wrk -t2 -c8" if shutil.which("wrk") else "python client, 8 connections"
            runner = load_wrk if shutil.which("wrk") else load_python
            samples: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
            for _ in range(args.repeat):
                for name, target in targets.items():
                    samples[name].append(runner(target, token, args.duration))
            print(
                f"{args.workers} workers, {tool}, {args.duration} s x {args.repeat} each, "
                "in turn; median (min-max):"
            )
            for name, found in samples.items():
                rps_target, p99_target = TARGETS[name]
                rps = statistics.median(r for r, _ in found)
                p99 = statistics.median(p for _, p in found)
                met = rps >= rps_target and (p99_target is None or p99 < p99_target)
                goal = f"{rps_target:,} req/s" + (
                    f", p99 < {p99_target:.0f} ms" if p99_target else ""
                )
                floor = "  (the floor)" if name == "get one" else ""
                print(
                    f"  {name:<9} {summary(found)}  "
                    f"{'meets' if met else 'MISSES'} the goal of {goal}{floor}"
                )
        finally:
            process.terminate()
            process.wait(20)


if __name__ == "__main__":
    main()
