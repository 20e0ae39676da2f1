"""Fixtures every test area shares: an isolated config directory per test, and
real SQL stores (SQLite always; PostgreSQL and MariaDB from the local services).

With CI=true a missing database service is a failure, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import temporary_database

PG_ADMIN = os.environ.get("STACKYARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL_ADMIN = os.environ.get("STACKYARD_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty SQLite store at the newest schema, without the seeded defaults.

    Migrating a new store takes seconds (Alembic), so the schema is built once per
    session and each test's store starts as a copy; the defaults are still seeded
    on first use, as on a fresh machine. (Migration itself is tested in tests/store.)
    """
    import sqlite3

    from stackyard.store.sql.db import Database, DatabaseURL
    from stackyard.store.sql.migrate import ensure_schema

    path = tmp_path_factory.mktemp("template") / "stackyard.db"
    db = Database(DatabaseURL.parse(f"sqlite:///{path}"))
    ensure_schema(db)
    db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(autouse=True)
def isolated_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_db: Path
) -> Iterator[Path]:
    """Each test gets its own config directory, store (a copy of `migrated_db`) and
    secrets key."""
    import shutil

    from stackyard.client.core import reset_stores
    from stackyard.security import _secrets_key

    config = tmp_path / "stackyard-config"
    config.mkdir()
    shutil.copyfile(migrated_db, config / "stackyard.db")
    monkeypatch.setenv("STACKYARD_CONFIG_PATH", str(config))
    monkeypatch.delenv("STACKYARD_STORE_URL", raising=False)
    monkeypatch.delenv("STACKYARD_SECRETS_KEY", raising=False)
    reset_stores()
    _secrets_key.cache_clear()
    yield config
    reset_stores()
    _secrets_key.cache_clear()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session."""
    with temporary_database("postgresql") as url:
        yield url


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    """A fresh MariaDB/MySQL database for this test session."""
    with temporary_database("mysql") as url:
        yield url
