"""Walking every page of a list query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from stackyard.models.binding import StoreLike


def depaginate_store(store: StoreLike, kind: str, **query: Any) -> Iterator[Any]:
    """Yield every item of a store list query, fetching a page at a time."""
    page_number = 1
    query.setdefault("size", 1000)
    while True:
        page = store.list(kind, page=page_number, **query)
        yield from page.items
        if page_number >= page.total_pages:
            return
        page_number += 1
