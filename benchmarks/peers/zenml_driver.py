"""ZenML's side of `benchmarks/run.py`, run by `benchmarks/.peer-venv/bin/python`.

    benchmarks/.peer-venv/bin/python benchmarks/peers/zenml_driver.py WORKLOAD [...]

Same workloads and row format as `stackyard_driver.py`, through ZenML's public
API and CLI as its docs show them. Every process gets its own ZENML_CONFIG_PATH
under the runner's scratch directory, analytics off and no dashboard opened;
`zenml` is imported only after that is set.

Pipelines (3 and 6) run from a copy of `zenml_steps.py` in a temporary
directory whose git state the driver sets (`--checkout clean|dirty|nogit`, see
`measure.code_checkout`), the working directory too, as on stackyard's side.

Stores with many runs (workloads 4 and 5): running 100,000 real pipelines is
out of reach (~0.7 s each), so `build` makes 10 real runs through ZenML —
pipelines `pipeline_0`..`pipeline_4` on the default stack and on a second stack,
from a clean git checkout, each then tagged and given run metadata — then clones
their `pipeline_run` rows with SQL inside ZenML's own SQLite file (new id, name,
times, status, run index, orchestrator run id; every other column, including
snapshot, project and pipeline, copied from a real run) with copies of their
tag and run-metadata links, so its Client sees ordinary runs. stackyard's
stores are built the same way (`bench_store.build()`): the same 10 template
runs, tags, metadata and mix: 1 run in 4 on the second stack, 1 in 5 by a second
user, 1 in 7 failed, 17 s apart. Both builds end with the same `ANALYZE`. The
file is kept in `benchmarks/.cache/zenml-<version>-runs-<N>.db`; each workload
links it into a fresh config directory.

PostgreSQL (workload 6): ZenML's SQL store accepts only SQLite and MySQL URLs,
so that row records ZenML's own error for a `postgresql://` store URL.
"""

from __future__ import annotations

import importlib.metadata
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

