"""A server killed with SIGKILL in the middle of writing loses no acknowledged write and
leaves a sound database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
from serving import ADMIN, ADMIN_PASSWORD, free_port


def start(store: Path, config: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "STACKYARD_CONFIG_PATH": str(config),
        "STACKYARD_SERVER_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "stackyard.server", "--store-url", f"sqlite:///{store}",
         "--port", str(port), "--workers", "2", "--admin-user", ADMIN, "--no-access-log"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


def test_every_acknowledged_write_survives_a_sigkill(tmp_path: Path) -> None:
    store, config = tmp_path / "crash.db", tmp_path / "config"
    server, url = start(store, config)
    token = httpx.post(
        f"{url}/api/v1/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}
    ).json()["access_token"]
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def write() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}) as http:
            while not stop.is_set():
                name = f"p-{uuid.uuid4().hex}"
                try:
                    created = http.post("/api/v1/pipelines", json={"name": name}, timeout=5)
                except httpx.HTTPError:
                    return  # the server is gone: this write was never acknowledged
                if created.status_code == 201:
                    with lock:
                        acknowledged.append(name)

    writers = [threading.Thread(target=write) for _ in range(4)]
    for writer in writers:
        writer.start()
    wait = time.monotonic() + 30
    while len(acknowledged) < 50 and time.monotonic() < wait:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # the master and both workers, mid-write
    server.wait()
    stop.set()
    for writer in writers:
        writer.join(10)
    assert len(acknowledged) >= 50

    server, url = start(store, config)
    try:
        token = httpx.post(
            f"{url}/api/v1/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}
        ).json()["access_token"]
        listed = httpx.get(
            f"{url}/api/v1/pipelines",
            params={"size": 10_000},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        stored = {p["name"] for p in listed["items"]}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
    assert not set(acknowledged) - stored
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
