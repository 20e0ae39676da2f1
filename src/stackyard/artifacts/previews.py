"""A short text of a value, made where it is saved, for whoever looks at it later.

The server never unpickles an artifact nor runs a custom materializer, so for a
pickled value it has nothing to show but what was recorded when the value was
saved: `short_repr`, the value's repr bounded in size. Containers show their first
items only (`reprlib`), objects with the default repr show their attributes, and
the text is cut at `PREVIEW_LIMIT` characters; a value whose repr fails, or a big
container with a repr of its own, gets no preview rather than a slow save.
"""

from __future__ import annotations

import dataclasses
import reprlib
from collections.abc import Sized
from typing import Any

PREVIEW_LIMIT = 2048  # characters: a preview, not a copy
_ITEMS = 12  # items of a container, attributes of an object
_BIG = 10_000  # a sized value with its own repr and more items than this is skipped


class _Bounded(reprlib.Repr):
    """`reprlib` with room for a preview (its defaults cut after 6 items), and objects
    spelled out as `Name(attribute=..., ...)` instead of `<Name object at 0x...>`."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 4
        for name in ("maxtuple", "maxlist", "maxarray", "maxdict", "maxset", "maxfrozenset"):
            setattr(self, name, _ITEMS)
        self.maxdeque = _ITEMS
        self.maxstring = 300
        self.maxlong = 80
        self.maxother = PREVIEW_LIMIT

    def repr_instance(self, x: Any, level: int) -> str:
        kind = type(x)
        if dataclasses.is_dataclass(x) and not isinstance(x, type):
            fields = [(f.name, getattr(x, f.name)) for f in dataclasses.fields(x) if f.repr]
            return self._spelled(kind, fields, level)
        if getattr(kind, "__repr__", None) is object.__repr__ and hasattr(x, "__dict__"):
            return self._spelled(kind, list(vars(x).items()), level)
        if isinstance(x, Sized) and len(x) > _BIG:
            raise _TooBig
        return super().repr_instance(x, level)

    def _spelled(self, kind: type, fields: list[tuple[str, Any]], level: int) -> str:
        if level <= 0:
            return f"{kind.__qualname__}(...)"
        shown = [f"{name}={self.repr1(value, level - 1)}" for name, value in fields[:_ITEMS]]
        if len(fields) > _ITEMS:
            shown.append("...")
        return f"{kind.__qualname__}({', '.join(shown)})"


class _TooBig(Exception):
    """The value's own repr could be huge: no preview."""


def short_repr(value: Any, limit: int = PREVIEW_LIMIT) -> str | None:
    """`value`'s repr in at most `limit` characters, or None when it cannot be made
    cheaply and safely (its repr raises, or could be huge)."""
    try:
        text = _Bounded().repr(value)
    except Exception:  # too big, or a broken __repr__: that must not fail the save
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["PREVIEW_LIMIT", "short_repr"]
