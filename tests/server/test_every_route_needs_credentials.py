"""Every route of the server, without credentials and with a garbage, an expired and a
revoked one: 401 (the dashboard's pages: 401 to their script, a redirect to the login
form for a browser), except the public routes named here.

API operations come from the server's own OpenAPI document, the dashboard's pages from
the app's routes, so a new route is swept without anyone listing it.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from serving import SECRET, Running

from stackyard.server.tokens import issue

PUBLIC_API = {"/health", "/docs", "/openapi.json", "/api/v1/login", "/api/v1/setup"}
# the sign-in pages, their static files and icon, and `/` (which sends to /runs)
PUBLIC_PAGES = {"/", "/login", "/login/token", "/logout", "/static/{name}", "/favicon.ico"}
SESSION = "stackyard_session"
FRAGMENT = "x-dashboard-fragment"  # what the pages' own script sends


@pytest.fixture(scope="module")
def credentials(server: Running) -> dict[str, str | None]:
    """Each kind of bad credential, as the token a client would send."""
    admin = server.ctx.store.find("user", "admin")
    name = f"gone-{uuid.uuid4().hex[:6]}"
    created = httpx.post(
        f"{server.url}/api/v1/users",
        json={"name": name, "password": "gone-password-1"},
        headers={"Authorization": f"Bearer {server.token_for('admin')}"},
    )
    assert created.status_code == 201, created.text
    revoked = server.login(name, "gone-password-1")
    logout = httpx.post(
        f"{server.url}/api/v1/logout", headers={"Authorization": f"Bearer {revoked}"}
    )
    assert logout.status_code == 204
    return {
        "none": None,
        "garbage": "garbage.token.x",
        "expired": issue(SECRET, admin.id, 0, ttl=-5),
        "revoked": revoked,
    }


def concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)


def api_operations(server: Running) -> list[tuple[str, str]]:
    schema: dict[str, Any] = httpx.get(f"{server.url}/openapi.json").json()
    return sorted((m.upper(), p) for p, item in schema["paths"].items() for m in item)


def dashboard_routes(server: Running) -> list[tuple[str, str]]:
    routes = server.server.config.app.routes
    return sorted(
        (method, route.path)
        for route in routes
        if hasattr(route, "methods") and not route.path.startswith("/api/")
        and route.path not in PUBLIC_API and route.include_in_schema is False
        for method in route.methods - {"HEAD"}
    )  # fmt: skip


def test_every_api_operation_needs_a_valid_token(
    server: Running, credentials: dict[str, str | None]
) -> None:
    operations = api_operations(server)
    assert {p for _, p in operations} >= PUBLIC_API - {"/docs", "/openapi.json"}
    answers: Counter[tuple[str, int]] = Counter()
    wrong = []
    with httpx.Client(base_url=server.url) as http:
        for method, path in operations:
            if path in PUBLIC_API:
                continue
            for label, token in credentials.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                body = {} if method in ("POST", "PUT") else None
                response = http.request(method, concrete(path), headers=headers, json=body)
                answers[(label, response.status_code)] += 1
                if response.status_code != 401:
                    wrong.append((method, path, label, response.status_code))
    swept = len(operations) - len([p for _, p in operations if p in PUBLIC_API])
    print(
        f"\n401 sweep: {len(operations)} API operations, {swept} swept x "
        f"{len(credentials)} credentials = {sum(answers.values())} requests: {dict(answers)}"
    )
    assert not wrong, wrong
    assert swept > 100


def test_every_dashboard_page_needs_a_valid_session(
    server: Running, credentials: dict[str, str | None]
) -> None:
    routes = dashboard_routes(server)
    paths = {p for _, p in routes}
    assert paths >= PUBLIC_PAGES, PUBLIC_PAGES - paths
    swept = [(method, path) for method, path in routes if path not in PUBLIC_PAGES]
    wrong = []
    for method, path in swept:
        for label, token in credentials.items():
            cookies = {SESSION: token} if token else {}
            with httpx.Client(base_url=server.url, cookies=cookies) as http:
                script = http.request(method, concrete(path), headers={FRAGMENT: "run"})
                browser = http.request(method, concrete(path))
            location = browser.headers.get("location", "")
            if script.status_code != 401 or browser.status_code != 303:
                wrong.append((method, path, label, script.status_code, browser.status_code))
            elif not location.startswith("/login?next="):
                wrong.append((method, path, label, location))
    print(f"\ndashboard sweep: {len(routes)} routes, {len(swept)} swept x {len(credentials)}")
    assert not wrong, wrong
    assert len(swept) > 30
