"""Who may do what to an entity, over the REST API of a real server, as a table: every
registered resource (the contract suite's FACTORIES make one) x get, list, add a child
(where the resource holds others), update, delete x its owner, another plain user and
an admin.

The owner is alice, who creates it, except where plain users may not create it: an
API key is the admin's, and a user account's owner is that user. Each actor gets an
entity of its own (a delete ends it). A cell is the HTTP status, `seen` or `hidden`
for whether a list shows the entity, or `-` where the verb does not apply.
"""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from serving import PASSWORD, Running, Users
from support import artifact_uri

from stackyard.client import Client
from stackyard.models.spec import discover, spec_for

ACTORS = ("owner", "other", "admin")
VERBS = ("get", "list", "add", "update", "delete")
OWNED = "200 seen {a} 200 204 | 200 seen {d} 403 403 | 200 seen {a} 200 204"
READ_ONLY = "200 seen - - 204 | 200 seen - - 403 | 200 seen - - 204"
# resource: owner | other | admin, each "get list add update delete"
EXPECTED = {
    "api_key": "200 seen - 200 204 | 200 seen - 403 403 | 200 seen - 200 204",
    "artifact": OWNED.format(a=201, d=403),
    "artifact_version": READ_ONLY,
    "build": READ_ONLY,
    "code_repository": OWNED.format(a="-", d="-"),
    "flavor": OWNED.format(a="-", d="-"),
    "model": OWNED.format(a=201, d=403),
    "model_version": OWNED.format(a=201, d=403),
    "model_version_artifact_link": READ_ONLY,
    "model_version_pipeline_run_link": READ_ONLY,
    "pipeline": OWNED.format(a="-", d="-"),
    "pipeline_run": OWNED.format(a=201, d=403),
    "run_metadata": READ_ONLY,
    "run_step": OWNED.format(a="-", d="-"),
    "run_template": OWNED.format(a="-", d="-"),
    "schedule": OWNED.format(a="-", d="-"),
    "secret": OWNED.format(a="-", d="-"),
    "secret (private)": "200 seen - 200 204 | 404 hidden - 404 404 | 404 hidden - 404 404",
    "service_connector": OWNED.format(a="-", d="-"),
    "snapshot": READ_ONLY,
    "stack": OWNED.format(a="-", d="-"),
    "stack_component": OWNED.format(a="-", d="-"),
    "tag": OWNED.format(a="-", d="-"),
    "user": "200 seen - 200 403 | 200 seen - 403 403 | 200 seen - 200 204",
}
# an update that changes nothing about who may see the entity (the factories make a
# secret private), and a stage change for model versions
UPDATES: dict[str, tuple[str, Any]] = {
    "secret": ("add_or_update_values", {"k2": "v2"}),
    "secret (private)": ("add_or_update_values", {"k2": "v2"}),
    "model_version": ("stage", "staging"),
}


def contract_factories() -> dict[str, tuple[Callable[[Client, str], Any], str | None, Any]]:
    path = Path(__file__).resolve().parents[1] / "contract" / "test_contract_crud.py"
    spec = importlib.util.spec_from_file_location("contract_crud_factories", path)
    assert spec is not None and spec.loader is not None
    module: ModuleType = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    factories: dict[str, tuple[Callable[[Client, str], Any], str | None, Any]] = module.FACTORIES
    return factories


