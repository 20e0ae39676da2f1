"""Deployment shapes: several workers in a subprocess, PostgreSQL, TCP_NODELAY,
the local `up`/`down` lifecycle and the CLI commands."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from serving import PASSWORD, Running, free_port, running_server
from support import modules_after_cli

from stackyard.client import Client
from stackyard.client.core import reset_stores
from stackyard.config import GlobalConfig
from stackyard.server import cli_commands, local
from stackyard.server.tokens import issue
from stackyard.store.sql import accounts
from stackyard.store.sql.store import SqlStore

SECRET = "deploy-test-secret"


def admin_token(store_url: str) -> str:
    """A token for the store's first admin, signed with the subprocess server's secret."""
    store = SqlStore(store_url, seed_user=None)
    try:
        if not accounts.has_users(store):
            accounts.create_first_admin(store, "admin", "admin-password-1")
        admin = store.list("user", is_admin=True, size=1).items[0]
        epoch = accounts.user_by_id(store, admin.id)["token_epoch"]  # type: ignore[index]
        return issue(SECRET.encode(), admin.id, int(epoch or 0))
    finally:
        store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def two_workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str, int]]:
    """`python -m stackyard.server --workers 2` on SQLite or PostgreSQL: (url, token, pid)."""
    if request.param == "sqlite":
        store_url = f"sqlite:///{tmp_path / 'deploy.db'}"
    else:
        store_url = request.getfixturevalue("postgres_url")
    port = free_port()
    env = {**os.environ, "STACKYARD_SERVER_SECRET": SECRET}
    process = subprocess.Popen(
        [sys.executable, "-m", "stackyard.server", "--store-url", store_url,
         "--port", str(port), "--workers", "2", "--no-access-log"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(process.stdout.read().decode() if process.stdout else "")
            time.sleep(0.2)
        yield url, admin_token(store_url), process.pid
    finally:
        process.terminate()
        process.wait(20)


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_two_workers_serve_many_connections_without_nagle_stalls(
    two_workers: tuple[str, str, int],
) -> None:
    url, token, pid = two_workers
    assert len(_workers(pid)) == 2
    headers = {"Authorization": f"Bearer {token}"}
    stack = httpx.get(f"{url}/api/v1/stacks/find", params={"q": "default"}, headers=headers)
    assert stack.status_code == 200, stack.text

    def session(i: int) -> int:
        with httpx.Client(base_url=url, headers=headers) as client:
            name = f"w-{i}-{os.getpid()}-{time.monotonic_ns()}"
            created = client.post("/api/v1/pipelines", json={"name": name})
            assert created.status_code == 201, created.text
            for _ in range(10):
                assert client.get(f"/api/v1/pipelines/{created.json()['id']}").status_code == 200
            return 1

    with ThreadPoolExecutor(8) as pool:
        assert sum(pool.map(session, range(16))) == 16

    # one kept-alive connection: with Nagle on, each response stalls ~40 ms
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    times = []
    for _ in range(30):
        start = time.perf_counter()
        conn.request("GET", "/api/v1/stacks", headers=headers)
        assert conn.getresponse().read()
        times.append(time.perf_counter() - start)
    conn.close()
    assert statistics.median(times) < 0.02, times


def test_accepted_sockets_have_tcp_nodelay(server: Running) -> None:
    with socket.create_connection(server.url.removeprefix("http://").split(":")) as sock:  # type: ignore[arg-type]
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert b"200 OK" in sock.recv(4096)
        connections = list(server.server.server_state.connections)
        assert connections
        for protocol in connections:
            accepted = protocol.transport.get_extra_info("socket")
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_server_on_postgresql(postgres_url: str) -> None:
    with running_server(postgres_url) as running:
        store = running.ctx.store
        if not accounts.has_users(store):
            accounts.create_first_admin(store, "pg-admin", "pg-admin-password")
        admin = store.list("user", is_admin=True, size=1).items[0]
        client = Client(store=running.rest(running.ctx.auth.token_for(admin.id)))
        name = f"pg-{time.monotonic_ns()}"
        pipeline = client.store.create("pipeline", {"name": name})
        assert client.get_pipeline(name).id == pipeline.id
        assert client.list_pipelines(name=f"startswith:{name}").total == 1
        with pytest.raises(KeyError):
            client.get_pipeline(f"{name}-missing")
        client.delete_pipeline(name)


def test_up_status_down_keep_the_local_store(isolated_config: Path) -> None:
    local_client = Client()
    default_user = local_client.active_user
    runner = CliRunner()
    result = runner.invoke(cli_commands.up, [])
    assert result.exit_code == 0, result.output
    try:
        url = GlobalConfig.load().data["local_server"]["url"]
        assert url in result.output
        assert oct((isolated_config / "config.yaml").stat().st_mode & 0o777) == "0o600"
        assert local.up() == url  # already running: the same server, a renewed login
        client = Client()
        assert type(client.store).__name__ == "RestStore"
        assert client.active_user.id == default_user.id  # logged in as the local admin
        client.store.create("pipeline", {"name": "made-over-rest"})
        state = local.status()
        assert state["local_server"]["running"] and state["login"]["url"] == url
    finally:
        result = runner.invoke(cli_commands.down, [])
    assert result.exit_code == 0 and "Stopped" in result.output
    assert local.status()["local_server"] is None
    assert not httpx_alive(url)
    reset_stores()
    back = Client()
    assert type(back.store).__name__ == "SqlStore"
    assert back.get_pipeline("made-over-rest").user_id == default_user.id


def test_up_as_the_very_first_command_on_a_new_machine(isolated_config: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_commands.up, [])
    assert result.exit_code == 0, result.output
    try:
        client = Client()
        assert type(client.store).__name__ == "RestStore"
        assert client.active_user.name == "default"
        assert client.active_stack_model.name == "default"
    finally:
        assert runner.invoke(cli_commands.down, []).exit_code == 0
    reset_stores()
    assert Client().active_user.name == "default"


def test_up_starts_a_runner_and_down_stops_it(isolated_config: Path, tmp_path: Path) -> None:
    """The local server never runs pipeline code: `up` starts a runner for the local
    user beside it (`--artifact-root` reaches the server), and `down` stops both."""
    elsewhere = tmp_path / "more-artifacts"
    runner = CliRunner()
    result = runner.invoke(cli_commands.up, ["--artifact-root", str(elsewhere)])
    assert result.exit_code == 0, result.output
    try:
        info = GlobalConfig.load().data["local_server"]
        server_pid, runner_pid = int(info["pid"]), int(info["runner_pid"])
        cmdline = Path(f"/proc/{runner_pid}/cmdline").read_bytes().split(b"\0")
        assert b"stackyard.runner" in cmdline and b"start" in cmdline
        server_cmdline = Path(f"/proc/{server_pid}/cmdline").read_bytes().split(b"\0")
        roots = [
            server_cmdline[i + 1] for i, a in enumerate(server_cmdline) if a == b"--artifact-root"
        ]
        assert roots == [str(isolated_config / "artifacts").encode(), str(elsewhere).encode()]
        log = isolated_config / "runner.log"
        deadline = time.monotonic() + 60
        while "Runner taking every user's runs" not in (log.read_text() if log.exists() else ""):
            assert _process_alive(runner_pid), log.read_text() if log.exists() else "no log"
            assert time.monotonic() < deadline, "the runner did not log in"
            time.sleep(0.1)
    finally:
        assert runner.invoke(cli_commands.down, []).exit_code == 0
    reset_stores()
    assert not _process_alive(runner_pid) and not _process_alive(server_pid)


def _process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def httpx_alive(url: str) -> bool:
    try:
        httpx.get(f"{url}/health", timeout=1)
    except httpx.TransportError:
        return False
    return True


def test_login_logout_commands(server: Running) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_commands.login, [server.url, "-u", "alice", "--password", PASSWORD])
    assert result.exit_code == 0 and "as 'alice'" in result.output, result.output
    token = GlobalConfig.load().data["server"]["token"]
    assert Client().active_user.name == "alice"
    result = runner.invoke(cli_commands.logout, [])
    assert result.exit_code == 0 and "Logged out" in result.output
    assert "server" not in GlobalConfig.load().data
    revoked = httpx.get(
        f"{server.url}/api/v1/current-user", headers={"Authorization": f"Bearer {token}"}
    )
    assert revoked.status_code == 401
    wrong = runner.invoke(
        cli_commands.login, [server.url, "-u", "alice", "--password", "nope-nope"]
    )
    assert wrong.exit_code != 0 and "wrong user name or password" in wrong.output
    assert "Traceback" not in wrong.output


def test_cli_lists_print_the_same_through_a_server(server: Running) -> None:
    from stackyard.cli.main import cli

    runner = CliRunner()
    result = runner.invoke(cli_commands.login, [server.url, "-u", "alice", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    table = runner.invoke(cli, ["stack", "list"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    header, row = table.output.splitlines()[:2]
    assert header.split()[:4] == ["ID", "NAME", "ACTIVE", "COMPONENTS"]
    assert "default  yes" in row and "orchestrator=default" in row
    listed = runner.invoke(cli, ["stack", "list", "-o", "json"])
    stacks = json.loads(listed.output)
    assert [s["name"] for s in stacks] == ["default"]
    assert stacks[0]["id"] == str(Client().get_stack("default").id)
    assert set(stacks[0]["component_ids"]) == {"orchestrator", "artifact_store"}
    loaded = modules_after_cli("stack", "list")  # a fresh process, the same login
    assert "httpx" in loaded and "pydantic" not in loaded


def test_server_command_help_names_env_vars() -> None:
    result = CliRunner().invoke(cli_commands.server, ["--help"])
    assert result.exit_code == 0
    for option in ("--store-url", "--workers", "--admin-user", "--admin-password"):
        assert option in result.output
    assert "STACKYARD_SERVER_" in result.output


def test_up_stops_its_server_when_the_login_fails(
    isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real_popen = local.subprocess.Popen

    def recording_popen(*args: object, **kwargs: object) -> object:
        process = real_popen(*args, **kwargs)  # type: ignore[call-overload]
        started.append(process.pid)
        return process

    def failing_login(*args: object) -> None:
        raise RuntimeError("login failed")

    monkeypatch.setattr(local.subprocess, "Popen", recording_popen)
    monkeypatch.setattr(local, "_local_login", failing_login)
    with pytest.raises(RuntimeError, match="login failed"):
        local.up()
    assert started and not local._alive(started[0])
    assert "local_server" not in GlobalConfig.load().data
