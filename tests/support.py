"""Helpers shared by test areas (imported as `support`)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_or_skip(name: str, check: object) -> None:
    try:
        check()  # type: ignore[operator]
    except Exception as exc:
        message = f"{name} is not reachable ({exc}); start it to run these tests"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


ADMIN_CONNECTIONS = {
    "postgresql": "postgresql://postgres@127.0.0.1:5432",
    "mysql": "mysql://root@127.0.0.1:3306",
}


def _admin_execute(dialect: str, statement: str) -> None:
    if dialect == "postgresql":
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=5432, user="postgres", dbname="test", autocommit=True
        ) as conn:
            conn.execute(statement)
        return
    import pymysql

    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
    try:
        cursor = conn.cursor()
        cursor.execute(statement)
        cursor.close()
    finally:
        conn.close()


@contextmanager
def temporary_database(dialect: str) -> Iterator[str]:
    """A new, empty PostgreSQL or MariaDB database for a test; dropped afterwards.

    Skips when the service is not reachable, but fails instead in CI.
    """
    name = f"sy_{uuid.uuid4().hex[:10]}"
    create, drop = {
        "postgresql": (
            f'CREATE DATABASE "{name}"',
            f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        ),
        "mysql": (
            f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
            f"DROP DATABASE IF EXISTS `{name}`",
        ),
    }[dialect]
    service_or_skip(
        f"{dialect} at {ADMIN_CONNECTIONS[dialect]}", lambda: _admin_execute(dialect, create)
    )
    try:
        yield f"{ADMIN_CONNECTIONS[dialect]}/{name}"
    finally:
        _admin_execute(dialect, drop)


@functools.cache
def table_names() -> list[str]:
    """Every table of the schema, dependants before what they depend on (derived from
    the specs, so a new resource's table is emptied too)."""
    from stackyard.store.sql.schema import build_metadata

    return [table.name for table in reversed(build_metadata().sorted_tables)]


def wipe(store: object) -> None:
    """Empty every table of a SQL store and seed the defaults again.

    The write counts stay: each deleted row counts as a write, so every kept total is
    out of date; emptied, a count could come back to a value a kept total was read at.
    """
    from stackyard.store.sql.bootstrap import seed
    from stackyard.store.sql.store import SqlStore
    from stackyard.store.sql.totals import WRITE_COUNTS

    assert isinstance(store, SqlStore)
    db = store.db
    tables = [t for t in table_names() if t != WRITE_COUNTS]
    with db.transaction() as tx:
        if db.dialect == "mysql":
            tx.execute("SET FOREIGN_KEY_CHECKS=0")
        for table in tables:
            tx.execute(f"DELETE FROM {db.q(table)}")
        if db.dialect == "mysql":
            tx.execute("SET FOREIGN_KEY_CHECKS=1")
    store.actor = None
    seed(store)


def artifact_uri(store: Any, *parts: str) -> str:
    """A URI inside the default artifact store: artifact versions must lie in one."""
    found = store.list("stack_component", type="artifact_store", name="default").items
    return "/".join([found[0].configuration["path"].rstrip("/"), *parts])


def reset_backend(store: object) -> None:
    """Back to a freshly seeded store; REST backends reset their server's SQL store."""
    reset = getattr(store, "reset_for_tests", None)
    if reset is not None:
        reset()
    else:
        wipe(store)


def modules_after_cli(*argv: str) -> set[str]:
    """Top-level modules a fresh interpreter has imported after running the CLI."""
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['stackyard', *{list(argv)!r}]\n"
        "try:\n    runpy.run_module('stackyard', run_name='__main__')\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ
    )
    assert done.returncode == 0, done.stderr
    return set(done.stderr.split())
