"""Writing a SQL store: create, update and delete for every resource, with the checks
every write shares (unique keys, relations, storable values, who owns what) and the
resource's own rules from its hooks.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID, uuid4

from stackyard.exceptions import (
    AuthorizationError,
    EntityExistsError,
    EntityNotFoundError,
    InputError,
)
from stackyard.models.binding import utcnow
from stackyard.models.spec import ResourceSpec, Shape, spec_for
from stackyard.store.sql import attached
from stackyard.store.sql import filters as F
from stackyard.store.sql.db import Database, Transaction, check_storable
from stackyard.store.sql.hooks import hooks_for
from stackyard.store.sql.hooks.base import Row, placeholders

T = TypeVar("T")
DEADLOCK_ATTEMPTS = 5

if TYPE_CHECKING:
    from pydantic import BaseModel
    from pydantic import ValidationError as PydanticValidationError

    from stackyard.models.users import UserResponse
    from stackyard.store.sql.store import SqlStore


def validation_message(exc: PydanticValidationError, what: str) -> str:
    """A pydantic error as one readable line naming each bad field."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or what
        parts.append(f"{loc}: {err['msg']}")
    return f"invalid {what}: " + "; ".join(parts)


def to_model(model: type[BaseModel] | None, value: BaseModel | dict[str, Any], what: str) -> Any:
    from pydantic import BaseModel
    from pydantic import ValidationError as PydanticValidationError

    if model is None:
        raise InputError(f"{what} cannot be changed through the API")
    if isinstance(value, model):
        return value
    data = value.model_dump(exclude_unset=True) if isinstance(value, BaseModel) else value
    try:
        return model.model_validate(data)
    except PydanticValidationError as exc:
        raise InputError(validation_message(exc, what)) from None


