"""Pipelines, stacks, components, flavors, secrets, connectors, code repositories,
builds and users: a table of each and a page for one.

Lists read plain rows, a page at a time; related names come in one query per
resource. Secrets are read as rows only, which never carry their values, and
configurations show secret fields masked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from stackyard.dashboard.lookups import Row, one, rows_by_id
from stackyard.dashboard.runs import decorate
from stackyard.dashboard.views import (
    Cell,
    Section,
    Table,
    as_json,
    code,
    link,
    masked,
    when,
)
from stackyard.dashboard.web import Page
from stackyard.exceptions import AuthorizationError

PAGE_SIZE = 50


def list_page(
    page: Page,
    kind: str,
    title: str,
    headers: list[str],
    row: Callable[[Row, dict[str, Any]], list[Cell]],
    extra: Callable[[list[Row]], dict[str, Any]] | None = None,
    **filters: Any,
) -> Response:
    """A page of `kind` as a table, `?name=` filtering by name: `row` makes a row's
    cells from the entity and a context holding `users` (their owners) and whatever
    `extra` reads for the whole page at once."""
    name = page.query("name")
    if name:
        filters["name"] = f"contains:{name}"
    found = page.store.list_rows(kind, page=page.page_number(), size=PAGE_SIZE, **filters)
    context = extra(found.items) if extra else {}
    users = rows_by_id(page.store, "user", (r.get("user_id") for r in found.items))
    context["users"] = users
    table = Table(headers, [row(r, context) for r in found.items], f"No {title.lower()} yet.")
    return page.render(
        "table.html", title=title, table=table, found=found, name=name, searchable=True
    )


def owner_cell(row: Row, context: dict[str, Any]) -> Cell:
    """The name of the entity's owner (from the context `list_page` hands out)."""
    user = context["users"].get(row.get("user_id"))
    return Cell(user["name"] if user else "—", kind="text" if user else "muted")


def _detail(page: Page, title: str, sections: list[Section], **values: Any) -> Response:
    return page.render("detail.html", title=title, sections=sections, **values)


# -- pipelines ------------------------------------------------------------------------------
def _run_stats(page: Page, pipeline_ids: list[Any]) -> dict[Any, dict[str, Any]]:
    stats: dict[Any, dict[str, Any]] = {}
    if not pipeline_ids:
        return stats
    for group in page.store.summarize(
        "pipeline_run", ["pipeline_id", "status"], pipeline_id=pipeline_ids
    ):
        entry = stats.setdefault(
            group["pipeline_id"], {"total": 0, "ok": 0, "finished": 0, "last": None, "by": {}}
        )
        entry["total"] += group["count"]
        entry["by"][group["status"]] = group["count"]
        if group["status"] in ("completed", "cached"):
            entry["ok"] += group["count"]
        if group["status"] in ("completed", "cached", "failed", "stopped"):
            entry["finished"] += group["count"]
        if entry["last"] is None or (
            group["last_created"] and group["last_created"] > entry["last"]
        ):
            entry["last"] = group["last_created"]
    for entry in stats.values():
        entry["rate"] = round(100 * entry["ok"] / entry["finished"]) if entry["finished"] else None
    return stats


def pipelines_page(page: Page) -> Response:
    def row(p: Row, ctx: dict[str, Any]) -> list[Cell]:
        s = ctx["stats"].get(p["id"], {"total": 0, "rate": None, "last": None})
        rate = f"{s['rate']}%" if s["rate"] is not None else "—"
        return [
            link(p["name"], f"/pipelines/{p['id']}"),
            link(s["total"], f"/runs?pipeline={p['id']}"),
            Cell(rate, kind="rate" if s["rate"] is not None else "muted"),
            when(s["last"]),
            owner_cell(p, ctx),
        ]

    return list_page(
        page,
        "pipeline",
        "Pipelines",
        ["Name", "Runs", "Success rate", "Last run", "Owner"],
        row,
        lambda items: {"stats": _run_stats(page, [p["id"] for p in items])},
    )


CHART_W, CHART_H, CHART_PAD = 1000, 150, 24  # the plot area, in SVG units


def _time_label(moment: datetime, span: float) -> str:
    """A tick label as precise as the chart's time span needs."""
    if span >= 2 * 86400:
        return f"{moment:%Y-%m-%d}"
    if span >= 3600:
        return f"{moment:%m-%d %H:%M}"
    if span >= 60:
        return f"{moment:%H:%M:%S}"
    return f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}"


