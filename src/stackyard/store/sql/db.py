"""Database connections over plain DB-API drivers, one small pool per store.

SQLAlchemy costs ~0.4 s to import, more than the whole CLI budget, so the hot
path speaks DB-API directly (sqlite3, psycopg, pymysql) and keeps SQLAlchemy
for schema migrations only. The few dialect differences live here: placeholder
style, identifier quoting, how datetimes travel, and which error means
"duplicate".
"""

from __future__ import annotations

import atexit
import json
import math
import os
import queue
import sqlite3
import threading
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from uuid import UUID

from stackyard.exceptions import InputError, StoreConnectionError


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed store URL: `sqlite:///path`, `postgresql://...`, `mysql://...`."""

    dialect: str  # "sqlite" | "postgresql" | "mysql"
    raw: str
    path: str = ""
    host: str = "127.0.0.1"
    port: int | None = None
    user: str | None = None
    password: str | None = None
    database: str = ""

    @classmethod
    def parse(cls, url: str) -> DatabaseURL:
        scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
        if scheme == "sqlite":
            path = url.split(":///", 1)[1] if ":///" in url else ""
            if not path:
                raise InputError(f"sqlite store URL {url!r} needs a path: sqlite:///path/to/db")
            return cls("sqlite", url, path=path)
        if scheme in ("postgresql", "postgres", "mysql", "mariadb"):
            parts = urlsplit(url)
            return cls(
                "postgresql" if scheme.startswith("postg") else "mysql",
                url,
                host=parts.hostname or "127.0.0.1",
                port=parts.port,
                user=unquote(parts.username) if parts.username else None,
                password=unquote(parts.password) if parts.password else None,
                database=parts.path.lstrip("/"),
            )
        raise InputError(
            f"unsupported store URL {url!r}: use sqlite:///path, postgresql://... or mysql://..."
        )

    @property
    def absolute(self) -> str:
        """The same URL, with a SQLite path made absolute (for another working directory)."""
        if self.dialect == "sqlite":
            return f"sqlite:///{Path(self.path).resolve()}"
        return self.raw

    @property
    def redacted(self) -> str:
        if self.password:
            return self.raw.replace(f":{self.password}@", ":***@")
        return self.raw

    def sqlalchemy_url(self) -> str:
        """The same database in SQLAlchemy's spelling, for Alembic."""
        if self.dialect == "sqlite":
            return f"sqlite:///{self.path}"
        driver = "postgresql+psycopg" if self.dialect == "postgresql" else "mysql+pymysql"
        auth = self.user or ""
        if self.password:
            auth += f":{self.password}"
        port = f":{self.port}" if self.port else ""
        return f"{driver}://{auth}@{self.host}{port}/{self.database}"


_OPEN: weakref.WeakSet[Database] = weakref.WeakSet()


def _close_all() -> None:
    """At exit, close pooled connections while the interpreter is whole: left to the
    garbage collector at shutdown, a pymysql connection closes its socket after the
    modules it needs are gone and prints an "Exception ignored" traceback."""
    for database in list(_OPEN):
        database.close()


atexit.register(_close_all)


