"""One regression test per attack of issue 11, tried as an ordinary user over the REST
API of a real server. Each of these worked on the server before the fix."""

from __future__ import annotations

import base64
import io
import os
import stat
import tarfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from serving import ADMIN, PASSWORD, Running, Users

from stackyard.client import Client
from stackyard.models.binding import utcnow

Json = dict[str, Any]


def h(users: Users, who: str) -> dict[str, str]:
    return users.headers(who)


def ok(response: httpx.Response, status: int = 200) -> Json:
    assert response.status_code == status, response.text
    body: Json = response.json()
    return body


def default_artifact_root(http: httpx.Client, users: Users) -> str:
    found = ok(
        http.get(
            "/api/v1/stack_components",
            params={"type": "artifact_store", "name": "default"},
            headers=h(users, "admin"),
        )
    )["items"]
    return str(found[0]["configuration"]["path"]).rstrip("/")


def default_stack_id(http: httpx.Client, users: Users) -> str:
    return str(
        ok(http.get("/api/v1/stacks", params={"name": "default"}, headers=h(users, "alice")))[
            "items"
        ][0]["id"]
    )


def pipeline_id(http: httpx.Client, users: Users, who: str, name: str) -> str:
    return str(
        ok(http.post("/api/v1/pipelines", json={"name": name}, headers=h(users, who)), 201)["id"]
    )


def snapshot_body(http: httpx.Client, users: Users, who: str, **code: Any) -> Json:
    return {
        "pipeline_id": pipeline_id(http, users, who, f"p-{uuid.uuid4().hex[:6]}"),
        "stack_id": default_stack_id(http, users),
        "source": "flows:training",
        "pipeline_spec": {"source_path": "flows.py"},
        **code,
    }


def a_run(http: httpx.Client, users: Users, who: str) -> Json:
    body = {
        "name": f"run-{uuid.uuid4().hex[:8]}",
        "pipeline_id": pipeline_id(http, users, who, f"p-{uuid.uuid4().hex[:6]}"),
        "status": "completed",
    }
    return ok(http.post("/api/v1/pipeline_runs", json=body, headers=h(users, who)), 201)


