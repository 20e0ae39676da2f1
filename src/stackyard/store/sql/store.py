"""The SQL store: one generic create / get / find / list / update / delete for
every resource, driven by its `ResourceSpec`, with its own rules in hooks.

Reading goes through the resource's `Shape` and builds models only at the end,
so `list_rows` (what the CLI prints) runs without importing pydantic.
"""

from __future__ import annotations

import builtins
import copy
import re
from collections.abc import Callable, Sequence
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from stackyard.exceptions import (
    AmbiguousMatchError,
    AuthorizationError,
    EntityExistsError,
    EntityNotFoundError,
    InputError,
)
from stackyard.models.binding import utcnow
from stackyard.models.spec import Column, ResourceSpec, Shape, _unwrap, shape_for, spec_for
from stackyard.store.base import (
    MAX_PAGE_SIZE,
    RowPage,
    RunClaim,
    Store,
    StoreHandoff,
    check_paging,
)
from stackyard.store.sql import attached, runs
from stackyard.store.sql import filters as F
from stackyard.store.sql.db import Database, DatabaseURL, Transaction, check_storable
from stackyard.store.sql.hooks import hooks_for
from stackyard.store.sql.hooks.base import Row, placeholders

if TYPE_CHECKING:
    from datetime import datetime

    from pydantic import BaseModel
    from pydantic import ValidationError as PydanticValidationError

    from stackyard.models.base import Page
    from stackyard.models.connectors import ConnectorCredentials, ServiceConnectorResources
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.models.users import APIKeyResponse, UserResponse
    from stackyard.store.sql.launch import Launcher

_ID_PREFIX = re.compile(r"^[0-9a-fA-F-]{4,36}$")
_TOP = "\U0010ffff"
SYSTEM_USER_ID = UUID(int=0)
MAX_OFFSET = 2**62  # every database takes a 64-bit OFFSET


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


@cache
def _converters(spec: ResourceSpec) -> dict[str, Callable[[Any], Any]]:
    """Per-field conversions from decoded column values to the response's types."""
    from pydantic import BaseModel

    result: dict[str, Callable[[Any], Any]] = {}
    for name, info in spec.response.model_fields.items():
        core, _ = _unwrap(info.annotation)
        if isinstance(core, type) and issubclass(core, Enum):
            result[name] = core
        elif isinstance(core, type) and issubclass(core, BaseModel):
            result[name] = core.model_validate
    return result


