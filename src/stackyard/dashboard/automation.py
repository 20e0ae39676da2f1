"""Schedules (with their on/off switch) and run templates (with their Run button).

Both change things, so both are POST forms carrying the session's CSRF token
(checked by `Pages.wrap` before these handlers run). A template run starts through
`stackyard.pipelines.trigger.start_template_run`, the path the REST API's
`POST /api/v1/run_templates/{id}/runs` takes, as the signed-in user.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import RedirectResponse, Response

from stackyard.dashboard.lookups import Row, one, rows_by_id
from stackyard.dashboard.web import Page
from stackyard.exceptions import IllegalOperationError, InputError, StackyardError

PAGE_SIZE = 50  # as every other list page


def _may_change(page: Page, row: Row) -> bool:
    user = page.viewer.user
    return bool(user.is_admin or row.get("user_id") == user.id)


def schedules_page(page: Page) -> Response:
    store = page.store
    found = store.list_rows("schedule", page=page.page_number(), size=PAGE_SIZE)
    pipelines = rows_by_id(store, "pipeline", (s["pipeline_id"] for s in found.items))
    templates = rows_by_id(store, "run_template", (s["template_id"] for s in found.items))
    users = rows_by_id(store, "user", (s["user_id"] for s in found.items))
    schedules = [
        {
            **s,
            "pipeline": pipelines.get(s["pipeline_id"]),
            "template": templates.get(s["template_id"]),
            "owner": users.get(s["user_id"]),
            "may_change": _may_change(page, s),
        }
        for s in found.items
    ]
    return page.render("schedules.html", title="Schedules", schedules=schedules, found=found)


def toggle_schedule(page: Page) -> Response:
    schedule = one(page.store, "schedule", page.param("schedule_id"))
    wanted = page.field("active")
    if wanted not in ("true", "false"):
        raise InputError(f"active must be true or false, got {wanted!r}")
    page.store.update("schedule", schedule["id"], {"active": wanted == "true"})
    return RedirectResponse("/schedules", status_code=303)


def templates_page(page: Page) -> Response:
    store = page.store
    found = store.list_rows(
        "run_template", sort_by="desc:created", page=page.page_number(), size=PAGE_SIZE
    )
    pipelines = rows_by_id(store, "pipeline", (t["pipeline_id"] for t in found.items))
    return page.render("templates.html", title="Run templates", found=found, pipelines=pipelines)


def _template_view(page: Page, template_id: Any) -> dict[str, Any]:
    store = page.store
    template = one(store, "run_template", template_id)
    snapshot = rows_by_id(store, "snapshot", [template["snapshot_id"]]).get(template["snapshot_id"])
    configuration = (snapshot or {}).get("pipeline_configuration") or {}
    parameters = configuration.get("parameters", {}) or {}
    recorded_name = str(configuration.get("run_name") or "")
    # a fixed name (no placeholder) was taken by the template's own run: offer a fresh one
    run_name = (
        recorded_name
        if "{" in recorded_name or not recorded_name
        else (recorded_name + "-{date}-{time}")
    )
    runs = store.list_rows("pipeline_run", template_id=template["id"], size=10).items
    from stackyard.dashboard.runs import decorate

    return {
        "title": f"Run template {template['name']}",
        "template": template,
        "pipeline": rows_by_id(store, "pipeline", [template["pipeline_id"]]).get(
            template["pipeline_id"]
        ),
        "parameters": {k: json.dumps(v) for k, v in parameters.items()},
        "recorded_name": recorded_name,
        "run_name": run_name,
        "runs": decorate(page, runs),
        "error": None,
    }


def template_page(page: Page) -> Response:
    return page.render("template.html", **_template_view(page, page.param("template_id")))


def _parse(text: str) -> Any:
    """A parameter as typed: JSON when it parses (3, true, [1, 2], "x"), else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def run_template(page: Page) -> Response:
    from stackyard.pipelines.trigger import start_template_run

    view = _template_view(page, page.param("template_id"))
    parameters = {}
    for name, current in view["parameters"].items():
        given = page.field(f"param:{name}", current)
        view["parameters"][name] = given
        if given != current:
            parameters[name] = _parse(given)
    configuration: dict[str, Any] = {"parameters": parameters}
    view["run_name"] = page.field("run_name", view["run_name"]).strip()
    if view["run_name"] and view["run_name"] != view["recorded_name"]:
        configuration["run_name"] = view["run_name"]
    try:
        run = start_template_run(page.store, view["template"]["id"], configuration)
    except (InputError, IllegalOperationError) as exc:
        view["error"] = exc.message
        return page.render("template.html", exc.status_code, **view)
    except StackyardError as exc:
        view["error"] = f"the run could not start: {exc.message}"
        return page.render("template.html", 500, **view)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)
