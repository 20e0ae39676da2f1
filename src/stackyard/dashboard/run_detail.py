"""One run: its DAG, steps, timeline and provenance, and each step's logs.

Everything the page shows is read in a fixed number of queries whatever the
number of steps: the run, its steps (with their input and output links), the
artifact versions those links name, the original step runs of cached steps, the
snapshot (the DAG), and one row each for pipeline, stack, user, template,
schedule, build and code repository.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from starlette.responses import Response

from stackyard.dashboard import dag
from stackyard.dashboard.lookups import Row, artifact_roots, one, readable_roots, rows_by_id
from stackyard.dashboard.preview import NotPreviewable, check_inside
from stackyard.dashboard.web import LIVE_STATUSES, Page, seconds_between
from stackyard.exceptions import EntityNotFoundError, InputError
from stackyard.store.sql.filters import coerce

LOG_TAIL = 256 * 1024


def _exception_line(traceback_text: str | None) -> str:
    """The last line of a traceback: `ValueError: bad input`."""
    lines = [line for line in (traceback_text or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


def _graph(
    spec: dict[str, Any], steps: dict[str, Row]
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Step names in execution order and (upstream, downstream, artifact) links."""
    declared: dict[str, Any] = spec.get("steps") or {}
    names = list(declared) + [n for n in steps if n not in declared]
    links: list[tuple[str, str, str]] = []
    for name, info in declared.items():
        data_from = set()
        for argument, source in (info.get("inputs") or {}).items():
            links.append((source["step"], name, str(source.get("output") or argument)))
            data_from.add(source["step"])
        for upstream in info.get("upstream") or []:
            if upstream not in data_from:
                links.append((upstream, name, ""))
    return names, links


def _timeline(run: Row, steps: list[Row]) -> list[dict[str, Any]]:
    """Each step's bar as fractions (0..1000) of the run's span."""
    starts = [s["start_time"] for s in steps if s["start_time"] is not None]
    if not starts:
        return []
    begin = min([*starts, run["start_time"]] if run["start_time"] else starts)
    ends = [seconds_between(begin, s["end_time"]) or 0.0 for s in steps if s["start_time"]]
    span = max([*ends, 0.001])
    bars = []
    for step in steps:
        if step["start_time"] is None:
            continue
        offset = seconds_between(begin, step["start_time"]) or 0.0
        length = step["seconds"] or 0.0
        bars.append(
            {
                "step": step,
                "x": round(offset / span * 1000, 1),
                "width": max(2.0, round(length / span * 1000, 1)),
            }
        )
    return bars


def run_page(page: Page) -> Response:
    """The run; `?step=<name>` also shows that step's details (the page's script asks
    for just that panel when a step is selected)."""
    store = page.store
    run = one(store, "pipeline_run", page.param("run_id"))
    steps = store.list_rows(
        "run_step", pipeline_run_id=run["id"], size=10_000, sort_by="created"
    ).items
    by_name = {s["name"]: s for s in steps}
    snapshot = (
        rows_by_id(store, "snapshot", [run["snapshot_id"]]).get(run["snapshot_id"])
        if run["snapshot_id"]
        else None
    )
    names, links = _graph(snapshot["pipeline_spec"] if snapshot else {}, by_name)
    selected = page.query("step") or None
    if selected is not None and selected not in names:
        raise EntityNotFoundError(
            f"run {run['name']!r} has no step {selected!r}; its steps: {', '.join(names)}"
        )
    live = str(run["status"]) in LIVE_STATUSES
    pending = "pending" if live else "not run"
    node_status = {n: str(by_name[n]["status"]) if n in by_name else pending for n in names}
    values: dict[str, Any] = dict(
        run=run,
        by_name=by_name,
        names=names,
        node_status=node_status,
        live=live,
        selected=selected,
    )
    for step in steps:
        step["seconds"] = seconds_between(step["start_time"], step["end_time"])
        step["live"] = str(step["status"]) in LIVE_STATUSES
    chosen = by_name.get(selected) if selected else None
    if chosen is not None:  # only the chosen step's panel names its artifact versions
        wanted = [*chosen["input_ids"].values(), *chosen["output_ids"].values()]
        versions = rows_by_id(store, "artifact_version", wanted)
        chosen["inputs"] = {n: versions.get(i) for n, i in chosen["input_ids"].items()}
        chosen["outputs"] = {n: versions.get(i) for n, i in chosen["output_ids"].items()}
        chosen["exception"] = _exception_line(chosen["error"])
        original = chosen["original_step_run_id"]
        chosen["original"] = rows_by_id(store, "run_step", [original]).get(original)
    if page.fragment == "step":
        return page.render("step_panel.html", **values)
    related = {
        kind: rows_by_id(store, kind, [run[f"{key}_id"]]).get(run[f"{key}_id"])
        if run[f"{key}_id"]
        else None
        for kind, key in (
            ("pipeline", "pipeline"),
            ("stack", "stack"),
            ("user", "user"),
            ("run_template", "template"),
            ("schedule", "schedule"),
            ("build", "build"),
            ("code_repository", "code_repository"),
        )
    }
    values.update(
        title=f"Run {run['name']}",
        layout=dag.layout(names, links),
        node_w=dag.NODE_W,
        node_h=dag.NODE_H,
        timeline=_timeline(run, steps),
        related=related,
        seconds=seconds_between(run["start_time"], run["end_time"]),
        parameters=(run["config"] or {}).get("parameters", {}),
    )
    if page.fragment == "run":
        return page.render("run_live.html", **values)
    return page.render("run.html", **values)


