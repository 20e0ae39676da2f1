"""The REST API resource by resource: routes derived from the specs, public paths, docs."""

from __future__ import annotations

import uuid

import httpx
import pytest
from serving import Running, Users

from stackyard.client import Client
from stackyard.models.spec import all_specs
from stackyard.server.gate import PUBLIC_PATHS

SPECS = all_specs()


@pytest.mark.parametrize("spec", SPECS, ids=[s.plural for s in SPECS])
def test_every_resource_lists_and_refuses_unknown_ids(
    http: httpx.Client, users: Users, spec: object
) -> None:
    plural = spec.plural  # type: ignore[attr-defined]
    page = http.get(f"/api/v1/{plural}", params={"size": 5}, headers=users.headers("admin"))
    assert page.status_code == 200, page.text
    body = page.json()
    assert {"index", "max_size", "total", "total_pages", "items"} <= body.keys()
    assert body["max_size"] == 5
    missing = http.get(f"/api/v1/{plural}/{uuid.uuid4()}", headers=users.headers("admin"))
    assert missing.status_code == 404
    assert missing.json()["error"] == "EntityNotFoundError"
    anonymous = http.get(f"/api/v1/{plural}")
    assert anonymous.status_code == 401


def test_openapi_lists_every_resource_and_filter(http: httpx.Client) -> None:
    schema = http.get("/openapi.json").json()
    for spec in SPECS:
        assert f"/api/v1/{spec.plural}" in schema["paths"]
        assert f"/api/v1/{spec.plural}/{{entity_id}}" in schema["paths"]
    runs = schema["paths"]["/api/v1/pipeline_runs"]["get"]
    names = {p["name"] for p in runs["parameters"]}
    assert {"stack_id", "user_id", "sort_by", "size", "page", "tags"} <= names
    assert runs["security"] == [{"bearer": []}]
    assert "security" not in schema["paths"]["/health"]["get"]
    assert http.get("/docs").status_code == 200


def test_public_paths_are_exactly_these(http: httpx.Client) -> None:
    assert {"/health", "/docs", "/openapi.json", "/api/v1/login", "/api/v1/setup"} == PUBLIC_PATHS
    assert http.get("/health").json() == {"status": "ok"}
    for path in ("/api/v1/info", "/api/v1/nothing", "/api/v1/login/", "/api/v1/setup/x"):
        assert http.get(path).status_code == 401, path
    # outside /api/ are the dashboard's pages, which answer without a session by
    # sending to the login form, and unknown paths, which expose nothing
    assert http.get("/runs").status_code == 303
    for path in ("/health/", "/docs/oauth2-redirect", "/redoc", "/nothing"):
        response = http.get(path)
        assert response.status_code in (303, 307, 404), path
        assert "pipeline" not in response.text, path


def test_info_and_current_user(http: httpx.Client, users: Users) -> None:
    info = http.get("/api/v1/info", headers=users.headers("alice")).json()
    assert info["store_type"] == "sql" and info["dialect"] == "sqlite" and info["version"]
    me = http.get("/api/v1/current-user", headers=users.headers("alice")).json()
    assert me["name"] == "alice" and not me["is_admin"]
    assert "password" not in str(me) and "token_epoch" not in me


def test_crud_round_trip_over_http(http: httpx.Client, users: Users) -> None:
    h = users.headers("alice")
    created = http.post("/api/v1/pipelines", json={"name": "crud-p"}, headers=h)
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    assert http.get(f"/api/v1/pipelines/{pid}", headers=h).json()["name"] == "crud-p"
    assert http.get("/api/v1/pipelines/find", params={"q": "crud-"}, headers=h).json()["id"] == pid
    updated = http.put(f"/api/v1/pipelines/{pid}", json={"description": "d"}, headers=h)
    assert updated.status_code == 200 and updated.json()["description"] == "d"
    listed = http.get("/api/v1/pipelines", params={"name": "startswith:crud"}, headers=h).json()
    assert [p["id"] for p in listed["items"]] == [pid]
    duplicate = http.post("/api/v1/pipelines", json={"name": "crud-p"}, headers=h)
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "EntityExistsError"
    assert http.delete(f"/api/v1/pipelines/{pid}", headers=h).status_code == 204
    assert http.get(f"/api/v1/pipelines/{pid}", headers=h).status_code == 404


def test_repeated_query_parameter_means_one_of(http: httpx.Client, users: Users) -> None:
    h = users.headers("admin")
    for name in ("rep-a", "rep-b", "rep-c"):
        http.post("/api/v1/pipelines", json={"name": name}, headers=h)
    page = http.get("/api/v1/pipelines", params=[("name", "rep-a"), ("name", "rep-c")], headers=h)
    assert sorted(p["name"] for p in page.json()["items"]) == ["rep-a", "rep-c"]
    oneof = http.get("/api/v1/pipelines", params={"name": 'oneof:["rep-b"]'}, headers=h)
    assert [p["name"] for p in oneof.json()["items"]] == ["rep-b"]


def test_client_over_rest_runs_the_contract_example(server: Running, users: Users) -> None:
    client = Client(store=server.rest(users.alice))
    stack = client.active_stack_model
    pipeline = client.store.create("pipeline", {"name": "example-p"})
    for i in range(12):
        client.store.create(
            "pipeline_run",
            {
                "name": f"example-p-2026_01_01-00_00_{i:02d}_000000",
                "pipeline_id": pipeline.id,
                "stack_id": stack.id,
                "start_time": f"2026-01-01T00:00:{i:02d}+00:00",
            },
        )
    runs = client.list_pipeline_runs(
        stack_id=client.active_stack_model.id,
        user_id=client.active_user.id,
        sort_by="desc:start_time",
        size=10,
    )
    assert len(runs) == 10 and runs.total == 12
    assert runs[0].name.endswith("00_11_000000")
    run = client.get_pipeline_run("example-p-2026_01_01-00_00_05")
    assert client.get_pipeline_run(str(run.id)).id == run.id
    assert run.pipeline.name == "example-p"  # relations load lazily over REST
    assert run.user.name == "alice"
    assert run.stack.components  # a second hop, through the same RestStore


def test_stack_and_component_flow(server: Running, users: Users) -> None:
    client = Client(store=server.rest(users.alice))
    client.create_stack_component("alice-store", "local", "artifact_store", {"path": "/tmp/a"})
    stack = client.create_stack(
        "alice-stack", {"orchestrator": "default", "artifact_store": "alice-store"}
    )
    assert stack.artifact_store.name == "alice-store"
    assert client.list_stacks(component="alice-store").total == 1
    client.delete_stack("alice-stack")
    client.delete_stack_component("alice-store", "artifact_store")
