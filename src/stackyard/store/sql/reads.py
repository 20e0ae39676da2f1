"""Reading a SQL store: get, find, list and list_rows for every resource.

Reading goes through the resource's `Shape` and builds models only at the end,
so `list_rows` (what the CLI prints) runs without importing pydantic. Private
entities are visible to their owner only; rows a hook finds out of date (a run
whose process died) are brought up to date and read again.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Sequence
from functools import cache
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from stackyard.exceptions import AmbiguousMatchError, EntityNotFoundError, InputError
from stackyard.models.spec import Column, ResourceSpec, Shape, shape_for, spec_for
from stackyard.store.base import MAX_PAGE_SIZE, RowPage, check_paging
from stackyard.store.sql import attached
from stackyard.store.sql import filters as F
from stackyard.store.sql.db import Database, Transaction
from stackyard.store.sql.decoding import model_builder, row_decoder
from stackyard.store.sql.hooks import hooks_for
from stackyard.store.sql.hooks.base import Row

if TYPE_CHECKING:
    from stackyard.models.base import Page
    from stackyard.models.users import UserResponse
    from stackyard.store.sql.store import SqlStore
    from stackyard.store.sql.totals import Totals

_ID_PREFIX = re.compile(r"^[0-9a-fA-F-]{4,36}$")
_TOP = "\U0010ffff"
MAX_OFFSET = 2**62  # every database takes a 64-bit OFFSET


@cache
def _select_sql(quote: str, shape: Shape) -> str:
    """SELECT of every column of a shape, in order (what its row decoder reads)."""
    cols = ", ".join(f"{quote}{c}{quote}" for c in shape.columns)
    return f"SELECT {cols} FROM {quote}{shape.table}{quote}"


@cache
def _taker(shape: Shape) -> Callable[[Row], tuple[Any, ...]]:
    """A row's response fields (id, created, updated and more), in order, as a tuple;
    KeyError when one is missing."""
    return itemgetter(*shape.fields)


class SqlReads:
    """The reading half of `SqlStore`."""

    @property
    def _store(self) -> SqlStore:
        """This store, as the hooks and helpers it hands itself to see it."""
        return cast("SqlStore", self)

    db: Database
    totals: Totals
    actor: UserResponse | None

    if TYPE_CHECKING:

        def current_user(self) -> UserResponse: ...

    def _select_sql(self, shape: Shape) -> str:
        return _select_sql(self.db.quote_char, shape)

    def _decode(self, shape: Shape, raw: tuple[Any, ...]) -> Row:
        return row_decoder(self.db.dialect, shape)(raw)

    def _hydrate(
        self,
        shape: Shape,
        tx: Transaction,
        rows: list[Row],
        single: bool,
        ids: Sequence[str] | None = None,
    ) -> None:
        """Fill the fields no column holds: tags, metadata, and what hooks compute.
        `ids`: the rows' ids as stored, when at hand (else made from the UUIDs)."""
        tags = shape.taggable and "tags" in shape.fields
        if tags or shape.has_metadata:
            if ids is None:
                ids = [str(r["id"]) for r in rows]
            by_id = dict(zip(ids, rows, strict=True))
            if tags:
                attached.hydrate_tags(self._store, shape, tx, by_id)
            if shape.has_metadata:
                attached.hydrate_metadata(self._store, shape, tx, by_id)
        hooks_for(shape.name).hydrate(self._store, tx, rows, single)

    def _rows(
        self, shape: Shape, tx: Transaction, rows: list[Row], ids: Sequence[str] | None = None
    ) -> list[Row]:
        """Hydrated rows holding exactly the response's fields, defaults filled in."""
        self._hydrate(shape, tx, rows, False, ids)
        fields, take = shape.fields, _taker(shape)
        result = []
        for row in rows:
            try:
                result.append(dict(zip(fields, take(row), strict=True)))
            except KeyError:  # a field no column or hydration gave: its default
                defaults = shape.defaults
                result.append(
                    {f: row[f] if f in row else copy.deepcopy(defaults.get(f)) for f in fields}
                )
        return result

    def _build(
        self,
        spec: ResourceSpec,
        tx: Transaction,
        rows: list[Row],
        single: bool,
        ids: Sequence[str] | None = None,
    ) -> list[Any]:
        """Response models from decoded rows, bound to this store."""
        self._hydrate(spec.shape, tx, rows, single, ids)
        return model_builder(spec)(rows, self)

    def _visibility(self, shape: Shape) -> tuple[str, list[Any]] | None:
        """Private entities are visible to their owner only (a row id, no user model)."""
        if shape.private_flag is None:
            return None
        if self.actor is not None:
            actor_id = self.actor.id
        else:
            from stackyard.store.sql.bootstrap import default_user_id

            actor_id = default_user_id(self._store)
        flag = self.db.q(shape.private_flag)
        return (f"({flag} = ? OR {self.db.q('user_id')} = ?)", [False, str(actor_id)])

    def _row(self, tx: Transaction, shape: Shape, entity_id: UUID, *, visible: bool = True) -> Row:
        """The row of `entity_id`; with `visible`, only if the actor may see it (a write
        re-reads what it just wrote without: an admin may make a secret private)."""
        sql = self._select_sql(shape) + f" WHERE {self.db.q('id')} = ?"
        params: list[Any] = [str(entity_id)]
        vis = self._visibility(shape) if visible else None
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
        return bool(rows) and hooks_for(shape.name).refresh(self._store, rows)

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
            f"no {shape.name.replace('_', ' ')} matches {value!r} by "
            + ("id, name or prefix" if field else "id or prefix")
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
        return row_decoder(self.db.dialect, shape).rows(raw)

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
        return hooks_for(shape.name).filter_sql(self._store, cond)

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
        build: Callable[[Transaction, list[Row], list[str]], list[Any]],
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
            total = self.totals.count(tx, shape.table, where_sql, params)
            raw = tx.fetchall(
                f"{self._select_sql(shape)}{where_sql}{order} LIMIT ? OFFSET ?",
                [*params, size, (page - 1) * size],
            )
            decoder = row_decoder(self.db.dialect, shape)
            rows = decoder.rows(raw)
            stale = not fresh and self._stale(shape, rows)
            items = [] if stale else build(tx, rows, decoder.ids_as_stored(raw))
        self.totals.fold()
        if stale:
            return self._read_page(shape, build, True, sort_by=sort_by, page=page, size=size,
                                   logical_operator=logical_operator, **filters)  # fmt: skip
        return RowPage(page, size, total, items)

    def summarize(
        self, kind: str, by: Sequence[str], *, highest: Sequence[str] = (), **filters: Any
    ) -> list[Row]:
        """How many entities matching `filters` share each value of the `by` fields, the
        newest `created` among them and, for each field in `highest`, its largest value
        (as `highest_<field>`): the figures a dashboard shows (runs per status of each
        pipeline, the latest version number of each model), in one grouped query instead
        of a page read per group."""
        shape = shape_for(kind)
        for field in (*by, *highest):
            if field not in shape.sort_fields:
                raise InputError(
                    f"cannot group or rank {shape.plural} by {field!r}; fields: "
                    + ", ".join(shape.sort_fields)
                )
        where, params = self._where(shape, filters)
        vis = self._visibility(shape)
        clauses = [c for c in (where, vis[0] if vis else "") if c]
        params += vis[1] if vis else []
        where_sql = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        q = self.db.q
        groups = ", ".join(q(f) for f in by)
        tops = "".join(f", MAX({q(f)})" for f in highest)
        sql = (
            f"SELECT {groups}, COUNT(*), MAX({q('created')}){tops} FROM {q(shape.table)}"
            f"{where_sql} GROUP BY {groups}"
        )
        with self.db.transaction(write=False) as tx:
            raw = tx.fetchall(sql, params)
        kinds = [shape.columns[f].kind for f in by]
        top_kinds = [shape.columns[f].kind for f in highest]
        width = len(by) + 2
        return [
            {
                **{f: self.db.decode(k, v) for f, k, v in zip(by, kinds, r, strict=False)},
                "count": int(r[len(by)]),
                "last_created": self.db.decode("datetime", r[len(by) + 1]),
                **{
                    f"highest_{f}": self.db.decode(k, v)
                    for f, k, v in zip(highest, top_kinds, r[width:], strict=True)
                },
            }
            for r in raw
        ]

    def list(self, kind: str, /, **query: Any) -> Page[Any]:
        from stackyard.models.base import Page

        spec = spec_for(kind)
        found = self._read_page(
            spec.shape, lambda tx, rows, ids: self._build(spec, tx, rows, False, ids), **query
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
        return self._read_page(
            shape, lambda tx, rows, ids: self._rows(shape, tx, rows, ids), **query
        )
