"""Tags and run metadata: facts attached to entities of any resource.

They live in two shared tables keyed by (resource_type, resource_id), so any
resource can be tagged or carry metadata without columns of its own; lists
load them for a whole page in one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from stackyard.models.binding import utcnow
from stackyard.models.spec import Shape
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.decoding import json_from_text
from stackyard.store.sql.hooks.base import Row, placeholders

if TYPE_CHECKING:
    from stackyard.store.sql.store import SqlStore


def set_tags(
    store: SqlStore,
    tx: Transaction,
    spec: Shape,
    entity_id: UUID,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
) -> None:
    """Attach tags by name (creating them on first use) and detach others."""
    q = store.db.q
    select_tag = f"SELECT {q('id')} FROM {q('tags')} WHERE {q('name')} = ?"
    for name in dict.fromkeys(add):
        tag = tx.fetchone(select_tag, [name])
        if tag is None:
            # two writers may create the same tag at once: the second one's insert
            # does nothing, and both then use the tag that exists
            now = store.db.encode("datetime", utcnow())
            tx.execute(
                store.db.insert_ignoring_duplicates(
                    "tags", ("id", "created", "updated", "user_id", "name", "color")
                ),
                [str(uuid4()), now, now, str(store.current_user().id), name, "grey"],
            )
            tag = tx.fetchone(select_tag, [name])
            assert tag is not None, f"tag {name!r} neither inserted nor found"
        tag_id = tag[0]
        if not tx.fetchone(
            f"SELECT 1 FROM {q('tag_assignments')} WHERE {q('tag_id')} = ? AND "
            f"{q('resource_type')} = ? AND {q('resource_id')} = ?",
            [tag_id, spec.name, str(entity_id)],
        ):
            tx.execute(
                f"INSERT INTO {q('tag_assignments')} ({q('tag_id')}, "
                f"{q('resource_type')}, {q('resource_id')}) VALUES (?, ?, ?)",
                [tag_id, spec.name, str(entity_id)],
            )
    for name in remove:
        tx.execute(
            f"DELETE FROM {q('tag_assignments')} WHERE {q('resource_type')} = ? AND "
            f"{q('resource_id')} = ? AND {q('tag_id')} IN (SELECT {q('id')} FROM "
            f"{q('tags')} WHERE {q('name')} = ?)",
            [spec.name, str(entity_id), name],
        )


def hydrate_tags(store: SqlStore, spec: Shape, tx: Transaction, by_id: dict[str, Row]) -> None:
    """Each row's tag names (`by_id`: the rows by their id as stored)."""
    for row in by_id.values():
        row["tags"] = []
    if not by_id:
        return
    q = store.db.q
    for rid, name in tx.fetchall(
        f"SELECT a.{q('resource_id')}, t.{q('name')} FROM {q('tag_assignments')} a JOIN "
        f"{q('tags')} t ON t.{q('id')} = a.{q('tag_id')} WHERE a.{q('resource_type')} = ? "
        f"AND a.{q('resource_id')} IN ({placeholders(by_id)}) ORDER BY t.{q('name')}",
        [spec.name, *by_id],
    ):
        by_id[str(rid)]["tags"].append(name)


def hydrate_metadata(store: SqlStore, spec: Shape, tx: Transaction, by_id: dict[str, Row]) -> None:
    """Each row's run metadata (`by_id`: the rows by their id as stored)."""
    for row in by_id.values():
        row["run_metadata"] = {}
    if not by_id:
        return
    q = store.db.q
    for rid, key, value in tx.fetchall(
        f"SELECT {q('resource_id')}, {q('key')}, {q('value')} FROM {q('run_metadata')} "
        f"WHERE {q('resource_type')} = ? AND {q('resource_id')} IN ({placeholders(by_id)}) "
        f"ORDER BY {q('created')}, {q('id')}",
        [spec.name, *by_id],
    ):
        by_id[str(rid)]["run_metadata"][key] = json_from_text(value)
