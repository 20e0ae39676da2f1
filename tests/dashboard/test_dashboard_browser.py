"""The dashboard end to end, in headless Chromium against a server holding real runs."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from dashboard_support import (
    ADMIN,
    ADMIN_PASSWORD,
    COMPONENT_SECRET,
    CONNECTOR_SECRET,
    PASSWORD,
    SECRET_VALUE,
    SHARED_VALUE,
    Site,
    log_in,
    screenshot,
    signed_in,
)
from playwright.sync_api import expect

from stackyard.dashboard.session import SESSION_COOKIE


def test_pages_need_a_session_and_the_api_still_needs_a_bearer_token(site: Site) -> None:
    with httpx.Client(base_url=site.url) as anonymous:
        root = anonymous.get("/")
        assert root.status_code == 303 and root.headers["location"] == "/login"
        for path in ("/runs", f"/runs/{site.runs['diamond']}", "/secrets", "/users"):
            response = anonymous.get(path)
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path
        assert anonymous.get("/login").status_code == 200
    token = site.running.token_for("alice")
    with httpx.Client(base_url=site.url, cookies={SESSION_COOKIE: token}) as cookie_only:
        assert cookie_only.get("/runs").status_code == 200
        assert cookie_only.get("/api/v1/pipeline_runs").status_code == 401


def test_log_in_wrong_then_right_and_see_the_runs(page: Any, site: Site) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not her password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("wrong user name or password")
    assert not [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]

    page.get_by_label("Password").fill("user-password-1")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/runs$"))
    (cookie,) = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    for name in ("tune-two", "tune-five"):
        link = page.get_by_role("link", name=name, exact=True)
        expect(link).to_be_visible()
    diamond = site.runs["diamond"]
    assert page.locator(f'a[href="/runs/{diamond}"]').count() == 1
    screenshot(page, "runs")


def test_filter_runs_keeps_the_filter_in_the_url(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.get_by_label("failed", exact=True).check()
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"status=failed"))
    rows = page.locator("#run-rows tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("broken")
    page.goto("/runs?name=tune-")
    expect(page.locator("#run-rows tr")).to_have_count(2)
    page.goto("/runs?pipeline=no-such-pipeline")
    expect(page.get_by_role("alert")).to_contain_text("no-such-pipeline")


def test_a_run_shows_its_dag_and_the_failed_steps_traceback(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto(f"/runs/{site.runs['diamond']}")
    nodes = page.locator("svg.dag .node")
    expect(nodes).to_have_count(4)
    for name in ("load", "summarise", "draw", "report"):
        node = page.locator(f'svg.dag .node[data-step="{name}"]')
        expect(node).to_contain_text(name)
        expect(node).to_contain_text("completed")
    assert page.locator("svg.dag path.edge").count() == 4
    outputs = page.locator('table.steps a[href^="/artifact-versions/"]')
    expect(outputs).to_have_count(4)  # one output per step, linked from the table
    screenshot(page, "run")
    page.locator('svg.dag .node[data-step="load"]').click()
    panel = page.locator('.step-panel[data-step="load"]')
    expect(panel).to_be_visible()
    expect(panel.locator("pre.logs")).to_contain_text("loading 7 rows")

    page.goto(f"/runs/{site.runs['broken']}")
    expect(page.locator('svg.dag .node[data-step="explode"]')).to_contain_text("failed")
    failed = page.locator('.step-panel[data-step="explode"]')
    expect(failed).to_be_hidden()
    page.locator('svg.dag .node[data-step="make"]').focus()
    page.keyboard.press("Tab")  # keyboard only: Tab to the failed step, Enter selects it
    page.keyboard.press("Enter")
    expect(failed).to_be_visible()
    expect(failed.locator(".exception")).to_have_text(
        "ValueError: the data is bad: 42 rows missing"
    )
    expect(failed.locator("pre.traceback")).to_contain_text("Traceback (most recent call last)")
    expect(failed.locator("pre.traceback")).to_contain_text("raise ValueError")


def _version_link(page: Any, name: str) -> str:
    link = page.locator('table.steps a[href^="/artifact-versions/"]', has_text=name)
    href = link.get_attribute("href")
    assert href and href.startswith("/artifact-versions/")
    return str(href)


def test_artifact_versions_are_visualized_by_type(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto(f"/runs/{site.runs['diamond']}")
    links = {name: _version_link(page, name) for name in ("table", "scores", "chart", "report")}

    page.goto(links["table"])
    preview = page.locator(".preview")
    expect(preview.locator("table.schema")).to_contain_text("city")
    expect(preview.locator("table.schema")).to_contain_text("int64")
    expect(preview.locator("table.data tbody tr")).to_have_count(7)
    expect(preview.locator("table.data")).to_contain_text("city-6")
    expect(page.get_by_text("Consumed by")).to_be_visible()
    expect(
        page.locator("section", has_text="Consumed by").get_by_role("link", name="step draw")
    ).to_be_visible()
    page.evaluate("window.scrollTo(0, document.querySelector('.preview').offsetTop - 60)")
    screenshot(page, "artifact-table")

    page.goto(links["chart"])
    image = page.locator("img.artifact-image")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('img.artifact-image').naturalWidth") == 6

    page.goto(links["scores"])
    expect(page.locator(".preview polyline.series")).to_have_count(1)
    expect(page.locator(".preview table.data")).to_contain_text("36.0")

    page.goto(links["report"])
    rendered = page.locator(".preview .rendered")
    expect(rendered.locator("h1")).to_have_text("Weekly report")
    expect(rendered.locator("em")).to_have_text("all good")
    assert rendered.locator("script").count() == 0
    download = page.get_by_role("link", name="the stored files")
    assert download.get_attribute("href", timeout=5000).endswith("/download")
    with httpx.Client(base_url=site.url, cookies=_session(page)) as browserless:
        body = browserless.get(links["report"] + "/download")
        assert body.status_code == 200 and b"# Weekly report" in body.content


def _session(page: Any) -> dict[str, str]:
    return {c["name"]: c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE}


def _after_refresh(page: Any, fragment: str) -> None:
    """Wait for the page's next live refresh (`fragment`: rows or run) to be applied."""
    with page.expect_response(
        lambda r: r.request.headers.get("x-dashboard-fragment") == fragment, timeout=15_000
    ):
        pass
    page.wait_for_timeout(300)  # the script patches the page once the body is read


