"""Batched reads the pages share: related rows by id, one query per resource, never per row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from stackyard.server.files import ServerFiles
from stackyard.store.sql.store import SqlStore

Row = dict[str, Any]


def rows_by_id(store: SqlStore, kind: str, ids: Iterable[Any]) -> dict[UUID, Row]:
    """The rows of `kind` with these ids (those the viewer may see), keyed by id."""
    wanted = sorted({UUID(str(i)) for i in ids if i is not None}, key=str)
    found: dict[UUID, Row] = {}
    for start in range(0, len(wanted), 500):  # keeps IN lists well under every driver's limit
        chunk = wanted[start : start + 500]
        page = store.list_rows(kind, id=chunk, size=len(chunk))
        found.update({row["id"]: row for row in page.items})
    return found


def one(store: SqlStore, kind: str, entity_id: Any) -> Row:
    """One row by id, or EntityNotFoundError (also for ids the viewer may not see)."""
    from stackyard.exceptions import EntityNotFoundError
    from stackyard.store.sql.filters import coerce

    key = coerce("id", "uuid", entity_id)
    row = rows_by_id(store, kind, [key]).get(key)
    if row is None:
        raise EntityNotFoundError(f"no {kind.replace('_', ' ')} with id {entity_id}")
    return row


def artifact_roots(
    store: SqlStore, stack_id: Any | None, component_id: Any | None = None
) -> list[str]:
    """Root paths of the artifact store `component_id` (the one a version records), else
    of the artifact store of `stack_id`, else of every artifact store (an old version
    saved outside a run)."""
    if component_id is not None:
        component = rows_by_id(store, "stack_component", [component_id]).get(
            UUID(str(component_id))
        )
        return [str(component["configuration"].get("path", ""))] if component else []
    if stack_id is not None:
        stack = rows_by_id(store, "stack", [stack_id]).get(UUID(str(stack_id)))
        if stack is not None:
            ids = stack["component_ids"].get("artifact_store", [])
            components = rows_by_id(store, "stack_component", ids).values()
            return [str(c["configuration"].get("path", "")) for c in components]
    page = store.list_rows("stack_component", type="artifact_store", size=1000)
    return [str(c["configuration"].get("path", "")) for c in page.items]


def readable_roots(files: ServerFiles, store: SqlStore, roots: list[str]) -> list[str]:
    """Those of `roots` the server reads files under (`stackyard.server.files`);
    NotPreviewable, saying why, when none is."""
    from stackyard.dashboard.preview import NotPreviewable
    from stackyard.exceptions import AuthorizationError

    try:
        return files.readable(store, roots)
    except AuthorizationError as exc:
        raise NotPreviewable(exc.message) from None


__all__ = ["artifact_roots", "one", "readable_roots", "rows_by_id"]
