"""The runs table and the comparison of runs.

The table takes the Client's filters from the query string (so a filtered view is a
link to share) and reads plain rows: one page query plus one query per related
resource (pipelines, stacks, users), whatever the page size.
"""

from __future__ import annotations

from datetime import UTC, datetime
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


FILTER_FIELDS = ("pipeline", "stack", "user", "name", "since", "until")


def _int(value: str, default: int, what: str) -> int:
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a whole number") from None


def _time(value: str, what: str) -> datetime:
    """A time from the form, in UTC: the form's times are UTC (the table shows UTC), and
    one with an offset (`2026-01-31T12:00+02:00`, from a shared link) is converted."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{what} {value!r} is not a date or time in UTC such as 2026-01-31 or 2026-01-31T12:00"
        ) from None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def run_form(page: Page) -> dict[str, Any]:
    """The filter form's values as given: shown again as typed, even the wrong ones."""
    params = page.request.query_params
    return {
        "status": [s for s in params.getlist("status") if s],
        **{k: page.query(k) for k in FILTER_FIELDS},
    }


def run_filters(form: dict[str, Any]) -> dict[str, Any]:
    """The store filters the form means (InputError names a value that means nothing);
    times are normalised in `form` so the datetime inputs can show them."""
    filters: dict[str, Any] = {}
    unknown = [s for s in form["status"] if s not in STATUSES]
    if unknown:
        raise InputError(
            f"unknown status {', '.join(map(repr, unknown))}; choose from {', '.join(STATUSES)}"
        )
    if form["status"]:
        filters["status"] = form["status"]
    for relation in ("pipeline", "stack", "user"):
        if form[relation]:
            filters[relation] = form[relation]
    if form["name"]:
        filters["name"] = f"contains:{form['name']}"
    for key, field, op, what in (
        ("since", "start_time", "gte", "started after"),
        ("until", "end_time", "lte", "ended before"),
    ):
        if form[key]:
            moment = _time(form[key], what)
            form[key] = moment.isoformat(timespec="seconds" if moment.second else "minutes")
            filters[field] = f"{op}:{moment.isoformat()}"
    return filters


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
    """The runs table. A value in the URL that means nothing (a status, a time, a sort
    field, a page) re-shows the page with an error naming it: links get shared and
    edited, and a broken one should say what to fix."""
    form = run_form(page)
    errors: list[str] = []
    status = 200
    sort, order = page.query("sort") or "created", page.query("order") or "desc"
    if sort not in SORTS or order not in ("asc", "desc"):
        errors.append(
            f"cannot sort runs by {sort!r} in order {order!r}; sort by one of "
            f"{', '.join(SORTS)}, in order asc or desc"
        )
        sort, order = "created", "desc"
    try:
        size = _int(page.query("size"), 25, "page size")
        if not 1 <= size <= max(SIZES):
            raise InputError(f"page size {size} is out of range: use 1 to {max(SIZES)}")
        number = _int(page.query("page"), 1, "page")
    except InputError as exc:
        errors.append(exc.message)
        size, number = 25, 1
    found = RowPage(1, size, 0, [])
    try:
        filters = run_filters(form)
        found = page.store.list_rows(
            "pipeline_run", sort_by=f"{order}:{sort}", page=number, size=size, **filters
        )
    except InputError as exc:
        errors.append(exc.message)
    except EntityNotFoundError as exc:  # a pipeline, stack or user that does not exist
        errors.append(exc.message)
        status = 404
    if errors and status == 200:
        status = 400
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
        error="; ".join(errors) or None,
        choices=_choices(page),
    )
    if page.fragment == "rows":
        return page.render("runs_rows.html", status, **values)
    return page.render("runs.html", status, **values)


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
