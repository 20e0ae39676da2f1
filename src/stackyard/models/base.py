"""The model families every resource shares: requests, updates, responses, pages.

Responses remember the store that produced them (a private attribute), so
relationships such as `run.pipeline` load lazily from the same place — SQL or
REST — without the models importing any store code.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload
from uuid import UUID

from pydantic import BaseModel, ConfigDict, PrivateAttr

from stackyard.models.binding import StoreLike, default_store

if TYPE_CHECKING:
    from stackyard.models.users import UserResponse


class Request(BaseModel):
    """Body of a create call. Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Update(BaseModel):
    """Body of an update call: only fields that were set are applied."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Response(BaseModel):
    """A stored entity as read back; relationships load lazily."""

    model_config = ConfigDict(extra="ignore", defer_build=True, frozen=False)

    id: UUID
    created: datetime
    updated: datetime

    _store: StoreLike | None = PrivateAttr(default=None)

    def bind(self, store: StoreLike) -> None:
        self._store = store

    @property
    def store(self) -> StoreLike:
        if self._store is None:
            self._store = default_store()
        return self._store

    def _related(self, kind: str, entity_id: UUID | None) -> Any:
        return None if entity_id is None else self.store.get(kind, entity_id)


class OwnedResponse(Response):
    """An entity that records who created it."""

    user_id: UUID | None = None

    @property
    def user(self) -> UserResponse | None:
        result: UserResponse | None = self._related("user", self.user_id)
        return result


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list query; behaves like a list of its items."""

    model_config = ConfigDict(arbitrary_types_allowed=True, defer_build=True)

    index: int
    max_size: int
    total: int
    total_pages: int
    items: list[T]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        return iter(self.items)

    @overload
    def __getitem__(self, key: int) -> T: ...

    @overload
    def __getitem__(self, key: slice) -> list[T]: ...

    def __getitem__(self, key: int | slice) -> T | list[T]:
        return self.items[key]

    def __contains__(self, item: object) -> bool:
        return item in self.items

    def __bool__(self) -> bool:
        return bool(self.items)
