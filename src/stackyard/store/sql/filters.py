"""List-query filters: parse `"op:value"` strings, check them, compile them to SQL.

One parser serves the Client, the CLI and the REST server (whose query
parameters arrive as the same strings), so all three accept and refuse exactly
the same things, with the same messages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from stackyard.exceptions import InputError
from stackyard.models.spec import Shape, shape_for
from stackyard.store.sql.db import Database, as_utc, check_storable

OPERATORS = (
    "equals",
    "notequals",
    "contains",
    "startswith",
    "endswith",
    "oneof",
    "gt",
    "gte",
    "lt",
    "lte",
)
_ORDERED = ("equals", "notequals", "gt", "gte", "lt", "lte", "oneof")
OPERATORS_BY_KIND: dict[str, tuple[str, ...]] = {
    "str": OPERATORS,
    "text": OPERATORS,
    "uuid": ("equals", "notequals", "oneof", "startswith"),
    "bool": ("equals", "notequals"),
    "int": _ORDERED,
    "float": _ORDERED,
    "datetime": _ORDERED,
}
_SQL_OPS = {"equals": "=", "notequals": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


@dataclass(frozen=True)
class Condition:
    """One parsed filter: a field, an operator and a value of the field's type."""

    field: str
    op: str
    value: Any


def split_operator(raw: Any) -> tuple[str, Any]:
    """`"gte:2026-01-01"` → ("gte", "2026-01-01"); lists mean oneof; else equals."""
    if isinstance(raw, list | tuple | set | frozenset):
        return "oneof", list(raw)
    if isinstance(raw, str) and ":" in raw:
        head, rest = raw.split(":", 1)
        if head in OPERATORS:
            return head, rest
    return "equals", raw


def coerce(field: str, kind: str, value: Any) -> Any:
    """Turn a filter value into the field's type, or say clearly why it can't be."""
    try:
        if value is None:
            return None
        if kind == "uuid":
            return value if isinstance(value, UUID) else UUID(str(value))
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "1", "yes"):
                return True
            if text in ("false", "0", "no"):
                return False
            raise ValueError
        if kind == "int":
            number = int(value)
            check_storable(field, kind, number)
            return number
        if kind == "float":
            return float(value)
        if kind == "datetime":
            parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
            check_storable(field, kind, parsed)
            return as_utc(parsed)
        text = str(value.value if hasattr(value, "value") else value)
        check_storable(field, "text", text)
        return text
    except InputError:
        raise
    except (ValueError, TypeError, OverflowError):
        expected = {
            "uuid": "a UUID such as 413cfb42-a52c-4bf1-a2fd-78af2f7f0101",
            "bool": "true or false",
            "int": "an integer",
            "float": "a number",
            "datetime": "an ISO date or datetime such as 2026-01-01 or 2026-01-01T12:00:00",
        }.get(kind, "a string")
        raise InputError(
            f"invalid value {value!r} for filter {field!r}: expected {expected}"
        ) from None


def parse_filter(spec: Shape, field: str, raw: Any) -> list[Condition]:
    """Check a filter's name, operator and value against the resource's columns."""
    if field not in spec.filter_fields:
        raise InputError(
            f"unknown filter {field!r} for {spec.plural}; valid filters: "
            + ", ".join(spec.filter_fields)
        )
    op, value = split_operator(raw)
    column = spec.columns.get(field)
    kind: str = column.kind if column is not None else "str"
    if field in spec.relations or field in spec.extra_filters:
        kind = "str" if field in spec.relations else _extra_kind(field)
    allowed = OPERATORS_BY_KIND.get(kind, ("equals",))
    if op not in allowed:
        raise InputError(
            f"operator {op!r} does not apply to filter {field!r}; use one of: " + ", ".join(allowed)
        )
    if op == "oneof":
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                value = None
            if not isinstance(value, list):
                raise InputError(
                    f"oneof filter on {field!r} needs a JSON list, "
                    f'e.g. oneof:["a","b"]; got {raw!r}'
                )
        return [Condition(field, op, [coerce(field, kind, v) for v in value])]
    if op == "startswith" and kind == "uuid":
        return [Condition(field, op, str(value).lower())]
    return [Condition(field, op, coerce(field, kind, value))]


def _extra_kind(field: str) -> str:
    return "uuid" if field.endswith("_id") else "str"


def like_escape(value: str) -> str:
    return value.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def column_condition(
    db: Database, column_sql: str, kind: str, op: str, value: Any
) -> tuple[str, list[Any]]:
    """SQL for `column op value`; text matches are case-insensitive."""
    if value is None and op in ("equals", "notequals"):
        return f"{column_sql} IS {'NOT ' if op == 'notequals' else ''}NULL", []
    if op == "oneof":
        if not value:
            return "1=0", []
        return (
            f"{column_sql} IN ({', '.join('?' * len(value))})",
            [db.encode(kind, v) for v in value],
        )
    if op in ("contains", "startswith", "endswith"):
        pattern = like_escape(str(value).lower())
        pattern = {
            "contains": f"%{pattern}%",
            "startswith": f"{pattern}%",
            "endswith": f"%{pattern}",
        }[op]
        return f"LOWER({column_sql}) LIKE ? ESCAPE '!'", [pattern]
    return f"{column_sql} {_SQL_OPS[op]} ?", [db.encode(kind, value)]


def related_name_condition(
    db: Database, spec: Shape, relation: str, op: str, value: Any
) -> tuple[str, list[Any]]:
    """`pipeline_name="contains:train"` → a subquery on the related table's name."""
    target = shape_for(spec.relations[relation])
    inner, params = column_condition(db, db.q(target.name_field or "name"), "str", op, value)
    return (
        f"{db.q(relation + '_id')} IN (SELECT {db.q('id')} FROM {db.q(target.table)} "
        f"WHERE {inner})",
        params,
    )


def tags_condition(db: Database, spec: Shape, op: str, value: Any) -> tuple[str, list[Any]]:
    """Entities carrying a tag whose name matches."""
    inner, params = column_condition(db, "t." + db.q("name"), "str", op, value)
    return (
        f"{db.q('id')} IN (SELECT a.{db.q('resource_id')} FROM {db.q('tag_assignments')} a "
        f"JOIN {db.q('tags')} t ON t.{db.q('id')} = a.{db.q('tag_id')} "
        f"WHERE a.{db.q('resource_type')} = ? AND {inner})",
        [spec.name, *params],
    )
