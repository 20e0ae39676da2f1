"""List and get latency of the SQL store as the number of runs grows.

Builds stores of 1,000 / 10,000 / 100,000 pipeline runs (kept in benchmarks/.cache,
or `--cache`, and reused), then times, in-process:
- the API.md seed query: runs on the active stack by the active user,
  `desc:start_time`, size 10 (this includes the page's total count), beside the
  bare driver running its COUNT(*) alone, what the exact total costs uncached;
- `client.get_pipeline_run(<unique name prefix>)`;
- a page of `--page-size` (1,000) runs, newest first, as models
  (`list_pipeline_runs`) and as rows (`list_rows`), beside its floor: the bare
  driver running the same SELECT and fetching the raw tuples.
Prints the median (and min/max) of repeated calls.

How a store is built (`build`), the same way as ZenML's in
`peers/zenml_driver.py`: 10 real runs through stackyard (pipelines
`pipeline_0`..`pipeline_4`, on the default stack and on a second one) from a clean
git checkout registered as a code repository, each then tagged and given run
metadata through the Client; then every other run is a SQL copy of one of them
(new id, name, times, status, user, orchestrator run id; every other column,
including config, snapshot, code reference and code repository, copied), with
copies of its tag assignments and run metadata. So list queries read rows as
full as real runs'. The mix: 1 run in 4 on the second stack, 1 in 5 by a second
user, 1 in 7 failed, 17 s apart. ANALYZE runs afterwards, as for ZenML's store.

    python benchmarks/bench_store.py [--sizes 1000,10000,100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

CACHE = Path(__file__).resolve().parent / ".cache"
TEMPLATE_TAGS = ["bench", "nightly"]
TEMPLATE_METADATA = {"rows": 1000, "accuracy": 0.93, "dataset": "iris"}


def build(url: str, runs: int, workdir: Path | None = None) -> None:
    """Fill the store at `url` (seeded or empty) up to `runs` runs, as the docstring says.

    Runs the 10 real pipelines in this process, with STACKYARD_STORE_URL pointing
    at `url` for the time of the build; `workdir` holds the code checkout.
    """
    sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
    from measure import code_checkout, import_from

    from stackyard.client import Client
    from stackyard.client.core import reset_stores

    work = Path(workdir or tempfile.mkdtemp(prefix="bench-store-"))
    saved = os.environ.get("STACKYARD_STORE_URL"), os.getcwd()
    os.environ["STACKYARD_STORE_URL"] = url
    reset_stores()
    try:
        client = Client()
        if client.list_pipeline_runs(size=1).total >= runs:
            return
        code = code_checkout(work, "clean", Path(__file__).resolve().parent / "bench_pipelines.py")
        client.create_code_repository(
            f"bench-{uuid4().hex[:6]}", {"path": str(code)}, source="local_git"
        )
        module = import_from(code, "bench_pipelines")
        default = client.active_stack_model
        comps = {t.value: [i] for t, ids in default.component_ids.items() for i in ids}
        other = client.create_stack(f"s-{uuid4().hex[:6]}", comps)
        users = (client.active_user.id, client.create_user(f"colleague-{uuid4().hex[:6]}").id)
        templates: dict[tuple[bool, int], Any] = {}
        for on_other, stack in ((False, default.id), (True, other.id)):
            client.activate_stack(stack)
            for number in range(5):
                run = getattr(module, f"pipeline_{number}")()
                client.update_pipeline_run(run.id, add_tags=TEMPLATE_TAGS)
                client.log_metadata(TEMPLATE_METADATA, run_id=run.id)
                templates[(on_other, number)] = run.id
        client.activate_stack(default.id)
        if any(client.get_pipeline_run(i).code_reference is None for i in templates.values()):
            raise RuntimeError("a template run recorded no code reference")
        _clone_runs(client.store, templates, users, runs - client.list_pipeline_runs(size=1).total)
        _check_total(client.store)
    finally:
        reset_stores()
        for key, value in (("STACKYARD_STORE_URL", saved[0]),):
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        os.chdir(saved[1])
        if workdir is None:
            shutil.rmtree(work, ignore_errors=True)


def _clone_runs(
    store, templates: dict[tuple[bool, int], Any], users: tuple[Any, Any], count: int
) -> None:  # type: ignore[no-untyped-def]
    """`count` copies of the template runs, with their tag assignments and metadata."""
    from stackyard.models.binding import utcnow
    from stackyard.models.spec import spec_for

    db, spec = store.db, spec_for("pipeline_run")
    q = db.q
    fresh = {
        "id": "uuid",
        "created": "datetime",
        "updated": "datetime",
        "name": "str",
        "orchestrator_run_id": "str",
        "start_time": "datetime",
        "end_time": "datetime",
        "status": "str",
        "user_id": "uuid",
        "heartbeat_deadline": "datetime",
    }
    kept = [c for c in spec.columns if c not in fresh]
    sql = (
        f"INSERT INTO {q(spec.table)} ({', '.join(q(c) for c in [*fresh, *kept])}) "
        f"SELECT {', '.join('?' * len(fresh))}, {', '.join(q(c) for c in kept)} "
        f"FROM {q(spec.table)} WHERE {q('id')} = ?"
    )
    tag_sql = (
        f"INSERT INTO {q('tag_assignments')} ({q('tag_id')}, {q('resource_type')}, "
        f"{q('resource_id')}) VALUES (?, ?, ?)"
    )
    meta_columns = list(spec_for("run_metadata").columns)
    meta_table = spec_for("run_metadata").table
    meta_sql = (
        f"INSERT INTO {q(meta_table)} ({', '.join(q(c) for c in meta_columns)}) "
        f"VALUES ({', '.join('?' * len(meta_columns))})"
    )
    start = utcnow() - timedelta(days=365)
    with db.transaction() as tx:
        tags, meta = {}, {}
        for key, run_id in templates.items():
            where = [spec.name, db.encode("uuid", run_id)]
            tags[key] = [
                row[0]
                for row in tx.fetchall(
                    f"SELECT {q('tag_id')} FROM {q('tag_assignments')} "
                    f"WHERE {q('resource_type')} = ? AND {q('resource_id')} = ?",
                    where,
                )
            ]
            meta[key] = tx.fetchall(
                f"SELECT {', '.join(q(c) for c in meta_columns)} FROM {q(meta_table)} "
                f"WHERE {q('resource_type')} = ? AND {q('resource_id')} = ?",
                where,
            )
        if not all(tags.values()) or not all(meta.values()):
            raise RuntimeError("the template runs have no tags or no metadata to copy")
        id_at = meta_columns.index("id")
        resource_at = meta_columns.index("resource_id")
        runs: list[list[object]] = []
        links: list[list[object]] = []
        metadata: list[list[object]] = []
        for i in range(count):
            at = start + timedelta(seconds=i * 17)
            key = (i % 4 == 0, i % 5)
            new_id = db.encode("uuid", uuid4())
            values = {
                "id": new_id,
                "created": at,
                "updated": at,
                "name": f"pipeline_{i % 5}-{at:%Y_%m_%d-%H_%M_%S_%f}",
                "orchestrator_run_id": str(uuid4()),
                "start_time": at,
                "end_time": at + timedelta(seconds=3),
                "status": "completed" if i % 7 else "failed",
                "user_id": users[0] if i % 5 else users[1],
                "heartbeat_deadline": None,
            }
            runs.append(
                [db.encode(kind, values[c]) for c, kind in fresh.items()]
                + [db.encode("uuid", templates[key])]
            )
            links += [[tag_id, spec.name, new_id] for tag_id in tags[key]]
            for row in meta[key]:
                copy = list(row)
                copy[id_at], copy[resource_at] = db.encode("uuid", uuid4()), new_id
                metadata.append(copy)
            if len(runs) == 5000 or i == count - 1:
                tx.executemany(sql, runs)
                tx.executemany(tag_sql, links)
                tx.executemany(meta_sql, metadata)
                runs, links, metadata = [], [], []


def _check_total(store) -> None:  # type: ignore[no-untyped-def]
    """The store's exact `total` must count the rows inserted behind its back."""
    from stackyard.models.spec import spec_for

    table = store.db.q(spec_for("pipeline_run").table)
    with store.db.transaction(write=False) as tx:
        (rows,) = tx.fetchone(f"SELECT COUNT(*) FROM {table}") or (0,)
    total = store.list("pipeline_run", size=1).total
    if total != rows:
        raise RuntimeError(
            f"the store says {total} runs, the table holds {rows}: the bulk insert bypassed "
            "something the store keeps (a count cache?); the build must maintain it too"
        )