# -- 1. running code inside the server ----------------------------------------------------
def _payload_archive() -> str:
    """A tar.gz holding a module that makes its importer admin, as a data: URI."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        code = b"import os\nos.system('touch /tmp/stackyard-owned')\n"
        info = tarfile.TarInfo("evil.py")
        info.size = len(code)
        tar.addfile(info, io.BytesIO(code))
    return "data:application/gzip;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.parametrize(
    ("code", "named"),
    [
        ({"code_path": _payload_archive()}, "code_path"),
        ({"code_path": "/etc/passwd"}, "code_path"),
        ({"code_path": "file:///srv/stackyard/secrets.key"}, "code_path"),
        ({"pipeline_spec": {"source_path": "../../../usr/lib/python3/os.py"}}, "source_path"),
        ({"source": "os.system('id'):x"}, "source"),
        (
            {
                "code_reference": {
                    "code_repository_id": str(uuid.uuid4()),
                    "commit": "--output=/etc/x",
                }
            },
            "commit",
        ),
    ],
)
def test_a_snapshot_can_name_code_only_in_its_artifact_store_or_a_commit(
    http: httpx.Client, users: Users, code: Json, named: str
) -> None:
    """Items 1 and 2: a data: URI or server path as code, `../` in the module path, a
    commit that git would read as `--output=...`: each refused when stored."""
    body = snapshot_body(http, users, "alice", **code)
    refused = http.post("/api/v1/snapshots", json=body, headers=h(users, "alice"))
    assert refused.status_code == 422, refused.text
    assert named in refused.json()["detail"]


def test_a_run_too_names_code_only_in_its_artifact_store_or_a_commit(
    http: httpx.Client, users: Users
) -> None:
    """Item 2 on the runs path (a run records its code like its snapshot)."""
    base = {"name": f"r-{uuid.uuid4().hex[:6]}", "status": "completed",
            "pipeline_id": pipeline_id(http, users, "alice", f"p-{uuid.uuid4().hex[:6]}"),
            "stack_id": default_stack_id(http, users)}  # fmt: skip
    option = {"code_repository_id": str(uuid.uuid4()), "commit": "--output=/etc/x"}
    for code, named in (
        ({"code_reference": option}, "commit"),
        ({"code_path": "/etc/passwd"}, "code_path"),
    ):
        refused = http.post(
            "/api/v1/pipeline_runs", json={**base, **code}, headers=h(users, "alice")
        )
        assert refused.status_code == 422, refused.text
        assert named in refused.json()["detail"]


def test_the_server_queues_template_runs_and_never_starts_them(
    http: httpx.Client, users: Users, server: Running
) -> None:
    """Item 1: the server records the run and starts no worker: it waits, unclaimed,
    for a runner acting as its owner."""
    root = default_artifact_root(http, users)
    body = snapshot_body(http, users, "alice", code_path=f"{root}/code/{'a' * 64}.tar.gz")
    snapshot = ok(http.post("/api/v1/snapshots", json=body, headers=h(users, "alice")), 201)
    template = ok(
        http.post(
            "/api/v1/run_templates",
            json={"name": f"t-{uuid.uuid4().hex[:6]}", "snapshot_id": snapshot["id"]},
            headers=h(users, "alice"),
        ),
        201,
    )
    run = ok(
        http.post(
            f"/api/v1/run_templates/{template['id']}/runs", json={}, headers=h(users, "alice")
        ),
        201,
    )
    time.sleep(1.0)
    again = ok(http.get(f"/api/v1/pipeline_runs/{run['id']}", headers=h(users, "alice")))
    assert again["status"] == "initializing" and again["heartbeat_deadline"] is None
    # bob's runner may not take alice's run; an admin's runner may, as alice
    assert http.post("/api/v1/pipeline_runs/claim", headers=h(users, "bob")).status_code == 204
    claimed = ok(http.post("/api/v1/pipeline_runs/claim", headers=h(users, "admin")))
    assert claimed["run"]["id"] == run["id"]
    as_owner = {"Authorization": f"Bearer {claimed['token']}"}
    assert ok(http.get("/api/v1/current-user", headers=as_owner))["name"] == "alice"
    ok(http.post(f"/api/v1/pipeline_runs/{run['id']}/stop", headers=as_owner))


def test_a_runners_worker_gets_no_database_url_secrets_key_or_login(tmp_path: Path) -> None:
    from stackyard.runner.process import worker_environment
    from stackyard.store.base import RunClaim

    secret_env = {
        "STACKYARD_SECRETS_KEY": "x" * 44,
        "STACKYARD_STORE_URL": "postgresql://admin:pw@db/stackyard",
        "STACKYARD_SERVER_SECRET": "signing-key",
        "STACKYARD_API_KEY": "sy_runner_key",
        "STACKYARD_CONFIG_PATH": "/home/runner/.config/stackyard",
    }
    old = {k: os.environ.get(k) for k in secret_env}
    os.environ.update(secret_env)
    try:
        claim = RunClaim(run=None, store_url="https://server", token="t")  # type: ignore[arg-type]
        env = worker_environment(claim, tmp_path)
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert env["STACKYARD_STORE_URL"] == "https://server"
    assert env["STACKYARD_CONFIG_PATH"] == str(tmp_path / "config")
    assert env["STACKYARD_ACCESS_TOKEN_FILE"] == str(tmp_path / "token")
    leaked = {"x" * 44, "signing-key", "sy_runner_key", "postgresql://admin:pw@db/stackyard"}
    assert not leaked & set(env.values())


# -- 3. loading another user's artifact ---------------------------------------------------
def test_another_users_artifact_takes_no_versions_from_others(
    http: httpx.Client, users: Users
) -> None:
    root = default_artifact_root(http, users)
    name = f"model-{uuid.uuid4().hex[:6]}"

    def version(who: str, **extra: Any) -> httpx.Response:
        body = {
            "name": name,
            "uri": f"{root}/{uuid.uuid4().hex}",
            "data_type": "builtins.int",
            "materializer": "stackyard.artifacts.materializers_builtin.BuiltinMaterializer",
            **extra,
        }
        return http.post("/api/v1/artifact_versions", json=body, headers=h(users, who))

    ok(version("alice"), 201)
    refused = version("bob", materializer="os.system", uri="touch /tmp/owned")
    assert refused.status_code in (403, 422), refused.text
    assert version("bob").status_code == 403
    assert [
        v["user_id"]
        for v in ok(
            http.get("/api/v1/artifact_versions", params={"name": name}, headers=h(users, "alice"))
        )["items"]
    ] == [ok(http.get("/api/v1/current-user", headers=h(users, "alice")))["id"]]


def test_a_version_outside_every_artifact_store_is_refused(
    http: httpx.Client, users: Users, tmp_path: Path
) -> None:
    victim = tmp_path / "victim-home"
    victim.mkdir()
    for uri in (str(victim), f"file://{victim}", "touch /tmp/owned", f"{tmp_path}/../x"):
        refused = http.post(
            "/api/v1/artifact_versions",
            json={"name": f"x-{uuid.uuid4().hex[:6]}", "uri": uri, "data_type": "d",
                  "materializer": "m"},
            headers=h(users, "bob"),
        )  # fmt: skip
        assert refused.status_code == 422, (uri, refused.text)
        assert "not inside any artifact store" in refused.json()["detail"]


def test_loading_imports_only_materializer_classes(tmp_path: Path) -> None:
    """What a record names is checked before anything of it is called: `os.system` is
    never reached (the command would create the canary file)."""
    from stackyard.artifacts import load_value
    from stackyard.exceptions import IllegalOperationError

    canary = tmp_path / "owned"
    (tmp_path / "v").mkdir()
    for materializer in ("os.system", "subprocess.run", "builtins.eval", "stackyard.client.Client"):
        with pytest.raises(IllegalOperationError, match="not a materializer class"):
            load_value(f"touch {canary}", materializer, "builtins.int", root="touch ")
        with pytest.raises(IllegalOperationError, match="not a materializer class"):
            load_value(str(tmp_path / "v"), materializer, "builtins.int", root=str(tmp_path))
    with pytest.raises(IllegalOperationError, match="not inside its artifact store"):
        load_value(
            "/etc/passwd",
            "stackyard.artifacts.materializers_builtin.BytesMaterializer",
            "builtins.bytes",
            root=str(tmp_path),
        )
    assert not canary.exists()


# -- 4. changing what everyone uses -------------------------------------------------------
def test_seeded_defaults_and_builtin_flavors_are_not_for_plain_users(
    http: httpx.Client, users: Users
) -> None:
    component = ok(
        http.get(
            "/api/v1/stack_components",
            params={"type": "artifact_store", "name": "default"},
            headers=h(users, "alice"),
        )
    )["items"][0]
    moved = http.put(
        f"/api/v1/stack_components/{component['id']}",
        json={"configuration": {"path": "/tmp/elsewhere"}},
        headers=h(users, "alice"),
    )
    assert moved.status_code == 403 and "the system" in moved.json()["detail"]
    stack = default_stack_id(http, users)
    assert http.delete(f"/api/v1/stacks/{stack}", headers=h(users, "alice")).status_code == 403
    flavor = ok(
        http.get(
            "/api/v1/flavors",
            params={"name": "local", "type": "artifact_store"},
            headers=h(users, "alice"),
        )
    )["items"][0]
    for who in ("alice", "admin"):  # built in: read-only to everyone
        rewritten = http.put(
            f"/api/v1/flavors/{flavor['id']}",
            json={"config_schema": {"type": "object", "required": ["nothing"]}},
            headers=h(users, who),
        )
        assert rewritten.status_code in (403, 409), rewritten.text
    nulled = http.put(
        f"/api/v1/flavors/{flavor['id']}", json={"config_schema": None}, headers=h(users, "admin")
    )
    assert nulled.status_code in (409, 422)
    created = http.post(
        "/api/v1/stack_components",
        json={"name": f"c-{uuid.uuid4().hex[:6]}", "type": "artifact_store", "flavor": "local",
              "configuration": {"path": "/tmp/mine"}},
        headers=h(users, "alice"),
    )  # fmt: skip
    assert created.status_code == 201, created.text  # the flavor still works for everyone


# -- 5. locking the admin out -------------------------------------------------------------
def _from(address: str, server: Running) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, transport=transport)


def test_failed_logins_never_lock_the_right_password_out_from_a_clean_address(
    server: Running, users: Users
) -> None:
    name = f"admin-{uuid.uuid4().hex[:6]}"
    with httpx.Client(base_url=server.url) as http:
        ok(
            http.post(
                "/api/v1/users",
                json={"name": name, "password": PASSWORD, "is_admin": True},
                headers=h(users, "admin"),
            ),
            201,
        )
    with _from("127.0.0.2", server) as attacker, _from("127.0.0.3", server) as admin:
        for _ in range(10):
            wrong = attacker.post("/api/v1/login", json={"username": name, "password": "nope-nope"})
            assert wrong.status_code == 401
        locked = attacker.post("/api/v1/login", json={"username": name, "password": PASSWORD})
        assert locked.status_code == 429 and locked.headers["retry-after"]
        fine = admin.post("/api/v1/login", json={"username": name, "password": PASSWORD})
        assert fine.status_code == 200, fine.text
        # the failing address is slowed down for every name it tries
        slowed = attacker.post("/api/v1/login", json={"username": "alice", "password": PASSWORD})
        assert slowed.status_code == 429


# -- 6. taking over the scheduler -----------------------------------------------------------
def test_default_is_a_reserved_user_name(http: httpx.Client, users: Users) -> None:
    me = ok(http.get("/api/v1/current-user", headers=h(users, "alice")))
    renamed = http.put(
        f"/api/v1/users/{me['id']}", json={"name": "default"}, headers=h(users, "alice")
    )
    assert renamed.status_code == 422 and "reserved" in renamed.json()["detail"]
    created = http.post(
        "/api/v1/users", json={"name": "Default", "password": PASSWORD}, headers=h(users, "admin")
    )
    assert created.status_code == 422


def test_the_servers_scheduler_acts_as_no_user_and_runs_every_users_schedules(
    http: httpx.Client, users: Users, server: Running
) -> None:
    from stackyard.scheduler import run_due

    root = default_artifact_root(http, users)
    start = (utcnow() - timedelta(minutes=5)).isoformat()
    schedules = {}
    for who in ("alice", "bob"):
        body = snapshot_body(http, users, who, code_path=f"{root}/code/{'b' * 64}.tar.gz")
        snapshot = ok(http.post("/api/v1/snapshots", json=body, headers=h(users, who)), 201)
        template = ok(
            http.post(
                "/api/v1/run_templates",
                json={"name": f"t-{uuid.uuid4().hex[:6]}", "snapshot_id": snapshot["id"]},
                headers=h(users, who),
            ),
            201,
        )
        schedules[who] = ok(
            http.post(
                "/api/v1/schedules",
                json={"name": f"s-{uuid.uuid4().hex[:6]}", "interval_second": 3600,
                      "start_time": start, "template_id": template["id"]},
                headers=h(users, who),
            ),
            201,
        )  # fmt: skip
    system = server.ctx.store.as_system()
    assert system.current_user().name == "(system)"
    started = run_due(system, utcnow() + timedelta(hours=2))  # both are due by then
    owners = {run.schedule_id: run.user_id for run in started}
    for who, schedule in schedules.items():
        user = ok(http.get("/api/v1/current-user", headers=h(users, who)))
        assert owners[uuid.UUID(schedule["id"])] == uuid.UUID(user["id"])
    for run in started:  # nothing will run them here: stop them
        server.ctx.store.as_system().stop_run(run.id)


# -- 7. breaking listing for everyone -------------------------------------------------------
def test_null_only_where_a_field_may_be_null(http: httpx.Client, users: Users) -> None:
    run = a_run(http, users, "alice")
    nulled = http.put(
        f"/api/v1/pipeline_runs/{run['id']}", json={"config": None}, headers=h(users, "alice")
    )
    assert nulled.status_code == 422 and "config" in nulled.json()["detail"]
    cleared = ok(
        http.put(
            f"/api/v1/pipeline_runs/{run['id']}", json={"end_time": None}, headers=h(users, "alice")
        )
    )
    assert cleared["end_time"] is None
    stack = ok(
        http.post(
            "/api/v1/stacks",
            json={"name": f"s-{uuid.uuid4().hex[:6]}", "components": {}},
            headers=h(users, "alice"),
        ),
        422,
    )
    assert stack["error"] == "InputError"
    for who in ("alice", "bob", "admin"):
        listed = http.get("/api/v1/pipeline_runs", params={"size": 200}, headers=h(users, who))
        assert listed.status_code == 200, listed.text


# -- 8. the smaller ones -----------------------------------------------------------------
def test_steps_and_metadata_of_a_run_are_its_owners(http: httpx.Client, users: Users) -> None:
    run = a_run(http, users, "alice")
    step = http.post(
        "/api/v1/run_steps",
        json={"name": "injected", "pipeline_run_id": run["id"]},
        headers=h(users, "bob"),
    )
    assert step.status_code == 403, step.text
    metadata = http.post(
        "/api/v1/run_metadata",
        json={"resource_type": "pipeline_run", "resource_id": run["id"], "values": {"x": 1}},
        headers=h(users, "bob"),
    )
    assert metadata.status_code == 403, metadata.text
    assert (
        ok(http.get(f"/api/v1/pipeline_runs/{run['id']}", headers=h(users, "alice")))[
            "run_metadata"
        ]
        == {}
    )


def test_a_private_secret_name_is_never_revealed_by_a_conflict(
    http: httpx.Client, users: Users
) -> None:
    name = f"aws-{uuid.uuid4().hex[:6]}"
    ok(http.post("/api/v1/secrets", json={"name": name, "private": True, "values": {"k": "b"}},
                 headers=h(users, "bob")), 201)  # fmt: skip
    for private in (True, False):
        body = {"name": name, "private": private, "values": {"k": "a"}}
        created = http.post("/api/v1/secrets", json=body, headers=h(users, "alice"))
        assert created.status_code == 201, created.text
    mine = ok(http.get("/api/v1/secrets/find", params={"q": name}, headers=h(users, "bob")))
    assert mine["secret_values"] == {"k": "b"}  # bob's own private one wins the name


def test_an_admin_makes_another_users_public_secret_private(
    http: httpx.Client, users: Users
) -> None:
    """It used to answer 404 (the re-read as the admin no longer saw it) and change nothing."""
    name = f"shared-{uuid.uuid4().hex[:6]}"
    secret = ok(http.post("/api/v1/secrets", json={"name": name, "values": {"k": "v"}},
                          headers=h(users, "alice")), 201)  # fmt: skip
    hidden = http.put(
        f"/api/v1/secrets/{secret['id']}", json={"private": True}, headers=h(users, "admin")
    )
    assert hidden.status_code == 200, hidden.text
    assert hidden.json()["private"] is True and "secret_values" not in hidden.text.replace(
        '"secret_values":null', ""
    )
    assert ok(http.get(f"/api/v1/secrets/{secret['id']}", headers=h(users, "alice")))["private"]
    assert http.get(f"/api/v1/secrets/{secret['id']}", headers=h(users, "bob")).status_code == 404


def queued_template(http: httpx.Client, users: Users, who: str) -> str:
    """A run template whose runs wait for a runner (its code never needs fetching here)."""
    root = default_artifact_root(http, users)
    body = snapshot_body(http, users, who, code_path=f"{root}/code/{'b' * 64}.tar.gz")
    snapshot = ok(http.post("/api/v1/snapshots", json=body, headers=h(users, who)), 201)
    template = ok(
        http.post(
            "/api/v1/run_templates",
            json={"name": f"t-{uuid.uuid4().hex[:6]}", "snapshot_id": snapshot["id"]},
            headers=h(users, who),
        ),
        201,
    )
    return str(template["id"])


def test_forbidding_runs_fails_the_queued_ones_and_runners_claim_none(
    http: httpx.Client, users: Users
) -> None:
    """Admins turn template and schedule runs off and on; runs queued before they were
    turned off are failed with the reason, never claimed later."""
    template = queued_template(http, users, "alice")
    trigger = f"/api/v1/run_templates/{template}/runs"
    queued = ok(http.post(trigger, json={}, headers=h(users, "alice")), 201)
    plain = http.put("/api/v1/settings", json={"allow_runs": False}, headers=h(users, "alice"))
    assert plain.status_code == 403 and "not an admin" in plain.json()["detail"]
    try:
        off = http.put("/api/v1/settings", json={"allow_runs": False}, headers=h(users, "admin"))
        assert ok(off) == {"allow_runs": False}
        assert ok(http.get("/api/v1/settings", headers=h(users, "bob"))) == {"allow_runs": False}
        refused = http.post(trigger, json={}, headers=h(users, "alice"))
        assert refused.status_code == 409 and "--allow-runs" in refused.json()["detail"]
        failed = ok(http.get(f"/api/v1/pipeline_runs/{queued['id']}", headers=h(users, "alice")))
        assert failed["status"] == "failed" and "turned off" in failed["status_reason"]
        claim = http.post("/api/v1/pipeline_runs/claim", headers=h(users, "admin"))
        assert claim.status_code == 204
    finally:
        on = http.put("/api/v1/settings", json={"allow_runs": True}, headers=h(users, "admin"))
        assert ok(on) == {"allow_runs": True}
    again = ok(http.post(trigger, json={}, headers=h(users, "alice")), 201)
    claimed = ok(http.post("/api/v1/pipeline_runs/claim", headers=h(users, "alice")))
    assert claimed["run"]["id"] == again["id"]


def test_writes_never_echo_secret_values(http: httpx.Client, users: Users) -> None:
    canary = f"canary-{uuid.uuid4().hex}"
    created = http.post(
        "/api/v1/secrets",
        json={"name": f"s-{uuid.uuid4().hex[:6]}", "values": {"k": canary}},
        headers=h(users, "alice"),
    )
    assert created.status_code == 201 and canary not in created.text
    updated = http.put(
        f"/api/v1/secrets/{created.json()['id']}",
        json={"add_or_update_values": {"k2": canary}},
        headers=h(users, "alice"),
    )
    assert updated.status_code == 200 and canary not in updated.text


def test_revoked_tokens_get_401_before_anything_else(server: Running) -> None:
    with httpx.Client(base_url=server.url) as http:
        name = f"u-{uuid.uuid4().hex[:6]}"
        ok(
            http.post(
                "/api/v1/users",
                json={"name": name, "password": PASSWORD},
                headers={"Authorization": f"Bearer {server.token_for(ADMIN)}"},
            ),
            201,
        )
        token = server.login(name, PASSWORD)
        bearer = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/v1/info", headers=bearer).status_code == 200
        assert http.post("/api/v1/logout", headers=bearer).status_code == 204
        assert http.get("/api/v1/info", headers=bearer).status_code == 401
        bad_body = http.post("/api/v1/pipelines", content=b"{not json", headers=bearer)
        assert bad_body.status_code == 401
        bad_path = http.get("/api/v1/pipelines/not-a-uuid", headers=bearer)
        assert bad_path.status_code == 401


def test_the_sqlite_store_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(f"sqlite:///{tmp_path / 'new' / 'stackyard.db'}")
    store.close()
    mode = stat.S_IMODE((tmp_path / "new" / "stackyard.db").stat().st_mode)
    assert mode == 0o600, oct(mode)


def test_a_password_on_the_command_line_is_warned_about(server: Running) -> None:
    from click.testing import CliRunner

    from stackyard.server.cli_commands import login

    result = CliRunner().invoke(login, [server.url, "--username", "alice", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "visible to other users in `ps`" in result.output


def test_secrets_on_the_servers_and_logins_command_lines_are_warned_about(
    server: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`server --admin-password` (and `login --api-key`) warn like `login --password`;
    the variable does not. The server itself is not started here."""
    from click.testing import CliRunner

    from stackyard.server import runner
    from stackyard.server.cli_commands import login
    from stackyard.server.cli_commands import server as server_command

    started: list[str] = []
    monkeypatch.setattr("logging.config.dictConfig", lambda config: None)  # the suite's logs
    monkeypatch.setattr(
        runner, "prepare_store", lambda url, user, password: started.append(password)
    )
    monkeypatch.setattr(runner, "serve", lambda url, **options: started.append(url))
    url = f"sqlite:///{tmp_path / 's.db'}"
    warning = "--admin-password on the command line is visible to other users in `ps`"
    args = ["--store-url", url, "--admin-user", "root"]
    on_line = CliRunner().invoke(server_command, [*args, "--admin-password", "pw-on-the-line"])
    assert on_line.exit_code == 0, on_line.output
    assert warning in on_line.output and started == ["pw-on-the-line", url]
    variable = CliRunner().invoke(
        server_command, args, env={"STACKYARD_SERVER_ADMIN_PASSWORD": "pw-in-a-variable"}
    )
    assert variable.exit_code == 0 and warning not in variable.output
    assert started[2] == "pw-in-a-variable"
    admin = Client(store=server.rest(server.token_for(ADMIN)))
    account = admin.create_user(f"svc-{uuid.uuid4().hex[:6]}", is_service_account=True)
    key = admin.store.create("api_key", {"name": "k", "service_account_id": account.id}).key
    by_key = CliRunner().invoke(login, [server.url, "--api-key", key])
    assert by_key.exit_code == 0, by_key.output
    assert "--api-key on the command line is visible to other users in `ps`" in by_key.output


