"""Fixtures every test area shares: an isolated config directory per test, and
real SQL stores (SQLite always; PostgreSQL and MariaDB from the local services).

With CI=true a missing database service is a failure, never a skip.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import (
    create_mysql_database,
    create_pg_database,
    drop_mysql_database,
    drop_pg_database,
    service_or_skip,
)

PG_ADMIN = os.environ.get("STACKYARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
MYSQL_ADMIN = os.environ.get("STACKYARD_TEST_MYSQL", "mysql://root@127.0.0.1:3306/test")


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each test gets its own config directory, store and secrets key."""
    from stackyard.client.core import reset_stores
    from stackyard.security import _secrets_key

    config = tmp_path / "stackyard-config"
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
    name = ""

    def make() -> None:
        nonlocal name
        name = create_pg_database()

    service_or_skip("PostgreSQL at 127.0.0.1:5432", make)
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    drop_pg_database(name)


@pytest.fixture(scope="session")
def mysql_url() -> Iterator[str]:
    """A fresh MariaDB/MySQL database for this test session."""
    name = ""

    def make() -> None:
        nonlocal name
        name = create_mysql_database()

    service_or_skip("MariaDB at 127.0.0.1:3306", make)
    yield f"mysql://root@127.0.0.1:3306/{name}"
    drop_mysql_database(name)
