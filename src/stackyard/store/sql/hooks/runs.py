"""Runs, step runs and run metadata: lineage links and clean deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import EntityNotFoundError, InputError
from stackyard.models.spec import MODULES, shape_for
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.filters import Condition
from stackyard.store.sql.hooks.base import Hooks, Row, ids_of, placeholders
from stackyard.store.sql.store import SqlStore

if TYPE_CHECKING:
    from pydantic import BaseModel


class CodeReferenceHooks(Hooks):
    """Snapshots and runs: the code reference's repository as its own (filterable) column."""

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        ref = values.get("code_reference")
        if ref is not None:
            values["code_repository_id"] = ref.code_repository_id


class PipelineRunHooks(CodeReferenceHooks):
    def before_delete(self, store: SqlStore, tx: Transaction, row: Row) -> None:
        q = store.db.q
        steps = [
            str(r[0])
            for r in tx.fetchall(
                f"SELECT {q('id')} FROM {q('run_steps')} WHERE {q('pipeline_run_id')} = ?",
                [str(row["id"])],
            )
        ]
        store.delete_attached(tx, "run_step", steps)


def _write_links(
    store: SqlStore, tx: Transaction, step_id: UUID, kind: str, links: dict[str, UUID]
) -> None:
    q = store.db.q
    tx.execute(
        f"DELETE FROM {q('step_run_artifacts')} WHERE {q('step_run_id')} = ? AND {q('kind')} = ?",
        [str(step_id), kind],
    )
    tx.executemany(
        f"INSERT INTO {q('step_run_artifacts')} ({q('step_run_id')}, {q('kind')}, {q('name')}, "
        f"{q('artifact_version_id')}) VALUES (?, ?, ?, ?)",
        [(str(step_id), kind, name, str(version)) for name, version in links.items()],
    )


class StepRunHooks(Hooks):
    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        for kind in ("input", "output"):
            links: dict[str, UUID] = getattr(request, f"{kind}s", {}) or {}
            if links:
                _write_links(store, tx, row["id"], kind, links)

    def after_update(self, store: SqlStore, tx: Transaction, row: Row, update: BaseModel) -> None:
        outputs = getattr(update, "outputs", None)
        if outputs is not None:
            _write_links(store, tx, row["id"], "output", outputs)

    def hydrate(self, store: SqlStore, tx: Transaction, rows: list[Row], single: bool) -> None:
        q = store.db.q
        by_id = {str(r["id"]): r for r in rows}
        for row in rows:
            row["input_ids"], row["output_ids"] = {}, {}
        if not rows:
            return
        for step_id, kind, name, version in tx.fetchall(
            f"SELECT {q('step_run_id')}, {q('kind')}, {q('name')}, {q('artifact_version_id')} "
            f"FROM {q('step_run_artifacts')} WHERE {q('step_run_id')} IN "
            f"({placeholders(ids_of(rows))}) ORDER BY {q('name')}",
            ids_of(rows),
        ):
            by_id[str(step_id)][f"{kind}_ids"][name] = UUID(str(version))

    def filter_sql(self, store: SqlStore, condition: Condition) -> tuple[str, list[Any]]:
        """`input_artifact_version_id`: the step runs that consumed an artifact version."""
        q = store.db.q
        if condition.op not in ("equals", "notequals", "oneof"):
            raise InputError(
                f"operator {condition.op!r} does not apply to filter {condition.field!r}; "
                "use one of: equals, notequals, oneof"
            )
        values = condition.value if condition.op == "oneof" else [condition.value]
        if not values:
            return "1=0", []
        negate = "NOT " if condition.op == "notequals" else ""
        return (
            f"{q('id')} {negate}IN (SELECT {q('step_run_id')} FROM {q('step_run_artifacts')} "
            f"WHERE {q('kind')} = ? AND {q('artifact_version_id')} IN ({placeholders(values)}))",
            ["input", *(str(v) for v in values)],
        )


class RunMetadataHooks(Hooks):
    """One request may carry several keys: the first is the row, the rest follow it."""

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        resource_type = values["resource_type"]
        if resource_type not in MODULES or not shape_for(resource_type).has_metadata:
            choices = [n for n in MODULES if shape_for(n).has_metadata]
            raise InputError(
                f"metadata cannot be attached to {resource_type!r}; choose one of: "
                + ", ".join(choices)
            )
        spec = shape_for(resource_type)
        if not tx.fetchone(
            f"SELECT 1 FROM {store.db.q(spec.table)} WHERE {store.db.q('id')} = ?",
            [str(values["resource_id"])],
        ):
            raise EntityNotFoundError(f"no {resource_type} with id {values['resource_id']}")
        items: dict[str, Any] = getattr(request, "values", {})
        if not items:
            raise InputError("log_metadata needs at least one key and value")
        first, *rest = items.items()
        values["key"], values["value"] = first
        values["_rest"] = rest

    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        from uuid import uuid4

        for key, value in row.pop("_rest", []):
            store.insert_row(
                tx,
                shape_for("run_metadata"),
                {
                    **{k: v for k, v in row.items() if not k.startswith("_")},
                    "id": uuid4(),
                    "key": key,
                    "value": value,
                },
            )


HOOKS = {
    "snapshot": CodeReferenceHooks(),
    "pipeline_run": PipelineRunHooks(),
    "run_step": StepRunHooks(),
    "run_metadata": RunMetadataHooks(),
}
