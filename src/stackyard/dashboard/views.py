"""Building blocks of the generic list and detail pages: cells, tables, sections.

Most resources need nothing more than a table of their entities and a page of
their fields; those pages are data handed to `table.html` and `detail.html`,
so each resource is a few lines in `resources.py` rather than two templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MASK = "********"
_SECRET_NAME = re.compile(
    r"(pass(word)?|secret|token|api_?key|access_?key|private_?key|credential)", re.I
)
_REFERENCE = re.compile(r"^\{\{\s*[\w.-]+\s*\}\}$")


@dataclass
class Cell:
    """One table cell or field value: text, optionally a link, a status, a time..."""

    value: Any
    href: str | None = None
    kind: str = "text"  # text, time, code, json, muted


def link(value: Any, href: str | None) -> Cell:
    return Cell(value, href)


def when(value: datetime | None) -> Cell:
    return Cell(value, kind="time")


def code(value: Any) -> Cell:
    return Cell(value, kind="code")


def as_json(value: Any) -> Cell:
    return Cell(value, kind="json")


@dataclass
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    empty: str = "Nothing here yet."


@dataclass
class Section:
    title: str
    fields: list[tuple[str, Cell]] = field(default_factory=list)
    table: Table | None = None


def _secret_fields(schema: dict[str, Any]) -> set[str]:
    """Fields a flavor's JSON schema marks as secret (pydantic SecretStr: writeOnly)."""
    found = set()
    for name, prop in (schema.get("properties") or {}).items():
        options = [prop, *prop.get("anyOf", [])]
        if any(o.get("writeOnly") or o.get("format") == "password" for o in options):
            found.add(name)
    return found


def masked(configuration: dict[str, Any], schema: dict[str, Any] | None = None) -> dict[str, Any]:
    """A configuration with secret values replaced by MASK: fields the schema marks
    secret, and any whose name says it is one. `{{secret.key}}` references stay: they
    name a secret, they do not hold it."""
    secret = _secret_fields(schema or {})
    out: dict[str, Any] = {}
    for key, value in configuration.items():
        is_reference = isinstance(value, str) and bool(_REFERENCE.match(value))
        if (
            (key in secret or _SECRET_NAME.search(key))
            and value not in (None, "")
            and not is_reference
        ):
            out[key] = MASK
        elif isinstance(value, dict):
            out[key] = masked(value)
        else:
            out[key] = value
    return out


__all__ = ["Cell", "Section", "Table", "as_json", "code", "link", "masked", "when"]
