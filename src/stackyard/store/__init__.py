"""Metadata stores: SQL databases (`sql/`) and a stackyard server (`rest`).

A store URL names one or the other; only this package tells which, so code
elsewhere never asks what kind of store it has.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackyard.store.base import Store
    from stackyard.store.sql.launch import Launcher

SERVER_SCHEMES = ("http://", "https://")


def is_server_url(url: str) -> bool:
    """Whether `url` names a stackyard server (else a database)."""
    return url.startswith(SERVER_SCHEMES)


def open_store(url: str, *, launcher: Launcher | None = None) -> Store:
    """The store at `url`: a server's REST API, or a database. `launcher` starts the
    template runs an embedded (database) store is asked for; a server has runners."""
    if is_server_url(url):
        from stackyard.store.rest import RestStore

        return RestStore(url)
    from stackyard.store.sql.store import SqlStore

    return SqlStore(url, launcher=launcher)


def database_files(url: str) -> list[Path]:
    """The files a store at `url` writes on this machine: a SQLite database and its
    journals; none for a server or a database server."""
    if not url.startswith("sqlite:///"):
        return []
    database = Path(url[len("sqlite:///") :])
    return [database.with_name(database.name + s) for s in ("", "-wal", "-shm", "-journal")]
