"""Models and model versions: race-safe numbering, stages held by one version at a time,
and links that know which model and artifact they belong to.

Numbering works like artifact versions: the maximum plus one, inside the insert's own
transaction, holding a row lock on the model (PostgreSQL, MySQL; SQLite serialises
writers anyway), and the create is retried if a unique key still races. Stage changes
take the same lock, so two promotions to `production` cannot both win.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from stackyard.exceptions import EntityNotFoundError, IllegalOperationError, InputError
from stackyard.models.binding import utcnow
from stackyard.models.enums import EXCLUSIVE_STAGES, STAGE_CHOICES, ModelStage
from stackyard.models.spec import shape_for, spec_for
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.hooks.base import Hooks, Row
from stackyard.store.sql.store import SqlStore

if TYPE_CHECKING:
    from pydantic import BaseModel

ARCHIVED = ModelStage.ARCHIVED.value


def lock_model(store: SqlStore, tx: Transaction, model_id: Any) -> str:
    """Take the model's row lock (one writer of its versions at a time); its name."""
    q = store.db.q
    lock = "" if store.db.dialect == "sqlite" else " FOR UPDATE"
    found = tx.fetchone(
        f"SELECT {q('name')} FROM {q('models')} WHERE {q('id')} = ?{lock}", [str(model_id)]
    )
    if found is None:
        raise EntityNotFoundError(f"model_id {model_id} does not name an existing model")
    return str(found[0])


def check_version_name(name: str, number: int | None, model: str) -> None:
    """A version's name must not read as another version's number or as a stage, or
    `get_model_version(model, name)` would be ambiguous."""
    if name.lower() in STAGE_CHOICES:
        raise InputError(
            f"version name {name!r} of model {model!r} is a stage name; stages are set with "
            "`stage=`, and names must differ from: " + ", ".join(STAGE_CHOICES)
        )
    if name.isdigit() and int(name) != number:
        raise InputError(
            f"version name {name!r} of model {model!r} is a number other than the version's "
            f"own ({number}); use a name with a letter in it"
        )


def stage_change(
    store: SqlStore, old: str | None, new: str | None, displaced_by: str | None = None
) -> dict[str, Any]:
    return {
        "from_stage": old,
        "to_stage": new,
        "user_id": str(store.current_user().id),
        "time": utcnow().isoformat(),
        "displaced_by": displaced_by,
    }


class ModelHooks(Hooks):
    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        q = store.db.q
        versions = tx.fetchall(
            f"SELECT {q('id')}, {q('name')} FROM {q('model_versions')} "
            f"WHERE {q('model_id')} = ? ORDER BY {q('number')}",
            [str(row["id"])],
        )
        if versions and not force:
            shown = ", ".join(str(v[1]) for v in versions[:10])
            more = f" and {len(versions) - 10} more" if len(versions) > 10 else ""
            raise IllegalOperationError(
                f"model {row['name']!r} has {len(versions)} version(s) ({shown}{more}); delete "
                "them first, or delete the model with force=True (--force) to remove them too"
            )
        # the versions and their links go by cascade; their tags and metadata by hand
        store.delete_attached(tx, "model_version", [str(v[0]) for v in versions])