# -- 500s found by fuzzing ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v1/pipeline_runs", {"build": "x"}, 404),
        ("/api/v1/snapshots", {"build": "x"}, 404),
        ("/api/v1/run_templates", {"build": "x"}, 404),
        ("/api/v1/pipeline_runs", {"page": "10000000000000000000"}, 422),
        ("/api/v1/pipeline_runs", {"start_time": "0999-01-01"}, 422),
        ("/api/v1/pipeline_runs", {"size": "99999999999999999999"}, 422),
    ],
)
def test_fuzzed_queries_are_4xx(
    http: httpx.Client, users: Users, path: str, params: Json, status: int
) -> None:
    response = http.get(path, params=params, headers=h(users, "alice"))
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"interval_second": 1e308}, "interval_second"),
        ({"interval_second": 5e-324}, "interval_second"),
        ({"interval_second": 60, "start_time": "0999-06-01T00:00:00Z"}, "start_time"),
    ],
)
def test_fuzzed_schedules_are_4xx(http: httpx.Client, users: Users, body: Json, named: str) -> None:
    response = http.post(
        "/api/v1/schedules",
        json={"name": f"s-{uuid.uuid4().hex[:6]}", **body},
        headers=h(users, "alice"),
    )
    assert response.status_code == 422, response.text
    assert named in response.json()["detail"]


def test_only_a_connectors_owner_links_components_to_it(http: httpx.Client, users: Users) -> None:
    """A linked connector hands its credentials to the component: bob may not link his
    component to alice's connector and so get her cloud keys."""
    connector = ok(
        http.post(
            "/api/v1/service_connectors",
            json={"name": f"c-{uuid.uuid4().hex[:6]}", "connector_type": "docker",
                  "auth_method": "password",
                  "configuration": {"username": "u", "password": "alices-password"}},
            headers=h(users, "alice"),
        ),
        201,
    )  # fmt: skip
    body = {
        "name": f"c-{uuid.uuid4().hex[:6]}",
        "type": "artifact_store",
        "flavor": "local",
        "configuration": {"path": "/tmp/bobs"},
    }
    linked = http.post(
        "/api/v1/stack_components",
        json={**body, "connector_id": connector["id"]},
        headers=h(users, "bob"),
    )
    assert linked.status_code == 403, linked.text
    mine = ok(http.post("/api/v1/stack_components", json=body, headers=h(users, "bob")), 201)
    relinked = http.put(
        f"/api/v1/stack_components/{mine['id']}",
        json={"connector_id": connector["id"]},
        headers=h(users, "bob"),
    )
    assert relinked.status_code == 403, relinked.text