class Matrix:
    """Makes entities and tries every verb on them, as each actor."""

    def __init__(self, server: Running, users: Users) -> None:
        self.server, self.users = server, users
        self.http = httpx.Client(base_url=server.url)
        self.factories = contract_factories()

    def client(self, token: str) -> Client:
        return Client(store=self.server.rest(token))

    def make(self, row: str) -> tuple[Any, str]:
        """A new entity of `row` and its owner's token."""
        name = f"{row.split()[0]}-{uuid.uuid4().hex[:8]}"
        if row == "user":
            self.post("admin", "/api/v1/users", {"name": name, "password": PASSWORD})
            return self.client(self.users.admin).get_user(name), self.server.login(name, PASSWORD)
        if row == "secret (private)":
            return self.client(self.users.alice).create_secret(
                name, {"k": "v"}, private=True
            ), self.users.alice
        owner = self.users.admin if row == "api_key" else self.users.alice
        return self.factories[row][0](self.client(owner), name), owner

    def post(self, token: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.auth(token))

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self.users, token, token)}"}

    def add_child(self, row: str, parent: Any, token: str) -> str:
        """Create something under `parent` as `token`'s user (a status, or `-`)."""
        tag = uuid.uuid4().hex[:8]
        if row == "pipeline_run":
            body = {"name": f"s-{tag}", "pipeline_run_id": str(parent.id)}
            return str(self.post(token, "/api/v1/run_steps", body).status_code)
        if row == "model":
            body = {"model_id": str(parent.id), "name": f"v-{tag}"}
            return str(self.post(token, "/api/v1/model_versions", body).status_code)
        if row == "model_version":
            mine = self.post(token, "/api/v1/artifact_versions", self.version_body(f"out-{tag}"))
            assert mine.status_code == 201, mine.text
            body = {"model_version_id": str(parent.id), "artifact_version_id": mine.json()["id"]}
            path = "/api/v1/model_version_artifact_links"
            return str(self.post(token, path, body).status_code)
        if row == "artifact":
            body = self.version_body(parent.name)
            return str(self.post(token, "/api/v1/artifact_versions", body).status_code)
        return "-"

    def version_body(self, name: str) -> dict[str, Any]:
        uri = artifact_uri(self.server.ctx.store, uuid.uuid4().hex)
        return {"name": name, "uri": uri, "data_type": "builtins.int", "materializer": "m"}

    def cells(self, row: str, actor_token: str, entity: Any) -> list[str]:
        kind = row.split()[0]
        plural = spec_for(kind).plural
        path = f"/api/v1/{plural}/{entity.id}"
        headers = self.auth(actor_token)
        got = self.http.get(path, headers=headers).status_code
        listed = self.http.get(f"/api/v1/{plural}", params={"id": str(entity.id)}, headers=headers)
        assert listed.status_code == 200, listed.text
        seen = "seen" if listed.json()["total"] == 1 else "hidden"
        added = self.add_child(row, entity, actor_token)
        field, value = UPDATES.get(row) or self.factories[kind][1:]
        if field == "name":
            value = f"{value}-{uuid.uuid4().hex[:6]}"
        updated = (
            str(self.http.put(path, json={field: value}, headers=headers).status_code)
            if field is not None
            else "-"
        )
        # with what `add` hung under it (a model with versions needs force)
        deleted = self.http.delete(path, params={"force": "true"}, headers=headers).status_code
        return [str(got), seen, added, updated, str(deleted)]


def test_every_resource_has_a_row() -> None:
    assert {row.split()[0] for row in EXPECTED} == {spec.name for spec in discover()}


def test_the_permission_matrix(server: Running, users: Users) -> None:
    matrix = Matrix(server, users)
    table: dict[str, str] = {}
    for row in sorted(EXPECTED):
        parts = []
        for actor in ACTORS:
            entity, owner = matrix.make(row)
            token = {"owner": owner, "other": users.bob, "admin": users.admin}[actor]
            parts.append(" ".join(matrix.cells(row, token, entity)))
        table[row] = " | ".join(parts)
    cells = [c for line in table.values() for c in line.replace("|", " ").split() if c != "-"]
    denials = [c for c in cells if c in ("403", "404", "hidden")]
    width = max(map(len, table))
    header = " | ".join(f"{a}: {' '.join(VERBS)}" for a in ACTORS)
    print(f"\n{'resource':<{width}}  {header}")
    for row, line in table.items():
        print(f"{row:<{width}}  {line}")
    print(
        f"permission matrix: {len(table)} rows, {len(cells)} cells, {len(denials)} denials "
        f"({sum(c in ('403', '404') for c in denials)} 403/404, "
        f"{denials.count('hidden')} hidden from a list)"
    )
    wrong = {row: (table[row], want) for row, want in EXPECTED.items() if table[row] != want}
    assert not wrong, "\n".join(f"{r}:\n  got  {g}\n  want {w}" for r, (g, w) in wrong.items())
