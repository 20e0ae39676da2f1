"""A real stackyard server for tests: uvicorn in a thread on a free loopback port.

Shared by `tests/server/` and the REST backend of `tests/contract/` (imported
as `serving`, like `support`).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from stackyard.server.context import ServerContext
from stackyard.store.rest import RestStore

SECRET = b"tests-only-server-secret"
ADMIN = "admin"
ADMIN_PASSWORD = "admin-password-1"
PASSWORD = "user-password-1"  # of the plain users alice and bob in tests/server


@dataclass
class Running:
    """A started server: its URL and its (server-side) context."""

    url: str
    ctx: ServerContext
    server: Any

    def login(self, username: str, password: str) -> str:
        response = httpx.post(
            f"{self.url}/api/v1/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def rest(self, token: str) -> RestStore:
        return RestStore(self.url, token=token)

    def token_for(self, name: str) -> str:
        """A token for an existing user, without a password (as `stackyard up` does)."""
        user = self.ctx.store.find("user", name)
        return self.ctx.auth.token_for(user.id)


@dataclass
class Users:
    """Access tokens of the admin and two plain users."""

    admin: str
    alice: str
    bob: str

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, who)}"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(store_url: str, **options: Any) -> Iterator[Running]:
    """Serve `create_app(store_url, **options)` until the block ends."""
    import uvicorn

    from stackyard.server.app import create_app
    from stackyard.server.runner import NoDelayH11Protocol

    options.setdefault("secret", SECRET)
    options.setdefault("run_scheduler", False)  # tests drive schedules themselves
    app = create_app(store_url, **options)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(  # plain asyncio: the loop where TCP_NODELAY needs our protocol
        app,
        http=NoDelayH11Protocol,
        loop="asyncio",
        log_config=None,
        access_log=False,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield Running(f"http://127.0.0.1:{port}", app.state.context, server)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


class ResettableRestStore(RestStore):
    """A RestStore whose server's SQL store the contract suite can wipe between tests."""

    def __init__(self, running: Running) -> None:
        super().__init__(running.url, token=running.token_for("default"))
        self.running = running

    def reset_for_tests(self) -> None:
        from support import wipe

        wipe(self.running.ctx.store)
        self._token = self.running.token_for("default")  # the new `default` has a new id
        self._user = None


@contextmanager
def logged_in_server(database: Path, **options: Any) -> Iterator[Running]:
    """A server on a copy of the SQLite store `database`, with the first admin (ADMIN),
    and this machine's Client logged in to it as that admin until the block ends."""
    import shutil
    import tempfile

    from stackyard.client.core import reset_stores
    from stackyard.config import GlobalConfig
    from stackyard.store.sql import accounts

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "server.db"
        shutil.copyfile(database, path)
        with running_server(f"sqlite:///{path}", **options) as running:
            accounts.create_first_admin(running.ctx.store, ADMIN, ADMIN_PASSWORD)
            config = GlobalConfig.load()
            config.data["server"] = {"url": running.url, "token": running.token_for(ADMIN)}
            config.save()
            reset_stores()
            try:
                yield running
            finally:  # later code reads the local store again
                config.data.pop("server")
                config.save()
                reset_stores()


@contextmanager
def running_runner(url: str, token: str, *, max_runs: int = 2) -> Iterator[Any]:
    """`stackyard runner start --url URL` in a child process, acting with `token`."""
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "STACKYARD_ACCESS_TOKEN": token}
    process = subprocess.Popen(
        [sys.executable, "-m", "stackyard.runner", "start", "--url", url, "--poll", "0.2",
         "--max-runs", str(max_runs)],
        env=env,
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def deployed_server(
    store_url: str, *, workers: int = 2, env: dict[str, str] | None = None
) -> Iterator[str]:
    """`python -m stackyard.server` in a child process (first admin `ADMIN`), until the
    block ends; yields its URL."""
    import os
    import subprocess
    import sys

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "stackyard.server", "--store-url", store_url,
         "--port", str(port), "--workers", str(workers), "--no-access-log",
         "--admin-user", ADMIN, "--admin-password", ADMIN_PASSWORD],
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(process.stdout.read().decode() if process.stdout else "")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)
