"""The store contract suite runs every test against every backend.

`store_backend` is parametrised over SQLite, PostgreSQL and MariaDB (one
database per session, emptied and re-seeded before each test). A backend is
added by one entry in BACKENDS: a session fixture name that yields a store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support import reset_backend

from stackyard.client import Client
from stackyard.store.base import Store

BACKENDS = ["sqlite", "postgresql", "mysql", "rest"]


@pytest.fixture(scope="session")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    from stackyard.store.sql.store import SqlStore

    path: Path = tmp_path_factory.mktemp("contract") / "store.db"
    store = SqlStore(f"sqlite:///{path}")
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgresql_store(postgres_url: str) -> Iterator[Store]:
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(postgres_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def mysql_store(mysql_url: str) -> Iterator[Store]:
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(mysql_url)
    yield store
    store.close()


@pytest.fixture(scope="session")
def rest_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A real server (uvicorn in a thread) over SQLite, reached through RestStore."""
    from serving import ResettableRestStore, running_server

    path: Path = tmp_path_factory.mktemp("contract-rest") / "store.db"
    with running_server(f"sqlite:///{path}", seed_user="default") as running:
        store = ResettableRestStore(running)
        yield store
        store.close()


@pytest.fixture(params=BACKENDS)
def store_backend(request: pytest.FixtureRequest) -> Store:
    store: Store = request.getfixturevalue(f"{request.param}_store")
    reset_backend(store)
    return store


@pytest.fixture
def client(store_backend: Store) -> Client:
    return Client(store=store_backend)
