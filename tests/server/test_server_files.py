"""The server reads files for a user only inside an artifact store root it trusts.

A plain user may register an artifact store anywhere and record versions and step logs
under it. These are the audit's proofs of concept (bob reading the server's secrets key,
database and /etc/passwd through the dashboard's downloads, previews and step logs):
each is refused now, while alice's files in the default artifact store still download
and her step logs still show.
"""

from __future__ import annotations

import io
import sqlite3
import uuid
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from serving import Running, Users

from stackyard.dashboard import preview
from stackyard.exceptions import AuthorizationError, InputError
from stackyard.server.files import ServerFiles

Json = dict[str, Any]
BYTES = "stackyard.artifacts.materializers_builtin.BytesMaterializer"


def ok(response: httpx.Response, status: int = 200) -> Json:
    assert response.status_code == status, response.text
    body: Json = response.json()
    return body


def server_dir(server: Running) -> Path:
    """The directory holding the test server's database and config directory."""
    return Path(str(server.ctx.store.url.absolute).removeprefix("sqlite:///")).parent


def secrets_key(server: Running) -> Path:
    """The server's secrets key file (written here if no secret was sealed yet: each test
    seals in a config directory of its own)."""
    key = next(p for p in server.ctx.files.state if p.name == "secrets.key")
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(f"SERVER-KEY-{uuid.uuid4().hex}")
    return key


def artifact_store(http: httpx.Client, users: Users, who: str, path: str) -> str:
    body = {
        "name": f"store-{uuid.uuid4().hex[:6]}",
        "type": "artifact_store",
        "flavor": "local",
        "configuration": {"path": path},
    }
    return str(
        ok(http.post("/api/v1/stack_components", json=body, headers=users.headers(who)), 201)["id"]
    )


def stack_with(http: httpx.Client, users: Users, who: str, store_id: str) -> str:
    orchestrator = ok(
        http.get(
            "/api/v1/stack_components",
            params={"type": "orchestrator", "name": "default"},
            headers=users.headers(who),
        )
    )["items"][0]["id"]
    body = {
        "name": f"stack-{uuid.uuid4().hex[:6]}",
        "components": {"orchestrator": [orchestrator], "artifact_store": [store_id]},
    }
    return str(ok(http.post("/api/v1/stacks", json=body, headers=users.headers(who)), 201)["id"])


def version(http: httpx.Client, users: Users, who: str, uri: str, store_id: str | None) -> str:
    body = {
        "name": f"v-{uuid.uuid4().hex[:6]}",
        "uri": uri,
        "data_type": "builtins.bytes",
        "materializer": BYTES,
        **({"artifact_store_id": store_id} if store_id else {}),
    }
    return str(
        ok(http.post("/api/v1/artifact_versions", json=body, headers=users.headers(who)), 201)["id"]
    )


def run_on(http: httpx.Client, users: Users, who: str, stack_id: str | None) -> str:
    pipeline = ok(
        http.post(
            "/api/v1/pipelines",
            json={"name": f"p-{uuid.uuid4().hex[:6]}"},
            headers=users.headers(who),
        ),
        201,
    )["id"]
    body = {"name": f"r-{uuid.uuid4().hex[:6]}", "pipeline_id": pipeline, "status": "completed"}
    if stack_id:
        body["stack_id"] = stack_id
    return str(
        ok(http.post("/api/v1/pipeline_runs", json=body, headers=users.headers(who)), 201)["id"]
    )


def dashboard(server: Running, users: Users, who: str) -> httpx.Client:
    """A browser-like client of the dashboard, signed in as `who`."""
    return httpx.Client(base_url=server.url, cookies={"stackyard_session": getattr(users, who)})


def default_root(http: httpx.Client, users: Users) -> str:
    found = ok(
        http.get(
            "/api/v1/stack_components",
            params={"type": "artifact_store", "name": "default"},
            headers=users.headers("alice"),
        )
    )["items"]
    return str(found[0]["configuration"]["path"]).rstrip("/")


