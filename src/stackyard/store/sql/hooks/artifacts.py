"""Artifact versions: numbered 1, 2, 3... per artifact, without gaps or duplicates.

The number is the current maximum plus one, taken inside the insert's own
transaction while holding a row lock on the artifact (PostgreSQL, MySQL; SQLite
serialises writers anyway). Two processes creating the same new artifact at once
collide on its unique name instead, and the create is retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from stackyard.exceptions import AuthorizationError, InputError
from stackyard.models.binding import utcnow
from stackyard.models.enums import StackComponentType
from stackyard.models.spec import shape_for
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.filters import Condition
from stackyard.store.sql.hooks.base import Hooks, Row
from stackyard.store.sql.store import SqlStore
from stackyard.utils.uris import innermost_root, is_inside

if TYPE_CHECKING:
    from pydantic import BaseModel


def artifact_store_roots(
    store: SqlStore, tx: Transaction, only: Any = None
) -> dict[str, tuple[str, str]]:
    """Artifact store component id → (its root path, that path as configured: a
    `{{secret.key}}` reference is resolved as the component's owner may, and only the
    configured text is ever shown); `only`: just that component (if it is one)."""
    from stackyard.store.sql.hooks.secrets import resolved_text

    q = store.db.q
    roots = {}
    where, params = f"{q('type')} = ?", [StackComponentType.ARTIFACT_STORE.value]
    if only is not None:
        where, params = f"{where} AND {q('id')} = ?", [*params, str(only)]
    for component_id, configuration, owner in tx.fetchall(
        f"SELECT {q('id')}, {q('configuration')}, {q('user_id')} FROM {q('stack_components')} "
        f"WHERE {where}",
        params,
    ):
        shown = (store.db.decode("json", configuration) or {}).get("path")
        path = resolved_text(store, tx, shown, owner)
        if isinstance(path, str) and path:
            roots[str(component_id)] = (path, str(shown))
    return roots


def _place(store: SqlStore, tx: Transaction, values: Row) -> None:
    """Check that the version's files lie inside the artifact store that holds it, and
    record which one: loading and pruning never touch anything outside it."""
    uri, given = values["uri"], values.get("artifact_store_id")
    roots = artifact_store_roots(store, tx, only=given)
    if given is not None:
        if str(given) not in roots:
            raise InputError(f"artifact_store_id {given} is not an artifact store component")
        root, shown = roots[str(given)]
        if not is_inside(uri, root):
            raise InputError(f"artifact uri {uri!r} is not inside its artifact store ({shown})")
        return
    found = innermost_root(uri, {k: root for k, (root, _) in roots.items()})
    if found is None:
        raise InputError(
            f"artifact uri {uri!r} is not inside any artifact store; their paths: "
            + (", ".join(sorted({shown for _, shown in roots.values()})) or "none")
        )
    values["artifact_store_id"] = UUID(found)


class ArtifactVersionHooks(Hooks):
    retry_on_conflict = True

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        _place(store, tx, values)
        q = store.db.q
        name = values["name"]
        found = tx.fetchone(
            f"SELECT {q('id')}, {q('user_id')} FROM {q('artifacts')} WHERE {q('name')} = ?", [name]
        )
        actor = store.current_user()
        if found is not None and not actor.is_admin and str(found[1]) != str(actor.id):
            if getattr(request, "has_custom_name", True):
                raise AuthorizationError(
                    f"artifact {name!r} belongs to another user: only they (or an admin) may "
                    "add versions to it; give your artifact another name"
                )
            # an unnamed output whose default name another user took first: the
            # outputs of this user's runs of that pipeline get a series of their own
            values["name"] = name = f"{name}@{actor.name}"
            found = tx.fetchone(
                f"SELECT {q('id')}, {q('user_id')} FROM {q('artifacts')} WHERE {q('name')} = ?",
                [name],
            )
        if found is None:
            artifact_id = uuid4()
            now = utcnow()
            store.insert_row(
                tx,
                shape_for("artifact"),
                {
                    "id": artifact_id,
                    "created": now,
                    "updated": now,
                    "user_id": values.get("user_id"),
                    "name": name,
                    "has_custom_name": getattr(request, "has_custom_name", True),
                },
            )
        else:
            artifact_id = store.db.decode("uuid", found[0])
        if store.db.dialect != "sqlite":  # SQLite writers are serialised already
            # one writer at a time per artifact, so MAX(number) + 1 is free
            tx.fetchone(
                f"SELECT {q('id')} FROM {q('artifacts')} WHERE {q('id')} = ? FOR UPDATE",
                [str(artifact_id)],
            )
        values["artifact_id"] = artifact_id
        latest = tx.scalar(
            f"SELECT MAX({q('number')}) FROM {q('artifact_versions')} WHERE {q('artifact_id')} = ?",
            [str(artifact_id)],
        )
        values["number"] = int(latest or 0) + 1
        if not values.get("version"):
            values["version"] = str(values["number"])

    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        model_version_id = getattr(request, "model_version_id", None)
        if model_version_id is not None:
            from stackyard.store.sql.hooks.ml_models import link_artifact

            link_artifact(
                store,
                tx,
                model_version_id,
                row["id"],
                row["name"],
                is_model_artifact=getattr(request, "is_model_artifact", False),
                is_deployment_artifact=getattr(request, "is_deployment_artifact", False),
                user_id=row.get("user_id"),
            )
        metadata: dict[str, Any] = getattr(request, "metadata", {}) or {}
        now = utcnow()
        for key, value in metadata.items():
            store.insert_row(
                tx,
                shape_for("run_metadata"),
                {
                    "id": uuid4(),
                    "created": now,
                    "updated": now,
                    "user_id": row.get("user_id"),
                    "resource_type": "artifact_version",
                    "resource_id": row["id"],
                    "key": key,
                    "value": value,
                },
            )

    def filter_sql(self, store: SqlStore, condition: Condition) -> tuple[str, list[Any]]:
        q = store.db.q
        return (
            f"{q('id')} IN (SELECT l.{q('artifact_version_id')} FROM {q('step_run_artifacts')} l "
            f"JOIN {q('run_steps')} s ON s.{q('id')} = l.{q('step_run_id')} "
            f"WHERE s.{q('pipeline_run_id')} = ?)",
            [str(condition.value)],
        )

    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        store.delete_attached(tx, "artifact_version", [str(row["id"])])


class ArtifactHooks(Hooks):
    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        q = store.db.q
        versions = [
            str(r[0])
            for r in tx.fetchall(
                f"SELECT {q('id')} FROM {q('artifact_versions')} WHERE {q('artifact_id')} = ?",
                [str(row["id"])],
            )
        ]
        store.delete_attached(tx, "artifact_version", versions)


HOOKS = {"artifact_version": ArtifactVersionHooks(), "artifact": ArtifactHooks()}
