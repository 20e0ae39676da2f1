"""From database rows to what reads return, prepared once per resource.

A page of 1,000 runs holds some 20,000 values. Decoded one by one through the
generic `Database.decode`, and built into models through pydantic's general
`model_construct`, they took several times the SQL's own time. So each resource gets,
on first use:

- a row decoder for its dialect, which converts only the columns that need it (ids to
  UUIDs, datetimes to UTC, JSON text to values, integers to bools) by the fastest
  route with the same result, an id seen before on the page decoded once;
- a model builder, which sets a response's `__dict__`, fields set and private
  attributes exactly as `model_construct` followed by `bind` does (a test compares
  the two for every resource), without its per-field generality.
"""

from __future__ import annotations

import inspect
import json
import json.scanner
import typing
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from functools import cache
from itertools import repeat
from operator import add, itemgetter
from typing import TYPE_CHECKING, Any
from uuid import UUID, SafeUUID

from stackyard.models.spec import Shape, _unwrap
from stackyard.store.sql.db import as_utc

if TYPE_CHECKING:
    from pydantic import BaseModel

    from stackyard.models.spec import ResourceSpec
    from stackyard.store.sql.hooks.base import Row

_new = object.__new__
_set = object.__setattr__
_UNKNOWN = SafeUUID.unknown
# the C scanner `json.loads` itself runs (typeshed does not declare it)
_c_scanner = getattr(json.scanner, "c_make_scanner", None)
_scan: Callable[[str, int], tuple[Any, int]] | None = (
    None if _c_scanner is None else _c_scanner(json.JSONDecoder())
)


def uuid_from_text(value: Any) -> UUID:
    """`UUID(str(value))`: for the 36-character text every database returns, the same
    UUID without `UUID.__init__`'s keyword handling."""
    if type(value) is str:
        digits = value.replace("-", "")
        if len(digits) == 32:
            uuid = _new(UUID)
            _set(uuid, "int", int(digits, 16))
            _set(uuid, "is_safe", _UNKNOWN)
            return uuid
    return UUID(str(value))


def utc_from_text(value: Any) -> datetime:
    """A datetime SQLite holds as naive UTC text, aware: `as_utc(fromisoformat(value))`
    without `datetime.replace`, which costs ten times the parse."""
    if type(value) is str:
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:  # text with an offset of its own
            value = datetime.fromisoformat(value)
    return as_utc(value)


def utc_from_naive(value: Any) -> datetime:
    """A datetime MySQL returns naive (it stores UTC), aware."""
    if type(value) is datetime and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return utc_from_text(value)


def json_from_text(value: Any) -> Any:
    """`json.loads(value)`, straight to the C scanner when the text is plain JSON (no
    surrounding whitespace); anything else, errors included, goes to `json.loads`."""
    if _scan is not None and type(value) is str:
        try:
            decoded, end = _scan(value, 0)
            if end == len(value):
                return decoded
        except (StopIteration, ValueError):
            pass
    return json.loads(value)


_DECODERS: dict[str, dict[str, Callable[[Any], Any]]] = {
    "sqlite": {"datetime": utc_from_text, "json": json_from_text},
    "postgresql": {"datetime": as_utc, "json": json_from_text},
    "mysql": {"datetime": utc_from_naive, "json": json_from_text},
}


class RowDecoder:
    """Raw result tuples of one shape's columns to rows of Python values, a column at a
    time: one pass over each column that needs converting (none over a column that is
    all NULL), then the rows zipped together, which runs at C speed."""

    def __init__(self, dialect: str, shape: Shape) -> None:
        self.dialect = dialect
        self.names = tuple(shape.columns)
        self.decoders = _DECODERS[dialect]
        self.id_at = self.names.index("id")
        self.steps = tuple(
            (i, c.kind) for i, c in enumerate(shape.columns.values()) if c.kind in _CONVERTED
        )

    def __call__(self, raw: Sequence[Any]) -> Row:
        return self.rows([raw])[0]

    def ids_as_stored(self, raws: Sequence[Sequence[Any]]) -> list[str]:
        """The rows' ids as text, as other tables refer to them (the database holds
        them as `str(uuid)`), without making text of their UUIDs again."""
        at = self.id_at
        return [str(raw[at]) for raw in raws]

    def rows(self, raws: Sequence[Sequence[Any]]) -> list[Row]:
        if not raws:
            return []
        columns: list[Sequence[Any]] = list(zip(*raws, strict=True))
        if len(columns) != len(self.names):
            raise ValueError(f"expected {len(self.names)} columns, got {len(columns)}")
        seen: dict[Any, UUID] = {}  # ids repeat on a page (its user, stack, pipeline)
        for i, kind in self.steps:
            column = columns[i]
            nulls = column.count(None)
            if i == self.id_at:  # unique on a page: nothing to remember
                columns[i] = [uuid_from_text(v) for v in column]
            elif nulls < len(column):
                columns[i] = self._column(kind, column, nulls, seen)
        names = self.names
        return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]

    def _column(
        self, kind: str, column: Sequence[Any], nulls: int, seen: dict[Any, UUID]
    ) -> list[Any]:
        if kind == "uuid":
            return [None if v is None else (seen.get(v) or _remember(seen, v)) for v in column]
        if kind == "bool":
            return [None if v is None else bool(v) for v in column]
        if kind == "datetime" and self.dialect == "sqlite" and not nulls:
            try:  # the usual case, naive UTC text, without a Python call per value
                return list(map(_fromisoformat, map(add, column, repeat("+00:00"))))
            except (TypeError, ValueError):
                pass
        decode = self.decoders[kind]
        return [None if v is None else decode(v) for v in column]


