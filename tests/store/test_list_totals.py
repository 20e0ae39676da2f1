"""Cached list totals (store/sql/totals.py) stay exact while other processes write.

Writer processes (`churn.py`) insert, delete and update what the filters below read,
through the store, through raw SQL and through foreign key actions, in bursts; reader
threads list meanwhile, so totals are counted and kept while commits land. After each
burst every total must equal a fresh COUNT(*): a total kept under a version that came
back, or a write no counter saw, would show here.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from churn import TAGS
from support import temporary_database

from stackyard.store.sql import totals
from stackyard.store.sql.store import SqlStore

CHURN = str(Path(__file__).with_name("churn.py"))
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("pipeline_run", {}),
    ("pipeline_run", {"status": "running"}),
    ("pipeline_run", {"status": "failed"}),
    ("pipeline_run", {"status": 'oneof:["completed","failed"]'}),
    ("pipeline_run", {"pipeline_name": "contains:alpha"}),
    ("pipeline_run", {"tags": "red"}),
    ("pipeline_run", {"tags": "blue", "status": "running", "logical_operator": "or"}),
    ("run_step", {}),
    ("run_step", {"status": "completed"}),
    ("pipeline", {"name": "contains:alpha"}),
    ("tag", {}),
]
# a deleted pipeline's runs lose it by a foreign key action (MySQL fires no trigger)
SQL_QUERIES = [*QUERIES, ("pipeline_run", {"pipeline_id": None})]

ListTotal = Callable[[str, dict[str, Any]], int]


@contextmanager
def writers(url: str, user: str, count: int = 3) -> Iterator[Callable[[int], Callable[[], None]]]:
    """`count` churn processes; yields `burst(n)`, which sets each writing `n` times and
    returns the function that waits until they all have."""
    procs = [
        subprocess.Popen(
            [sys.executable, CHURN, url, user, str(seed)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for seed in range(count)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"

        def burst(n: int) -> Callable[[], None]:
            for proc in procs:
                assert proc.stdin is not None
                proc.stdin.write(f"go {n}\n")
                proc.stdin.flush()

            def wait() -> None:
                for proc in procs:
                    assert proc.stdout is not None
                    line = proc.stdout.readline().strip()
                    assert line == "done", f"a writer failed (exit {proc.poll()})"

            return wait

        yield burst
    finally:
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def fresh_total(url: str, kind: str, filters: dict[str, Any]) -> int:
    """COUNT(*) now: a new store keeps no totals yet."""
    store = SqlStore(url, migrate=False, seed_user=None)
    try:
        return store.list_rows(kind, size=1, **filters).total
    finally:
        store.close()


def race(wait: Callable[[], None], list_total: ListTotal, queries: list[Any]) -> None:
    """Three threads list every query over and over until `wait` returns."""
    done = threading.Event()
    failures: list[BaseException] = []

    def read() -> None:
        try:
            while not done.is_set():
                for kind, filters in queries:
                    list_total(kind, filters)
        except BaseException as exc:
            failures.append(exc)

    readers = [threading.Thread(target=read) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        wait()
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert not failures, failures


def churn_and_check(
    url: str,
    user: str,
    list_total: ListTotal,
    queries: list[tuple[str, dict[str, Any]]],
    *,
    cycles: int = 6,
    writes: int = 25,
    after_burst: Callable[[], None] = lambda: None,
    checked_total: ListTotal | None = None,
) -> None:
    """Bursts of writes with `list_total` racing them; after each, `checked_total`
    (`list_total` by default) must give every query's COUNT(*)."""
    checked_total = checked_total or list_total
    store = SqlStore(url, migrate=False, seed_user=None)
    tagger = store.as_user(store.find("user", user))
    for tag in TAGS:  # made before: writers creating a tag at once collide on its name
        tagger.create("tag", {"name": tag})
    store.close()
    with writers(url, user) as burst:
        for cycle in range(cycles):
            race(burst(writes), list_total, queries)
            after_burst()
            wrong = [
                (kind, filters, seen, expected)
                for kind, filters in queries
                for seen, expected in [
                    (checked_total(kind, filters), fresh_total(url, kind, filters))
                ]
                if seen != expected
            ]
            assert not wrong, f"cycle {cycle}: totals differ from COUNT(*): {wrong}"


def sums(store: SqlStore) -> dict[str, int]:
    q = store.db.q
    with store.db.transaction(write=False) as tx:
        rows = tx.fetchall(
            f"SELECT {q('table_name')}, SUM({q('writes')}) FROM {q('write_counts')} "
            f"GROUP BY {q('table_name')}"
        )
    return {str(t): int(n) for t, n in rows}


def check_sql_store(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers share one store (its kept totals) across threads; on PostgreSQL and
    MariaDB they also fold counter rows after nearly every read, while writers write."""
    monkeypatch.setattr(totals, "FOLD_AFTER", 1)
    store = SqlStore(url)
    user = store.current_user().name

    def after_burst() -> None:
        """Folding leaves every table's sum as it was."""
        before = sums(store)
        store.totals._to_fold.update(before)
        store.totals.fold()
        assert sums(store) == before

    try:
        churn_and_check(
            url,
            user,
            lambda kind, filters: store.list_rows(kind, size=5, **filters).total,
            SQL_QUERIES,
            after_burst=after_burst,
        )
        assert store.totals._kept, "no total was ever kept: the cache went untested"
        if store.db.dialect != "sqlite":
            q = store.db.q
            with store.db.transaction(write=False) as tx:
                folded = tx.scalar(
                    f"SELECT COUNT(*) FROM {q('write_counts')} WHERE {q('writer')} = 0"
                )
            assert folded, "no counter rows were folded"
    finally:
        store.close()


def test_totals_stay_exact_under_concurrent_writers_on_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    check_sql_store(f"sqlite:///{tmp_path / 'totals.db'}", monkeypatch)


@pytest.mark.parametrize("dialect", ["postgresql", "mysql"])
def test_totals_stay_exact_under_concurrent_writers(
    dialect: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with temporary_database(dialect) as url:
        check_sql_store(url, monkeypatch)


def test_totals_stay_exact_over_rest_with_two_workers(tmp_path: Path) -> None:
    """Each server worker keeps totals of its own; the writers write to the database
    directly, as pipelines with the store's URL do."""
    from serving import ADMIN, ADMIN_PASSWORD, deployed_server

    from stackyard.store.rest import RestStore

    url = f"sqlite:///{tmp_path / 'served.db'}"
    with deployed_server(url, workers=2) as server:
        response = httpx.post(
            f"{server}/api/v1/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}
        )
        rest = RestStore(server, token=response.json()["access_token"])
        try:

            def list_total(kind: str, filters: dict[str, Any]) -> int:
                return rest.list(kind, size=5, **filters).total

            def checked_total(kind: str, filters: dict[str, Any]) -> int:
                """Asked four times: either worker may answer, each from its own totals."""
                seen = {list_total(kind, filters) for _ in range(4)}
                assert len(seen) == 1, (kind, filters, seen)
                return seen.pop()

            churn_and_check(url, ADMIN, list_total, QUERIES, cycles=5, checked_total=checked_total)
        finally:
            rest.close()