def _focused(page: Any) -> str:
    return str(page.evaluate("document.activeElement.getAttribute('aria-label') || ''"))


def test_a_triggered_template_run_updates_itself_on_its_page(page: Any, site: Site) -> None:
    """While the run goes on, the page follows it without taking the reader's place:
    keyboard focus on a DAG node or a row's checkbox stays, and the logs grow by
    appending (the same text nodes, the reader's selection intact)."""
    with site.api("alice") as api:
        started = api.post(
            f"/api/v1/run_templates/{site.template_id}/runs",
            json={"parameters": {"factor": 7, "delay": 20.0}, "run_name": "tune-seven"},
        )
    assert started.status_code == 201, started.text
    run = started.json()
    log_in(page, "alice")
    page.goto(f"/runs/{run['id']}")
    status = page.locator("#run-status")
    expect(status).not_to_contain_text("completed")
    expect(page.locator("h1")).to_have_text(run["name"])
    node = page.locator('svg.dag .node[data-step="scale"]')
    node.click()
    logs = page.locator("#step-panel pre.logs")
    expect(logs).to_contain_text("scaling 3 by 7", timeout=30_000)
    expect(logs).to_contain_text("still scaling, 2 s", timeout=15_000)
    page.evaluate(
        """() => {
        const pre = document.querySelector('#step-panel pre.logs');
        window.logsBox = pre;
        window.firstLines = pre.firstChild;
        const range = document.createRange();
        range.setStart(pre.firstChild, 0);
        range.setEnd(pre.firstChild, 7);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
    }"""
    )
    node.focus()
    assert _focused(page).startswith("step scale: running")
    _after_refresh(page, "run")
    _after_refresh(page, "run")
    assert _focused(page).startswith("step scale: "), "the refresh took the focus away"
    expect(logs).to_contain_text("still scaling, 5 s", timeout=15_000)
    kept = page.evaluate(
        """() => [window.logsBox === document.querySelector('#step-panel pre.logs'),
                  window.logsBox.firstChild === window.firstLines,
                  getSelection().toString()]"""
    )
    assert kept == [True, True, "scaling"], kept  # appended to, not rebuilt
    page.goto("/runs")
    row = page.locator("#run-rows tr", has_text=run["name"])
    expect(row).to_contain_text(re.compile("initializing|running"))
    checkbox = page.get_by_label(f"compare {run['name']}", exact=True)
    checkbox.check()
    checkbox.focus()
    _after_refresh(page, "rows")
    assert _focused(page) == f"compare {run['name']}", "the refresh took the focus away"
    expect(checkbox).to_be_checked()
    expect(row).to_contain_text("completed", timeout=60_000)  # the table refreshed itself
    assert _focused(page) == f"compare {run['name']}"
    page.goto(f"/runs/{run['id']}")
    expect(page.locator('svg.dag .node[data-step="scale"]')).to_contain_text("completed")
    expect(page.get_by_role("link", name="tune-again")).to_be_visible()


