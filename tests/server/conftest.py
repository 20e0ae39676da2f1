"""A real server per test module (uvicorn in a thread, SQLite), and its users.

The server's store has no passwordless user: the admin is created as a
deployment would (the first-admin path), alice and bob are plain users.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving import ADMIN, ADMIN_PASSWORD, PASSWORD, Running, Users, running_server

from stackyard.store.sql import accounts


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    path: Path = tmp_path_factory.mktemp("server") / "store.db"
    with pytest.MonkeyPatch.context() as mp:  # seed paths land in a temp dir too
        mp.setenv("STACKYARD_CONFIG_PATH", str(path.parent / "config"))
        with running_server(f"sqlite:///{path}") as running:
            accounts.create_first_admin(running.ctx.store, ADMIN, ADMIN_PASSWORD)
            admin = running.token_for(ADMIN)
            for name in ("alice", "bob"):
                response = httpx.post(
                    f"{running.url}/api/v1/users",
                    json={"name": name, "password": PASSWORD},
                    headers={"Authorization": f"Bearer {admin}"},
                )
                assert response.status_code == 201, response.text
            yield running


@pytest.fixture(scope="module")
def users(server: Running) -> Users:
    """Tokens of admin, alice and bob, shared by a module: tests that revoke tokens
    make users of their own."""
    return Users(*(server.token_for(name) for name in (ADMIN, "alice", "bob")))


@pytest.fixture
def http(server: Running) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        yield client
