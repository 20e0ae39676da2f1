"""List and get latency of the SQL store as the number of runs grows.

Builds stores of 1,000 / 10,000 / 100,000 pipeline runs by bulk insert through
the store layer (kept in benchmarks/.cache, or `--cache`, and reused), then times,
in-process:
- the API.md seed query: runs on the active stack by the active user,
  `desc:start_time`, size 10 (this includes the page's total count), beside the
  bare driver running its COUNT(*) alone, what the exact total costs uncached;
- `client.get_pipeline_run(<unique name prefix>)`;
- a page of `--page-size` (1,000) runs, newest first, as models
  (`list_pipeline_runs`) and as rows (`list_rows`), beside its floor: the bare
  driver running the same SELECT and fetching the raw tuples.
Prints the median (and min/max) of repeated calls.

    python benchmarks/bench_store.py [--sizes 1000,10000,100000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

CACHE = Path(__file__).resolve().parent / ".cache"


def build(store, runs: int) -> None:  # type: ignore[no-untyped-def]
    """Fill a seeded store with `runs` runs over 3 stacks, 2 users and 5 pipelines."""
    from stackyard.models.binding import utcnow
    from stackyard.models.spec import spec_for

    if store.list("pipeline_run", size=1).total >= runs:
        return
    user = store.current_user()
    other_user = store.create("user", {"name": f"colleague-{uuid4().hex[:6]}"})
    default = store.find("stack", "default")
    comps = {t.value: [i] for t, ids in default.component_ids.items() for i in ids}
    stacks = [default.id] + [
        store.create("stack", {"name": f"s-{uuid4().hex[:6]}", "components": comps}).id
        for _ in range(2)
    ]
    pipelines = [store.create("pipeline", {"name": f"pipeline_{i}"}).id for i in range(5)]
    spec = spec_for("pipeline_run")
    columns = [
        c
        for c in spec.columns
        if c
        in (
            "id",
            "created",
            "updated",
            "user_id",
            "name",
            "status",
            "start_time",
            "end_time",
            "pipeline_id",
            "stack_id",
            "config",
        )
    ]
    q = store.db.q
    sql = (
        f"INSERT INTO {q(spec.table)} ({', '.join(q(c) for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    start = utcnow() - timedelta(days=365)
    batch: list[list[object]] = []
    with store.db.transaction() as tx:
        for i in range(runs):
            at = start + timedelta(seconds=i * 17)
            row = {
                "id": uuid4(),
                "created": at,
                "updated": at,
                "user_id": user.id if i % 5 else other_user.id,
                "name": f"pipeline_{i % 5}-{at:%Y_%m_%d-%H_%M_%S_%f}",
                "status": "completed" if i % 7 else "failed",
                "start_time": at,
                "end_time": at + timedelta(seconds=3),
                "pipeline_id": pipelines[i % 5],
                "stack_id": stacks[0 if i % 4 else 1 + i % 2],
                "config": {},
            }
            batch.append([store.db.encode(spec.columns[c].kind, row[c]) for c in columns])
            if len(batch) == 5000:
                tx.executemany(sql, batch)
                batch.clear()
        tx.executemany(sql, batch)


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

    store = SqlStore(url)
    build(store, runs)
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