def analyze(store) -> None:  # type: ignore[no-untyped-def]
    """Fresh planner statistics, as autovacuum or a long-lived database would have."""
    with store.db.connection() as conn:
        if store.db.dialect == "sqlite":
            conn.execute("ANALYZE")
            return
        conn.autocommit = True
        with conn.cursor() as cur:
            statement = (
                "VACUUM ANALYZE"
                if store.db.dialect == "postgresql"
                else "ANALYZE TABLE pipeline_runs"
            )
            cur.execute(statement)
        conn.autocommit = False


def timed(fn, repeat: int = 30) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    return statistics.median(samples), min(samples), max(samples)


def bare_sql(store, sql: str, params: list[object]):  # type: ignore[no-untyped-def]
    """A function running `sql` on a bare driver connection and fetching every row."""
    db = store.db
    if db.dialect == "sqlite":
        import sqlite3

        conn = sqlite3.connect(db.url.path)
        return lambda: conn.execute(sql, params).fetchall()
    import psycopg

    conn = psycopg.connect(db.url.raw, autocommit=True)
    sql = sql.replace("?", "%s")
    return lambda: conn.execute(sql, params).fetchall()


def bench(url: str, runs: int, label: str, page_size: int) -> None:
    from stackyard.client import Client
    from stackyard.models.spec import shape_for
    from stackyard.store.sql.store import SqlStore

    build(url, runs)
    store = SqlStore(url)
    analyze(store)
    client = Client(store=store)
    stack_id, user_id = client.active_stack_model.id, client.active_user.id
    names = [r.name for r in client.list_pipeline_runs(size=3, sort_by="desc:start_time")]
    prefix = names[1][: len(names[1]) - 4]

    def seed_query() -> None:
        page = client.list_pipeline_runs(
            stack_id=stack_id, user_id=user_id, sort_by="desc:start_time", size=10
        )
        assert len(page) == 10

    q = store.db.q
    shape = shape_for("pipeline_run")
    seed_count = bare_sql(
        store,
        f"SELECT COUNT(*) FROM {q(shape.table)} WHERE {q('stack_id')} = ? AND {q('user_id')} = ?",
        [str(stack_id), str(user_id)],
    )
    columns = ", ".join(q(c) for c in shape.columns)
    page_sql = bare_sql(
        store,
        f"SELECT {columns} FROM {q(shape.table)} ORDER BY {q('created')} DESC, {q('id')} DESC "
        "LIMIT ? OFFSET ?",
        [page_size, 0],
    )
    med, lo, hi = timed(seed_query)
    cmed, _, _ = timed(seed_count)
    gmed, glo, ghi = timed(lambda: client.get_pipeline_run(prefix))
    print(
        f"{label:<11} {runs:>8,} runs | seed query {med:6.2f} ms (min {lo:.2f}, max {hi:.2f};"
        f" its COUNT(*) on the bare driver {cmed:.2f})"
        f" | get by name prefix {gmed:6.2f} ms (min {glo:.2f}, max {ghi:.2f})"
    )
    size = min(page_size, runs)
    models = timed(lambda: client.list_pipeline_runs(size=size), repeat=15)
    rows = timed(lambda: client.list_rows("pipeline_run", size=size), repeat=15)
    floor = timed(page_sql, repeat=15)
    print(
        f"{'':<11} {'':>8}      | page of {size:,}: models {models[0]:6.2f} ms"
        f" (min {models[1]:.2f}), rows {rows[0]:6.2f} ms (min {rows[1]:.2f}),"
        f" floor: bare SELECT {floor[0]:6.2f} ms (min {floor[1]:.2f})"
    )
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("STACKYARD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test"),
        help="admin URL; a sy_bench_<N> database is created per size",
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument(
        "--cache",
        type=Path,
        default=CACHE,
        help="where the SQLite stores are kept (another for another schema revision)",
    )
    parser.add_argument("--pg-prefix", default="sy_bench", help="PostgreSQL database names")
    args = parser.parse_args()
    cache = args.cache
    cache.mkdir(exist_ok=True)
    os.environ.setdefault("STACKYARD_CONFIG_PATH", str(cache / "config"))
    sizes = [int(s) for s in args.sizes.split(",")]
    for runs in sizes:
        bench(f"sqlite:///{cache / f'runs-{runs}.db'}", runs, "SQLite", args.page_size)
    if args.no_postgres:
        return
    import psycopg

    base = args.postgres.rsplit("/", 1)[0]
    for runs in sizes:
        name = f"{args.pg_prefix}_{runs}"
        with psycopg.connect(args.postgres, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
        bench(f"{base}/{name}", runs, "PostgreSQL", args.page_size)


if __name__ == "__main__":
    main()
