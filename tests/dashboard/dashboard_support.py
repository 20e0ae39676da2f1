"""A real server holding real runs, and a real headless Chromium to look at it.

One server per test module (uvicorn in a thread on a free loopback port, SQLite):
an admin, alice and bob (plain users); alice runs the pipelines of
`dashboard_flows.py` through the server, as a user would (two of them twice: one for
a cached step, one for two versions of the model `iris`, the second promoted over
the first), and owns a private secret, a shared one, a service connector, a code
repository, a build, a run template, a schedule, a custom flavor and a component of
it holding a secret value.

The browser is Debian's Chromium driven by Playwright (never a downloaded one).
Without it these tests skip on a laptop and fail under CI=true.

Test modules import these helpers by this module's name: `from conftest import ...`
could find another directory's conftest first when test areas share a process.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
from serving import ADMIN, ADMIN_PASSWORD, PASSWORD, Running, running_runner, running_server
from support import service_or_skip

from stackyard.store.sql import accounts

CHROMIUM = os.environ.get("STACKYARD_TEST_CHROMIUM", "/usr/bin/chromium")
FLOWS = Path(__file__).with_name("dashboard_flows.py")
SECRET_VALUE = "s3cr3t-VALUE-of-alice-7f2a"
SHARED_VALUE = "shared-VALUE-9c41"
CONNECTOR_SECRET = "AWS-SECRET-KEY-d41e"
COMPONENT_SECRET = "login-PHRASE-5b0c"
# STACKYARD_SCREENSHOTS=docs/screenshots refreshes the README's pictures
SCREENSHOTS = Path(
    os.environ.get("STACKYARD_SCREENSHOTS")
    or Path(__import__("tempfile").gettempdir()) / "stackyard-screenshots"
)


@dataclass
class Site:
    """The running server and what the fixture put into it."""

    running: Running
    runs: dict[str, Any]  # name → run id
    template_id: str
    schedule_id: str
    config: Path

    @property
    def url(self) -> str:
        return self.running.url

    def api(self, who: str) -> httpx.Client:
        token = self.running.token_for(who)
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(autouse=True)
def isolated_config() -> Iterator[None]:
    """Replaces the per-test config directory of tests/conftest.py: the `site`
    fixture's directory (and its secrets key) stays in force for its whole module."""
    yield


def _wait_idle(running: Running) -> None:
    deadline = time.monotonic() + 60
    while running.ctx.store.list_rows("pipeline_run", status=["initializing", "running"]).total:
        assert time.monotonic() < deadline, "runs on the server did not finish"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, migrated_db: Path) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("dashboard")
    config = root / "config"
    config.mkdir()
    store_path = root / "server.db"
    shutil.copyfile(migrated_db, store_path)
    project = root / "project"
    project.mkdir()
    module_name = f"dashboard_flows_{uuid4().hex[:8]}"
    shutil.copyfile(FLOWS, project / f"{module_name}.py")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STACKYARD_CONFIG_PATH", str(config))
        mp.delenv("STACKYARD_STORE_URL", raising=False)
        mp.syspath_prepend(str(project))
        from stackyard.client.core import reset_stores
        from stackyard.config import GlobalConfig
        from stackyard.security import _secrets_key

        _secrets_key.cache_clear()

        with running_server(f"sqlite:///{store_path}") as running:
            accounts.create_first_admin(running.ctx.store, ADMIN, ADMIN_PASSWORD)
            admin = httpx.Client(
                base_url=running.url,
                headers={"Authorization": f"Bearer {running.token_for(ADMIN)}"},
            )
            for name in ("alice", "bob"):
                created = admin.post("/api/v1/users", json={"name": name, "password": PASSWORD})
                assert created.status_code == 201, created.text
            global_config = GlobalConfig.load()
            global_config.data["server"] = {"url": running.url, "token": running.token_for("alice")}
            global_config.save()
            reset_stores()
            site = _populate(running, importlib.import_module(module_name), config)
            try:
                # template runs wait for a runner, as they do on any server
                with running_runner(running.url, running.token_for(ADMIN)):
                    yield site
                    _wait_idle(running)
            finally:
                reset_stores()
                _secrets_key.cache_clear()
                sys.modules.pop(module_name, None)


