"""Reaching the artifact store that holds an artifact, from any process.

An artifact version records the artifact store component that wrote it, so a
Client in another process (or a worker loading a step's inputs) builds that
component and lets it `connect` (mount its credentials) before the
materializer reads. Done once per store and component per process; the mount
refreshes expiring credentials itself.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING
from uuid import UUID

from stackyard.exceptions import EntityNotFoundError

if TYPE_CHECKING:
    from stackyard.models.binding import StoreLike
    from stackyard.store.base import Store

_CONNECTED: weakref.WeakKeyDictionary[Store, set[UUID]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def connect_component(store: Store, component_id: UUID) -> bool:
    """Build and connect component `component_id` unless done already; False if it is
    gone (its artifacts then open with the scheme's default options)."""
    from stackyard.models.stacks import FlavorResponse, StackComponentResponse
    from stackyard.stack.stack import build_component, resolved_configuration

    with _LOCK:
        if component_id in _CONNECTED.get(store, ()):
            return True
    try:
        component: StackComponentResponse = store.get("stack_component", component_id)
    except EntityNotFoundError:
        return False
    flavors = store.list("flavor", name=component.flavor, type=component.type.value).items
    if not flavors:
        return False
    flavor: FlavorResponse = flavors[0]
    configuration = resolved_configuration(component, store)
    build_component(component, flavor.source, configuration).connect(store)
    with _LOCK:
        _CONNECTED.setdefault(store, set()).add(component_id)
    return True


@contextmanager
def artifact_store_access(store: StoreLike, component_id: UUID | None) -> Iterator[None]:
    """Inside the block, the artifact store `component_id`'s credentials apply."""
    from stackyard.artifacts import fs
    from stackyard.store.base import Store

    if component_id is None or not isinstance(store, Store):
        yield
        return
    connect_component(store, component_id)
    with fs.using(str(component_id)):
        yield
