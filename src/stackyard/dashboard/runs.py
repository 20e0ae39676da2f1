"""The runs table and the comparison of runs.

The table takes the Client's filters from the query string (so a filtered view is a
link to share) and reads plain rows: one page query plus one query per related
resource (pipelines, stacks, users), whatever the page size.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from starlette.responses import Response

from stackyard.dashboard.lookups import Row, rows_by_id
from stackyard.dashboard.web import LIVE_STATUSES, Page, seconds_between
from stackyard.exceptions import EntityNotFoundError, InputError
from stackyard.models.enums import ExecutionStatus
from stackyard.store.base import RowPage

STATUSES = [s.value for s in ExecutionStatus]
SORTS = {
    "created": "Created",
    "start_time": "Started",
    "end_time": "Ended",
    "name": "Name",
    "status": "Status",
}
SIZES = (10, 25, 50, 100)


def _int(value: str, default: int, what: str) -> int:
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a whole number") from None


def _time(value: str, what: str) -> str:
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise InputError(
            f"{what} {value!r} is not a date or time such as 2026-01-31 or 2026-01-31T12:00"
        ) from None


def run_filters(page: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the form's values as given, the store filters they mean)."""
    params = page.request.query_params
    form: dict[str, Any] = {
        "status": [s for s in params.getlist("status") if s],
        **{k: page.query(k) for k in ("pipeline", "stack", "user", "name", "since", "until")},
    }
    filters: dict[str, Any] = {}
    unknown = [s for s in form["status"] if s not in STATUSES]
    if unknown:
        raise InputError(f"unknown status {', '.join(unknown)}; choose from {', '.join(STATUSES)}")
    if form["status"]:
        filters["status"] = form["status"]
    for relation in ("pipeline", "stack", "user"):
        if form[relation]:
            filters[relation] = form[relation]
    if form["name"]:
        filters["name"] = f"contains:{form['name']}"
    if form["since"]:
        filters["start_time"] = "gte:" + _time(form["since"], "started after")
    if form["until"]:
        filters["end_time"] = "lte:" + _time(form["until"], "ended before")
    return form, filters


def decorate(page: Page, rows: list[Row]) -> list[Row]:
    """Runs with the names of their pipeline, stack and user, and their duration."""
    store = page.store
    pipelines = rows_by_id(store, "pipeline", (r["pipeline_id"] for r in rows))
    stacks = rows_by_id(store, "stack", (r["stack_id"] for r in rows))
    users = rows_by_id(store, "user", (r["user_id"] for r in rows))
    out = []
    for run in rows:
        out.append(
            {
                **run,
                "pipeline": pipelines.get(run["pipeline_id"]),
                "stack": stacks.get(run["stack_id"]),
                "user": users.get(run["user_id"]),
                "seconds": seconds_between(run["start_time"], run["end_time"]),
                "live": str(run["status"]) in LIVE_STATUSES,
            }
        )
    return out


def runs_page(page: Page) -> Response:
    params = page.request.query_params
    sort = params.get("sort", "created")
    order = params.get("order", "desc")
    if sort not in SORTS or order not in ("asc", "desc"):
        raise InputError(
            f"cannot sort runs by {order}:{sort}; fields: {', '.join(SORTS)}, order asc or desc"
        )
    error = None
    form: dict[str, Any] = {"status": []}
    size = _int(page.query("size"), 25, "page size")
    number = _int(page.query("page"), 1, "page")
    try:
        form, filters = run_filters(page)
        found = page.store.list_rows(
            "pipeline_run", sort_by=f"{order}:{sort}", page=number, size=size, **filters
        )
    except (InputError, EntityNotFoundError) as exc:
        error = exc.message
        found = RowPage(1, max(1, min(size, 100)), 0, [])
    runs = decorate(page, found.items)
    query = {**form, "sort": sort, "order": order, "size": size}
    values = dict(
        title="Runs",
        runs=runs,
        found=found,
        form=form,
        query=query,
        sort=sort,
        order=order,
        sorts=SORTS,
        statuses=STATUSES,
        sizes=SIZES,
        error=error,
        choices=_choices(page),
    )
    if page.fragment == "rows":
        return page.render("runs_rows.html", **values)
    return page.render("runs.html", **values)


def _choices(page: Page) -> dict[str, list[str]]:
    """Names offered by the filter inputs (any id, name or prefix is accepted too)."""
    return {
        kind: [str(r["name"]) for r in page.store.list_rows(kind, size=200).items]
        for kind in ("pipeline", "stack", "user")
    }


def compare_page(page: Page) -> Response:
    """Two or more runs side by side: parameters, metadata, and which outputs differ."""
    store = page.store
    ids: list[UUID] = []
    for value in page.request.query_params.getlist("run"):
        try:
            ids.append(UUID(value))
        except ValueError:
            raise InputError(f"run {value!r} is not a run id") from None
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise InputError("pick at least two runs to compare (tick them in the runs table)")
    found = rows_by_id(store, "pipeline_run", ids)
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise EntityNotFoundError(f"no pipeline run with id {', '.join(missing)}")
    runs = decorate(page, [found[i] for i in ids])
    steps = store.list_rows("run_step", pipeline_run_id=ids, size=10_000, sort_by="created").items
    by_run: dict[UUID, dict[str, Row]] = {i: {} for i in ids}
    for step in steps:
        by_run[step["pipeline_run_id"]][step["name"]] = step
    versions = rows_by_id(
        store, "artifact_version", (v for s in steps for v in s["output_ids"].values())
    )

    def table(cells: dict[str, list[Any]]) -> list[tuple[str, list[Any], bool]]:
        return [
            (key, values, len({_key(v) for v in values}) > 1)
            for key, values in sorted(cells.items())
        ]

    parameters: dict[str, list[Any]] = {}
    metadata: dict[str, list[Any]] = {}
    outputs: dict[str, list[Any]] = {}
    for index, run in enumerate(runs):
        run_steps = by_run[run["id"]]
        sources: list[tuple[str, dict[str, Any]]] = [
            ("", run["config"].get("parameters", {}) or {})
        ]
        sources += [(f"{n}.", s["parameters"] or {}) for n, s in run_steps.items()]
        for prefix, values in sources:
            for key, value in values.items():
                parameters.setdefault(prefix + key, [None] * len(runs))[index] = value
        meta_sources: list[tuple[str, dict[str, Any]]] = [("", run["run_metadata"] or {})]
        meta_sources += [(f"{n}.", s["run_metadata"] or {}) for n, s in run_steps.items()]
        for prefix, values in meta_sources:
            for key, value in values.items():
                metadata.setdefault(prefix + key, [None] * len(runs))[index] = value
        for name, step in run_steps.items():
            for output, version_id in step["output_ids"].items():
                version = versions.get(version_id)
                outputs.setdefault(f"{name}.{output}", [None] * len(runs))[index] = version
    return page.render(
        "compare.html",
        title="Compare runs",
        runs=runs,
        parameters=table(parameters),
        metadata=table(metadata),
        outputs=[
            (key, values, len({_output_key(v) for v in values}) > 1)
            for key, values in sorted(outputs.items())
        ],
    )


def _key(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=str)


def _output_key(version: Row | None) -> str:
    """Outputs are equal when their content is (by hash), else when they are one version."""
    if version is None:
        return "-"
    return str(version.get("content_hash") or version["id"])
