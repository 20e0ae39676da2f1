"""Secret values (canaries) never show up anywhere but a get of the secret itself: in no
API or dashboard response (writes and errors included), no log line at DEBUG and no
byte of the database's files (the SQLite file, its -wal and -shm), in clear or in
base64 at any alignment.
"""

from __future__ import annotations

import base64
import logging
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from serving import ADMIN, ADMIN_PASSWORD, PASSWORD, running_server

from stackyard.store.sql import accounts


def forms(canary: str) -> set[str]:
    """The canary in clear and in base64 (standard and URL-safe): whole, and the middle
    of its encoding after 0, 1 or 2 bytes of anything, which is how it looks inside a
    longer encoded text."""
    found = {canary}
    for prefix in (b"", b"x", b"xy"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(prefix + canary.encode()).decode()
            found.add(text[4:-4])
            if not prefix:
                found.add(text.rstrip("="))
    return found


class Scanner:
    def __init__(self, canaries: list[str]) -> None:
        self.needles = set().union(*(forms(c) for c in canaries))
        self.hits: list[str] = []
        self.scanned = 0

    def scan(self, where: str, data: str | bytes) -> None:
        self.scanned += 1
        text = data.decode("latin-1") if isinstance(data, bytes) else data
        self.hits += [f"{where}: {n[:10]}..." for n in self.needles if n in text]


def test_secret_canaries_are_nowhere(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    canaries = [f"CANARY{uuid.uuid4().hex}" for _ in range(4)]
    private, public, added, connector = canaries
    scanner = Scanner(canaries)
    database = tmp_path / "server.db"
    caplog.set_level(logging.DEBUG)
    with running_server(f"sqlite:///{database}") as server:
        accounts.create_first_admin(server.ctx.store, ADMIN, ADMIN_PASSWORD)
        admin = {"Authorization": f"Bearer {server.token_for(ADMIN)}"}
        http = httpx.Client(base_url=server.url)
        for name in ("alice", "bob"):
            made = http.post(
                "/api/v1/users", json={"name": name, "password": PASSWORD}, headers=admin
            )
            assert made.status_code == 201, made.text
        tokens = {"alice": server.login("alice", PASSWORD), "bob": server.login("bob", PASSWORD)}
        tokens["admin"] = server.token_for(ADMIN)

        def call(method: str, path: str, who: str, **options: Any) -> httpx.Response:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            response = http.request(method, path, headers=headers, **options)
            scanner.scan(f"{method} {path} as {who} -> {response.status_code}", response.text)
            return response

        secret = call("POST", "/api/v1/secrets", "alice",
                      json={"name": "mine", "private": True, "values": {"k": private}})  # fmt: skip
        shared = call("POST", "/api/v1/secrets", "alice",
                      json={"name": "team", "values": {"k": public}})  # fmt: skip
        call("PUT", f"/api/v1/secrets/{shared.json()['id']}", "alice",
             json={"add_or_update_values": {"k2": added}})  # fmt: skip
        call("POST", "/api/v1/secrets", "alice", json={"name": "team", "values": {"k": private}})
        call("POST", "/api/v1/secrets", "alice", json={"name": "", "values": {"k": private}})
        call("PUT", f"/api/v1/secrets/{shared.json()['id']}", "alice",
             json={"remove_values": ["nope"], "add_or_update_values": {"z": private}})  # fmt: skip
        made = call("POST", "/api/v1/service_connectors", "alice",
                    json={"name": "registry", "connector_type": "docker", "auth_method": "password",
                          "configuration": {"username": "u", "password": connector}})  # fmt: skip
        reference = {"path": str(tmp_path / "a"), "key": "{{team.k}}"}
        call("POST", "/api/v1/stack_components", "alice",
             json={"name": "ref", "type": "artifact_store", "flavor": "local",
                   "configuration": reference})  # fmt: skip
        http.post("/api/v1/login", json={"username": "alice", "password": private})
        schema = http.get("/openapi.json").json()
        for path, item in schema["paths"].items():
            if "get" in item and "{" not in path:
                for who in tokens:
                    call("GET", path, who)
        call("GET", f"/api/v1/secrets/{secret.json()['id']}", "bob")  # 404, and says nothing
        for who in tokens:
            call("GET", f"/api/v1/service_connectors/{made.json()['id']}", who)
            for page in ("/secrets", f"/secrets/{shared.json()['id']}", "/service-connectors",
                         f"/service-connectors/{made.json()['id']}", "/components"):  # fmt: skip
                with httpx.Client(
                    base_url=server.url, cookies={"stackyard_session": tokens[who]}
                ) as b:
                    response = b.get(page)
                    scanner.scan(f"page {page} as {who} -> {response.status_code}", response.text)
        # the one read that shows values (of a secret the reader may see) does show them
        shown = http.get(
            f"/api/v1/secrets/{shared.json()['id']}",
            headers={"Authorization": f"Bearer {tokens['bob']}"},
        )
        assert shown.json()["secret_values"] == {"k": public, "k2": added}
        # the files, while the server runs: the WAL holds what was written last
        files = {p.name: p.read_bytes() for p in database.parent.glob(f"{database.name}*")}
        assert files.get(f"{database.name}-wal"), "no WAL file to look into"
        for name, data in files.items():
            scanner.scan(f"file {name}", data)
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    scanner.scan("DEBUG log", log_text)
    print(
        f"\ncanary hits: {len(scanner.hits)} in {scanner.scanned} responses, pages, files "
        f"({', '.join(sorted(files))}) and {len(caplog.records)} log records"
    )
    assert not scanner.hits, scanner.hits