def _populate(running: Running, flows: Any, config: Path) -> Site:
    from stackyard import Schedule
    from stackyard.client import Client
    from stackyard.exceptions import StepFailedError

    client = Client()
    runs: dict[str, Any] = {}
    runs["diamond"] = flows.diamond(rows=7).id
    with pytest.raises(StepFailedError):
        flows.broken()
    runs["broken"] = client.list_pipeline_runs(pipeline="broken", size=1)[0].id
    runs["tune-2"] = flows.tune.with_options(run_name="tune-two")(factor=2).id
    runs["tune-5"] = flows.tune.with_options(run_name="tune-five")(factor=5).id
    template = client.create_run_template("tune-again", pipeline_run_id=runs["tune-2"])
    schedule = flows.tune.with_options(
        schedule=Schedule(name="nightly-tune", cron_expression="0 3 * * *")
    )()
    flows.broken.with_options(
        schedule=Schedule(name="weekly-broken", cron_expression="0 4 * * 1")
    )()
    client.create_secret("alice-private", {"token": SECRET_VALUE}, private=True)
    client.create_secret("team-shared", {"password": SHARED_VALUE})
    client.create_service_connector(
        "aws-prod",
        "aws",
        "secret-key",
        {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": CONNECTOR_SECRET},
        resource_type="s3-bucket",
    )
    runs["oddities-1"] = flows.oddities().id
    runs["oddities-2"] = flows.oddities().id  # its step `steady` is cached from the first
    runs["training-1"] = flows.training(rows=3).id
    runs["training-2"] = flows.training(rows=5).id
    client.get_model_version("iris", 1).set_stage("production")
    client.get_model_version("iris", 2).set_stage("production", force=True)  # 1: archived
    flavor = client.create_flavor(f"{flows.__name__}.VaultFlavor")
    client.create_stack_component(
        "vault-registry",
        flavor.name,
        "container_registry",
        {"uri": "registry.example/team", "login_phrase": COMPONENT_SECRET},
    )
    client.create_code_repository(
        "demo-repo", {"owner": "acme", "repository": "demo"}, source="github"
    )
    with httpx.Client(
        base_url=running.url, headers={"Authorization": f"Bearer {running.token_for('alice')}"}
    ) as api:
        build = api.post(
            "/api/v1/builds",
            json={
                "checksum": "c0ffee" * 8,
                "python_version": "3.11",
                "images": {"orchestrator": {"image": "acme/tune:1"}},
                "pipeline_id": str(client.get_pipeline("tune").id),
            },
        )
        assert build.status_code == 201, build.text
    return Site(running, runs, str(template.id), str(schedule.id), config)


# -- the browser ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    def check() -> None:
        if not Path(CHROMIUM).exists():
            raise FileNotFoundError(f"{CHROMIUM} (apt-get install -y chromium)")
        import playwright  # noqa: F401

    service_or_skip("Chromium with Playwright", check)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser: Any, site: Site) -> Iterator[Any]:
    """A fresh browser profile (no cookies) at 1280x800 that records every response."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=site.url)
    context.responses = []  # type: ignore[attr-defined]
    context.on("response", lambda response: context.responses.append(response))  # type: ignore[attr-defined]
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/runs")


@contextmanager
def signed_in(site: Site, username: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """A browserless client with a dashboard session, signed in through the form."""
    with httpx.Client(base_url=site.url) as client:
        csrf = csrf_of(client.get("/login").text)
        response = client.post(
            "/login", data={"username": username, "password": password, "csrf": csrf}
        )
        assert response.status_code == 303, response.text
        yield client


def csrf_of(html: str) -> str:
    """The CSRF token a page's forms carry."""
    return html.split('name="csrf" value="')[1].split('"')[0]


def screenshot(page: Any, name: str) -> None:
    """Keep a picture of a page (the README's come from here; see SCREENSHOTS)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


__all__ = ["ADMIN", "ADMIN_PASSWORD", "PASSWORD", "csrf_of", "log_in", "screenshot", "signed_in"]
