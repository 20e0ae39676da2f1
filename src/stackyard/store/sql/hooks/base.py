"""The places where a resource's own rules plug into the generic SQL path."""

from __future__ import annotations

from collections.abc import Sized
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel

    from stackyard.store.sql.db import Transaction
    from stackyard.store.sql.filters import Condition
    from stackyard.store.sql.store import SqlStore

Row = dict[str, Any]


class Hooks:
    """Default behaviour: none. A resource overrides only what it needs."""

    # Retry the whole create when a unique key races (e.g. artifact version numbers).
    retry_on_conflict: bool = False

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        """Validate and complete the row about to be inserted (mutate `values`)."""

    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        """Write what lives outside the row: links, secrets, children."""

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        """Validate the changes about to be applied (mutate `changes`)."""

    def after_update(self, store: SqlStore, tx: Transaction, row: Row, update: BaseModel) -> None:
        """Rewrite what lives outside the row."""

    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        """Refuse the deletion (IllegalOperationError) or clean up dependants; `force`
        (the caller's `delete(..., force=True)`) asks to remove dependants a plain
        delete refuses to (a model's versions)."""

    def hydrate(self, store: SqlStore, tx: Transaction, rows: list[Row], single: bool) -> None:
        """Fill computed fields for a batch of rows in a few queries (never one per row).
        `single`: the row was asked for by itself (get, find), not listed or written."""

    def refresh(self, store: SqlStore, rows: list[Row]) -> bool:
        """After a read: bring what `rows` show up to date (e.g. fail runs whose process
        died); True when something changed and the read must be repeated."""
        return False

    def filter_sql(self, store: SqlStore, condition: Condition) -> tuple[str, list[Any]]:
        """SQL for a filter the resource declared in `extra_filters`."""
        raise NotImplementedError(condition.field)


def ids_of(rows: list[Row]) -> list[str]:
    return [str(r["id"]) for r in rows]


def placeholders(values: Sized) -> str:
    return ", ".join("?" * len(values))
