"""`stackyard up` prints the dashboard's address; `--open` opens it, signed in."""

from __future__ import annotations

import re
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from stackyard.dashboard.session import LOGIN_COOKIE, SESSION_COOKIE
from stackyard.server import cli_commands


@pytest.fixture(autouse=True)
def isolated_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, migrated_db: Path
) -> Iterator[Path]:
    """This module's own config directory per test (the package conftest keeps one
    per module for the browser tests)."""
    import shutil

    from stackyard.client.core import reset_stores
    from stackyard.security import _secrets_key

    config = tmp_path / "config"
    config.mkdir()
    shutil.copyfile(migrated_db, config / "stackyard.db")
    monkeypatch.setenv("STACKYARD_CONFIG_PATH", str(config))
    monkeypatch.delenv("STACKYARD_STORE_URL", raising=False)
    reset_stores()
    _secrets_key.cache_clear()
    yield config
    reset_stores()
    _secrets_key.cache_clear()


def test_up_open_signs_the_local_user_in(monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: bool(opened.append(url)))
    runner = CliRunner()
    result = runner.invoke(cli_commands.up, ["--open"])
    assert result.exit_code == 0, result.output
    try:
        url = re.search(r"Dashboard: (http://127\.0\.0\.1:\d+)/", result.output).group(1)  # type: ignore[union-attr]
        (link,) = opened
        assert link.startswith(f"{url}/login#token=")
        token = link.split("#token=", 1)[1]
        with httpx.Client(base_url=url) as browser:
            assert browser.get("/runs").status_code == 303  # no session yet
            form = browser.get("/login")
            csrf = form.text.split('name="csrf" value="')[1].split('"')[0]
            assert LOGIN_COOKIE in browser.cookies
            signed_in = browser.post(
                "/login/token", data={"token": token, "csrf": csrf, "next": "/runs"}
            )
            assert signed_in.status_code == 303, signed_in.text
            assert browser.cookies[SESSION_COOKIE] != token  # a session token of its own
            page = browser.get("/runs")
            assert page.status_code == 200 and "default" in page.text
            forged = httpx.post(f"{url}/login/token", data={"token": token, "csrf": csrf})
            assert forged.status_code == 403  # no login cookie: not this browser's form
    finally:
        assert runner.invoke(cli_commands.down, []).exit_code == 0


def test_failed_logins_are_rate_limited_like_the_apis(tmp_path: Path, migrated_db: Path) -> None:
    import shutil

    from serving import ADMIN, ADMIN_PASSWORD, running_server

    from stackyard.store.sql import accounts

    store = tmp_path / "limited.db"
    shutil.copyfile(migrated_db, store)
    with running_server(f"sqlite:///{store}", login_limit=2) as running:
        accounts.create_first_admin(running.ctx.store, ADMIN, ADMIN_PASSWORD)
        with httpx.Client(base_url=running.url) as browser:
            csrf = browser.get("/login").text.split('name="csrf" value="')[1].split('"')[0]

            def attempt(password: str) -> httpx.Response:
                return browser.post(
                    "/login", data={"username": ADMIN, "password": password, "csrf": csrf}
                )

            for _ in range(2):
                wrong = attempt("wrong password")
                assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
                assert SESSION_COOKIE not in browser.cookies
            limited = attempt(ADMIN_PASSWORD)  # even the right password waits now
            assert limited.status_code == 429 and "too many failed logins" in limited.text
            assert SESSION_COOKIE not in browser.cookies
            api = httpx.post(
                f"{running.url}/api/v1/login", json={"username": ADMIN, "password": ADMIN_PASSWORD}
            )
            assert api.status_code == 429  # one limiter for the form and the API
