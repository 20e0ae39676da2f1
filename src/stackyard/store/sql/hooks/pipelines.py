"""Pipelines, snapshots, runs and step runs: where code may come from, heartbeats and
stops, lineage links and clean deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import InputError
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus, StackComponentType
from stackyard.models.recorded_code import (
    archive_digest,
    check_commit,
    check_source,
    check_source_path,
    check_subdirectory,
)
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.filters import Condition
from stackyard.store.sql.hooks.base import Hooks, Row, ids_of, placeholders
from stackyard.store.sql.runs import START_GRACE, UNFINISHED, end_steps, is_stale, reap
from stackyard.store.sql.store import SqlStore
from stackyard.utils.uris import is_inside

if TYPE_CHECKING:
    from pydantic import BaseModel


def stack_artifact_root(store: SqlStore, tx: Transaction, stack_id: Any) -> str | None:
    """The path of the artifact store in stack `stack_id` (a secret reference resolved
    as the component's owner may)."""
    from stackyard.store.sql.hooks.secrets import resolved_text

    q = store.db.q
    found = tx.fetchone(
        f"SELECT c.{q('configuration')}, c.{q('user_id')} FROM {q('stack_compositions')} s "
        f"JOIN {q('stack_components')} c ON c.{q('id')} = s.{q('component_id')} "
        f"WHERE s.{q('stack_id')} = ? AND c.{q('type')} = ?",
        [str(stack_id), StackComponentType.ARTIFACT_STORE.value],
    )
    if found is None:
        return None
    path = resolved_text(store, tx, (store.db.decode("json", found[0]) or {}).get("path"), found[1])
    return path if isinstance(path, str) else None


class CodeReferenceHooks(Hooks):
    """Snapshots and runs: where their code is must have exactly the shape stackyard
    records (see `stackyard.models.recorded_code`), since a worker later acts on it;
    the code reference's repository is its own (filterable) column."""

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        ref = values.get("code_reference")
        if ref is not None:
            check_commit(ref.commit)
            if ref.subdirectory:
                check_subdirectory(ref.subdirectory)
            values["code_repository_id"] = ref.code_repository_id
        if values.get("source"):
            check_source(values["source"])
        source_path = (values.get("pipeline_spec") or {}).get("source_path")
        if source_path is not None:
            check_source_path(str(source_path))
        if values.get("code_path"):
            root = stack_artifact_root(store, tx, values.get("stack_id"))
            if root is None:
                raise InputError("a code_path needs a stack with an artifact store to hold it")
            try:
                archive_digest(values["code_path"], root)
            except InputError:  # said again without the root: it may come from a secret
                raise InputError(
                    f"code_path {values['code_path']!r} is not a code archive of its stack's "
                    "artifact store (<artifact store path>/code/<sha256>.tar.gz)"
                ) from None


class PipelineRunHooks(CodeReferenceHooks):
    """Runs also live by their heartbeats (see `stackyard.store.sql.runs`)."""

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        super().before_create(store, tx, values, request)
        if ExecutionStatus(values["status"]).value in UNFINISHED:
            values["heartbeat_deadline"] = utcnow() + START_GRACE

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        status = changes.get("status")
        if status is not None and ExecutionStatus(status).is_finished:
            changes.setdefault("end_time", utcnow())
            if status == ExecutionStatus.STOPPED and row["status"] in UNFINISHED:
                changes.setdefault("status_reason", f"stopped by {store.current_user().name}")

    def after_update(self, store: SqlStore, tx: Transaction, row: Row, update: BaseModel) -> None:
        if getattr(update, "status", None) == ExecutionStatus.STOPPED:
            end_steps(store, tx, row["id"], ExecutionStatus.STOPPED, "the run was stopped")

    def refresh(self, store: SqlStore, rows: list[Row]) -> bool:
        now = utcnow()
        return any(is_stale(r, now) for r in rows) and bool(reap(store))

    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
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
    store: SqlStore,
    tx: Transaction,
    step_id: UUID,
    kind: str,
    links: dict[str, UUID],
    *,
    replace: bool,
) -> None:
    """A step run's inputs or outputs; `replace`: instead of the ones it had."""
    q = store.db.q
    if replace:
        tx.execute(
            f"DELETE FROM {q('step_run_artifacts')} WHERE {q('step_run_id')} = ? "
            f"AND {q('kind')} = ?",
            [str(step_id), kind],
        )
    tx.executemany(
        f"INSERT INTO {q('step_run_artifacts')} ({q('step_run_id')}, {q('kind')}, {q('name')}, "
        f"{q('artifact_version_id')}) VALUES (?, ?, ?, ?)",
        [(str(step_id), kind, name, str(version)) for name, version in links.items()],
    )


def check_logs_uri(store: SqlStore, tx: Transaction, run_id: Any, uri: str | None) -> None:
    """A step's logs lie inside the artifact store of its run's stack: the dashboard
    and clients read them from there, never from anywhere a record says."""
    if uri is None:
        return
    q = store.db.q
    stack_id = tx.scalar(
        f"SELECT {q('stack_id')} FROM {q('pipeline_runs')} WHERE {q('id')} = ?", [str(run_id)]
    )
    root = stack_artifact_root(store, tx, stack_id) if stack_id is not None else None
    if root is None or not is_inside(uri, root):
        raise InputError(
            f"logs_uri {uri!r} is not inside the artifact store of its run's stack: a step's "
            "logs are written there (<artifact store path>/<pipeline>/<run id>/logs/...)"
        )


class RunStepHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        check_logs_uri(store, tx, values["pipeline_run_id"], values.get("logs_uri"))

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        if "logs_uri" in changes:
            check_logs_uri(store, tx, row["pipeline_run_id"], changes["logs_uri"])

    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        for kind in ("input", "output"):
            links: dict[str, UUID] = getattr(request, f"{kind}s", {}) or {}
            if links:
                _write_links(store, tx, row["id"], kind, links, replace=False)

    def after_update(self, store: SqlStore, tx: Transaction, row: Row, update: BaseModel) -> None:
        for kind in ("input", "output"):
            links: dict[str, UUID] | None = getattr(update, f"{kind}s", None)
            if links is not None:
                _write_links(store, tx, row["id"], kind, links, replace=True)

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


HOOKS = {
    "snapshot": CodeReferenceHooks(),
    "pipeline_run": PipelineRunHooks(),
    "run_step": RunStepHooks(),
}
