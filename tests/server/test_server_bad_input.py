"""Bad input over HTTP is a 4xx with a message, never a 500; secrets never leak."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from serving import ADMIN, ADMIN_PASSWORD, Running, Users, running_server

SECRET_VALUE = "S3CRET-VALUE-never-shown"
PASSWORD_VALUE = "Passw0rd-never-shown"


@pytest.mark.parametrize(
    ("path", "params", "needle"),
    [
        ("/api/v1/pipeline_runs", {"bogus": "1"}, "unknown filter 'bogus' for pipeline_runs"),
        ("/api/v1/pipeline_runs", {"size": "0"}, "page size 0 is out of range"),
        ("/api/v1/pipeline_runs", {"size": "10001"}, "page size 10001 is out of range"),
        ("/api/v1/pipeline_runs", {"size": "ten"}, "query parameter 'size'"),
        ("/api/v1/pipeline_runs", {"page": "0"}, "page 0 is out of range"),
        ("/api/v1/pipeline_runs", {"sort_by": "desc:nope"}, "cannot sort pipeline_runs by 'nope'"),
        ("/api/v1/pipeline_runs", {"sort_by": "up:name"}, "invalid sort direction 'up'"),
        ("/api/v1/pipeline_runs", {"logical_operator": "xor"}, "must be 'and' or 'or'"),
        ("/api/v1/pipeline_runs", {"created": "gte:yesterday"}, "invalid value 'yesterday'"),
        ("/api/v1/pipeline_runs", {"name": "oneof:[broken"}, "needs a JSON list"),
        ("/api/v1/pipeline_runs", {"id": "contains:ab"}, "operator 'contains' does not apply"),
        ("/api/v1/pipeline_runs/not-a-uuid", {}, "path parameter 'entity_id'"),
        ("/api/v1/pipeline_runs/find", {}, "query parameter 'q'"),
        ("/api/v1/stacks/find", {"q": "default", "bogus": "x"}, "unknown filter 'bogus'"),
    ],
)
def test_bad_queries_are_422_with_a_message(
    http: httpx.Client, users: Users, path: str, params: dict[str, str], needle: str
) -> None:
    response = http.get(path, params=params, headers=users.headers("alice"))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "InputError" and needle in body["detail"]


@pytest.mark.parametrize(
    ("content", "content_type", "needle"),
    [
        (b'{"name": ', "application/json", "invalid JSON"),
        (b"[1, 2]", "application/json", "request body"),
        (b'{"name": ""}', "application/json", "request body 'name'"),
        (b'{"name": "p", "nope": 1}', "application/json", "request body 'nope'"),
        (b"name=p", "application/x-www-form-urlencoded", "request body"),
    ],
)
def test_bad_bodies_are_422(
    http: httpx.Client, users: Users, content: bytes, content_type: str, needle: str
) -> None:
    headers = {**users.headers("alice"), "content-type": content_type}
    response = http.post("/api/v1/pipelines", content=content, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    assert needle in response.json()["detail"]


def test_unknown_routes_and_methods_say_so(http: httpx.Client, users: Users) -> None:
    missing = http.get("/api/v1/nothing_here", headers=users.headers("alice"))
    assert missing.status_code == 404 and "/docs" in missing.json()["detail"]
    wrong = http.patch("/api/v1/pipelines", headers=users.headers("alice"))
    assert wrong.status_code == 405 and "PATCH" in wrong.json()["detail"]
    snapshot_put = http.put(
        "/api/v1/snapshots/413cfb42-a52c-4bf1-a2fd-78af2f7f0101",
        json={},
        headers=users.headers("alice"),
    )
    assert snapshot_put.status_code == 405  # snapshots have no update model


def test_secret_values_and_passwords_stay_out_of_errors_and_logs(
    http: httpx.Client, users: Users, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    h = users.headers("alice")
    bodies = [
        http.post(
            "/api/v1/secrets", json={"name": "leak-1", "values": {"k": SECRET_VALUE}}, headers=h
        ),
        http.post(
            "/api/v1/secrets", json={"name": "leak-1", "values": {"k": SECRET_VALUE}}, headers=h
        ),  # duplicate: 409
        http.post(
            "/api/v1/secrets",
            json={"name": "", "values": {"k": SECRET_VALUE}, "extra": SECRET_VALUE},
            headers=h,
        ),
        http.post("/api/v1/secrets", json={"name": "leak-2", "values": [SECRET_VALUE]}, headers=h),
        http.post(
            "/api/v1/users",
            json={"name": "weak-user", "password": "short"},
            headers=users.headers("admin"),
        ),
        http.post(
            "/api/v1/users",
            json={"name": "bad-user", "password": {"nested": PASSWORD_VALUE}},
            headers=users.headers("admin"),
        ),
        http.post("/api/v1/login", json={"username": "alice", "password": PASSWORD_VALUE}),
        http.post("/api/v1/login", json={"username": PASSWORD_VALUE, "password": "wrong-pass"}),
        http.post("/api/v1/login", json={"username": "alice", "password": {"p": PASSWORD_VALUE}}),
    ]
    assert bodies[0].status_code == 201
    assert [b.status_code for b in bodies[1:]] == [409, 422, 422, 422, 422, 401, 401, 422]
    secret_id = bodies[0].json()["id"]
    update = http.put(
        f"/api/v1/secrets/{secret_id}",
        json={"remove_values": ["missing"], "add_or_update_values": {"x": SECRET_VALUE}},
        headers=h,
    )
    assert update.status_code == 422 and "has no key(s) missing" in update.json()["detail"]
    for response in [*bodies[1:], update]:
        assert SECRET_VALUE not in response.text and PASSWORD_VALUE not in response.text
    assert SECRET_VALUE not in http.get("/api/v1/secrets", headers=h).text
    assert caplog.records  # the server did log (failed logins, at least)
    assert SECRET_VALUE not in caplog.text and PASSWORD_VALUE not in caplog.text


@pytest.fixture
def small_server(tmp_path: Path) -> Iterator[Running]:
    from stackyard.store.sql import accounts

    with running_server(f"sqlite:///{tmp_path / 'small.db'}", max_body=2048) as running:
        accounts.create_first_admin(running.ctx.store, ADMIN, ADMIN_PASSWORD)
        yield running


def test_oversized_bodies_are_413(small_server: Running) -> None:
    token = small_server.token_for(ADMIN)
    headers = {"Authorization": f"Bearer {token}"}
    big = {"name": "big", "description": "x" * 4096}
    sized = httpx.post(f"{small_server.url}/api/v1/pipelines", json=big, headers=headers)
    assert sized.status_code == 413 and "2048 bytes" in sized.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b'{"name": "big", "description": "'
        for _ in range(8):
            yield b"x" * 512
        yield b'"}'

    chunked = httpx.post(
        f"{small_server.url}/api/v1/pipelines",
        content=chunks(),
        headers={**headers, "content-type": "application/json"},
    )
    assert chunked.status_code == 413
    login = httpx.post(
        f"{small_server.url}/api/v1/login",
        content=b'{"username": "' + b"a" * 4096 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert login.status_code == 413
    small = httpx.post(f"{small_server.url}/api/v1/pipelines", json={"name": "ok"}, headers=headers)
    assert small.status_code == 201


def test_unexpected_errors_are_a_generic_500(
    small_server: Running, caplog: pytest.LogCaptureFixture
) -> None:
    app = small_server.server.config.app

    def explode() -> None:
        raise RuntimeError(f"internal detail {SECRET_VALUE}")

    app.add_api_route("/api/v1/explode", explode, methods=["GET"])
    caplog.set_level(logging.ERROR)
    token = small_server.token_for(ADMIN)
    response = httpx.get(
        f"{small_server.url}/api/v1/explode", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 500
    assert response.json() == {
        "error": "StackyardError",
        "detail": "internal server error; the server log has the details",
    }
    assert "unexpected error on GET /api/v1/explode" in caplog.text  # details go to the log