class SqlStore(Store):
    """A metadata store in SQLite, PostgreSQL or MySQL/MariaDB."""

    def __init__(
        self,
        url: str,
        *,
        actor: UserResponse | None = None,
        migrate: bool = True,
        seed_user: str | None = "default",
        launcher: Launcher | None = None,
    ):
        """`seed_user=None` seeds no passwordless user (a deployed server's store).
        `launcher` starts the workers of template runs (see `stackyard.store.sql.launch`);
        without one they wait for a runner."""
        self.url = DatabaseURL.parse(url)
        self.db = Database(self.url)
        self.actor = actor
        self.launcher = launcher
        if migrate:
            from stackyard.store.sql.bootstrap import prepare

            prepare(self, seed_user)

    def as_user(self, user: UserResponse) -> SqlStore:
        """The same store (and pool) acting for another user, as the server does."""
        clone = object.__new__(SqlStore)
        clone.__dict__.update(self.__dict__)
        clone.actor = user
        return clone

    def as_system(self) -> SqlStore:
        """The same store acting for no user, with an admin's view: what a server's own
        background work (scheduler, reaper) uses, whatever users are called."""
        from stackyard.models.users import UserResponse

        now = utcnow()
        system = UserResponse.model_construct(
            id=SYSTEM_USER_ID, created=now, updated=now, name="(system)", is_admin=True
        )
        return self.as_user(system)

    # -- who and what -----------------------------------------------------------------
    def current_user(self) -> UserResponse:
        if self.actor is None:
            from stackyard.store.sql.bootstrap import default_user

            self.actor = default_user(self)
        return self.actor

    def info(self) -> dict[str, Any]:
        from stackyard import __version__

        return {
            "type": "sql",
            "dialect": self.url.dialect,
            "url": self.url.redacted,
            "version": __version__,
        }

    def rotate_api_key(self, key_id: UUID) -> APIKeyResponse:
        from stackyard.store.sql.hooks.users import rotate_key

        key = rotate_key(self, key_id)
        response: APIKeyResponse = self.get("api_key", key_id)
        response.key = key
        return response

    def close(self) -> None:
        self.db.close()

    def handoff(self) -> StoreHandoff:
        from pathlib import Path

        from stackyard.config import config_dir

        url = self.url.raw
        if self.url.dialect == "sqlite":  # a relative path means the same file elsewhere too
            url = f"sqlite:///{Path(self.url.path).resolve()}"
        actor = self.actor.id if self.actor is not None else None
        return StoreHandoff(url, actor_id=actor, config_dir=str(config_dir().resolve()))

    # -- service connectors (store/sql/connectors.py) ------------------------------------------
    def verify_service_connector(
        self, connector_id: UUID, resource_type: str | None = None, resource_id: str | None = None
    ) -> ServiceConnectorResources:
        from stackyard.store.sql import connectors

        return connectors.verify(self, connector_id, resource_type, resource_id)

    def component_credentials(self, component_id: UUID, resource_type: str) -> ConnectorCredentials:
        from stackyard.store.sql import connectors

        return connectors.component_credentials(self, component_id, resource_type)

    # -- reading ------------------------------------------------------------------------
    def _select_sql(self, shape: Shape) -> str:
        cols = ", ".join(self.db.q(c) for c in shape.columns)
        return f"SELECT {cols} FROM {self.db.q(shape.table)}"

    def _decode(self, shape: Shape, raw: tuple[Any, ...]) -> Row:
        return {
            c.name: self.db.decode(c.kind, v)
            for c, v in zip(shape.columns.values(), raw, strict=True)
        }

    def _hydrate(self, shape: Shape, tx: Transaction, rows: list[Row], single: bool) -> None:
        """Fill the fields no column holds: tags, metadata, and what hooks compute."""
        if shape.taggable and "tags" in shape.fields:
            attached.hydrate_tags(self, shape, tx, rows)
        if shape.has_metadata:
            attached.hydrate_metadata(self, shape, tx, rows)
        hooks_for(shape.name).hydrate(self, tx, rows, single)

    def _rows(self, shape: Shape, tx: Transaction, rows: list[Row]) -> list[Row]:
        """Hydrated rows holding exactly the response's fields, defaults filled in."""
        self._hydrate(shape, tx, rows, single=False)
        defaults = shape.defaults
        return [
            {f: row[f] if f in row else copy.deepcopy(defaults.get(f)) for f in shape.fields}
            for row in rows
        ]

    def _build(
        self, spec: ResourceSpec, tx: Transaction, rows: list[Row], single: bool
    ) -> list[Any]:
        """Response models from decoded rows."""
        self._hydrate(spec.shape, tx, rows, single)
        conv = _converters(spec)
        out = []
        for row in rows:
            data = {k: v for k, v in row.items() if k not in spec.private_columns}
            for name, fn in conv.items():
                if data.get(name) is not None:
                    data[name] = fn(data[name])
            model = spec.response.model_construct(**data)
            model.bind(self)
            out.append(model)
        return out

    def _visibility(self, shape: Shape) -> tuple[str, list[Any]] | None:
        """Private entities are visible to their owner only (a row id, no user model)."""
        if shape.private_flag is None:
            return None
        if self.actor is not None:
            actor_id = self.actor.id
        else:
            from stackyard.store.sql.bootstrap import default_user_id

            actor_id = default_user_id(self)
        flag = self.db.q(shape.private_flag)
        return (f"({flag} = ? OR {self.db.q('user_id')} = ?)", [False, str(actor_id)])

    def _row(self, tx: Transaction, shape: Shape, entity_id: UUID) -> Row:
        sql = self._select_sql(shape) + f" WHERE {self.db.q('id')} = ?"
        params: list[Any] = [str(entity_id)]
        vis = self._visibility(shape)
        if vis:
            sql += " AND " + vis[0]
            params += vis[1]
        raw = tx.fetchone(sql, params)
        if raw is None:
            raise EntityNotFoundError(f"no {shape.name.replace('_', ' ')} with id {entity_id}")
        return self._decode(shape, raw)

    def get(self, kind: str, entity_id: UUID) -> Any:
        spec = spec_for(kind)
        entity_id = F.coerce("id", "uuid", entity_id)
        for attempt in range(2):
            with self.db.transaction(write=False) as tx:
                row = self._row(tx, spec.shape, entity_id)
                if attempt == 0 and self._stale(spec.shape, [row]):
                    continue
                return self._build(spec, tx, [row], single=True)[0]
        raise AssertionError("unreachable")

    def _stale(self, shape: Shape, rows: list[Row]) -> bool:
        """Whether what `rows` show was out of date and has been brought up to date
        (a run whose process died is failed now): the read must be repeated."""
        return bool(rows) and hooks_for(shape.name).refresh(self, rows)

    def find(self, kind: str, name_id_or_prefix: str | UUID, /, **scope: Any) -> Any:
        spec = spec_for(kind)
        stale: list[UUID] = []

        def build(tx: Transaction, row: Row) -> Any:
            if self._stale(spec.shape, [row]):
                stale.append(row["id"])
                return None
            return self._build(spec, tx, [row], single=True)[0]

        found = self._resolve(spec.shape, name_id_or_prefix, scope, build)
        return self.get(kind, stale[0]) if stale else found

    def resolve_row(
        self, shape: Shape, name_id_or_prefix: str | UUID, scope: dict[str, Any]
    ) -> Row:
        """`find` as a plain decoded row (for filters and hooks: no models)."""
        row: Row = self._resolve(shape, name_id_or_prefix, scope, lambda tx, row: row)
        return row

    def _resolve(
        self,
        shape: Shape,
        name_id_or_prefix: str | UUID,
        scope: dict[str, Any],
        build: Callable[[Transaction, Row], Any],
    ) -> Any:
        """What `build` makes, in the same read transaction, of the one row a full id,
        an exact name, a unique name prefix or a unique id prefix names (in that
        order); or an error listing the matches."""
        value = str(name_id_or_prefix).strip()
        try:
            entity_id: UUID | None = UUID(value)
        except ValueError:
            entity_id = None
        scope = {k: v for k, v in scope.items() if v is not None}
        scope_sql, scope_params = ("", []) if entity_id else self._where(shape, scope)
        field = shape.name_field
        with self.db.transaction(write=False) as tx:
            if entity_id is not None:
                return build(tx, self._row(tx, shape, entity_id))
            candidates: list[Row] = []
            if field:
                col = self.db.q(field)
                for cond, params in (
                    (f"{col} = ?", [value]),
                    (f"{col} >= ? AND {col} < ?", [value, value + _TOP]),
                ):
                    candidates = self._candidates(tx, shape, cond, params, scope_sql, scope_params)
                    if candidates:
                        break
            if not candidates and _ID_PREFIX.match(value):
                prefix = value.lower()
                candidates = self._candidates(
                    tx,
                    shape,
                    f"{self.db.q('id')} >= ? AND {self.db.q('id')} < ?",
                    [prefix, prefix + _TOP],
                    scope_sql,
                    scope_params,
                )
            if len(candidates) > 1 and shape.private_flag and field:
                # a name both private to the caller and public: the caller's own wins
                own = [c for c in candidates if c.get(shape.private_flag) and c[field] == value]
                candidates = own if len(own) == 1 else candidates
            if len(candidates) == 1:
                return build(tx, candidates[0])
        if candidates:
            shown = ", ".join(
                f"{c.get(field) if field else ''} ({c['id']})".strip() for c in candidates[:10]
            )
            raise AmbiguousMatchError(
                f"{value!r} matches several {shape.plural.replace('_', ' ')}: {shown}; "
                "give more of the name or id"
            )
        existing = self.list_rows(shape.name, size=5, **scope)
        hint = ", ".join(str(e[field] if field else e["id"]) for e in existing.items)
        raise EntityNotFoundError(
            f"no {shape.name.replace('_', ' ')} matches {value!r} by id, name or prefix"
            + (f"; existing: {hint}{', ...' if existing.total > 5 else ''}" if hint else "")
        )

    def _candidates(
        self,
        tx: Transaction,
        shape: Shape,
        cond: str,
        params: list[Any],
        scope_sql: str,
        scope_params: list[Any],
    ) -> list[Row]:
        sql = f"{self._select_sql(shape)} WHERE {cond}"
        if scope_sql:
            sql += f" AND {scope_sql}"
        vis = self._visibility(shape)
        extra = []
        if vis:
            sql += " AND " + vis[0]
            extra = vis[1]
        raw = tx.fetchall(sql + " LIMIT 11", [*params, *scope_params, *extra])
        return [self._decode(shape, r) for r in raw]

    def _where(
        self, shape: Shape, filters: dict[str, Any], logical_operator: str = "and"
    ) -> tuple[str, list[Any]]:
        if logical_operator not in ("and", "or"):
            raise InputError(f"logical_operator {logical_operator!r} must be 'and' or 'or'")
        parts: list[str] = []
        params: list[Any] = []
        for field, raw in filters.items():
            for cond in F.parse_filter(shape, field, raw):
                sql, p = self._condition_sql(shape, cond)
                parts.append(sql)
                params += p
        joiner = " AND " if logical_operator == "and" else " OR "
        return (f"({joiner.join(parts)})" if parts else ""), params

    def _condition_sql(self, shape: Shape, cond: F.Condition) -> tuple[str, list[Any]]:
        db = self.db
        if cond.field in shape.columns:
            column: Column = shape.columns[cond.field]
            if column.kind == "uuid" and cond.op == "startswith":
                return f"{db.q(cond.field)} LIKE ? ESCAPE '!'", [F.like_escape(cond.value) + "%"]
            return F.column_condition(db, db.q(cond.field), column.kind, cond.op, cond.value)
        if cond.field == "tags":
            return F.tags_condition(db, shape, cond.op, cond.value)
        if cond.field in shape.relations:
            target = shape.relations[cond.field]
            values = cond.value if cond.op == "oneof" else [cond.value]
            ids = [str(self.resolve_row(shape_for(target), v, {})["id"]) for v in values]
            op = "notequals" if cond.op == "notequals" else "oneof"
            return F.column_condition(db, db.q(cond.field + "_id"), "str", op, ids)
        if cond.field.endswith("_name") and cond.field[:-5] in shape.relations:
            return F.related_name_condition(db, shape, cond.field[:-5], cond.op, cond.value)
        return hooks_for(shape.name).filter_sql(self, cond)

    def _order(self, shape: Shape, sort_by: str | None) -> str:
        sort_by = sort_by or shape.default_sort
        direction, _, field = sort_by.rpartition(":")
        direction = direction or "asc"
        if direction not in ("asc", "desc"):
            raise InputError(
                f"invalid sort direction {direction!r} in {sort_by!r}: use asc or desc"
            )
        if field not in shape.sort_fields:
            raise InputError(
                f"cannot sort {shape.plural} by {field!r}; sortable fields: "
                + ", ".join(shape.sort_fields)
            )
        d = direction.upper()
        return f" ORDER BY {self.db.q(field)} {d}, {self.db.q('id')} {d}"

    def _read_page(
        self,
        shape: Shape,
        build: Callable[[Transaction, list[Row]], list[Any]],
        fresh: bool = False,
        /,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> RowPage:
        """One page of a list query: its items made by `build` inside the read
        transaction (models or rows), and the total."""
        sort_by, page, size = check_paging(sort_by, page, size)
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise InputError(f"page size {size} is out of range: use 1 to {MAX_PAGE_SIZE}")
        if page < 1:
            raise InputError(f"page {page} is out of range: pages start at 1")
        if (page - 1) * size > MAX_OFFSET:
            raise InputError(f"page {page} is out of range: at most {MAX_OFFSET // size + 1}")
        where, params = self._where(shape, filters, logical_operator)
        vis = self._visibility(shape)
        clauses = [c for c in (where, vis[0] if vis else "") if c]
        params += vis[1] if vis else []
        where_sql = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        order = self._order(shape, sort_by)
        with self.db.transaction(write=False) as tx:
            total = int(
                tx.scalar(f"SELECT COUNT(*) FROM {self.db.q(shape.table)}{where_sql}", params)
            )
            raw = tx.fetchall(
                f"{self._select_sql(shape)}{where_sql}{order} LIMIT ? OFFSET ?",
                [*params, size, (page - 1) * size],
            )
            rows = [self._decode(shape, r) for r in raw]
            stale = not fresh and self._stale(shape, rows)
            items = [] if stale else build(tx, rows)
        if stale:
            return self._read_page(shape, build, True, sort_by=sort_by, page=page, size=size,
                                   logical_operator=logical_operator, **filters)  # fmt: skip
        return RowPage(page, size, total, items)

    def summarize(self, kind: str, by: Sequence[str], **filters: Any) -> list[Row]:
        """How many entities matching `filters` share each value of the `by` fields, and
        the newest `created` among them: the figures a dashboard charts (runs per status
        of each pipeline), in one grouped query instead of a page read per group."""
        shape = shape_for(kind)
        for field in by:
            if field not in shape.sort_fields:
                raise InputError(
                    f"cannot group {shape.plural} by {field!r}; fields: "
                    + ", ".join(shape.sort_fields)
                )
        where, params = self._where(shape, filters)
        vis = self._visibility(shape)
        clauses = [c for c in (where, vis[0] if vis else "") if c]
        params += vis[1] if vis else []
        where_sql = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        q = self.db.q
        groups = ", ".join(q(f) for f in by)
        sql = (
            f"SELECT {groups}, COUNT(*), MAX({q('created')}) FROM {q(shape.table)}"
            f"{where_sql} GROUP BY {groups}"
        )
        with self.db.transaction(write=False) as tx:
            raw = tx.fetchall(sql, params)
        kinds = [shape.columns[f].kind for f in by]
        return [
            {
                **{f: self.db.decode(k, v) for f, k, v in zip(by, kinds, r, strict=False)},
                "count": int(r[len(by)]),
                "last_created": self.db.decode("datetime", r[len(by) + 1]),
            }
            for r in raw
        ]

    def list(self, kind: str, /, **query: Any) -> Page[Any]:
        from stackyard.models.base import Page

        spec = spec_for(kind)
        found = self._read_page(
            spec.shape, lambda tx, rows: self._build(spec, tx, rows, single=False), **query
        )
        return Page.model_construct(
            index=found.index,
            max_size=found.max_size,
            total=found.total,
            total_pages=found.total_pages,
            items=found.items,
        )

    def list_rows(self, kind: str, /, **query: Any) -> RowPage:
        shape = shape_for(kind)
        return self._read_page(shape, lambda tx, rows: self._rows(shape, tx, rows), **query)

    # -- writing ---------------------------------------------------------------------------
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

    def _check_relations(self, tx: Transaction, spec: ResourceSpec, values: Row) -> None:
        for rel, target in spec.relations.items():
            value = values.get(rel + "_id")
            if value is None:
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

    def create(self, kind: str, request: BaseModel | dict[str, Any]) -> Any:
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
                    hooks.before_create(self, tx, values, req)
                    self._check_exists(tx, spec, values)
                    self._check_relations(tx, spec, values)
                    self.insert_row(tx, spec.shape, values)
                    if spec.taggable and getattr(req, "tags", None):
                        attached.set_tags(self, tx, spec.shape, values["id"], add=req.tags)
                    hooks.after_create(self, tx, values, req)
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
                if hooks.retry_on_conflict and attempt < 7:
                    continue
                if isinstance(exc, EntityExistsError):
                    raise
                raise EntityExistsError(
                    f"the {spec.name.replace('_', ' ')} conflicts with an existing one: {exc}"
                ) from None
        raise AssertionError("unreachable")

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

    def update(self, kind: str, entity_id: UUID, update: BaseModel | dict[str, Any]) -> Any:
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
            hooks.before_update(self, tx, row, changes, upd)
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
                    self,
                    tx,
                    spec.shape,
                    row["id"],
                    add=getattr(upd, "add_tags", None) or [],
                    remove=getattr(upd, "remove_tags", None) or [],
                )
            hooks.after_update(self, tx, {**row, **changes}, upd)
            return self._build(spec, tx, [self._row(tx, spec.shape, row["id"])], single=False)[0]

    def delete(self, kind: str, entity_id: UUID) -> None:
        spec = spec_for(kind)
        with self.db.transaction() as tx:
            row = self._row(tx, spec.shape, F.coerce("id", "uuid", entity_id))
            self._check_owner(spec, row, "delete")
            hooks_for(spec.name).before_delete(self, tx, row)
            self.delete_attached(tx, spec.name, [str(row["id"])])
            tx.execute(
                f"DELETE FROM {self.db.q(spec.table)} WHERE {self.db.q('id')} = ?", [str(row["id"])]
            )

    # -- runs beyond CRUD (see `stackyard.store.sql.runs`) -----------------------------------
    def start_template_run(
        self,
        template_id: UUID,
        run_configuration: dict[str, Any],
        *,
        schedule_id: UUID | None = None,
    ) -> PipelineRunResponse:
        return runs.start_template_run(self, template_id, run_configuration, schedule_id)

    def claim_run(self) -> RunClaim | None:
        return runs.claim_run(self)

    def heartbeat(self, run_id: UUID, interval: float) -> bool:
        return runs.heartbeat(self, run_id, interval)

    def stop_run(self, run_id: UUID) -> PipelineRunResponse:
        return runs.stop_run(self, run_id)

    def claim_schedule(
        self,
        schedule_id: UUID,
        due: datetime,
        *,
        next_run: datetime | None,
        last_run: datetime | None,
        active: bool,
    ) -> bool:
        return runs.claim_schedule(
            self, schedule_id, due, next_run=next_run, last_run=last_run, active=active
        )

    def settings(self) -> dict[str, Any]:
        return runs.settings(self)

    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        return runs.update_settings(self, changes)

    def reap(self) -> builtins.list[UUID]:
        """Fail the unfinished runs whose process missed its heartbeat (the server's
        reaper calls this; reads do it too when they meet such a run)."""
        return runs.reap(self)

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
