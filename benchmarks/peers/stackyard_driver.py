"""stackyard's side of `benchmarks/run.py`: one workload per process, rows as JSON lines.

    .venv/bin/python benchmarks/peers/stackyard_driver.py WORKLOAD [--repeat N] [...]

Workloads: import, cli, pipelines, store, rest, concurrency (and `worker`, one
process of the concurrency workload, and `build`, which makes a store of
`--size` runs). The stores of workload 4 and 5 are built by
`bench_store.build()` (real runs copied with SQL, as ZenML's are in
`zenml_driver.py`), analyzed with ANALYZE like ZenML's, and kept in
`benchmarks/.cache/stackyard-runs-<N>.db`.

Pipelines (3 and 6) run from a copy of `bench_pipelines.py` in a temporary
directory whose git state the driver sets (`--checkout clean|dirty|nogit`, see
`measure.code_checkout`), never from the checkout the harness runs in.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from uuid import uuid4

from load import (
    concurrency_rows,
    concurrency_trial,
    note_pid,
    with_server_memory,
    worker_loop,
    wrk_case,
)
from measure import (
    BENCH_DIR,
    CACHE,
    CHECKOUT_LABELS,
    IMPORT_CASE,
    LAZY_IMPORT_CASE,
    Options,
    Row,
    attempt,
    chain_case,
    cli_rows,
    code_checkout,
    driver_main,
    failure,
    gate,
    import_case,
    import_from,
    query_rows,
    spawn,
)

sys.path.insert(0, str(BENCH_DIR))  # bench_cli, bench_pipelines, bench_store: reused as is


def _isolate(opts: Options, name: str = "config") -> Path:
    """A fresh config directory for this process; no inherited store URL."""
    config = opts.scratch / name
    os.environ["STACKYARD_CONFIG_PATH"] = str(config)
    os.environ.pop("STACKYARD_STORE_URL", None)
    return config


def imports(opts: Options) -> Iterator[Row]:
    """The headline: what a pipeline script imports. Then, as an extra, the lazy package."""
    _isolate(opts)
    both = "from stackyard import step, pipeline; from stackyard.client import Client"
    yield attempt(IMPORT_CASE, lambda: import_case(both, opts.repeat))
    lazy = attempt(LAZY_IMPORT_CASE, lambda: import_case("import stackyard", opts.repeat))
    yield {**lazy, "compare": False}


def cli(opts: Options) -> Iterator[Row]:
    from bench_cli import entry_point

    _isolate(opts)
    yield from cli_rows(entry_point(), opts.repeat, {**os.environ, "COLUMNS": "120"}, opts.scratch)


def pipelines(opts: Options) -> Iterator[Row]:
    """Chains of 1, 10, 100 steps, the module in a clean / dirty / no-git checkout."""
    _isolate(opts)
    label = CHECKOUT_LABELS[opts.checkout]
    try:
        code = code_checkout(opts.scratch, opts.checkout, BENCH_DIR / "bench_pipelines.py")
        chain = import_from(code, "bench_pipelines").chain
    except Exception as exc:
        yield failure(f"chain ({label})", exc)
        return

    def run_chain(length: int) -> None:
        run = chain(length=length)
        if run.status != "completed":
            raise RuntimeError(f"{length}-step chain ended {run.status}")

    for length in opts.lengths:
        measure = partial(chain_case, run_chain, length, opts.repeat, label)
        yield attempt(f"chain {length} ({label})", measure)


BUILD_TIMEOUT = 900.0


def _cache_file(size: int) -> Path:
    return CACHE / f"stackyard-runs-{size}.db"


def _store_url(opts: Options) -> str:
    """The cached SQLite store with `opts.size` runs, built in a child process if missing."""
    db = _cache_file(opts.size)
    if not db.exists():
        CACHE.mkdir(exist_ok=True)
        argv = [sys.executable, str(Path(__file__).resolve()), "build", "--size", str(opts.size)]
        spawn([*argv, "--scratch", str(opts.scratch)], timeout=BUILD_TIMEOUT)
    return f"sqlite:///{db}"


def build(opts: Options) -> Iterator[Row]:
    """Build the store of `opts.size` runs (bench_store.build), ANALYZE it, save it to the cache."""
    import sqlite3

    from bench_store import analyze
    from bench_store import build as fill

    from stackyard.store.sql.store import SqlStore

    config = _isolate(opts, f"build-{opts.size}")
    config.mkdir(parents=True, exist_ok=True)
    source = config / "runs.db"
    fill(f"sqlite:///{source}", opts.size, opts.scratch / f"build-code-{opts.size}")
    store = SqlStore(f"sqlite:///{source}")
    try:
        analyze(store)  # the same statement as zenml_driver's build: ANALYZE
    finally:
        store.close()
    target = _cache_file(opts.size)
    staging = target.with_suffix(".partial")
    with sqlite3.connect(source) as src, sqlite3.connect(staging) as dst:
        src.backup(dst)  # one self-contained file, whatever journal the store left
    staging.replace(target)
    return iter(())


def store(opts: Options) -> Iterator[Row]:
    _isolate(opts)
    from stackyard.client import Client
    from stackyard.store.sql.store import SqlStore

    try:
        url = _store_url(opts)
    except Exception as exc:
        yield failure(f"seed query {opts.size}", exc)
        return
    sql = SqlStore(url)
    try:
        yield from query_rows(Client(store=sql), "user_id", opts.size, opts.repeat)
    finally:
        sql.close()


def rest(opts: Options) -> Iterator[Row]:
    """Workload 5 through `stackyard up` (the server process on the cached store)."""
    _isolate(opts)
    from stackyard.config import GlobalConfig
    from stackyard.server import local

    try:
        os.environ["STACKYARD_STORE_URL"] = _store_url(opts)
        url = local.up()
    except Exception as exc:
        yield failure(f"REST seed query {opts.size}", exc)
        return
    finally:
        os.environ.pop("STACKYARD_STORE_URL", None)
    config = GlobalConfig.load().data
    pid = int(config["local_server"]["pid"])
    note_pid(opts.scratch, "stackyard-server", pid)
    try:
        from stackyard.client import Client

        client = Client()  # logged in to the server by `up`
        if not client.store_url.startswith("http"):
            raise RuntimeError(f"the Client is not using the server: {client.store_url}")
        for row in query_rows(client, "user_id", opts.size, opts.repeat, "REST "):
            yield with_server_memory(row, pid)
        run_id = client.list_pipeline_runs(size=1)[0].id
        target = f"{url}/api/v1/pipeline_runs/{run_id}"
        row = attempt(
            f"REST GET one run {opts.size}",
            lambda: wrk_case(target, config["server"]["token"], opts.repeat),
        )
        yield with_server_memory(row, pid)
    finally:
        local.down()


def concurrency(opts: Options) -> Iterator[Row]:
    """8 processes x 25 one-step runs on a fresh store per trial (--repeat trials)."""
    case = f"concurrency {opts.backend}"
    try:
        row = concurrency_rows(opts.backend, _trials(opts), opts.processes, opts.per_process)
    except Exception as exc:
        yield failure(case, exc)
        return
    yield {"case": case, **row}


def _trials(opts: Options) -> Iterator[tuple[Row, int, int]]:
    from stackyard.store.sql.store import SqlStore

    code = code_checkout(opts.scratch, "clean", BENCH_DIR / "bench_pipelines.py")
    driver = [
        sys.executable,
        str(Path(__file__).resolve()),
        "worker",
        "--scratch",
        str(opts.scratch),
        "--code-dir",
        str(code),
    ]
    for trial in range(opts.repeat):
        gate()
        config = _isolate(opts, f"trial-{trial}")
        env = dict(os.environ)
        database = None
        if opts.backend == "postgresql":
            database = f"sy_bench_conc_{uuid4().hex[:10]}"
            _pg_admin(opts.postgres, f'CREATE DATABASE "{database}"')
            url = f"{opts.postgres.rsplit('/', 1)[0]}/{database}"
            env["STACKYARD_STORE_URL"] = url
        elif opts.backend == "sqlite":
            url = f"sqlite:///{config / 'stackyard.db'}"
        else:
            raise ValueError(f"unknown backend {opts.backend!r}: sqlite or postgresql")
        try:
            # warm: one process creates and migrates the store before the clock starts
            concurrency_trial([*driver, "--per-process", "0"], env, 1)
            result = concurrency_trial(
                [*driver, "--per-process", str(opts.per_process)], env, opts.processes
            )
            counter = SqlStore(url)
            try:
                recorded = counter.list("pipeline_run", size=1).total
                completed = counter.list("pipeline_run", size=1, status="completed").total
            finally:
                counter.close()
            yield result, recorded, completed
        finally:
            if database:
                _pg_admin(opts.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _pg_admin(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)


def worker(opts: Options) -> Iterator[Row]:
    """One concurrency process: the store opened and the code imported before `go`."""

    def prepare() -> Callable[[], object]:
        from stackyard.client import Client

        chain = import_from(opts.code_dir or BENCH_DIR, "bench_pipelines").chain

        Client().active_stack_model  # noqa: B018 -- opens (and on a fresh store, seeds) it

        def run_once() -> None:
            run = chain(length=1)
            if run.status != "completed":
                raise RuntimeError(f"run ended {run.status}")

        return run_once

    worker_loop(prepare, opts.per_process)
    return iter(())


WORKLOADS: dict[str, Callable[[Options], Iterator[Row]]] = {
    "import": imports,
    "cli": cli,
    "pipelines": pipelines,
    "store": store,
    "rest": rest,
    "concurrency": concurrency,
    "worker": worker,
    "build": build,
}

if __name__ == "__main__":
    driver_main(WORKLOADS)
