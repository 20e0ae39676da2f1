"""Artifacts, their versions, lineage both ways, previews and downloads."""

from __future__ import annotations

import io
import zipfile
from urllib.parse import quote

from starlette.responses import Response

from stackyard.dashboard import preview
from stackyard.dashboard.lookups import Row, artifact_roots, one, readable_roots, rows_by_id
from stackyard.dashboard.web import Page
from stackyard.exceptions import EntityNotFoundError

DOWNLOAD_LIMIT = 256 * 1024 * 1024


def artifacts_page(page: Page) -> Response:
    store = page.store
    name = page.query("name")
    filters = {"name": f"contains:{name}"} if name else {}
    found = store.list_rows(
        "artifact", sort_by="desc:created", page=page.page_number(), size=50, **filters
    )
    ids = [a["id"] for a in found.items]
    counts = {
        g["artifact_id"]: g
        for g in (
            store.summarize("artifact_version", ["artifact_id"], artifact_id=ids) if ids else []
        )
    }
    return page.render("artifacts.html", title="Artifacts", found=found, counts=counts, name=name)


def artifact_page(page: Page) -> Response:
    store = page.store
    artifact = one(store, "artifact", page.param("artifact_id"))
    found = store.list_rows(
        "artifact_version",
        artifact_id=artifact["id"],
        sort_by="desc:number",
        page=page.page_number(),
        size=50,
    )
    producers = rows_by_id(store, "run_step", (v["producer_step_run_id"] for v in found.items))
    return page.render(
        "artifact.html",
        title=f"Artifact {artifact['name']}",
        artifact=artifact,
        found=found,
        producers=producers,
    )


def _roots(page: Page, version: Row) -> tuple[list[str], Row | None, Row | None]:
    """The root of the artifact store that holds `version` (`_readable` says whether the
    server reads under it), its producer step and run."""
    store = page.store
    producer = (
        rows_by_id(store, "run_step", [version["producer_step_run_id"]]).get(
            version["producer_step_run_id"]
        )
        if version["producer_step_run_id"]
        else None
    )
    run = (
        rows_by_id(store, "pipeline_run", [producer["pipeline_run_id"]]).get(
            producer["pipeline_run_id"]
        )
        if producer
        else None
    )
    roots = artifact_roots(store, run["stack_id"] if run else None, version["artifact_store_id"])
    return roots, producer, run


def _readable(page: Page, roots: list[str]) -> list[str]:
    return readable_roots(page.ctx.files, page.store, roots)


def version_page(page: Page) -> Response:
    store = page.store
    version = one(store, "artifact_version", page.param("version_id"))
    artifact = one(store, "artifact", version["artifact_id"])
    roots, producer, producer_run = _roots(page, version)
    consumers = store.list_rows(
        "run_step", input_artifact_version_id=version["id"], size=200, sort_by="desc:created"
    )
    consumer_runs = rows_by_id(
        store, "pipeline_run", (s["pipeline_run_id"] for s in consumers.items)
    )
    try:
        shown = preview.preview(version, _readable(page, roots))
    except preview.NotPreviewable as exc:
        shown = preview.Preview("none", reason=str(exc))
    metadata = dict(version["run_metadata"] or {})
    # the text the saving process recorded for files the server does not read (a pickle)
    recorded = metadata.get("preview") if shown.kind == "none" else None
    if isinstance(recorded, str):
        metadata.pop("preview")
    else:
        recorded = None
    return page.render(
        "version.html",
        title=f"{version['name']} version {version['version']}",
        version=version,
        artifact=artifact,
        producer=producer,
        producer_run=producer_run,
        consumers=consumers,
        consumer_runs=consumer_runs,
        preview=shown,
        recorded=recorded,
        metadata=metadata,
    )


def version_content(page: Page) -> Response:
    """An image version's bytes, for its <img>; nothing else is served inline."""
    version = one(page.store, "artifact_version", page.param("version_id"))
    roots, _, _ = _roots(page, version)
    try:
        data, media_type = preview.image_bytes(version, _readable(page, roots))
    except preview.NotPreviewable as exc:
        raise EntityNotFoundError(
            f"artifact version {version['id']} has no image to show: {exc}"
        ) from None
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Security-Policy": "default-src 'none'; sandbox"},
    )


def version_download(page: Page) -> Response:
    """The stored files: the file itself when there is one, else a zip of them all."""
    version = one(page.store, "artifact_version", page.param("version_id"))
    roots, _, _ = _roots(page, version)
    base = f"{version['name']}-{version['version']}".replace("/", "_").replace(":", "_")
    try:
        roots = _readable(page, roots)
        files = preview.stored_files(str(version["uri"]), roots)
        if len(files) == 1:
            name, uri = files[0]
            body = preview.read_bytes(uri, roots, DOWNLOAD_LIMIT)
            filename = f"{base}-{name.rsplit('/', 1)[-1]}"
            media_type = "application/octet-stream"
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for name, uri in files:
                    archive.writestr(name, preview.read_bytes(uri, roots, DOWNLOAD_LIMIT))
            body, filename, media_type = buffer.getvalue(), f"{base}.zip", "application/zip"
    except preview.NotPreviewable as exc:
        raise EntityNotFoundError(
            f"artifact version {version['id']} cannot be downloaded: {exc}"
        ) from None
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})