class ModelVersionHooks(Hooks):
    retry_on_conflict = True

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        q = store.db.q
        model = lock_model(store, tx, values["model_id"])
        latest = tx.scalar(
            f"SELECT MAX({q('number')}) FROM {q('model_versions')} WHERE {q('model_id')} = ?",
            [str(values["model_id"])],
        )
        values["number"] = number = int(latest or 0) + 1
        if values.get("name") is None:
            values["name"] = str(number)
        check_version_name(values["name"], number, model)
        values["stage_history"] = []
        run_id = getattr(request, "pipeline_run_id", None)
        if run_id is not None:
            store.check_writable(tx, "pipeline_run", run_id, "link a model version to")

    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        run_id = getattr(request, "pipeline_run_id", None)
        if run_id is None:
            return  # the run and the version exist together or not at all
        now = utcnow()
        store.insert_row(
            tx,
            shape_for("model_version_pipeline_run_link"),
            {
                "id": uuid4(),
                "created": now,
                "updated": now,
                "user_id": row.get("user_id"),
                "model_id": row["model_id"],
                "model_version_id": row["id"],
                "pipeline_run_id": run_id,
            },
        )

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        if changes.get("name") is not None:
            model = lock_model(store, tx, row["model_id"])
            check_version_name(str(changes["name"]), row["number"], model)
        if "stage" not in changes:
            return
        new = _stage(changes["stage"])
        old = _stage(row.get("stage"))
        if new == old:
            del changes["stage"]
            return
        force = bool(getattr(update, "force", False))
        model = lock_model(store, tx, row["model_id"])
        label = f"version {row['name']} of model {model!r}"
        if old == ARCHIVED and new is not None and not force:
            raise IllegalOperationError(
                f"{label} is archived; bring it back to {new} with force=True (--force)"
            )
        if new in EXCLUSIVE_STAGES:
            self._displace(store, tx, row, new, force, label)
        history = list(row.get("stage_history") or [])
        changes["stage"] = new
        changes["stage_history"] = [*history, stage_change(store, old, new)]

    def _displace(
        self, store: SqlStore, tx: Transaction, row: Row, stage: str, force: bool, label: str
    ) -> None:
        """Move the version holding `stage` (if another one does) to `archived`."""
        q = store.db.q
        holder = tx.fetchone(
            f"SELECT {q('id')}, {q('name')}, {q('stage_history')} FROM {q('model_versions')} "
            f"WHERE {q('model_id')} = ? AND {q('stage')} = ? AND {q('id')} <> ?",
            [str(row["model_id"]), stage, str(row["id"])],
        )
        if holder is None:
            return
        if not force:
            raise IllegalOperationError(
                f"cannot move {label} to {stage}: version {holder[1]} holds {stage}; pass "
                f"force=True (--force) to move version {holder[1]} to archived"
            )
        store.check_writable(tx, "model_version", holder[0], "move out of its stage")
        history = store.db.decode("json", holder[2]) or []
        history.append(stage_change(store, stage, ARCHIVED, displaced_by=str(row["name"])))
        tx.execute(
            f"UPDATE {q('model_versions')} SET {q('stage')} = ?, {q('stage_history')} = ?, "
            f"{q('updated')} = ? WHERE {q('id')} = ?",
            [
                ARCHIVED,
                store.db.encode("json", history),
                store.db.encode("datetime", utcnow()),
                str(holder[0]),
            ],
        )


def model_of(store: SqlStore, tx: Transaction, model_version_id: Any) -> UUID:
    """The model a version belongs to (what its links record beside the version)."""
    q = store.db.q
    found = tx.fetchone(
        f"SELECT {q('model_id')} FROM {q('model_versions')} WHERE {q('id')} = ?",
        [str(model_version_id)],
    )
    if found is None:
        raise EntityNotFoundError(f"model_version_id {model_version_id} names no model version")
    model_id: UUID = store.db.decode("uuid", found[0])
    return model_id


def _stage(value: Any) -> str | None:
    if value is None:
        return None
    return str(getattr(value, "value", value))


class ArtifactLinkHooks(Hooks):
    """A link names its model and its artifact, so lookups by name need no join."""

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        q = store.db.q
        model_id = model_of(store, tx, values["model_version_id"])
        artifact = tx.fetchone(
            f"SELECT {q('name')} FROM {q('artifact_versions')} WHERE {q('id')} = ?",
            [str(values["artifact_version_id"])],
        )
        if artifact is None:
            raise EntityNotFoundError(
                f"artifact_version_id {values['artifact_version_id']} names no artifact version"
            )
        values["model_id"] = model_id
        values["artifact_name"] = str(artifact[0])


class RunLinkHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        values["model_id"] = model_of(store, tx, values["model_version_id"])
        store.check_writable(
            tx, "pipeline_run", values["pipeline_run_id"], "link a model version to"
        )


def link_artifact(
    store: SqlStore,
    tx: Transaction,
    model_version_id: UUID,
    artifact_version_id: UUID,
    artifact_name: str,
    *,
    is_model_artifact: bool,
    is_deployment_artifact: bool,
    user_id: UUID | None,
) -> None:
    """Link a new artifact version to a model version in the transaction that creates
    it (a run's outputs), after checking the caller may add to that model version."""
    q = store.db.q
    found = tx.fetchone(
        f"SELECT {q('model_id')}, {q('user_id')} FROM {q('model_versions')} WHERE {q('id')} = ?",
        [str(model_version_id)],
    )
    if found is None:
        raise EntityNotFoundError(f"model_version_id {model_version_id} names no model version")
    model_id, owner = (store.db.decode("uuid", v) for v in found)
    # the rule `check_writable` applies, on the row already read (a run's every output)
    store._check_owner(
        spec_for("model_version"), {"id": model_version_id, "user_id": owner}, "link an artifact to"
    )
    now = utcnow()
    store.insert_row(
        tx,
        shape_for("model_version_artifact_link"),
        {
            "id": uuid4(),
            "created": now,
            "updated": now,
            "user_id": user_id,
            "model_id": model_id,
            "model_version_id": model_version_id,
            "artifact_version_id": artifact_version_id,
            "artifact_name": artifact_name,
            "is_model_artifact": is_model_artifact,
            "is_deployment_artifact": is_deployment_artifact,
        },
    )


HOOKS = {
    "model": ModelHooks(),
    "model_version": ModelVersionHooks(),
    "model_version_artifact_link": ArtifactLinkHooks(),
    "model_version_pipeline_run_link": RunLinkHooks(),
}