def test_the_run_button_starts_a_run_of_the_template(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto(f"/run-templates/{site.template_id}")
    page.get_by_label("factor").fill("9")
    page.get_by_label("delay").fill("4")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    run_id = page.url.rsplit("/", 1)[1]
    status = page.locator("#run-status")
    # the page a run opens on shows it unfinished, then the same page shows it done
    expect(status).to_contain_text(re.compile("initializing|running"))
    expect(page.get_by_role("link", name="tune-again")).to_be_visible()
    expect(status).to_contain_text("completed", timeout=60_000)
    expect(page.locator('svg.dag .node[data-step="scale"]')).to_contain_text("completed")
    with site.api("alice") as api:
        recorded = api.get(f"/api/v1/pipeline_runs/{run_id}").json()
    assert recorded["status"] == "completed"
    assert recorded["config"]["parameters"]["factor"] == 9
    page.goto(f"/run-templates/{site.template_id}")
    page.get_by_label("factor").fill('"not a number"')
    page.get_by_label("delay").fill("0")
    page.get_by_role("button", name="Run").click()
    expect(page).to_have_url(re.compile(r"/runs/[0-9a-f-]{36}$"))
    expect(page.locator("#run-status")).to_contain_text("failed", timeout=60_000)


def test_compare_two_runs(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.get_by_label("compare tune-two", exact=True).check()
    page.get_by_label("compare tune-five", exact=True).check()
    page.get_by_role("button", name="Compare selected runs").click()
    expect(page).to_have_url(re.compile(r"/compare\?run="))
    factor = page.locator("tr", has=page.locator("code", has_text=re.compile(r"^factor$")))
    expect(factor).to_have_class(re.compile("differs"))
    expect(factor).to_contain_text("2")
    expect(factor).to_contain_text("5")
    accuracy = page.locator("tr", has_text="scale.accuracy")
    expect(accuracy).to_have_class(re.compile("differs"))
    scaled = page.locator("tr", has_text="scale.scaled")
    expect(scaled).to_have_class(re.compile("differs"))
    same = page.locator("tr", has_text="make.output")
    expect(same).not_to_have_class(re.compile("differs"))
    screenshot(page, "compare")


def test_schedules_toggle_for_their_owner_with_a_csrf_token(page: Any, site: Site) -> None:
    log_in(page, "alice")
    page.goto("/schedules")
    switch = page.get_by_role("switch", name="nightly-tune active")
    expect(switch).to_have_text("on")
    switch.click()
    expect(page.get_by_role("switch", name="nightly-tune active")).to_have_text("off")
    with site.api("alice") as api:
        assert api.get(f"/api/v1/schedules/{site.schedule_id}").json()["active"] is False
    cookies = _session(page)
    with httpx.Client(base_url=site.url, cookies=cookies) as forged:
        target = f"/schedules/{site.schedule_id}/active"
        refused = forged.post(target, data={"active": "true"})
        assert refused.status_code == 403 and "security token" in refused.text
        html = forged.get("/schedules").text
        csrf = html.split('name="csrf" value="')[1].split('"')[0]
        other_site = forged.post(
            target,
            data={"active": "true", "csrf": csrf},
            headers={"Origin": "https://evil.example"},
        )
        assert other_site.status_code == 403 and "evil.example" in other_site.text
    with site.api("alice") as api:
        assert api.get(f"/api/v1/schedules/{site.schedule_id}").json()["active"] is False
    bob = page.context.browser.new_context(base_url=site.url).new_page()
    log_in(bob, "bob")
    bob.goto("/schedules")
    expect(bob.get_by_role("row", name=re.compile("nightly-tune"))).to_contain_text("off")
    expect(bob.get_by_role("switch")).to_have_count(0)  # not bob's schedule
    bob.context.close()


def test_logout_ends_the_session(page: Any, site: Site) -> None:
    log_in(page, "alice")
    stolen = _session(page)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login\?signed_out=1"))
    page.goto("/runs")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    with httpx.Client(base_url=site.url, cookies=stolen) as replay:
        assert replay.get("/runs").status_code == 303  # the old cookie was revoked too


def test_a_non_admin_sees_no_users_page_and_no_private_secret_of_others(
    page: Any, site: Site
) -> None:
    log_in(page, "bob")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    page.goto("/users")
    expect(page.get_by_role("alert")).to_contain_text("only admins")
    page.goto("/secrets")
    expect(page.get_by_role("link", name="team-shared")).to_be_visible()
    expect(page.get_by_text("alice-private")).to_have_count(0)

    admin = page.context.browser.new_context(base_url=site.url).new_page()
    log_in(admin, ADMIN, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Users").click()
    expect(admin.locator("table")).to_contain_text("alice")
    expect(admin.locator("table")).to_contain_text("bob")
    admin.context.close()


def crawl(client: httpx.Client, start: list[str]) -> dict[str, bytes]:
    """Every page reachable from `start` by same-site links, with what its script would
    fetch (step logs, images): URL -> body. No cap: the crawl ends when nothing is new."""
    found: dict[str, bytes] = {}
    queue = list(start)
    while queue:
        url = queue.pop()
        if url in found:
            continue
        response = client.get(url)
        assert response.status_code < 400, (url, response.status_code)
        found[url] = response.content
        if not response.headers.get("content-type", "").startswith("text/html"):
            continue
        html = response.text
        targets = re.findall(r'(?:href|src|data-logs)="([^"#]*)', html)
        for target in targets:
            absolute = urljoin(f"{site_base(client)}{url}", target.replace("&amp;", "&"))
            parts = urlsplit(absolute)
            if parts.netloc != urlsplit(site_base(client)).netloc or not parts.path:
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def site_base(client: httpx.Client) -> str:
    return str(client.base_url).rstrip("/")


SECRETS = (SECRET_VALUE, SHARED_VALUE, CONNECTOR_SECRET, COMPONENT_SECRET)


def test_no_secret_value_in_any_page_or_response(context: Any, page: Any, site: Site) -> None:
    """As alice, bob and an admin: every page reachable from the navigation, each
    step's panel and logs, every image and download, and (in the browser) what the
    pages' scripts fetch; none holds a secret's value."""
    start = ["/runs", "/secrets", "/service-connectors", "/components", "/artifacts", "/models"]
    for who, password in (("alice", PASSWORD), ("bob", PASSWORD), (ADMIN, ADMIN_PASSWORD)):
        with signed_in(site, who, password) as client, site.api(who) as api:
            bodies = crawl(client, start)
            for body in bodies.values():
                for value in SECRETS:
                    assert value.encode() not in body, who
            pages = set(bodies)
            run_ids = [r["id"] for r in api.get("/api/v1/pipeline_runs?size=1000").json()["items"]]
            versions = api.get("/api/v1/artifact_versions?size=1000").json()["items"]
            assert {f"/runs/{i}" for i in run_ids} <= pages, who  # every run was reached
            assert {f"/artifact-versions/{v['id']}" for v in versions} <= pages, who
            assert any("/logs" in url for url in pages) and len(pages) > 100, who

    log_in(page, "alice")
    page.wait_for_load_state("networkidle")
    bodies: list[bytes] = []
    read = len(context.responses)  # the login pages, gone with their navigation

    def drain() -> None:  # bodies must be read before the page navigates away
        nonlocal read
        for response in context.responses[read:]:
            if not 300 <= response.status < 400:
                bodies.append(response.body())
        read = len(context.responses)

    for path in ("/secrets", "/service-connectors", "/components", f"/runs/{site.runs['diamond']}"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        drain()
    page.locator('svg.dag .node[data-step="load"]').click()
    expect(page.locator("#step-panel pre.logs")).to_contain_text("loading 7 rows")
    page.wait_for_load_state("networkidle")
    drain()
    page.goto("/secrets")
    page.wait_for_load_state("networkidle")
    drain()
    page.get_by_role("link", name="alice-private").click()
    expect(page.locator("dl")).to_contain_text("token")
    page.wait_for_load_state("networkidle")
    drain()
    assert any(b"loading 7 rows" in b for b in bodies)  # the logs the script fetched
    for body in bodies:
        for value in SECRETS:
            assert value.encode() not in body


def test_phone_width_dark_scheme_and_page_weight(browser: Any, site: Site) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", base_url=site.url
    )
    sizes: dict[str, int] = {}
    context.on(
        "response",
        lambda r: (
            sizes.__setitem__(r.url, len(r.body()))
            if r.url.split("?")[0].endswith((".js", ".css"))
            else None
        ),
    )
    page = context.new_page()
    log_in(page, "alice")
    page.goto(f"/runs/{site.runs['diamond']}")
    expect(page.locator("svg.dag .node")).to_have_count(4)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 18, 23)"
    screenshot(page, "run-phone-dark")
    assert sizes and sum(sizes.values()) < 300 * 1024, sizes
    context.close()
