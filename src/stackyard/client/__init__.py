"""The `Client`: every resource of the metadata store, from Python.

    from stackyard.client import Client
    client = Client()
    for run in client.list_pipeline_runs(stack="default", size=10):
        print(run.name, run.status)

The same calls work against the embedded SQLite store, PostgreSQL, MySQL or a
stackyard server (after `stackyard login URL`).
"""

from __future__ import annotations

from stackyard.client.core import UNSET, depaginate, install_default_store_provider
from stackyard.client.methods import ClientMethods
from stackyard.store.base import Store


class Client(ClientMethods):
    """One entry point for reading and changing everything stackyard records.

    `Client()` uses the configured store (`STACKYARD_STORE_URL`, a server login,
    or the local SQLite file); `Client(store=...)` uses a given one.
    """

    def __init__(self, store: Store | None = None) -> None:
        super().__init__(store)


install_default_store_provider(Client)

__all__ = ["UNSET", "Client", "depaginate"]
