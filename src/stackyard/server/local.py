"""A server on this machine, and logging this machine's Client in and out.

The global config keeps two things apart: `local_server` (url, pid, log file
of the server `up` started) and `server` (url and token of the login the
Client uses; for an API-key login also the key, to renew expired tokens).
The config file is owner-only (0600).

`up` needs no password: it starts the server on the local store, then signs a
token for the local store's admin (the `default` user, who owns everything
made locally) with the server secret both share in the config directory — so
`client.active_user` stays the same before and after `stackyard up`. It also
starts a runner logged in the same way, which executes the template and schedule
runs the server queues (the server itself never runs pipeline code).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stackyard.client.core import reset_stores
from stackyard.config import STORE_URL_ENV, GlobalConfig, config_dir
from stackyard.exceptions import InputError, StoreConnectionError
from stackyard.models.users import UserResponse
from stackyard.store import is_server_url

LOCAL_TOKEN_TTL = 30 * 24 * 3600  # a loopback-only server; `stackyard up` renews it
START_TIMEOUT = 30.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def local_store_url(config: GlobalConfig) -> str:
    """The store this machine uses when it is not logged in to a server."""
    env = os.environ.get(STORE_URL_ENV)
    if env and not is_server_url(env):
        return env
    return str(config.data.get("store_url") or f"sqlite:///{config_dir() / 'stackyard.db'}")


def _alive(pid: int, what: bytes = b"stackyard.server") -> bool:
    """True if `pid` runs and is a stackyard server (or runner): a recycled pid is not ours."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True
    return what in cmdline


def _healthy(url: str) -> bool:
    import httpx

    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _running(config: GlobalConfig) -> dict[str, Any] | None:
    info = config.data.get("local_server")
    if isinstance(info, dict) and _alive(int(info.get("pid", 0))) and _healthy(str(info["url"])):
        return info
    return None


def _local_login(config: GlobalConfig, url: str, store_url: str) -> None:
    """Sign a token for the local admin and save it as this machine's login."""
    from stackyard.server.auth import Authenticator
    from stackyard.server.tokens import server_secret
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(store_url)  # migrates and seeds `default` on a fresh machine
    try:
        user = store.current_user()
        token = Authenticator(store, server_secret(), LOCAL_TOKEN_TTL).token_for(user.id)
    finally:
        store.close()
    config.data["server"] = {"url": url, "token": token}
    config.save()
    reset_stores()


SIGN_IN_TTL = 120  # the one-click dashboard sign-in link of `stackyard up --open`


def dashboard_sign_in_link(url: str) -> str:
    """A link that signs the local user in to the dashboard of the server `up` started.

    The token rides in the URL fragment, which browsers never send to a server or
    write to a request log; the login page trades it for a session. It expires in
    two minutes.
    """
    from stackyard.server.auth import Authenticator
    from stackyard.server.tokens import server_secret
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(local_store_url(GlobalConfig.load()))
    try:
        user = store.current_user()
        token = Authenticator(store, server_secret(), SIGN_IN_TTL).token_for(user.id)
    finally:
        store.close()
    return f"{url}/login#token={token}"


def up(
    port: int | None = None,
    blocking: bool = False,
    on_start: Callable[[str], None] | None = None,
    artifact_roots: Sequence[str] = (),
) -> str:
    """Start a server on 127.0.0.1 over the local store and log this machine in to it.

    Returns the server URL. Already running: logs in again (renewing the token).
    `blocking=True` waits until the server stops (Ctrl-C stops it); `on_start` is
    called with the URL once the server answers, before that wait. Its dashboard reads
    artifact files and logs under the default artifact store and `artifact_roots`.
    """
    from stackyard.server.tokens import server_secret

    config = GlobalConfig.load()
    store_url = local_store_url(config)
    running = _running(config)
    if running is not None:
        url = str(running["url"])
        _local_login(config, url, store_url)
        _ensure_runner(config, running)
        if on_start is not None:
            on_start(url)
        if blocking:
            _wait(int(running["pid"]))
        return url
    server_secret()  # shared by the server (to check tokens) and us (to sign one)
    # the local store, migrated and seeded as on first local use (`up` may come first)
    from stackyard.store.sql.store import SqlStore

    SqlStore(store_url).close()
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    roots = [
        a
        for root in _with_default_store(store_url, artifact_roots)
        for a in ("--artifact-root", root)
    ]
    log = config_dir() / "server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "stackyard.server", "--store-url", store_url,
             "--host", "127.0.0.1", "--port", str(port), "--no-access-log", *roots],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # survives the shell; `down` stops its process group
        )  # fmt: skip
    deadline = time.monotonic() + START_TIMEOUT
    while not _healthy(url):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process.pid)
            raise StoreConnectionError(f"the local server did not start; see {log}")
        time.sleep(0.1)
    config.data["local_server"] = {"url": url, "pid": process.pid, "log": str(log)}
    try:
        _local_login(config, url, store_url)
        config.data["local_server"]["runner_pid"] = _start_runner(url)
        config.save()
    except BaseException:
        _stop(process.pid)  # never leave a server running that nothing knows about
        config.data.pop("local_server", None)
        raise
    if on_start is not None:
        on_start(url)
    if blocking:
        try:
            process.wait()
        except KeyboardInterrupt:
            down()
    return url