def test_bob_cannot_download_the_servers_key_or_database(
    server: Running, http: httpx.Client, users: Users
) -> None:
    """The audit's poc_dashboard_read2: an artifact store around the server's directory,
    a version whose files are the config dir and the database, downloaded and previewed."""
    key = secrets_key(server).read_bytes().strip()
    home = server_dir(server)
    store_id = artifact_store(http, users, "bob", str(home))
    for target in (home / "config", next(home.glob("*.db"))):
        version_id = version(http, users, "bob", str(target), store_id)
        bob = dashboard(server, users, "bob")
        for path in ("download", "content", ""):
            answer = bob.get(f"/artifact-versions/{version_id}/{path}".rstrip("/"))
            assert key not in answer.content, (target, path)
            assert b"SQLite format" not in answer.content, (target, path)
            if path:
                assert answer.status_code == 404, (target, path, answer.text)
        page = bob.get(f"/artifact-versions/{version_id}")
        assert page.status_code == 200, page.text
        assert "the server reads no files for this" in page.text
        assert "holds the server&#39;s own files" in page.text


def test_bob_cannot_read_system_files_through_an_artifact_store_of_his(
    server: Running, http: httpx.Client, users: Users
) -> None:
    store_id = artifact_store(http, users, "bob", "/etc")
    version_id = version(http, users, "bob", "/etc/passwd", store_id)
    answer = dashboard(server, users, "bob").get(f"/artifact-versions/{version_id}/download")
    assert answer.status_code == 404 and b"root:" not in answer.content
    assert "not inside the roots this server reads" in answer.text
    # a root of `/` holds nothing at all: such versions are refused when recorded
    slash = artifact_store(http, users, "bob", "/")
    refused = http.post(
        "/api/v1/artifact_versions",
        json={"name": "x", "uri": "/etc/passwd", "data_type": "d", "materializer": BYTES,
              "artifact_store_id": slash},
        headers=users.headers("bob"),
    )  # fmt: skip
    assert refused.status_code == 422


def test_step_logs_lie_in_their_runs_artifact_store_and_are_read_only_there(
    server: Running, http: httpx.Client, users: Users
) -> None:
    """The audit's poc_logs: a step whose logs_uri is the secrets key or /etc/passwd."""
    key = secrets_key(server)
    stack = stack_with(http, users, "bob", artifact_store(http, users, "bob", "/"))
    run = run_on(http, users, "bob", stack)
    for uri in (str(key), "/etc/passwd", "file:///etc/passwd"):
        refused = http.post(
            "/api/v1/run_steps",
            json={"name": f"s-{uuid.uuid4().hex[:4]}", "pipeline_run_id": run,
                  "status": "completed", "logs_uri": uri},
            headers=users.headers("bob"),
        )  # fmt: skip
        assert refused.status_code == 422, refused.text
        assert "logs_uri" in refused.json()["detail"]
    # a store around the server's own files takes the record, but the server reads none
    around = stack_with(
        http, users, "bob", artifact_store(http, users, "bob", str(server_dir(server)))
    )
    step = ok(
        http.post(
            "/api/v1/run_steps",
            json={"name": "s", "pipeline_run_id": run_on(http, users, "bob", around),
                  "status": "completed", "logs_uri": str(key)},
            headers=users.headers("bob"),
        ),
        201,
    )  # fmt: skip
    moved = http.put(
        f"/api/v1/run_steps/{step['id']}",
        json={"logs_uri": "/etc/passwd"},
        headers=users.headers("bob"),
    )
    assert moved.status_code == 422 and "logs_uri" in moved.json()["detail"]
    logs = dashboard(server, users, "bob").get(f"/run-steps/{step['id']}/logs")
    assert key.read_text().strip() not in logs.text
    assert "the logs cannot be shown" in logs.text and "holds the server's own files" in logs.text
    # a record changed behind the store's back is checked again when served
    with sqlite3.connect(str(server.ctx.store.url.absolute).removeprefix("sqlite:///")) as db:
        db.execute("UPDATE run_steps SET logs_uri = ? WHERE id = ?", ["/etc/passwd", step["id"]])
    logs = dashboard(server, users, "bob").get(f"/run-steps/{step['id']}/logs")
    assert "root:" not in logs.text and "the logs cannot be shown" in logs.text


