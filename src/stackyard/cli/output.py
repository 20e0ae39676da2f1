"""Rendering records as tables, JSON, YAML or CSV.

Machine formats (json, yaml, csv) carry every field of the response model with
stable spellings: sorted keys, ISO 8601 datetimes, UUIDs and enums as strings.
Tables are for people: chosen columns, related names instead of ids, and fitted
to the terminal width by truncating the widest cells (piped, they are never cut).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any
from uuid import UUID

FORMATS = ("table", "json", "yaml", "csv")
# Never rendered, whatever the format: secret values are printed only by `secret get`.
HIDDEN_FIELDS = frozenset({"secret_values"})
MIN_COLUMN_WIDTH = 6
GAP = "  "


def jsonable(value: Any) -> Any:
    """Plain JSON types for any value a response model holds."""
    if isinstance(value, Enum):  # first: StrEnum members are also str
        return jsonable(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID | Path):
        return str(value)
    if isinstance(value, Mapping):
        return {str(jsonable(k)): jsonable(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, Iterable) and not isinstance(value, bytes):
        return [jsonable(v) for v in value]
    fields = getattr(type(value), "model_fields", None)
    if fields is not None:  # a pydantic model nested in a field
        return {name: jsonable(getattr(value, name, None)) for name in fields}
    return str(value)


def public_fields(names: Iterable[str]) -> list[str]:
    """The fields output may show, in the given order."""
    return [name for name in names if name not in HIDDEN_FIELDS]


def record(item: Any) -> dict[str, Any]:
    """Every public field of a row or a response model, as plain JSON types."""
    if isinstance(item, Mapping):
        return {name: jsonable(item[name]) for name in public_fields(item)}
    fields = public_fields(type(item).model_fields)
    return {name: jsonable(getattr(item, name, None)) for name in fields}


def cell(value: Any) -> str:
    """One table cell: short, single-line, human spelling."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, timedelta):
        return format_duration(value.total_seconds())
    if isinstance(value, str):
        return " ".join(value.split()) if "\n" in value else value
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, dict | list | tuple):
        return json.dumps(jsonable(value), sort_keys=True)
    return str(value)


def format_duration(seconds: float) -> str:
    """`0.25s`, `4m05s`, `2h03m09s`: short and sortable by eye."""
    if seconds < 60:
        return f"{seconds:.2f}s"
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def terminal_width() -> int | None:
    """The terminal's width; None when output goes to a pipe or file, which tables
    never cut (a script reading them wants whole values)."""
    import sys

    if not sys.stdout.isatty():
        return None
    import shutil  # only tables need it, and it drags in bz2 and lzma (~4 ms)

    return shutil.get_terminal_size((100, 24)).columns


def _cap(widths: list[int], available: int) -> int:
    """The largest cap such that the capped widths fit in `available`."""
    low, high = MIN_COLUMN_WIDTH, max(widths, default=MIN_COLUMN_WIDTH)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(min(w, cap) for w in widths) <= available:
            low = cap
        else:
            high = cap - 1
    return low


def _fit(widths: list[int], available: int, keep: int) -> list[int]:
    """Shrink the widest columns until the row fits, sparing the first `keep`
    columns (id and name) as long as the others can give way."""
    if sum(widths) <= available:
        return widths
    kept, rest = widths[:keep], widths[keep:]
    if rest and sum(kept) + MIN_COLUMN_WIDTH * len(rest) <= available:
        cap = _cap(rest, available - sum(kept))
        return kept + [min(w, cap) for w in rest]
    cap = _cap(widths, available)
    return [min(w, cap) for w in widths]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    width: int | None = None,
    keep: int = 2,
) -> str:
    """A plain-text table of `columns` (keys of each row), at most `width` wide
    (default: the terminal's, and no limit off a terminal); the first `keep` columns
    (id and name) are truncated last."""
    headers = [c.replace("_", " ").upper() for c in columns]
    body = [[cell(row.get(c)) for c in columns] for row in rows]
    natural = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(headers)]
    limit = width or terminal_width()
    widths = (
        natural if limit is None else _fit(natural, limit - len(GAP) * (len(columns) - 1), keep)
    )
    lines = [
        GAP.join(_clip(text, w).ljust(w) for text, w in zip(line, widths, strict=True)).rstrip()
        for line in (headers, *body)
    ]
    return "\n".join(lines)


def to_json(data: Any) -> str:
    return json.dumps(jsonable(data), indent=2, sort_keys=True, ensure_ascii=False)


def to_yaml(data: Any) -> str:
    import yaml  # only when YAML is asked for

    return str(yaml.safe_dump(jsonable(data), sort_keys=True, allow_unicode=True)).rstrip("\n")


def to_csv(records: Sequence[Mapping[str, Any]], fields: Sequence[str] = ()) -> str:
    """One row per record; nested values as JSON text, None as an empty cell.
    `fields` fixes the header, so even an empty result says what it would hold."""
    import csv

    fields = list(fields)
    for rec in records:
        fields += [k for k in rec if k not in fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for rec in records:
        writer.writerow([_csv_value(rec.get(f)) for f in fields])
    return buffer.getvalue().rstrip("\n")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def machine(data: Any, fmt: str, fields: Sequence[str] = ()) -> str:
    """JSON or YAML for any data; CSV for a list of records (header: `fields` first)."""
    if fmt == "json":
        return to_json(data)
    if fmt == "yaml":
        return to_yaml(data)
    if fmt == "csv":
        rows = data if isinstance(data, list) else [data]
        return to_csv([jsonable(r) for r in rows], fields)
    raise ValueError(f"not a machine format: {fmt}")


def details(data: Mapping[str, Any]) -> str:
    """One record as `field  value` lines, for describe commands."""
    rows = [{"field": k, "value": v} for k, v in data.items() if k not in HIDDEN_FIELDS]
    key_width = max((len(r["field"]) for r in rows), default=0)
    return "\n".join(f"{r['field'].ljust(key_width)}{GAP}{cell(r['value'])}" for r in rows)