def _with_default_store(store_url: str, roots: Sequence[str]) -> list[str]:
    """`roots` and the local default artifact store's path (the server reads under the
    default store alone when it is given no roots)."""
    if not roots:
        return []
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(store_url)
    try:
        default = store.find("stack_component", "default", type="artifact_store")
    finally:
        store.close()
    return list(dict.fromkeys([str(default.configuration["path"]), *roots]))


def _start_runner(url: str) -> int:
    """The runner that executes the local user's template and schedule runs (the server
    only queues them): logged in as that user through the saved login."""
    log = config_dir() / "runner.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "stackyard.runner", "start", "--url", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return process.pid


def _ensure_runner(config: GlobalConfig, info: dict[str, Any]) -> None:
    """A running server whose runner died (or predates runners) gets one again."""
    pid = int(info.get("runner_pid", 0))
    if not pid or not _alive(pid, b"stackyard.runner"):
        info["runner_pid"] = _start_runner(str(info["url"]))
        config.data["local_server"] = info
        config.save()


def _wait(pid: int) -> None:
    try:
        while _alive(pid):
            time.sleep(0.5)
    except KeyboardInterrupt:
        down()


def _stop(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the server's process group, then SIGKILL if it lingers."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if os.waitpid(pid, os.WNOHANG)[0] == pid:
                    return
            except ChildProcessError:  # not our child: poll for it to go
                if not _alive(pid):
                    return
            time.sleep(0.05)


def down() -> bool:
    """Stop the server `up` started and forget its login; False if none was running."""
    config = GlobalConfig.load()
    info = config.data.pop("local_server", None)
    if not isinstance(info, dict):
        return False
    runner = int(info.get("runner_pid", 0))
    if runner and _alive(runner, b"stackyard.runner"):
        _stop(runner)  # first: it stops the runs it executes
    pid = int(info.get("pid", 0))
    if pid and _alive(pid):
        _stop(pid)
    server = config.data.get("server")
    if isinstance(server, dict) and server.get("url") == info.get("url"):
        del config.data["server"]
    config.save()
    reset_stores()
    return True


def login(
    url: str,
    username: str | None = None,
    password: str | None = None,
    *,
    api_key: str | None = None,
) -> UserResponse:
    """Log this machine's Client in to a server, by password or by API key."""
    import httpx

    from stackyard.store.rest import RestStore, error_from_response

    url = url.rstrip("/")
    if not is_server_url(url):
        raise InputError(f"server URL {url!r} must start with http:// or https://")
    if api_key is not None:
        body: dict[str, str] = {"api_key": api_key}
    elif username and password is not None:
        body = {"username": username, "password": password}
    else:
        raise InputError("log in with a user name and password, or with an API key")
    try:
        response = httpx.post(f"{url}/api/v1/login", json=body, timeout=30)
    except httpx.HTTPError as exc:
        raise StoreConnectionError(f"cannot reach the stackyard server at {url}: {exc}") from None
    if response.status_code >= 400:
        raise error_from_response(response, url)
    token = str(response.json()["access_token"])
    store = RestStore(url, token=token)
    try:
        user = store.current_user()
    finally:
        store.close()
    config = GlobalConfig.load()
    config.data["server"] = {"url": url, "token": token}
    if api_key is not None:
        config.data["server"]["api_key"] = api_key
    config.save()
    reset_stores()
    return user


def logout() -> bool:
    """Revoke this machine's token on the server and forget the login; False if none."""
    import httpx

    config = GlobalConfig.load()
    server = config.data.pop("server", None)
    if not isinstance(server, dict):
        return False
    with contextlib.suppress(httpx.HTTPError):  # forgetting the token locally is what matters
        httpx.post(
            f"{server['url']}/api/v1/logout",
            headers={"Authorization": f"Bearer {server.get('token', '')}"},
            timeout=10,
        )
    config.save()
    reset_stores()
    return True


def status() -> dict[str, Any]:
    """The local server (if any) and the current login, with the token's expiry."""
    from stackyard.server.tokens import peek

    config = GlobalConfig.load()
    result: dict[str, Any] = {"store_url": config.store_url, "local_server": None, "login": None}
    info = config.data.get("local_server")
    if isinstance(info, dict):
        result["local_server"] = {**info, "running": _running(config) is not None}
    server = config.data.get("server")
    if isinstance(server, dict):
        claims = peek(str(server.get("token", ""))) or {}
        expires = claims.get("exp")
        result["login"] = {
            "url": server.get("url"),
            "by": "api_key" if server.get("api_key") else "token",
            "expires": datetime.fromtimestamp(expires, UTC).isoformat() if expires else None,
        }
    return result


__all__ = ["dashboard_sign_in_link", "down", "local_store_url", "login", "logout", "status", "up"]