def test_files_in_the_default_artifact_store_still_download_and_show(
    server: Running, http: httpx.Client, users: Users
) -> None:
    root = Path(default_root(http, users))
    data = root / "alice" / uuid.uuid4().hex
    data.mkdir(parents=True)
    (data / "data.bin").write_bytes(b"alice's bytes")
    (data / "extra.txt").write_text("more")
    version_id = version(http, users, "alice", str(data), None)
    answer = dashboard(server, users, "bob").get(f"/artifact-versions/{version_id}/download")
    assert answer.status_code == 200, answer.text
    assert zipfile.ZipFile(io.BytesIO(answer.content)).read("data.bin") == b"alice's bytes"
    page = dashboard(server, users, "alice").get(f"/artifact-versions/{version_id}")
    assert "alice&#39;s bytes" in page.text or "alice's bytes" in page.text
    default_stack = ok(
        http.get("/api/v1/stacks", params={"name": "default"}, headers=users.headers("alice"))
    )["items"][0]["id"]
    logs_file = root / "p" / uuid.uuid4().hex / "logs" / "s.log"
    logs_file.parent.mkdir(parents=True)
    logs_file.write_text("step said hello\n")
    step = ok(
        http.post(
            "/api/v1/run_steps",
            json={"name": "s", "pipeline_run_id": run_on(http, users, "alice", default_stack),
                  "status": "completed", "logs_uri": str(logs_file)},
            headers=users.headers("alice"),
        ),
        201,
    )  # fmt: skip
    logs = dashboard(server, users, "alice").get(f"/run-steps/{step['id']}/logs")
    assert logs.status_code == 200 and logs.text == "step said hello\n"


def test_allowed_roots_never_hold_the_servers_own_files(
    tmp_path: Path, isolated_config: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'srv' / 'server.db'}"
    for root in (
        "/",
        str(tmp_path),
        str(isolated_config),
        str(tmp_path / "srv"),
        "relative/dir",
        "s3://",
        "file:///",
        str(tmp_path / "a" / ".." / "b"),
        "s3://b/x::file:///etc",
    ):
        with pytest.raises(InputError, match="cannot be allowed"):
            ServerFiles.of(url, [root])
    (tmp_path / "art").mkdir()
    (tmp_path / "art" / "link").symlink_to(isolated_config)
    files = ServerFiles.of(url, [str(tmp_path / "art"), "s3://team/artifacts"])
    allowed = list(files.allowed or ())
    assert files.refusal(str(tmp_path / "art" / "alice"), allowed) is None
    assert files.refusal("s3://team/artifacts/alice", allowed) is None
    assert files.refusal("s3://team/artifacts", allowed) is None
    for outside in ("s3://team/other", "s3://team", "/etc", str(tmp_path / "art" / "link"),
                    "memory://team/artifacts", "local://" + str(tmp_path / "art")):  # fmt: skip
        assert files.refusal(outside, allowed) is not None, outside


def test_preview_inside_refuses_roots_that_hold_everything(tmp_path: Path) -> None:
    assert not preview.inside("/etc/passwd", "/")
    assert not preview.inside("/etc/passwd", "file:///")
    assert not preview.inside("s3://bucket/x", "s3://")
    assert not preview.inside(str(tmp_path / "a::file:///etc/passwd"), str(tmp_path))
    assert preview.inside(str(tmp_path / "a"), str(tmp_path))


def test_a_server_refuses_to_start_with_a_root_around_its_files(tmp_path: Path) -> None:
    from serving import running_server

    url = f"sqlite:///{tmp_path / 's.db'}"
    with (
        pytest.raises(InputError, match="holds the server's own files"),
        running_server(url, artifact_roots=[str(tmp_path)]),
    ):
        pass


def test_readable_says_why_when_no_root_is(server: Running) -> None:
    with pytest.raises(AuthorizationError, match="is not inside the roots"):
        server.ctx.files.readable(server.ctx.store, ["/srv/elsewhere"])
