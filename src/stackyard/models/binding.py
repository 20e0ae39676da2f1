"""What responses and stores share without pydantic: the clock, and the store a
response loads its relationships from.

Kept apart from `stackyard.models.base` so the store and the CLI's read path
can import it without paying for pydantic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol
from uuid import UUID


class StoreLike(Protocol):
    """What a response needs from a store to load its relationships."""

    def get(self, kind: str, entity_id: UUID) -> Any: ...

    def list(self, kind: str, /, **query: Any) -> Any: ...


_default_store: Callable[[], StoreLike] | None = None


def set_default_store_provider(provider: Callable[[], StoreLike]) -> None:
    """Let detached responses (unpickled, built by hand) load relationships."""
    global _default_store
    _default_store = provider


def default_store() -> StoreLike:
    """The store of the default Client, for models that were not read from one."""
    if _default_store is None:
        raise RuntimeError("no store is configured: create a stackyard Client first")
    return _default_store()


def utcnow() -> datetime:
    """Timestamps are always timezone-aware UTC, at microsecond precision."""
    return datetime.now(UTC)