def step_logs(page: Page) -> Response:
    """A step's logs as plain text, from byte `?offset=` on (the page polls it while the
    step runs and appends what is new, so a reader's place and selection stay put).

    Headers: `X-Step-Status`; `X-Log-Start`, the byte offset the text starts at (not the
    one asked for when more than `LOG_TAIL` is new: then the page replaces what it
    shows); `X-Log-Next`, the offset to ask for next.
    """
    store = page.store
    step_id = coerce("id", "uuid", page.param("step_id"))
    step = one(store, "run_step", step_id)
    try:
        offset = max(0, int(page.query("offset") or 0))
    except ValueError:
        raise InputError(f"offset {page.query('offset')!r} is not a whole number") from None
    text, start, following = "", 0, 0
    uri = step["logs_uri"]
    if uri:
        run = one(store, "pipeline_run", step["pipeline_run_id"])
        try:
            stack_roots = artifact_roots(store, run["stack_id"]) if run["stack_id"] else []
            roots = readable_roots(page.ctx.files, store, stack_roots)
            check_inside(str(uri), roots)
            text, start, following = _read_from(str(uri), offset)
        except NotPreviewable as exc:
            text = f"[the logs cannot be shown: {exc}]"
    headers = {
        "X-Step-Status": str(step["status"]),
        "X-Log-Start": str(start),
        "X-Log-Next": str(following),
    }
    return Response(text, media_type="text/plain; charset=utf-8", headers=headers)


def _read_from(uri: str, offset: int) -> tuple[str, int, int]:
    """(text, its start, the next offset) of the log file from `offset` on: at most its
    last LOG_TAIL bytes, and only whole UTF-8 characters (a half-written one is read
    next time). The file only grows, but the step rewrites it whole as it goes: shorter
    than `offset` means caught mid-rewrite, so nothing is new yet."""
    import codecs

    from stackyard.artifacts import fs

    try:
        with fs.open_uri(uri, "rb") as handle:
            size = handle.seek(0, 2)
            if size < offset:
                return "", offset, offset
            start = max(offset, size - LOG_TAIL)
            handle.seek(start)
            data = bytes(handle.read(size - start))
    except FileNotFoundError:
        return "", 0, 0
    except OSError as exc:
        raise NotPreviewable(f"the server cannot read {uri}: {exc}") from None
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    text = decoder.decode(data, final=False)
    following = start + len(data) - len(decoder.getstate()[0])
    if start and start != offset:  # not a continuation: the text begins mid-file
        text = "[... earlier lines cut ...]\n" + text
    return text, start, following


def step_redirect(page: Page) -> Response:
    """`/run-steps/<id>`: the step, selected on its run's page."""
    from urllib.parse import quote

    from starlette.responses import RedirectResponse

    step = one(page.store, "run_step", page.param("step_id"))
    target = f"/runs/{step['pipeline_run_id']}?step={quote(str(step['name']))}"
    return RedirectResponse(target, status_code=303)


__all__ = ["UUID", "run_page", "step_logs", "step_redirect"]