from load import (
    concurrency_rows,
    concurrency_trial,
    free_port,
    note_pid,
    with_server_memory,
    worker_loop,
    wrk_case,
)
from measure import (
    CACHE,
    CHECKOUT_LABELS,
    IMPORT_CASE,
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

QUIET = {
    "ZENML_ANALYTICS_OPT_IN": "false",
    "ZENML_AUTO_OPEN_DASHBOARD": "false",
    "ZENML_ENABLE_RICH_TRACEBACK": "false",
}
BUILD_TIMEOUT = 900.0
STEPS = Path(__file__).resolve().with_name("zenml_steps.py")
# what bench_store.build gives its template runs too
TEMPLATE_TAGS = ["bench", "nightly"]
TEMPLATE_METADATA = {"rows": 1000, "accuracy": 0.93, "dataset": "iris"}
STORE_DB = Path("local_stores") / "default_zen_store" / "zenml.db"


def _isolate(opts: Options, name: str = "zenml-config") -> Path:
    """A fresh ZENML_CONFIG_PATH for this process, analytics off, no inherited store."""
    config = opts.scratch / name
    os.environ.update(QUIET)
    os.environ["ZENML_CONFIG_PATH"] = str(config)
    os.environ.pop("ZENML_STORE_URL", None)
    return config


def _script(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def imports(opts: Options) -> Iterator[Row]:
    """What a pipeline script imports, as on stackyard's side (which adds a lazy extra)."""
    _isolate(opts)
    both = "from zenml import step, pipeline; from zenml.client import Client"
    yield attempt(IMPORT_CASE, lambda: import_case(both, opts.repeat))


def cli(opts: Options) -> Iterator[Row]:
    _isolate(opts)
    yield from cli_rows(
        [_script("zenml")], opts.repeat, {**os.environ, "COLUMNS": "120"}, opts.scratch
    )


def pipelines(opts: Options) -> Iterator[Row]:
    """Chains of 1, 10, 100 steps, the module in a clean / dirty / no-git checkout."""
    _isolate(opts)
    label = CHECKOUT_LABELS[opts.checkout]
    try:
        code = code_checkout(opts.scratch, opts.checkout, STEPS)
        chain = import_from(code, "zenml_steps").chain
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


# -- stores with many runs ----------------------------------------------------------------


def _cache_file(size: int) -> Path:
    return CACHE / f"zenml-{importlib.metadata.version('zenml')}-full-runs-{size}.db"


def _cached_db(opts: Options) -> Path:
    """ZenML's SQLite file with `opts.size` runs, built in a child process if missing."""
    db = _cache_file(opts.size)
    if not db.exists():
        CACHE.mkdir(exist_ok=True)
        argv = [sys.executable, str(Path(__file__).resolve()), "build", "--size", str(opts.size)]
        spawn([*argv, "--scratch", str(opts.scratch)], timeout=BUILD_TIMEOUT)
    return db


def _linked_config(opts: Options, name: str) -> Path:
    """A fresh config directory whose default local store is the cached database."""
    db = _cached_db(opts)
    config = _isolate(opts, name)
    (config / STORE_DB).parent.mkdir(parents=True, exist_ok=True)
    (config / STORE_DB).symlink_to(db)
    return config


def build(opts: Options) -> Iterator[Row]:
    """Make the 10 real template runs, clone them up to `opts.size`, save to the cache."""
    config = _isolate(opts, f"zenml-build-{opts.size}")
    code = code_checkout(opts.scratch / f"build-code-{opts.size}", "clean", STEPS)
    zenml_steps = import_from(code, "zenml_steps")
    from zenml import add_tags, log_metadata
    from zenml.client import Client
    from zenml.enums import StackComponentType

    client = Client()
    default_stack = client.active_stack_model.id
    other_stack = client.create_stack(
        name="s-1",
        components={
            StackComponentType.ORCHESTRATOR: "default",
            StackComponentType.ARTIFACT_STORE: "default",
        },
    ).id
    users = (client.active_user.id.hex, client.create_user(name="colleague").id.hex)
    templates: dict[tuple[bool, int], str] = {}
    for on_other, stack in ((False, default_stack), (True, other_stack)):
        client.activate_stack(stack)
        for number in range(5):
            run = zenml_steps.named_pipeline(f"pipeline_{number}")()
            add_tags(tags=TEMPLATE_TAGS, run=run.id)
            log_metadata(metadata=TEMPLATE_METADATA, run_id_name_or_prefix=run.id)
            templates[(on_other, number)] = run.id.hex
    client.activate_stack(default_stack)
    source = config / STORE_DB
    _clone_runs(source, templates, users, opts.size - len(templates))
    target = _cache_file(opts.size)
    staging = target.with_suffix(".partial")
    with sqlite3.connect(source) as src, sqlite3.connect(staging) as dst:
        src.backup(dst)  # a consistent copy, whatever journal ZenML left open
    staging.replace(target)
    return iter(())


def _clone_runs(
    db: Path, templates: dict[tuple[bool, int], str], users: tuple[str, str], count: int
) -> None:
    """`count` copies of the template runs, with their tag and run-metadata links."""
    fresh = [
        "id",
        "created",
        "updated",
        "name",
        "orchestrator_run_id",
        "start_time",
        "end_time",
        "status",
        "index",
        "user_id",
    ]
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(pipeline_run)")]
        kept = [c for c in columns if c not in fresh]
        sql = (
            f"INSERT INTO pipeline_run ({_quoted(fresh + kept)}) "
            f"SELECT {', '.join('?' * len(fresh))}, {_quoted(kept)} FROM pipeline_run "
            "WHERE id = ?"
        )
        start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=365)
        stamp = "%Y-%m-%d %H:%M:%S.%f"  # how ZenML's SQLite columns hold datetimes (naive UTC)
        links = {table: _template_links(conn, table, templates) for table in LINK_TABLES}
        rows: list[tuple[Any, ...]] = []
        copies: dict[str, list[list[Any]]] = {table: [] for table in LINK_TABLES}
        for i in range(count):
            at = start + timedelta(seconds=i * 17)
            new_id = uuid4().hex
            for table, (columns, by_template) in links.items():
                for link in by_template[(i % 4 == 0, i % 5)]:
                    copy = list(link)
                    copy[columns.index("resource_id")] = new_id
                    if "id" in columns:
                        copy[columns.index("id")] = uuid4().hex
                    copies[table].append(copy)
            rows.append(
                (
                    new_id,
                    at.strftime(stamp),
                    at.strftime(stamp),
                    f"pipeline_{i % 5}-{at:%Y_%m_%d-%H_%M_%S_%f}",
                    str(uuid4()),
                    at.strftime(stamp),
                    (at + timedelta(seconds=3)).strftime(stamp),
                    "completed" if i % 7 else "failed",
                    i // 5 + 3,
                    users[0] if i % 5 else users[1],
                    templates[(i % 4 == 0, i % 5)],
                )
            )
        conn.executemany(sql, rows)
        for table, (columns, _) in links.items():
            marks = ", ".join("?" * len(columns))
            conn.executemany(
                f"INSERT INTO {table} ({_quoted(columns)}) VALUES ({marks})", copies[table]
            )
        conn.commit()
        conn.execute("ANALYZE")  # the statement stackyard's build runs too (bench_store.analyze)


# a run's tags and run metadata: rows pointing at it by resource id (metadata values shared)
LINK_TABLES = ("tag_resource", "run_metadata_resource")


def _template_links(
    conn: sqlite3.Connection, table: str, templates: dict[tuple[bool, int], str]
) -> tuple[list[str], dict[tuple[bool, int], list[tuple[Any, ...]]]]:
    """The columns of a link table and each template run's rows in it (at least one)."""
    columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    found = {}
    for key, run_id in templates.items():
        found[key] = conn.execute(
            f"SELECT {_quoted(columns)} FROM {table} WHERE resource_id = ? "
            "AND resource_type = 'pipeline_run'",
            (run_id,),
        ).fetchall()
        if not found[key]:
            raise RuntimeError(f"template run {run_id} has no rows in {table} to copy")
    return columns, found


def _quoted(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


def store(opts: Options) -> Iterator[Row]:
    try:
        _linked_config(opts, "zenml-store")
    except Exception as exc:
        yield failure(f"seed query {opts.size}", exc)
        return
    from zenml.client import Client

    yield from query_rows(Client(), "user", opts.size, opts.repeat)


def rest(opts: Options) -> Iterator[Row]:
    """Workload 5 through `zenml login --local` (ZenML's local daemon server)."""
    zenml = _script("zenml")
    port = free_port()
    try:
        config = _linked_config(opts, "zenml-rest")
        spawn(
            [zenml, "login", "--local", "--port", str(port)],
            dict(os.environ),
            opts.scratch,
            timeout=300,
        )
    except Exception as exc:
        yield failure(f"REST seed query {opts.size}", exc)
        return
    pid = int((config / "zen_server" / "daemon" / "service.pid").read_text().strip())
    note_pid(opts.scratch, "zenml-server", pid)
    try:
        from zenml.client import Client

        client = Client()
        for row in query_rows(client, "user", opts.size, opts.repeat, "REST "):
            yield with_server_memory(row, pid)
        run_id = client.list_pipeline_runs(size=1)[0].id
        target = f"http://127.0.0.1:{port}/api/v1/runs/{run_id}"
        # the local server runs with auth_scheme NO_AUTH: no token to send
        row = attempt(f"REST GET one run {opts.size}", lambda: wrk_case(target, None, opts.repeat))
        yield with_server_memory(row, pid)
    finally:
        spawn([zenml, "logout", "--local"], dict(os.environ), opts.scratch, timeout=120)


# -- concurrency --------------------------------------------------------------------------


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
    code = code_checkout(opts.scratch, "clean", STEPS)
    driver = [
        sys.executable,
        str(Path(__file__).resolve()),
        "worker",
        "--scratch",
        str(opts.scratch),
        "--code-dir",
        str(code),
    ]
    count = (
        "from zenml.client import Client; runs = Client().list_pipeline_runs; "
        "print(runs(size=1).total, runs(size=1, status='completed').total)"
    )
    for trial in range(opts.repeat):
        gate()
        _isolate(opts, f"trial-{trial}")
        env = dict(os.environ)
        if opts.backend == "postgresql":
            base = opts.postgres.rsplit("/", 1)[0]
            env["ZENML_STORE_URL"] = f"{base}/zenml_bench_conc_{uuid4().hex[:10]}"
        elif opts.backend != "sqlite":
            raise ValueError(f"unknown backend {opts.backend!r}: sqlite or postgresql")
        concurrency_trial([*driver, "--per-process", "0"], env, 1)
        result = concurrency_trial(
            [*driver, "--per-process", str(opts.per_process)], env, opts.processes
        )
        _, _, out = spawn([sys.executable, "-c", count], env, opts.scratch)
        recorded, completed = out.strip().splitlines()[-1].split()
        yield result, int(recorded), int(completed)


def worker(opts: Options) -> Iterator[Row]:
    """One concurrency process: the store opened and the code imported before `go`."""

    def prepare() -> Callable[[], object]:
        zenml_steps = import_from(opts.code_dir or STEPS.parent, "zenml_steps")
        from zenml.client import Client

        Client().active_stack_model  # noqa: B018 -- opens (and on a fresh store, seeds) it

        def run_once() -> None:
            run = zenml_steps.chain(length=1)
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
