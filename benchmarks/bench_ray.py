"""The Ray orchestrator's figures, on a Ray head started here (2 CPUs, loopback).

- per-step overhead: a chain of N one-line steps on Ray (SQLite store, local
  artifact store), against a chain of N bare Ray tasks doing the same addition
  (`ray.get(task.remote(x))` one after another); median of `--repeat` runs after
  a warm-up, so worker start-up is not counted;
- the 1,000-step run: 100 chains of 10 steps (100 ready at once, 0.01 CPU each)
  against `python -m stackyard.server --workers 3` on a fresh PostgreSQL
  database; wall time, and the server's latency meanwhile as a client sees it
  (`GET /api/v1/stacks/{id}` every 20 ms: median and p99).

    python benchmarks/bench_ray.py [--steps 50] [--repeat 3] [--skip-server]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432"
ADMIN, PASSWORD = "admin", "bench-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(check: object, what: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():  # type: ignore[operator]
                return
        except Exception:  # not up yet: refused connections and the like
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.2)


@contextmanager
def ray_head() -> Iterator[str]:
    port = free_port()
    temp = tempfile.mkdtemp(prefix="sy-ray-", dir="/tmp")
    head = subprocess.Popen(
        [str(Path(sys.executable).with_name("ray")), "start", "--head", "--block",
         f"--port={port}", "--num-cpus=2", "--num-gpus=0", "--include-dashboard=false",
         f"--temp-dir={temp}", "--node-ip-address=127.0.0.1"],
        env={**os.environ, **RAY_ENV}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait(lambda: socket.create_connection(("127.0.0.1", port), 1), "ray", head)
        _wait(lambda: (Path(temp) / "session_latest").exists(), "ray", head)
        yield f"127.0.0.1:{port}"
    finally:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        head.send_signal(signal.SIGTERM)
        head.wait(60)


def ray_stack(address: str) -> None:
    from stackyard.client import Client

    client = Client()
    # before the cluster's own PYTHONPATH, which Ray expands in the worker
    runtime_env = {"env_vars": {"PYTHONPATH": f"{HERE}{os.pathsep}${{PYTHONPATH}}"}}
    client.create_stack_component(
        "ray", "ray", "orchestrator", {"address": address, "runtime_env": runtime_env}
    )
    client.create_stack("ray", components={"orchestrator": "ray", "artifact_store": "default"})
    client.activate_stack("ray")


def per_step(steps: int, repeat: int) -> None:
    import ray
    import ray_workload

    bare = ray.remote(num_cpus=0.01)(ray_workload.bare_hop)

    def bare_chain() -> float:
        started = time.perf_counter()
        value = 0
        for _ in range(steps):
            value = ray.get(bare.remote(value))
        assert value == steps
        return time.perf_counter() - started

    def stackyard_chain() -> float:
        started = time.perf_counter()
        run = ray_workload.chain(length=steps)
        assert run.status == "completed"
        return time.perf_counter() - started

    stackyard_chain(), bare_chain()  # warm-up: workers started, imports done
    ours = statistics.median(stackyard_chain() for _ in range(repeat))
    theirs = statistics.median(bare_chain() for _ in range(repeat))
    print(f"chain of {steps} steps, median of {repeat}:")
    print(f"  stackyard on Ray  {ours * 1000 / steps:8.1f} ms/step")
    print(f"  bare Ray tasks    {theirs * 1000 / steps:8.1f} ms/step")
    print(f"  overhead          {(ours - theirs) * 1000 / steps:8.1f} ms/step")


@contextmanager
def postgres_database() -> Iterator[str]:
    import psycopg

    name = f"sy_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_ADMIN}/test", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN}/{name}"
    finally:
        with psycopg.connect(f"{PG_ADMIN}/test", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server(store_url: str, workers: int) -> Iterator[str]:
    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "stackyard.server", "--store-url", store_url, "--port", str(port),
         "--workers", str(workers), "--no-access-log", "--admin-user", ADMIN,
         "--admin-password", PASSWORD],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: httpx.get(f"{url}/health").status_code == 200, "server", process)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def thousand_steps(address: str, workers: int) -> None:
    import httpx

    from stackyard.client import Client
    from stackyard.server import local

    with postgres_database() as store_url, server(store_url, workers) as url:
        local.login(url, ADMIN, PASSWORD)
        ray_stack(address)
        client = Client()
        stack_id = client.active_stack_model.id
        token = client.store.handoff().token
        latencies: list[float] = []
        done = threading.Event()

        def probe() -> None:
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
                while not done.is_set():
                    started = time.perf_counter()
                    http.get(f"/api/v1/stacks/{stack_id}").raise_for_status()
                    latencies.append(time.perf_counter() - started)
                    time.sleep(0.02)

        import ray_workload

        prober = threading.Thread(target=probe, daemon=True)
        prober.start()
        started = time.perf_counter()
        run = ray_workload.wide(width=100, depth=10)
        wall = time.perf_counter() - started
        done.set()
        prober.join()
        steps = client.list_run_steps(pipeline_run_id=run.id, size=2000)
        completed = sum(s.status == "completed" for s in steps)
        cuts = statistics.quantiles(latencies, n=100)
        print(f"1,000 steps (100 at once) on Ray, server with {workers} workers on PostgreSQL:")
        print(f"  run {run.status}, {completed}/{steps.total} steps completed, wall {wall:.1f} s")
        print(
            f"  server latency during the run: median {statistics.median(latencies) * 1000:.1f} ms,"
            f" p99 {cuts[98] * 1000:.1f} ms ({len(latencies)} probes)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    os.environ.update(RAY_ENV)
    with tempfile.TemporaryDirectory() as config_dir, ray_head() as address:
        os.environ["STACKYARD_CONFIG_PATH"] = config_dir
        os.environ.pop("STACKYARD_STORE_URL", None)
        ray_stack(address)
        per_step(args.steps, args.repeat)
        if not args.skip_server:
            thousand_steps(address, args.workers)


if __name__ == "__main__":
    main()
