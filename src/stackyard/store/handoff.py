"""Opening the caller's store in a worker process, from a `StoreHandoff`.

A worker of a distributed orchestrator may run many tasks, from runs of
different callers: each handoff opens its store once per process, and a SQL
store's secrets key is looked up in the caller's config directory.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackyard.store.base import Store, StoreHandoff

_OPEN: dict[StoreHandoff, Store] = {}
_LOCK = threading.Lock()


def _use_config_dir(path: str) -> None:
    from stackyard.config import CONFIG_ENV
    from stackyard.security import _secrets_key

    if os.environ.get(CONFIG_ENV) != path:
        os.environ[CONFIG_ENV] = path
        _secrets_key.cache_clear()


def open_handoff(handoff: StoreHandoff) -> Store:
    if handoff.config_dir is not None:
        _use_config_dir(handoff.config_dir)
    with _LOCK:
        store = _OPEN.get(handoff)
        if store is None:
            store = _OPEN[handoff] = _open(handoff)
        return store


def _open(handoff: StoreHandoff) -> Store:
    from stackyard.store import is_server_url

    if is_server_url(handoff.url):
        from stackyard.store.rest import RestStore

        return RestStore(handoff.url, token=handoff.token, api_key=handoff.api_key)
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(handoff.url)
    if handoff.actor_id is not None:
        store = store.as_user(store.get("user", handoff.actor_id))
    return store