_CONVERTED = frozenset({"uuid", "bool", "datetime", "json"})
_fromisoformat = datetime.fromisoformat


def _remember(seen: dict[Any, UUID], text: Any) -> UUID:
    uuid = seen[text] = uuid_from_text(text)
    return uuid


@cache
def row_decoder(dialect: str, shape: Shape) -> RowDecoder:
    return RowDecoder(dialect, shape)


@cache
def converters(spec: ResourceSpec) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Per-field conversions from decoded column values to the response's types: enums
    by value, nested models (and lists of them) validated."""
    from pydantic import BaseModel

    result: list[tuple[str, Callable[[Any], Any]]] = []
    for name, info in spec.response.model_fields.items():
        core, _ = _unwrap(info.annotation)
        if isinstance(core, type) and issubclass(core, Enum):
            result.append((name, _enum_member(core)))
        elif isinstance(core, type) and issubclass(core, BaseModel):
            result.append((name, core.model_validate))
        elif typing.get_origin(core) is list:
            (item,) = typing.get_args(core) or (Any,)
            if isinstance(item, type) and issubclass(item, BaseModel):
                result.append((name, _validate_each(item)))
    return tuple(result)


def _enum_member(enum: type[Enum]) -> Callable[[Any], Any]:
    """`enum(value)`: a member's own value found in the value map, anything else (and
    every error) through the enum itself."""
    members = enum._value2member_map_

    def member(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):
            return enum(value)

    return member


def _validate_each(model: type[BaseModel]) -> Callable[[list[Any]], list[Any]]:
    def validate(values: list[Any]) -> list[Any]:
        return [model.model_validate(v) for v in values]

    return validate


@cache
def model_builder(spec: ResourceSpec) -> Callable[[list[Row], Any], list[Any]]:
    """A function making the response models of decoded, hydrated rows, bound to a
    store: what `model_construct(**fields of row, converted)` and `bind(store)` make."""
    cls = spec.response
    fields = cls.__pydantic_fields__
    convert = converters(spec)
    if not _constructible(cls):

        def construct(rows: list[Row], store: Any) -> list[Any]:
            models = []
            for row in rows:
                data = {k: v for k, v in row.items() if k not in spec.private_columns}
                for name, fn in convert:
                    if data.get(name) is not None:
                        data[name] = fn(data[name])
                model = cls.model_construct(**data)
                model.bind(store)
                models.append(model)
            return models

        return construct

    names = tuple(fields)
    every = frozenset(names)
    take = itemgetter(*names)
    private = _private_defaults(cls)
    mutable_private = any(not _immutable(v) for v in private.values())

    def build(rows: list[Row], store: Any) -> list[Any]:
        models = []
        for row in rows:
            try:
                values = dict(zip(names, take(row), strict=True))
            except KeyError:
                values, fields_set = _with_defaults(fields, convert, row)
            else:
                fields_set = set(every)
                for name, fn in convert:
                    value = values[name]
                    if value is not None:
                        values[name] = fn(value)
            model = _new(cls)
            _set(model, "__dict__", values)
            _set(model, "__pydantic_fields_set__", fields_set)
            _set(model, "__pydantic_extra__", None)
            own = _private_defaults(cls) if mutable_private else private.copy()
            own["_store"] = store
            _set(model, "__pydantic_private__", own)
            models.append(model)
        return models

    return build


def _with_defaults(
    fields: dict[str, Any], convert: tuple[tuple[str, Callable[[Any], Any]], ...], row: Row
) -> tuple[dict[str, Any], set[str]]:
    """For a row that lacks fields (computed ones its hydration skipped), as
    `model_construct` fills them: in field order, defaults not converted, required
    fields left out."""
    conversions = dict(convert)
    values: dict[str, Any] = {}
    fields_set: set[str] = set()
    for name, info in fields.items():
        if name in row:
            value = row[name]
            fn = conversions.get(name)
            values[name] = value if fn is None or value is None else fn(value)
            fields_set.add(name)
        elif not info.is_required():
            values[name] = info.get_default(call_default_factory=True, validated_data=values)
    return values, fields_set


def _private_defaults(cls: type[BaseModel]) -> dict[str, Any]:
    """The private attributes pydantic's post-init gives a new instance: each one's
    default, none for those without."""
    from pydantic_core import PydanticUndefined

    defaults = {}
    for name, attr in cls.__private_attributes__.items():
        default = attr.get_default(call_default_factory=True)
        if default is not PydanticUndefined:
            defaults[name] = default
    return defaults


def _constructible(cls: type[BaseModel]) -> bool:
    """Whether `model_builder` may set `cls`'s instances up itself: no aliases, no extra
    fields kept, a `_store` private attribute, no default computed from other fields,
    and no `model_post_init` beyond the one pydantic adds to set private attributes."""
    post_init = inspect.unwrap(cls.model_post_init)
    return (
        cls.model_config.get("extra") != "allow"
        and not getattr(cls, "__pydantic_root_model__", False)
        and "_store" in cls.__private_attributes__
        and post_init.__module__.startswith("pydantic.")
        and not any(
            a.default_factory_takes_validated_data for a in cls.__private_attributes__.values()
        )
        and all(
            f.alias is None and f.validation_alias is None for f in cls.__pydantic_fields__.values()
        )
    )


def _immutable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | tuple | frozenset)