def runs_over_time(runs: list[Row]) -> dict[str, Any]:
    """The runs as dots: x their start time (created, if not started), y their duration;
    five time ticks under them. Gaps and bursts show as gaps and bursts."""
    if not runs:
        return {"dots": [], "ticks": [], "longest": 0.0}
    times: list[datetime] = [(r["start_time"] or r["created"]).astimezone(UTC) for r in runs]
    first, last = min(times), max(times)
    span = (last - first).total_seconds()
    width = CHART_W - 2 * CHART_PAD
    longest = max([r["seconds"] or 0.0 for r in runs] + [0.001])

    def x_of(moment: datetime) -> float:
        if span <= 0:
            return CHART_W / 2
        return round(CHART_PAD + (moment - first).total_seconds() / span * width, 1)

    dots = [
        {
            "run": run,
            "at": moment,
            "x": x_of(moment),
            "y": round(CHART_PAD / 2 + CHART_H * (1 - (run["seconds"] or 0.0) / longest), 1),
        }
        for run, moment in zip(runs, times, strict=True)
    ]
    steps = 4 if span > 0 else 0
    ticks: list[dict[str, Any]] = []
    for index in range(steps + 1):
        moment = first + (last - first) * (index / steps if steps else 0)
        label = _time_label(moment, span)
        if not ticks or ticks[-1]["label"] != label:
            ticks.append({"x": x_of(moment), "label": label})
    return {"dots": dots, "ticks": ticks, "longest": longest}


def pipeline_page(page: Page) -> Response:
    store = page.store
    pipeline = one(store, "pipeline", page.param("pipeline_id"))
    stats = _run_stats(page, [pipeline["id"]]).get(pipeline["id"])
    recent = store.list_rows("pipeline_run", pipeline_id=pipeline["id"], size=100).items
    runs = decorate(page, recent)
    return page.render(
        "pipeline.html",
        title=f"Pipeline {pipeline['name']}",
        pipeline=pipeline,
        stats=stats,
        runs=runs[:10],
        last=runs[0] if runs else None,
        chart=runs_over_time(runs),
        chart_w=CHART_W,
        chart_h=CHART_H + CHART_PAD * 2,
    )


# -- stacks and components ---------------------------------------------------------------------
def stacks_page(page: Page) -> Response:
    def row(s: Row, ctx: dict[str, Any]) -> list[Cell]:
        parts = [
            f"{t}: {ctx['components'][i]['name']}"
            for t, ids in s["component_ids"].items()
            for i in ids
            if i in ctx["components"]
        ]
        return [link(s["name"], f"/stacks/{s['id']}"), Cell(", ".join(parts)), owner_cell(s, ctx)]

    def extra(items: list[Row]) -> dict[str, Any]:
        ids = [i for s in items for group in s["component_ids"].values() for i in group]
        return {"components": rows_by_id(page.store, "stack_component", ids)}

    return list_page(page, "stack", "Stacks", ["Name", "Components", "Owner"], row, extra)


def _flavor_schemas(page: Page, components: list[Row]) -> dict[tuple[str, str], dict[str, Any]]:
    names = sorted({str(c["flavor"]) for c in components})
    if not names:
        return {}
    flavors = page.store.list_rows("flavor", name=names, size=1000).items
    return {(str(f["type"]), str(f["name"])): f["config_schema"] or {} for f in flavors}


def _component_config(
    component: Row, schemas: dict[tuple[str, str], dict[str, Any]]
) -> dict[str, Any]:
    schema = schemas.get((str(component["type"]), str(component["flavor"])), {})
    return masked(component["configuration"] or {}, schema)


def stack_page(page: Page) -> Response:
    stack = one(page.store, "stack", page.param("stack_id"))
    ids = [i for group in stack["component_ids"].values() for i in group]
    components = list(rows_by_id(page.store, "stack_component", ids).values())
    schemas = _flavor_schemas(page, components)
    table = Table(
        ["Type", "Name", "Flavor", "Configuration"],
        [
            [
                Cell(c["type"]),
                link(c["name"], f"/components/{c['id']}"),
                link(c["flavor"], f"/flavors?name={c['flavor']}"),
                as_json(_component_config(c, schemas)),
            ]
            for c in sorted(components, key=lambda c: str(c["type"]))
        ],
    )
    fields = [
        ("Description", Cell(stack["description"] or "—")),
        ("Created", when(stack["created"])),
        ("Runs", link("runs on this stack", f"/runs?stack={stack['id']}")),
    ]
    return _detail(
        page,
        f"Stack {stack['name']}",
        [Section("Stack", fields), Section("Components", table=table)],
    )