class Database:
    """A pool of connections to one database, and transactions on them."""

    def __init__(self, url: DatabaseURL, max_connections: int = 8) -> None:
        self.url = url
        self.dialect = url.dialect
        self._pool: queue.LifoQueue[Any] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._driver: Any = None
        self.quote_char = "`" if self.dialect == "mysql" else '"'
        _OPEN.add(self)

    # -- connections -------------------------------------------------------------
    def _connect(self) -> Any:
        try:
            if self.dialect == "sqlite":
                create_private(Path(self.url.path))
                conn = sqlite3.connect(
                    self.url.path, isolation_level=None, check_same_thread=False, timeout=30
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                conn.execute("PRAGMA busy_timeout=30000")
                # reads through mmap and a page cache up to 64 MB (both used only as
                # pages are touched): a count over a large index runs ~1.6x faster
                conn.execute("PRAGMA mmap_size=268435456")
                conn.execute("PRAGMA cache_size=-65536")
                # a write to a table with triggers (the write counts) keeps the pages it
                # changes in a statement journal, which past 64 KB (a run_steps row and
                # its 16 index pages) spills to a temporary file: in memory, 3x faster
                conn.execute("PRAGMA temp_store=MEMORY")
                self._driver = sqlite3
                return conn
            if self.dialect == "postgresql":
                import psycopg

                self._driver = psycopg
                return psycopg.connect(
                    host=self.url.host,
                    port=self.url.port or 5432,
                    user=self.url.user or "postgres",
                    password=self.url.password,
                    dbname=self.url.database or "postgres",
                    autocommit=False,
                    # datetimes then arrive in UTC as `timezone.utc`, which `as_utc` keeps
                    # as they are (a server zone such as "Etc/UTC" costs a conversion each)
                    options="-c TimeZone=UTC",
                )
            import pymysql

            self._driver = pymysql
            mysql_conn = pymysql.connect(
                host=self.url.host,
                port=self.url.port or 3306,
                user=self.url.user or "root",
                password=self.url.password or "",
                database=self.url.database or None,
                charset="utf8mb4",
                autocommit=False,
            )
            # READ COMMITTED, as on PostgreSQL: a statement after waiting on a lock sees
            # what the lock holder committed (InnoDB's default would show a snapshot)
            cursor = mysql_conn.cursor()
            cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED")
            cursor.close()
            return mysql_conn
        except ImportError as exc:
            extra = "postgres" if self.dialect == "postgresql" else "mysql"
            raise StoreConnectionError(
                f"the {self.dialect} driver is not installed: pip install 'stackyard[{extra}]'"
            ) from exc
        except Exception as exc:
            raise StoreConnectionError(
                f"cannot connect to the store at {self.url.redacted}: {exc}"
            ) from exc

    @contextmanager
    def connection(self) -> Iterator[Any]:
        self._slots.acquire()
        try:
            try:
                conn = self._pool.get_nowait()
            except queue.Empty:
                conn = self._connect()
            try:
                yield conn
            except BaseException:
                self._discard_if_broken(conn)
                raise
            else:
                self._pool.put(conn)
        finally:
            self._slots.release()

    def _discard_if_broken(self, conn: Any) -> None:
        try:
            if self.dialect == "sqlite":
                conn.execute("SELECT 1")
            else:
                with conn.cursor() as cur:
                    cur.execute("SELECT 1")
                conn.rollback()
            self._pool.put(conn)
        except Exception:
            with suppress(Exception):
                conn.close()

    @contextmanager
    def transaction(self, write: bool = True) -> Iterator[Transaction]:
        """One transaction; SQLite writers take the write lock up front."""
        with self.connection() as conn:
            if self.dialect == "sqlite":
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            tx = Transaction(self, conn)
            try:
                yield tx
            except BaseException:
                conn.rollback() if self.dialect != "sqlite" else conn.execute("ROLLBACK")
                raise
            else:
                conn.commit() if self.dialect != "sqlite" else conn.execute("COMMIT")

    def close(self) -> None:
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return

    # -- values --------------------------------------------------------------------
    def is_integrity_error(self, exc: BaseException) -> bool:
        if self._driver is None:
            return False
        return isinstance(exc, self._driver.IntegrityError)

    def is_deadlock(self, exc: BaseException) -> bool:
        """Whether the database rolled the transaction back to break a deadlock (or a
        serialization conflict): the whole write may simply run again."""
        if self.dialect == "postgresql":
            return getattr(exc, "sqlstate", None) in ("40P01", "40001")
        if self.dialect == "mysql":
            args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
            return bool(args) and args[0] in (1213, 1205)  # deadlock, lock wait timeout
        return False

    def q(self, name: str) -> str:
        """Quote an identifier for this dialect."""
        return f"{self.quote_char}{name}{self.quote_char}"

    def insert_ignoring_duplicates(self, table: str, columns: Sequence[str]) -> str:
        """An INSERT that does nothing when a unique key already holds its values."""
        cols = ", ".join(self.q(c) for c in columns)
        values = ", ".join("?" * len(columns))
        if self.dialect == "mysql":
            return f"INSERT IGNORE INTO {self.q(table)} ({cols}) VALUES ({values})"
        return f"INSERT INTO {self.q(table)} ({cols}) VALUES ({values}) ON CONFLICT DO NOTHING"

    def encode(self, kind: str, value: Any) -> Any:
        """A Python value as this database stores it."""
        if value is None:
            return None
        if kind == "uuid":
            return str(value)
        if kind == "datetime":
            value = as_utc(value)
            if self.dialect == "sqlite":  # zero-padded years: text order is time order
                return value.replace(tzinfo=None).isoformat(" ", "microseconds")
            if self.dialect == "mysql":
                return value.replace(tzinfo=None)
            return value
        if kind == "json":
            return json.dumps(value, default=_json_default, separators=(",", ":"))
        if kind == "bool":
            return bool(value)
        if kind in ("str", "text"):
            return str(value.value if hasattr(value, "value") else value)
        return value

    def decode(self, kind: str, value: Any) -> Any:
        """A stored value back as Python."""
        if value is None:
            return None
        if kind == "uuid":
            return UUID(str(value))
        if kind == "datetime":
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            return as_utc(value)
        if kind == "json":
            return json.loads(value)
        if kind == "bool":
            return bool(value)
        return value


def create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner only, before SQLite creates it with
    the umask's mode (0644): it holds password hashes and sealed secrets. SQLite gives
    its -wal and -shm files the database file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


INT64 = 2**63
MAX_STR = 255  # VARCHAR(255) on PostgreSQL and MySQL


def check_storable(field: str, kind: str, value: Any) -> None:
    """Refuse a value some supported database cannot hold, naming the field: what one
    database accepts every other must too, and none of them may answer with a 500."""
    if value is None:
        return
    problem = None
    if kind == "int" and isinstance(value, int) and not -INT64 <= value < INT64:
        problem = f"{value} is outside the 64-bit integer range"
    elif kind == "float" and isinstance(value, float) and not math.isfinite(value):
        problem = f"{value} is not a finite number"
    elif kind == "datetime" and isinstance(value, datetime):
        if not 1000 < value.year < 9999:
            problem = f"year {value.year} is outside 1001..9998 (what every database stores)"
    elif kind in ("str", "text", "uuid"):
        text = str(value.value if hasattr(value, "value") else value)
        if "\x00" in text:
            problem = "it contains a NUL character"
        elif kind == "str" and len(text) > MAX_STR:
            problem = f"it has {len(text)} characters; at most {MAX_STR} are stored"
    if problem:
        raise InputError(f"invalid value for {field!r}: {problem}")


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones converted to it."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _json_default(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


class Transaction:
    """Statements inside one transaction, written with `?` placeholders."""

    def __init__(self, db: Database, conn: Any) -> None:
        self.db = db
        self.conn = conn
        self._convert = db.dialect != "sqlite"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self._convert else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        if self.db.dialect == "sqlite":
            return int(self.conn.execute(sql, params).rowcount)
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), tuple(params))
            return int(cur.rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.db.dialect == "sqlite":
            self.conn.executemany(sql, rows)
            return
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), [tuple(r) for r in rows])

    def fetchall(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self.db.dialect == "sqlite":
            return list(self.conn.execute(sql, params).fetchall())
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall())

    def fetchone(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        rows = self.fetchall(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.fetchone(sql, params)
        return None if row is None else row[0]
