"""The dashboard's pages beyond the main journeys: what a bad link answers, sorting
and filters, the cache origin, the timeline, the pipelines chart, every resource's
pages, the models, paging, CSRF on every form, and how an unforeseen failure looks."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import httpx
import pytest
from dashboard_support import (
    ADMIN,
    ADMIN_PASSWORD,
    COMPONENT_SECRET,
    CONNECTOR_SECRET,
    Site,
    csrf_of,
    log_in,
    screenshot,
    signed_in,
)
from playwright.sync_api import expect

from stackyard.dashboard import automation, runs
from stackyard.dashboard.session import SESSION_COOKIE

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def alert(html: str) -> str:
    found = re.search(r'role="alert">(.*?)</p>', html, re.S)
    return found.group(1).replace("&#39;", "'") if found else ""


def run_names(html: str) -> list[str]:
    return re.findall(r'<td data-label="Run"><a href="/runs/[^"]+">([^<]+)</a>', html)


def test_bad_filter_values_reshow_the_runs_page_with_an_error(site: Site) -> None:
    with signed_in(site, "alice") as alice:
        for query, status, words in (
            ("status=bogus", 400, ["'bogus'", "completed", "failed", "running"]),
            ("since=garbage", 400, ["'garbage'", "2026-01-31T12:00", "UTC"]),
            ("until=nonsense", 400, ["'nonsense'", "2026-01-31"]),
            ("sort=owner&order=up", 400, ["'owner'", "start_time", "asc or desc"]),
            ("size=5000", 400, ["5000", "1 to 100"]),
            ("page=zero", 400, ["'zero'", "whole number"]),
            ("pipeline=no-such-pipeline", 404, ["no-such-pipeline", "tune"]),
        ):
            page = alice.get(f"/runs?{query}&name=tune")
            assert page.status_code == status, (query, page.text[:300])
            assert page.headers["content-type"].startswith("text/html")
            message = alert(page.text)
            for word in words:
                assert word in message, (query, message)
            assert 'name="name" value="tune"' in page.text  # the form, as it was given
            assert "Filter</button>" in page.text
        assert alice.get("/runs?status=failed").status_code == 200


PATHS = [
    "/runs",
    "/compare",
    "/artifacts",
    "/models",
    "/pipelines",
    "/stacks",
    "/components",
    "/flavors",
    "/secrets",
    "/service-connectors",
    "/schedules",
    "/run-templates",
    "/code-repositories",
    "/builds",
    "/users",
    "/logout",
]
PARAMS = ["page", "size", "sort", "order", "name", "type", "step", "run", "status", "pipeline",
          "stack", "user", "since", "until", "offset", "next"]  # fmt: skip
NASTY = ["bogus", "-1", "99999999999999999999999", "'\"<b>", "2026-13-45T99:00", "%00", "x" * 3000]


def test_no_query_value_breaks_a_page(site: Site) -> None:
    """Every page, fed junk in every query parameter it or its neighbours read, answers
    a page (2xx, 3xx or 4xx HTML), never a 500 and never JSON."""
    with signed_in(site, "alice") as alice:
        paths = list(PATHS)
        listed = alice.get(f"/runs/{site.runs['diamond']}?step=load").text
        paths += [f"/runs/{site.runs['diamond']}", f"/run-templates/{site.template_id}"]
        paths += re.findall(r'data-logs="([^"]+)"', listed)
        for kind in ("/artifact-versions", "/pipelines", "/stacks", "/components", "/flavors",
                     "/secrets", "/service-connectors", "/code-repositories", "/builds",
                     "/models", "/artifacts"):  # fmt: skip
            source = listed if kind == "/artifact-versions" else alice.get(kind).text
            paths.append(re.findall(rf'href="({kind}/{UUID_RE})"', source)[0])
        failures = []
        for path in paths:
            queries = [dict.fromkeys(PARAMS, value) for value in NASTY]
            queries += [{name: "bogus"} for name in PARAMS]
            for query in queries:
                answer = alice.get(path, params=query)
                kind = answer.headers.get("content-type", "")
                if answer.status_code >= 500 or not kind.startswith("text/"):
                    failures.append((path, query, answer.status_code, answer.text[:120]))
            for bad_id in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
                answer = alice.get(re.sub(UUID_RE, bad_id, path, count=1))
                if answer.status_code >= 500 or "json" in answer.headers.get("content-type", ""):
                    failures.append((path, bad_id, answer.status_code, answer.text[:120]))
        assert not failures, failures[:5]


def test_an_unforeseen_failure_is_an_html_page(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(page: Any) -> Any:
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(runs, "_choices", broken)  # the server runs in this process
    with signed_in(site, "alice") as alice:
        failed = alice.get("/runs")
        assert failed.status_code == 500
        assert failed.headers["content-type"].startswith("text/html")
        assert "Server error" in failed.text and "a bug nobody foresaw" not in failed.text
        assert "its log has the details" in alert(failed.text)
        assert alice.get("/pipelines").status_code == 200  # the kept-alive connection too


def test_runs_sort_and_filter_by_user_stack_and_time(page: Any, site: Site) -> None:
    with signed_in(site, "alice") as alice:
        ascending = run_names(alice.get("/runs?sort=name&order=asc&size=100").text)
        assert len(ascending) >= 8 and ascending == sorted(ascending)
        descending = run_names(alice.get("/runs?sort=name&order=desc&size=100").text)
        assert descending == ascending[::-1]
        everything = len(ascending)
        assert len(run_names(alice.get("/runs?user=alice&size=100").text)) == everything
        assert run_names(alice.get("/runs?user=bob").text) == []
        assert len(run_names(alice.get("/runs?stack=default&size=100").text)) == everything
        assert run_names(alice.get("/runs?since=2099-01-01T00:00").text) == []
        assert run_names(alice.get("/runs?until=2000-01-01").text) == []
        assert len(run_names(alice.get("/runs?since=2000-01-01&size=100").text)) == everything
        # a time with an offset (a shared link) is shown and applied in UTC
        shifted = alice.get("/runs?since=2099-01-01T02:00%2B02:00").text
        assert 'name="since" value="2099-01-01T00:00"' in shifted and run_names(shifted) == []
    log_in(page, "alice")
    page.get_by_role("link", name="Run", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=name&order=desc"))
    header = page.get_by_role("link", name="Run ↓")
    expect(header).to_have_attribute("aria-sort", "descending")
    names = page.locator("#run-rows td[data-label=Run] a").all_inner_texts()
    assert names == sorted(names, reverse=True)
    header.click()
    expect(page).to_have_url(re.compile(r"sort=name&order=asc"))
    names = page.locator("#run-rows td[data-label=Run] a").all_inner_texts()
    assert names == sorted(names)
    page.get_by_label("User").fill("bob")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"user=bob"))
    expect(page.locator("#run-rows")).to_contain_text("No runs match")
    expect(page.get_by_text("Started after (UTC)")).to_be_visible()


def test_a_cached_step_links_to_the_step_run_it_came_from(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto(f"/runs/{site.runs['oddities-2']}")
    expect(page.locator('svg.dag .node[data-step="steady"]')).to_contain_text("cached")
    page.locator('svg.dag .node[data-step="steady"]').click()
    panel = page.locator('.step-panel[data-step="steady"]')
    origin = panel.get_by_role("link", name=re.compile("the step run steady of an earlier run"))
    expect(origin).to_be_visible()
    origin.click()
    expect(page).to_have_url(re.compile(rf"/runs/{site.runs['oddities-1']}\?step=steady$"))
    expect(page.locator('.step-panel[data-step="steady"]')).to_contain_text("ran")


def test_the_timeline_draws_a_bar_per_step_in_order(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto(f"/runs/{site.runs['diamond']}")
    bars = page.locator("#run-timeline tr")
    expect(bars).to_have_count(4)
    starts = {}
    for name in ("load", "summarise", "draw", "report"):
        row = page.locator(f'#run-timeline tr[data-key="bar:{name}"]')
        expect(row.locator("th")).to_have_text(name)
        rect = row.locator("rect")
        assert float(rect.get_attribute("width") or 0) >= 2
        starts[name] = float(rect.get_attribute("x") or 0)
        expect(row.locator("td.num")).to_have_text(re.compile(r"\d+(\.\d+)? (ms|s)"))
    assert starts["load"] <= starts["summarise"] <= starts["report"]
    assert starts["load"] <= starts["draw"] <= starts["report"]


def test_the_pipelines_chart_plots_runs_against_their_start_time(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto("/pipelines")
    tune = page.get_by_role("row", name=re.compile(r"^tune "))
    expect(tune).to_contain_text("100%")
    tune.get_by_role("link", name="tune").click()
    expect(page.locator("h1")).to_have_text("Pipeline tune")
    summary = page.locator("section.card").first
    expect(summary).to_contain_text("100% of")
    expect(summary.get_by_role("link", name="tune-five")).to_be_visible()  # the last run
    dots = page.locator("svg.runs-chart circle.run-dot")
    count = dots.count()
    assert count >= 2
    points = [
        (
            datetime.fromisoformat(dots.nth(i).get_attribute("data-started") or ""),
            float(dots.nth(i).get_attribute("cx") or 0),
        )
        for i in range(count)
    ]
    points.sort()
    assert [x for _, x in points] == sorted(x for _, x in points)  # later runs further right
    assert points[0][1] < points[-1][1]
    assert page.locator("svg.runs-chart text.tick").count() >= 2
    page.locator("svg.runs-chart a").first.click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))


def test_flavor_connector_code_build_and_component_pages(site: Site) -> None:
    with signed_in(site, "alice") as alice:
        flavors = alice.get("/flavors").text
        assert "vaulted" in flavors and "local" in flavors and "built in" in flavors
        vaulted = re.findall(rf'href="(/flavors/{UUID_RE})">vaulted<', flavors)[0]
        schema = alice.get(vaulted).text
        assert "login_phrase" in schema and "uri" in schema and "Required" in schema
        connectors = alice.get("/service-connectors").text
        assert "aws-prod" in connectors and "secret-key" in connectors
        connector = alice.get(re.findall(rf'href="(/service-connectors/{UUID_RE})"', connectors)[0])
        assert "aws_secret_access_key&#34;: &#34;********&#34;" in connector.text
        assert "aws_access_key_id" in connector.text and CONNECTOR_SECRET not in connector.text
        repos = alice.get("/code-repositories").text
        assert "demo-repo" in repos and "github" in repos
        repo = alice.get(re.findall(rf'href="(/code-repositories/{UUID_RE})"', repos)[0]).text
        assert "acme" in repo and "demo" in repo
        builds = alice.get("/builds").text
        assert "tune" in builds and "c0ffeec0ffee" in builds
        build = alice.get(re.findall(rf'href="(/builds/{UUID_RE})"', builds)[0]).text
        assert "acme/tune:1" in build and "3.11" in build
        for path in ("/components", "/components?type=container_registry"):
            listed = alice.get(path).text
            assert "vault-registry" in listed and COMPONENT_SECRET not in listed
            assert "login_phrase&#34;: &#34;********&#34;" in listed  # masked by its schema
        component = re.findall(rf'href="(/components/{UUID_RE})">vault-registry<', listed)[0]
        shown = alice.get(component).text
        assert "registry.example/team" in shown and COMPONENT_SECRET not in shown


def test_models_and_their_versions(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.get_by_role("link", name="Models", exact=True).click()
    expect(page).to_have_url(re.compile(r"/models$"))
    row = page.get_by_role("row", name=re.compile(r"^iris "))
    expect(row).to_contain_text("v2")
    expect(row.locator("td[data-label=Versions]")).to_have_text("2")
    expect(row).to_contain_text("production: v2, archived: 1 version")
    row.get_by_role("link", name="iris").click()
    expect(page.locator("h1")).to_have_text("Model iris")
    versions = page.locator("table.versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.nth(0)).to_contain_text("production")
    expect(versions.nth(1)).to_contain_text("archived")
    second = page.locator("#version-2")
    expect(second.get_by_role("link", name="classifier v2")).to_have_attribute(
        "href", re.compile(r"^/artifact-versions/")
    )
    expect(second.get_by_role("link", name="endpoint v2")).to_be_visible()
    expect(second.get_by_role("link", name="iris_data v2")).to_be_visible()
    expect(second.locator("dl.kv")).to_contain_text("0.55")
    run_link = second.get_by_role("link", name=re.compile("^training-"))
    expect(run_link).to_have_attribute("href", f"/runs/{site.runs['training-2']}")
    first = page.locator("#version-1")
    history = first.locator("table.history tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_contain_text("production")
    expect(history.nth(0)).to_contain_text("version 2 took its stage")
    expect(history.nth(1)).to_contain_text("set directly")
    screenshot(page, "model")
    second.get_by_role("link", name="classifier v2").click()
    expect(page.locator("h1")).to_contain_text("classifier")
    expect(page.locator(".preview pre.json")).to_contain_text('"weight": 10.0')


def test_a_pickled_value_shows_the_text_recorded_when_it_was_saved(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto(f"/runs/{site.runs['oddities-1']}?step=odd")
    page.locator('.step-panel a[href^="/artifact-versions/"]').first.click()
    preview = page.locator(".preview")
    expect(preview).to_contain_text("The server does not read these files")
    expect(preview.locator("pre.recorded")).to_have_text("Thing(weights=[1, 2, 3])")
    expect(page.locator("section", has_text="Metadata").locator("dl")).to_have_count(0)


def test_schedules_and_templates_page_like_every_list(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(automation, "PAGE_SIZE", 1)
    with signed_in(site, "alice") as alice, site.api("alice") as api:
        for path, plural in (("/schedules", "schedules"), ("/run-templates", "run_templates")):
            names = {item["name"] for item in api.get(f"/api/v1/{plural}").json()["items"]}
            assert len(names) >= 2
            seen: list[str] = []
            for number in range(1, len(names) + 1):
                shown = alice.get(f"{path}?page={number}").text
                assert f"page {number} of {len(names)}" in shown
                assert ('rel="next"' in shown) == (number < len(names))
                assert ('rel="prev"' in shown) == (number > 1)
                seen += [n for n in names if f">{n}<" in shown]
            assert sorted(seen) == sorted(names)  # each on exactly one page


def test_every_form_refuses_a_post_without_its_csrf_token(site: Site) -> None:
    with httpx.Client(base_url=site.url) as browser:
        form = browser.get("/login").text
        refused = browser.post("/login", data={"username": "alice", "password": "x"})
        assert refused.status_code == 403 and "security token" in refused.text
        assert SESSION_COOKIE not in browser.cookies
        forged = browser.post(
            "/login", data={"username": "alice", "password": "x", "csrf": "0" * 32}
        )
        assert forged.status_code == 403
        assert csrf_of(form)
    with signed_in(site, "alice") as alice:
        before = alice.get(f"/run-templates/{site.template_id}").text
        target = f"/run-templates/{site.template_id}/runs"
        refused = alice.post(target, data={"run_name": "forged-run", "param:factor": "3"})
        assert refused.status_code == 403 and "security token" in refused.text
        assert "forged-run" not in alice.get("/runs?name=forged").text
        elsewhere = alice.post(
            target,
            data={"csrf": csrf_of(before), "run_name": "forged-run"},
            headers={"Origin": "https://evil.example"},
        )
        assert elsewhere.status_code == 403 and "evil.example" in elsewhere.text
        out = alice.post("/logout", data={})
        assert out.status_code == 403
        assert alice.get("/runs").status_code == 200  # still signed in
        assert alice.post("/logout", data={"csrf": csrf_of(before)}).status_code == 303
        assert alice.get("/runs").status_code == 303  # signed out


def test_logout_asks_on_get_and_the_header_button_works_from_the_keyboard(
    page: Any, site: Site
) -> None:
    log_in(page, "alice")
    page.goto("/logout")
    expect(page.get_by_role("heading", name="Log out")).to_be_visible()
    page.goto("/runs")  # the visit alone ended nothing
    expect(page).to_have_url(re.compile(r"/runs$"))
    page.goto("/logout")
    page.keyboard.press("Enter")  # the confirm button has the focus: one key
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1"))
    log_in(page, "alice")
    button = page.locator("header").get_by_role("button", name="Log out")
    page.locator("header .brand").focus()
    for _ in range(30):  # Tab through the navigation to the header's button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Log out":
            break
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1"))


def test_the_favicon_is_served_by_the_server(page: Any, site: Site) -> None:
    with httpx.Client(base_url=site.url) as anonymous:
        icon = anonymous.get("/favicon.ico")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    log_in(page, "alice")
    page.goto(f"/runs/{site.runs['diamond']}")
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", re.compile("favicon.ico"))
    page.wait_for_load_state("networkidle")
    assert failed == []


def test_bob_gets_no_page_for_alices_private_secret(site: Site) -> None:
    with site.api("alice") as api:
        (secret,) = api.get("/api/v1/secrets", params={"name": "alice-private"}).json()["items"]
    with signed_in(site, "bob") as bob, signed_in(site, ADMIN, ADMIN_PASSWORD) as admin:
        assert bob.get(f"/secrets/{secret['id']}").status_code == 404
        assert "alice-private" not in bob.get("/secrets").text
        assert bob.get("/users").status_code == 403 and admin.get("/users").status_code == 200
        assert "iris" in bob.get("/models").text  # models are shared, as in the API