def components_page(page: Page) -> Response:
    def row(c: Row, ctx: dict[str, Any]) -> list[Cell]:
        return [
            link(c["name"], f"/components/{c['id']}"),
            Cell(c["type"]),
            Cell(c["flavor"]),
            as_json(_component_config(c, ctx["schemas"])),
            owner_cell(c, ctx),
        ]

    kind = page.query("type")
    filters = {"type": kind} if kind else {}
    return list_page(
        page,
        "stack_component",
        "Components",
        ["Name", "Type", "Flavor", "Configuration", "Owner"],
        row,
        lambda items: {"schemas": _flavor_schemas(page, items)},
        **filters,
    )


def component_page(page: Page) -> Response:
    component = one(page.store, "stack_component", page.param("component_id"))
    schemas = _flavor_schemas(page, [component])
    stacks = page.store.list_rows("stack", component_id=component["id"], size=200).items
    fields = [
        ("Type", Cell(component["type"])),
        ("Flavor", link(component["flavor"], f"/flavors?name={component['flavor']}")),
        ("Created", when(component["created"])),
        ("Configuration", as_json(_component_config(component, schemas))),
        (
            "In stacks",
            Cell(", ".join(s["name"] for s in stacks) or "none"),
        ),
    ]
    return _detail(page, f"Component {component['name']}", [Section("Component", fields)])


def flavors_page(page: Page) -> Response:
    def row(f: Row, ctx: dict[str, Any]) -> list[Cell]:
        return [
            link(f["name"], f"/flavors/{f['id']}"),
            Cell(f["type"]),
            Cell(f["integration"]),
            code(f["source"]),
            Cell("custom" if f["is_custom"] else "built in"),
        ]

    return list_page(
        page, "flavor", "Flavors", ["Name", "Type", "Integration", "Source", "Kind"], row
    )


def flavor_page(page: Page) -> Response:
    flavor = one(page.store, "flavor", page.param("flavor_id"))
    schema = flavor["config_schema"] or {}
    required = set(schema.get("required", []))
    table = Table(
        ["Field", "Type", "Required", "Description"],
        [
            [
                code(name),
                Cell(
                    prop.get("type")
                    or " | ".join(str(o.get("type")) for o in prop.get("anyOf", []))
                ),
                Cell("yes" if name in required else "no"),
                Cell(prop.get("description", "")),
            ]
            for name, prop in (schema.get("properties") or {}).items()
        ],
        "This flavor takes no configuration.",
    )
    fields = [
        ("Type", Cell(flavor["type"])),
        ("Integration", Cell(flavor["integration"])),
        ("Source", code(flavor["source"])),
        ("Custom", Cell("yes" if flavor["is_custom"] else "no (built in)")),
    ]
    return _detail(
        page,
        f"Flavor {flavor['name']}",
        [Section("Flavor", fields), Section("Configuration", table=table)],
    )


# -- secrets and connectors ------------------------------------------------------------------------
def secrets_page(page: Page) -> Response:
    def row(s: Row, ctx: dict[str, Any]) -> list[Cell]:
        return [
            link(s["name"], f"/secrets/{s['id']}"),
            Cell(", ".join(s["keys"]) or "—"),
            Cell("private" if s["private"] else "shared"),
            owner_cell(s, ctx),
        ]

    return list_page(page, "secret", "Secrets", ["Name", "Keys", "Visibility", "Owner"], row)


def secret_page(page: Page) -> Response:
    secret = one(page.store, "secret", page.param("secret_id"))  # a row: never the values
    owner = rows_by_id(page.store, "user", [secret["user_id"]]).get(secret["user_id"])
    fields = [
        ("Keys", Cell(", ".join(secret["keys"]) or "none")),
        ("Visibility", Cell("private (only its owner sees it)" if secret["private"] else "shared")),
        ("Owner", Cell(owner["name"] if owner else "—")),
        ("Created", when(secret["created"])),
        ("Updated", when(secret["updated"])),
        ("Values", Cell("never shown here: read them with `stackyard secret get`", kind="muted")),
    ]
    return _detail(page, f"Secret {secret['name']}", [Section("Secret", fields)])


