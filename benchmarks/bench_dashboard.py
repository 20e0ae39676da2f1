"""Dashboard speed at 100,000 runs: server time of the pages, queries per page, weight.

Builds (once, kept in benchmarks/.cache) a SQLite store of 100,000 runs like
bench_store.py, plus one run of a 100-step chain with an output per step. Serves
it with uvicorn on a loopback port in this process and times, over one kept-alive
connection, repeated GETs of:
- `/runs` (first page, 25 rows, newest first) and a filtered `/runs?status=failed`;
- `/runs/<id>` of the 100-step run (DAG layout, steps, timeline, panels);
- `/artifact-versions/<id>` of one of its outputs.
It prints the median and p95 of the server's time per page (from the dashboard's
`Server-Timing` header: reading and rendering), the SQL statements each page runs (at two
page sizes, to show there is no query per row), and the JS + CSS a page loads.

    python benchmarks/bench_dashboard.py [--runs 100000] [--repeat 40]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import CACHE, analyze, build

SECRET = b"bench-dashboard-secret"


def chain_run(store: Any, steps: int = 100) -> tuple[str, str]:
    """A completed run of a `steps`-step chain (each step's output feeds the next)."""
    from datetime import timedelta

    from stackyard.models.binding import utcnow

    found = store.list_rows("pipeline_run", name="chain-100", size=1).items
    if found:
        run = found[0]
        version = store.list_rows("artifact_version", name="chain_out_99", size=1).items[0]
        return str(run["id"]), str(version["id"])
    pipeline = store.create("pipeline", {"name": "chain"})
    stack = store.find("stack", "default")
    # artifact uris must lie inside an artifact store: use the default stack's own
    (store_id,) = stack.component_ids["artifact_store"]
    root = str(store.get("stack_component", store_id).configuration["path"]).rstrip("/")
    names = [f"step_{i}" for i in range(steps)]
    spec = {
        "steps": {
            n: {
                "upstream": [names[i - 1]] if i else [],
                "inputs": {"x": {"step": names[i - 1], "output": f"chain_out_{i - 1}"}}
                if i
                else {},
                "outputs": [f"chain_out_{i}"],
            }
            for i, n in enumerate(names)
        }
    }
    snapshot = store.create(
        "snapshot", {"pipeline_id": pipeline.id, "stack_id": stack.id, "pipeline_spec": spec}
    )
    start = utcnow()
    run = store.create(
        "pipeline_run",
        {
            "name": "chain-100",
            "status": "completed",
            "start_time": start,
            "end_time": start + timedelta(seconds=steps),
            "pipeline_id": pipeline.id,
            "stack_id": stack.id,
            "snapshot_id": snapshot.id,
        },
    )
    previous = None
    for i, name in enumerate(names):
        step = store.create(
            "run_step",
            {
                "name": name,
                "pipeline_run_id": run.id,
                "status": "completed",
                "start_time": start + timedelta(seconds=i),
                "inputs": {"x": previous.id} if previous else {},
                "parameters": {"i": i},
            },
        )
        previous = store.create(
            "artifact_version",
            {
                "name": f"chain_out_{i}",
                "uri": f"{root}/bench-chain/{i}",
                "data_type": "builtins.int",
                "materializer": "stackyard.artifacts.materializers_builtin.BuiltinMaterializer",
                "producer_step_run_id": step.id,
            },
        )
        store.update(
            "run_step",
            step.id,
            {
                "status": "completed",
                "end_time": start + timedelta(seconds=i + 0.8),
                "outputs": {f"chain_out_{i}": previous.id},
            },
        )
    assert previous is not None
    return str(run.id), str(previous.id)


class QueryCounter:
    """Counts the SQL statements this process sends (the server runs in a thread here)."""

    def __init__(self) -> None:
        from stackyard.store.sql import db

        self.count = 0
        for name in ("fetchone", "fetchall", "scalar"):
            original = getattr(db.Transaction, name)
            setattr(db.Transaction, name, self._wrap(original))

    def _wrap(self, original: Any) -> Any:
        def counted(tx: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(tx, *args, **kwargs)

        return counted


def serve(url: str) -> tuple[str, Any, Any]:
    import uvicorn

    from stackyard.server.app import create_app
    from stackyard.server.runner import NoDelayH11Protocol

    app = create_app(url, secret=SECRET, run_scheduler=False, seed_user="default")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, http=NoDelayH11Protocol, loop="asyncio", log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return f"http://127.0.0.1:{sock.getsockname()[1]}", app.state.context, server


def timed(client: Any, path: str, repeat: int) -> tuple[float, float, float]:
    """Median and p95 of the server's own time (its Server-Timing header), and the
    median round trip as this client saw it (same process: it shares the GIL)."""
    for _ in range(3):
        assert client.get(path).status_code == 200, path
    server, trip = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        response = client.get(path)
        trip.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200
        server.append(float(response.headers["server-timing"].split("dur=")[1]))
    server.sort()
    return statistics.median(server), server[int(len(server) * 0.95) - 1], statistics.median(trip)


def main() -> None:
    import httpx

    from stackyard.dashboard.session import SESSION_COOKIE
    from stackyard.store.sql.store import SqlStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    url = f"sqlite:///{CACHE / f'dashboard-{args.runs}.db'}"
    store = SqlStore(url)
    build(store, args.runs)
    run_id, version_id = chain_run(store)
    analyze(store)
    store.close()
    counter = QueryCounter()
    base, ctx, server = serve(url)
    token = ctx.auth.token_for(ctx.store.current_user().id)
    pages = [
        ("/runs (first page, 25 rows)", "/runs"),
        ("/runs?status=failed", "/runs?status=failed"),
        ("/runs/<id> (100 steps)", f"/runs/{run_id}"),
        ("/artifact-versions/<id>", f"/artifact-versions/{version_id}"),
    ]
    total = ctx.store.list_rows("pipeline_run", size=1).total
    print(f"dashboard over SQLite, {total:,} runs, {args.repeat} requests per page")
    with httpx.Client(base_url=base, cookies={SESSION_COOKIE: token}) as client:
        for label, path in pages:
            median, p95, trip = timed(client, path, args.repeat)
            print(
                f"  {label:<30} server median {median:6.1f} ms   p95 {p95:6.1f} ms"
                f"   (round trip median {trip:6.1f} ms)"
            )
        for size in (10, 100):
            before = counter.count
            client.get(f"/runs?size={size}")
            print(f"  SQL statements for /runs?size={size}: {counter.count - before}")
        before = counter.count
        client.get(f"/runs/{run_id}")
        print(f"  SQL statements for /runs/<id> of 100 steps: {counter.count - before}")
        html = client.get("/runs").text
        weight = 0
        for asset in ("dashboard.css", "dashboard.js"):
            start = html.index(f"/static/{asset}")
            weight += len(client.get(html[start : html.index('"', start)]).content)
        print(f"  JS + CSS per page: {weight / 1024:.1f} KB")
    server.should_exit = True


if __name__ == "__main__":
    main()