class SqlWrites:
    """The writing half of `SqlStore`."""

    @property
    def _store(self) -> SqlStore:
        """This store, as the hooks and helpers it hands itself to see it."""
        return cast("SqlStore", self)

    db: Database
    actor: UserResponse | None

    if TYPE_CHECKING:

        def current_user(self) -> UserResponse: ...

        def _row(
            self, tx: Transaction, shape: Shape, entity_id: UUID, *, visible: bool = True
        ) -> Row: ...

        def _build(
            self, spec: ResourceSpec, tx: Transaction, rows: list[Row], single: bool
        ) -> list[Any]: ...

    def _check_exists(
        self, tx: Transaction, spec: ResourceSpec, values: Row, exclude: UUID | None = None
    ) -> None:
        for key in spec.unique:
            if any(values.get(k) is None for k in key):
                continue
            cond = " AND ".join(f"{self.db.q(k)} = ?" for k in key)
            params = [self.db.encode(spec.columns[k].kind, values[k]) for k in key]
            if exclude is not None:
                cond += f" AND {self.db.q('id')} <> ?"
                params.append(str(exclude))
            if tx.fetchone(f"SELECT 1 FROM {self.db.q(spec.table)} WHERE {cond}", params):
                shown = ", ".join(
                    f"{k}={values[k]!s}"
                    for k in key
                    if k != "name" and k not in spec.private_columns
                )
                name = values.get("name")
                raise EntityExistsError(
                    f"a {spec.name.replace('_', ' ')} "
                    + (f"named {name!r} " if name is not None else "")
                    + (f"({shown}) " if shown else "")
                    + "already exists"
                )

    def _check_relations(
        self, tx: Transaction, spec: ResourceSpec, values: Row, *, soft_only: bool = False
    ) -> None:
        """Each `<rel>_id` names an existing entity (`soft_only`: only relations kept
        without a foreign key, which the database does not check itself)."""
        for rel, target in spec.relations.items():
            value = values.get(rel + "_id")
            if value is None or (soft_only and rel not in spec.soft_relations):
                continue
            tspec = spec_for(target)
            if not tx.fetchone(
                f"SELECT 1 FROM {self.db.q(tspec.table)} WHERE {self.db.q('id')} = ?", [str(value)]
            ):
                raise EntityNotFoundError(
                    f"{rel}_id {value} does not name an existing {target.replace('_', ' ')}"
                )

    def insert_row(self, tx: Transaction, shape: Shape, values: Row) -> None:
        cols = [c for c in shape.columns if c in values]
        for c in cols:
            check_storable(c, shape.columns[c].kind, values[c])
        sql = (
            f"INSERT INTO {self.db.q(shape.table)} ({', '.join(self.db.q(c) for c in cols)}) "
            f"VALUES ({placeholders(cols)})"
        )
        tx.execute(sql, [self.db.encode(shape.columns[c].kind, values[c]) for c in cols])

    def create(
        self, kind: str, request: BaseModel | dict[str, Any], *, respond: bool = True
    ) -> Any:
        return self._retry_deadlocks(lambda: self._create(kind, request, respond=respond))

    def _create(
        self, kind: str, request: BaseModel | dict[str, Any], *, respond: bool = True
    ) -> Any:
        spec = spec_for(kind)
        req = to_model(spec.request, request, f"{spec.name.replace('_', ' ')} request")
        hooks = hooks_for(spec.name)
        actor = self.current_user() if spec.owned or spec.name == "user" else None
        label = spec.name.replace("_", " ")
        for attempt in range(8):
            values: Row = {c: getattr(req, c) for c in spec.columns if c in type(req).model_fields}
            for c, info in spec.response.model_fields.items():  # columns no request carries
                if c in spec.columns and c not in values and not info.is_required():
                    values[c] = info.get_default(call_default_factory=True)
            now = utcnow()
            values.update(id=uuid4(), created=now, updated=now)
            if spec.owned and values.get("user_id") is None and actor is not None:
                values["user_id"] = actor.id
            try:
                with self.db.transaction() as tx:
                    if spec.parent is not None and values.get(f"{spec.parent}_id") is not None:
                        self.check_writable(
                            tx, spec.parent, values[f"{spec.parent}_id"], f"add a {label} to"
                        )
                    hooks.before_create(self._store, tx, values, req)
                    # relations without a foreign key are checked here; the rest, and unique
                    # keys, by the database (a violation is explained in `_explain`)
                    self._check_relations(tx, spec, values, soft_only=True)
                    self.insert_row(tx, spec.shape, values)
                    if spec.taggable and getattr(req, "tags", None):
                        attached.set_tags(self._store, tx, spec.shape, values["id"], add=req.tags)
                    hooks.after_create(self._store, tx, values, req)
                    if not respond:
                        return values["id"]
                    # a write answers like a list entry: never with secret values
                    created = self._row(tx, spec.shape, values["id"])
                    result = self._build(spec, tx, [created], single=False)[0]
                # values a hook returns once (e.g. a new API key) travel as "_<field>"
                for key, value in values.items():
                    if key.startswith("_") and key[1:] in spec.response.model_fields:
                        setattr(result, key[1:], value)
                return result
            except Exception as exc:
                conflict = self.db.is_integrity_error(exc) or isinstance(exc, EntityExistsError)
                if not conflict:
                    raise
                self._explain(spec, values, retrying=hooks.retry_on_conflict and attempt < 7)
                if hooks.retry_on_conflict and attempt < 7:
                    continue
                if isinstance(exc, EntityExistsError):
                    raise
                raise EntityExistsError(
                    f"the {spec.name.replace('_', ' ')} conflicts with an existing one: {exc}"
                ) from None
        raise AssertionError("unreachable")

    def _retry_deadlocks(self, write: Callable[[], T]) -> T:
        """Run a write again (a few times, after a short random pause) when the database
        rolled it back to break a deadlock: concurrent writers that lock rows in another
        order (a pipeline's delete cascading into runs being updated) then both succeed."""
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                return write()
            except Exception as exc:
                if attempt == DEADLOCK_ATTEMPTS or not self.db.is_deadlock(exc):
                    raise
                time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")

    def _explain(self, spec: ResourceSpec, values: Row, *, retrying: bool) -> None:
        """After the database refused a row: raise the error that names what was wrong (a
        related entity that does not exist; unless `retrying` a race, a taken unique key)."""
        with self.db.transaction(write=False) as tx:
            self._check_relations(tx, spec, values)
            if not retrying:
                self._check_exists(tx, spec, values)

    def _check_owner(self, spec: ResourceSpec, row: Row, action: str) -> None:
        """Only an entity's owner, or an admin, may change or delete it. Entities seeded
        without an owner (the default stack, its components) are the system's: admins
        only. A user may change their own account but never delete one."""
        actor = self.current_user()
        if actor.is_admin:
            return
        label = f"{spec.name.replace('_', ' ')} {row.get(spec.name_field or 'id', row['id'])!s}"
        if spec.name == "user":
            if action == "delete" or row["id"] != actor.id:
                raise AuthorizationError(f"only admins may {action} other users ({label})")
            return
        if not spec.owned:
            return  # their hooks decide (API keys)
        owner = row.get("user_id")
        if owner != actor.id:
            whose = "the system (it was seeded)" if owner is None else "someone else"
            raise AuthorizationError(
                f"user {actor.name!r} may not {action} {label!r}: it belongs to {whose}; "
                "ask its owner or an admin"
            )

    def check_writable(self, tx: Transaction, kind: str, entity_id: Any, action: str) -> None:
        """Refuse writing to (adding steps, metadata, versions to) an entity someone else
        owns; admins may. Raises EntityNotFoundError when there is no such entity."""
        spec = spec_for(kind)
        row = self._row(tx, spec.shape, F.coerce(f"{kind}_id", "uuid", entity_id))
        self._check_owner(spec, row, action)

    def update(
        self,
        kind: str,
        entity_id: UUID,
        update: BaseModel | dict[str, Any],
        *,
        respond: bool = True,
    ) -> Any:
        return self._retry_deadlocks(lambda: self._update(kind, entity_id, update, respond=respond))

    def _update(
        self,
        kind: str,
        entity_id: UUID,
        update: BaseModel | dict[str, Any],
        *,
        respond: bool = True,
    ) -> Any:
        spec = spec_for(kind)
        upd = to_model(spec.update, update, f"{spec.name.replace('_', ' ')} update")
        hooks = hooks_for(spec.name)
        with self.db.transaction() as tx:
            row = self._row(tx, spec.shape, F.coerce("id", "uuid", entity_id))
            self._check_owner(spec, row, "update")
            changes: Row = {
                k: v for k, v in upd.model_dump(exclude_unset=True).items() if k in spec.columns
            }
            for k in list(changes):
                changes[k] = getattr(upd, k)
                if changes[k] is None and k not in spec.nullable:
                    raise InputError(
                        f"{k} of a {spec.name.replace('_', ' ')} cannot be null; "
                        "leave it out to keep its value"
                    )
            hooks.before_update(self._store, tx, row, changes, upd)
            if any(k in changes for key in spec.unique for k in key):
                self._check_exists(tx, spec, {**row, **changes}, exclude=row["id"])
            self._check_relations(tx, spec, changes)
            changes["updated"] = utcnow()
            for c, v in changes.items():
                check_storable(c, spec.columns[c].kind, v)
            assign = ", ".join(f"{self.db.q(c)} = ?" for c in changes)
            tx.execute(
                f"UPDATE {self.db.q(spec.table)} SET {assign} WHERE {self.db.q('id')} = ?",
                [
                    *(self.db.encode(spec.columns[c].kind, v) for c, v in changes.items()),
                    str(row["id"]),
                ],
            )
            if spec.taggable:
                attached.set_tags(
                    self._store,
                    tx,
                    spec.shape,
                    row["id"],
                    add=getattr(upd, "add_tags", None) or [],
                    remove=getattr(upd, "remove_tags", None) or [],
                )
            hooks.after_update(self._store, tx, {**row, **changes}, upd)
            if not respond:
                return None
            updated = self._row(tx, spec.shape, row["id"], visible=False)
            return self._build(spec, tx, [updated], single=False)[0]

    def delete(self, kind: str, entity_id: UUID, *, force: bool = False) -> None:
        self._retry_deadlocks(lambda: self._delete(kind, entity_id, force=force))

    def _delete(self, kind: str, entity_id: UUID, *, force: bool = False) -> None:
        spec = spec_for(kind)
        with self.db.transaction() as tx:
            row = self._row(tx, spec.shape, F.coerce("id", "uuid", entity_id))
            if self.db.dialect != "sqlite":  # SQLite writers are serialised already
                # the entity's row first, as an update takes it: then what the delete
                # takes next (its tags, metadata, children) never waits on an update
                # that holds those and waits for the row (a deadlock)
                tx.fetchone(
                    f"SELECT {self.db.q('id')} FROM {self.db.q(spec.table)} "
                    f"WHERE {self.db.q('id')} = ? FOR UPDATE",
                    [str(row["id"])],
                )
            self._check_owner(spec, row, "delete")
            hooks_for(spec.name).before_delete(self._store, tx, row, force=force)
            self.delete_attached(tx, spec.name, [str(row["id"])])
            tx.execute(
                f"DELETE FROM {self.db.q(spec.table)} WHERE {self.db.q('id')} = ?", [str(row["id"])]
            )

    def delete_attached(self, tx: Transaction, resource_type: str, ids: Sequence[str]) -> None:
        """Remove tags and metadata attached to entities (they have no foreign key)."""
        if not ids:
            return
        for table in ("tag_assignments", "run_metadata"):
            tx.execute(
                f"DELETE FROM {self.db.q(table)} WHERE {self.db.q('resource_type')} = ? "
                f"AND {self.db.q('resource_id')} IN ({placeholders(ids)})",
                [resource_type, *ids],
            )