def connectors_page(page: Page) -> Response:
    def row(c: Row, ctx: dict[str, Any]) -> list[Cell]:
        return [
            link(c["name"], f"/service-connectors/{c['id']}"),
            Cell(c["connector_type"]),
            Cell(c["auth_method"]),
            Cell(", ".join(c["resource_types"])),
            Cell(c["resource_id"] or "—"),
            owner_cell(c, ctx),
        ]

    return list_page(
        page,
        "service_connector",
        "Service connectors",
        ["Name", "Type", "Auth method", "Resource types", "Resource", "Owner"],
        row,
    )


def connector_page(page: Page) -> Response:
    connector = one(page.store, "service_connector", page.param("connector_id"))
    fields = [
        ("Type", Cell(connector["connector_type"])),
        ("Auth method", Cell(connector["auth_method"])),
        ("Resource types", Cell(", ".join(connector["resource_types"]))),
        ("Resource", Cell(connector["resource_id"] or "—")),
        ("Expires", when(connector["expires_at"])),
        ("Configuration", as_json(masked(connector["configuration"] or {}))),
        ("Description", Cell(connector["description"] or "—")),
    ]
    return _detail(page, f"Service connector {connector['name']}", [Section("Connector", fields)])


# -- code, builds, users ---------------------------------------------------------------------------
def repositories_page(page: Page) -> Response:
    def row(r: Row, ctx: dict[str, Any]) -> list[Cell]:
        return [
            link(r["name"], f"/code-repositories/{r['id']}"),
            Cell(r["source"]),
            as_json(masked(r["config"] or {})),
            owner_cell(r, ctx),
        ]

    return list_page(
        page, "code_repository", "Code repositories", ["Name", "Source", "Config", "Owner"], row
    )


def repository_page(page: Page) -> Response:
    repo = one(page.store, "code_repository", page.param("repository_id"))
    fields = [
        ("Source", Cell(repo["source"])),
        ("Config", as_json(masked(repo["config"] or {}))),
        ("Description", Cell(repo["description"] or "—")),
        ("Created", when(repo["created"])),
    ]
    return _detail(page, f"Code repository {repo['name']}", [Section("Repository", fields)])


def builds_page(page: Page) -> Response:
    def row(b: Row, ctx: dict[str, Any]) -> list[Cell]:
        pipeline = ctx["pipelines"].get(b["pipeline_id"])
        return [
            link(str(b["id"])[:8], f"/builds/{b['id']}"),
            Cell(pipeline["name"] if pipeline else "—"),
            code(b["checksum"][:12]),
            Cell(len(b["images"])),
            Cell(b["python_version"]),
            when(b["created"]),
        ]

    def extra(items: list[Row]) -> dict[str, Any]:
        return {"pipelines": rows_by_id(page.store, "pipeline", (b["pipeline_id"] for b in items))}

    return list_page(
        page,
        "build",
        "Builds",
        ["Build", "Pipeline", "Checksum", "Images", "Python", "Created"],
        row,
        extra,
    )


def build_page(page: Page) -> Response:
    build = one(page.store, "build", page.param("build_id"))
    fields = [
        ("Checksum", code(build["checksum"])),
        ("Python", Cell(build["python_version"])),
        ("Local", Cell("yes" if build["is_local"] else "no")),
        ("Contains code", Cell("yes" if build["contains_code"] else "no")),
        ("Images", as_json(build["images"])),
        ("Created", when(build["created"])),
    ]
    sections = [Section("Build", fields)]
    if build["dockerfile"]:
        sections.append(Section("Dockerfile", [("", code(build["dockerfile"]))]))
    return _detail(page, f"Build {str(build['id'])[:8]}", sections)


def users_page(page: Page) -> Response:
    if not page.viewer.user.is_admin:
        raise AuthorizationError("only admins see the users page")

    def row(u: Row, ctx: dict[str, Any]) -> list[Cell]:
        return [
            Cell(u["name"]),
            Cell(u["full_name"] or "—"),
            Cell(u["email"] or "—"),
            Cell("admin" if u["is_admin"] else "user"),
            Cell("service account" if u["is_service_account"] else "person"),
            Cell(
                "active" if u["active"] else "deactivated", kind="text" if u["active"] else "muted"
            ),
        ]

    return list_page(
        page, "user", "Users", ["Name", "Full name", "Email", "Role", "Kind", "State"], row
    )
