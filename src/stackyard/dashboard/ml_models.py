"""Models and their versions: a table of models, and a page for one with its versions.

Read only (stages change through the Client, the CLI or the API). The list reads a
page of models and one grouped count of their versions per stage; a model's page
reads a page of its versions and, for all of them at once, their artifact and run
links, the linked artifact versions and runs, and the users in their stage history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from starlette.responses import Response

from stackyard.dashboard.lookups import Row, one, rows_by_id
from stackyard.dashboard.resources import list_page, owner_cell
from stackyard.dashboard.views import Cell, link
from stackyard.dashboard.web import Page
from stackyard.models.enums import EXCLUSIVE_STAGES, ModelStage

VERSIONS_PER_PAGE = 20
LINKS_LIMIT = 10_000  # links of one page of versions, read at once
ORDER = [s.value for s in (ModelStage.PRODUCTION, ModelStage.STAGING, ModelStage.ARCHIVED)]
# the model card: what a model's page shows of it when set
CARD = ("description", "license", "audience", "use_cases", "limitations", "trade_offs", "ethics")


def _stages(groups: list[Row]) -> dict[Any, dict[str, Any]]:
    """Per model: versions, the highest number, and who holds which stage, from the
    grouped count of versions by (model, stage); a stage one version at a time may
    hold is held by the highest number in its group, its only member."""
    found: dict[Any, dict[str, Any]] = {}
    for group in groups:
        entry = found.setdefault(group["model_id"], {"count": 0, "latest": 0, "held": {}})
        entry["count"] += group["count"]
        entry["latest"] = max(entry["latest"], group["highest_number"] or 0)
        stage = group["stage"]
        if stage in EXCLUSIVE_STAGES:
            entry["held"][str(stage)] = f"v{group['highest_number']}"
        elif stage is not None:
            entry["held"][str(stage)] = f"{group['count']} version" + "s" * (group["count"] != 1)
    return found


def models_page(page: Page) -> Response:
    def row(model: Row, ctx: dict[str, Any]) -> list[Cell]:
        info = ctx["stages"].get(model["id"], {"count": 0, "latest": 0, "held": {}})
        href = f"/models/{model['id']}"
        held = [f"{stage}: {info['held'][stage]}" for stage in ORDER if stage in info["held"]]
        return [
            link(model["name"], href),
            link(f"v{info['latest']}", f"{href}#version-{info['latest']}")
            if info["latest"]
            else Cell("none yet", kind="muted"),
            Cell(info["count"]),
            Cell(", ".join(held) or "none", kind="text" if held else "muted"),
            Cell(model["license"] or "—"),
            Cell(", ".join(model["tags"]) or "—"),
            owner_cell(model, ctx),
        ]

    def extra(items: list[Row]) -> dict[str, Any]:
        ids = [m["id"] for m in items]
        groups = (
            page.store.summarize(
                "model_version", ["model_id", "stage"], highest=["number"], model_id=ids
            )
            if ids
            else []
        )
        return {"stages": _stages(groups)}

    return list_page(
        page,
        "model",
        "Models",
        ["Name", "Latest version", "Versions", "Stages held", "License", "Tags", "Owner"],
        row,
        extra,
    )


def model_page(page: Page) -> Response:
    store = page.store
    model = one(store, "model", page.param("model_id"))
    found = store.list_rows(
        "model_version",
        model_id=model["id"],
        sort_by="desc:number",
        page=page.page_number(),
        size=VERSIONS_PER_PAGE,
    )
    ids = [v["id"] for v in found.items]
    artifact_links = run_links = []
    if ids:
        artifact_links = store.list_rows(
            "model_version_artifact_link",
            model_version_id=ids,
            sort_by="created",
            size=LINKS_LIMIT,
        ).items
        run_links = store.list_rows(
            "model_version_pipeline_run_link",
            model_version_id=ids,
            sort_by="created",
            size=LINKS_LIMIT,
        ).items
    artifacts = rows_by_id(
        store, "artifact_version", (a["artifact_version_id"] for a in artifact_links)
    )
    runs = rows_by_id(store, "pipeline_run", (r["pipeline_run_id"] for r in run_links))
    changed_by = (_uuid(c.get("user_id")) for v in found.items for c in v["stage_history"] or [])
    users = rows_by_id(store, "user", [model["user_id"], *changed_by])
    versions = []
    for version in found.items:
        mine = [a for a in artifact_links if a["model_version_id"] == version["id"]]
        versions.append(
            {
                **version,
                "model_artifacts": _linked(mine, artifacts, model=True),
                "deployment_artifacts": _linked(mine, artifacts, deployment=True),
                "data_artifacts": _linked(mine, artifacts),
                "runs": [
                    runs[r["pipeline_run_id"]]
                    for r in run_links
                    if r["model_version_id"] == version["id"] and r["pipeline_run_id"] in runs
                ],
                "history": [_change(c, users) for c in reversed(version["stage_history"] or [])],
            }
        )
    card = {key.replace("_", " ").capitalize(): model[key] for key in CARD if model[key]}
    return page.render(
        "model.html",
        title=f"Model {model['name']}",
        model=model,
        owner=users.get(model["user_id"]),
        card=card,
        found=found,
        versions=versions,
    )


def _linked(
    links: list[Row], artifacts: dict[Any, Row], *, model: bool = False, deployment: bool = False
) -> list[Row]:
    """The artifact versions of one kind of link that the viewer can see, oldest first."""
    return [
        artifacts[a["artifact_version_id"]]
        for a in links
        if a["is_model_artifact"] == model
        and a["is_deployment_artifact"] == deployment
        and a["artifact_version_id"] in artifacts
    ]


def _change(change: dict[str, Any], users: dict[UUID, Row]) -> dict[str, Any]:
    """A stage change as stored (JSON: text times and ids) with its time and user."""
    who = _uuid(change.get("user_id"))
    moment = change.get("time")
    return {
        **change,
        "time": datetime.fromisoformat(moment) if isinstance(moment, str) else moment,
        "who": users.get(who) if who else None,
    }


def _uuid(value: Any) -> UUID | None:
    """A user id as stored in a stage change (text), as the keys of `rows_by_id`."""
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


__all__ = ["model_page", "models_page"]
