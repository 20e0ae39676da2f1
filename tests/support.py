"""Helpers shared by test areas (imported as `support`)."""

from __future__ import annotations

import os
import uuid

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


def create_pg_database() -> str:
    import psycopg

    name = f"sy_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname="test", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_pg_database(name: str) -> None:
    import psycopg

    with psycopg.connect(
        host="127.0.0.1", port=5432, user="postgres", dbname="test", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def create_mysql_database() -> str:
    import pymysql

    name = f"sy_{uuid.uuid4().hex[:10]}"
    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
    conn.close()
    return name


def drop_mysql_database(name: str) -> None:
    import pymysql

    conn = pymysql.connect(host="127.0.0.1", port=3306, user="root", password="")
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
    conn.close()


def wipe(store: object) -> None:
    """Empty every table of a SQL store and seed the defaults again."""
    from stackyard.store.sql.bootstrap import seed
    from stackyard.store.sql.store import SqlStore

    assert isinstance(store, SqlStore)
    db = store.db
    tables = [
        "stack_compositions",
        "tag_assignments",
        "step_run_artifacts",
        "run_metadata",
        "api_keys",
        "run_templates",
        "schedules",
        "builds",
        "artifact_versions",
        "artifacts",
        "run_steps",
        "pipeline_runs",
        "snapshots",
        "pipelines",
        "tags",
        "stacks",
        "stack_components",
        "flavors",
        "service_connectors",
        "secrets",
        "code_repositories",
        "users",
    ]
    with db.transaction() as tx:
        if db.dialect == "mysql":
            tx.execute("SET FOREIGN_KEY_CHECKS=0")
        for table in tables:
            tx.execute(f"DELETE FROM {db.q(table)}")
        if db.dialect == "mysql":
            tx.execute("SET FOREIGN_KEY_CHECKS=1")
    store.actor = None
    seed(store)


def reset_backend(store: object) -> None:
    """Back to a freshly seeded store; REST backends reset their server's SQL store."""
    reset = getattr(store, "reset_for_tests", None)
    if reset is not None:
        reset()
    else:
        wipe(store)
