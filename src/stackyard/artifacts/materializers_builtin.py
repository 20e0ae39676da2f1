"""Materializers for Python built-in values, plus the cloudpickle fallback.

Plain JSON is used whenever it reproduces the value exactly; everything else
(nested tuples, non-str dict keys, foreign objects inside containers) is pickled
so that loading never returns something different from what was saved.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from stackyard.artifacts.materializers import BaseMaterializer, JSONValue
from stackyard.utils.source import source_of

logger = logging.getLogger(__name__)

_JSON_FILE = "data.json"
_BYTES_FILE = "data.bin"
_PICKLE_FILE = "data.pkl"
_JSON_SCALARS = (type(None), bool, int, float, str)
# Stored as JSON lists; the recorded data type turns them back into themselves.
_LIST_LIKE = (tuple, set, frozenset)
_BUILTIN_TYPES = frozenset({*_JSON_SCALARS, complex, bytes, bytearray, list, dict, *_LIST_LIKE})


def save_pickle(materializer: BaseMaterializer, value: Any, reason: str | None) -> None:
    """Pickle ``value`` into the artifact, warning with ``reason`` if it is not portable."""
    import cloudpickle  # type: ignore[import-untyped,unused-ignore]

    if reason is not None:
        logger.warning(
            "Artifact at %s: %s; using cloudpickle, which only loads with the same Python"
            " and library versions",
            materializer.uri,
            reason,
        )
    materializer.pickled = True  # only a recorded preview will show it (no unpickling)
    with materializer.open(_PICKLE_FILE, "wb") as file:
        cloudpickle.dump(value, file)


def load_pickle(materializer: BaseMaterializer) -> Any:
    """Unpickle a value written by `save_pickle`."""
    import cloudpickle  # type: ignore[import-untyped,unused-ignore]

    with materializer.open(_PICKLE_FILE, "rb") as file:
        return cloudpickle.load(file)


def _is_exact_json(value: Any) -> bool:
    """Whether ``json.loads(json.dumps(value))`` gives back an identical value."""
    kind = type(value)
    if kind in _JSON_SCALARS:
        return True
    if kind is list:
        return all(_is_exact_json(item) for item in value)
    if kind is dict:
        return all(type(key) is str and _is_exact_json(item) for key, item in value.items())
    return False


def _first_foreign_type(value: Any) -> type | None:
    """First non-built-in type inside ``value``; pickles of pure built-ins are portable."""
    kind = type(value)
    if kind not in _BUILTIN_TYPES:
        return kind
    items: Iterable[Any] = ()
    if kind is dict:
        items = [*value.keys(), *value.values()]
    elif kind in (list, *_LIST_LIKE):
        items = value
    for item in items:
        found = _first_foreign_type(item)
        if found is not None:
            return found
    return None


class BuiltinMaterializer(BaseMaterializer):
    """None, bool, int, float, str and list/tuple/set/frozenset/dict of them."""

    ASSOCIATED_TYPES = (type(None), bool, int, float, str, list, dict, *_LIST_LIKE)
    READABLE_FILES = True

    def save(self, value: Any) -> None:
        body = list(value) if type(value) in _LIST_LIKE else value
        if _is_exact_json(body):
            with self.open(_JSON_FILE, "w") as file:
                json.dump(body, file)
            return
        foreign = _first_foreign_type(value)
        save_pickle(
            self, value, None if foreign is None else f"no materializer for {source_of(foreign)}"
        )

    def load(self, data_type: type) -> Any:
        with self.open(_JSON_FILE, "r") as file:
            value = json.load(file)
        return data_type(value) if data_type in _LIST_LIKE else value

    def extract_metadata(self, value: Any) -> dict[str, JSONValue]:
        if type(value) in (bool, int, float):
            return {"value": value}
        if isinstance(value, (str, list, dict, *_LIST_LIKE)):
            return {"length": len(value)}
        return {}


class BytesMaterializer(BaseMaterializer):
    """Raw bytes, stored unchanged in a binary file."""

    ASSOCIATED_TYPES = (bytes,)
    READABLE_FILES = True

    def save(self, value: bytes) -> None:
        with self.open(_BYTES_FILE, "wb") as file:
            file.write(value)

    def load(self, data_type: type) -> bytes:
        with self.open(_BYTES_FILE, "rb") as file:
            data: bytes = data_type(file.read())  # keeps a bytes subclass intact
        return data

    def extract_metadata(self, value: bytes) -> dict[str, JSONValue]:
        return {"length": len(value)}


class CloudpickleMaterializer(BaseMaterializer):
    """Last resort for types nobody registered a materializer for."""

    ASSOCIATED_TYPES = (object,)

    def save(self, value: Any) -> None:
        save_pickle(self, value, f"no materializer for {source_of(type(value))}")

    def load(self, data_type: type) -> Any:
        return load_pickle(self)
