"""Bring a database's schema to the current revision, safely from many processes.

The current revision is read with one plain query; Alembic (and SQLAlchemy) are
imported only when there is something to do. Concurrent first starts take a
lock (a file lock for SQLite, an advisory lock on PostgreSQL, GET_LOCK on
MySQL) so migrations run once.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stackyard.store.sql.db import Database, DatabaseURL

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
# revisions are numbered files, each revising the one before: the head is the highest
HEAD_REVISION = max(p.name[:4] for p in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def current_revision(db: Database) -> str | None:
    try:
        with db.transaction(write=False) as tx:
            value = tx.scalar("SELECT version_num FROM alembic_version")
            return None if value is None else str(value)
    except Exception as exc:
        if type(exc).__name__ == "StoreConnectionError":
            raise
        return None


def _alembic_config(connection: Any) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


@contextlib.contextmanager
def _engine(url: DatabaseURL) -> Iterator[Any]:
    import sqlalchemy as sa

    engine = sa.create_engine(url.sqlalchemy_url(), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


@contextlib.contextmanager
def _lock(url: DatabaseURL, connection: Any) -> Iterator[None]:
    import sqlalchemy as sa

    if url.dialect == "sqlite":
        lock_path = Path(url.path + ".migrate.lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
    elif url.dialect == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_lock(727274)"))
        connection.commit()
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT pg_advisory_unlock(727274)"))
            connection.commit()
    else:
        connection.execute(sa.text("SELECT GET_LOCK('stackyard_migrate', 120)"))
        try:
            yield
        finally:
            connection.execute(sa.text("SELECT RELEASE_LOCK('stackyard_migrate')"))


def upgrade(url: DatabaseURL, revision: str = "head") -> None:
    """Apply migrations up to `revision` (default: the newest)."""
    from alembic import command

    with _engine(url) as connection, _lock(url, connection):
        command.upgrade(_alembic_config(connection), revision)
        connection.commit()


def downgrade(url: DatabaseURL, revision: str) -> None:
    """Undo migrations down to `revision` ("base" removes every table)."""
    from alembic import command

    with _engine(url) as connection, _lock(url, connection):
        command.downgrade(_alembic_config(connection), revision)
        connection.commit()


def ensure_schema(db: Database) -> bool:
    """Upgrade when the database is behind; True if anything was applied."""
    if current_revision(db) == HEAD_REVISION:
        return False
    db.close()
    upgrade(db.url)
    return True
