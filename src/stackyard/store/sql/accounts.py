"""The few reads and writes on users and API keys that authentication needs.

They touch private columns (password hash, token epoch, key hash) that the
store never puts into responses, so they are plain SQL on the store's own
connection pool rather than calls through the public `Store` API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from stackyard.exceptions import IllegalOperationError
from stackyard.models.binding import utcnow
from stackyard.models.spec import spec_for
from stackyard.models.users import UserResponse
from stackyard.security import check_password_strength, hash_password
from stackyard.store.sql.store import SqlStore

Row = dict[str, Any]


def _select(store: SqlStore, kind: str, column: str, value: Any) -> Row | None:
    spec = spec_for(kind)
    q = store.db.q
    cols = list(spec.columns.values())
    with store.db.transaction(write=False) as tx:
        raw = tx.fetchone(
            f"SELECT {', '.join(q(c.name) for c in cols)} FROM {q(spec.table)} "
            f"WHERE {q(column)} = ?",
            [value],
        )
    if raw is None:
        return None
    return {c.name: store.db.decode(c.kind, v) for c, v in zip(cols, raw, strict=True)}


def user_by_id(store: SqlStore, user_id: UUID) -> Row | None:
    return _select(store, "user", "id", str(user_id))


def user_by_name(store: SqlStore, name: str) -> Row | None:
    return _select(store, "user", "name", name)


def api_key_by_id(store: SqlStore, key_id: str) -> Row | None:
    return _select(store, "api_key", "id", key_id)


def api_key_by_hash(store: SqlStore, key_hash: str) -> Row | None:
    return _select(store, "api_key", "key_hash", key_hash)


def as_response(store: SqlStore, row: Row) -> UserResponse:
    """The public view of a user row, bound to the store like any response."""
    spec = spec_for("user")
    user = UserResponse.model_construct(
        **{k: v for k, v in row.items() if k not in spec.private_columns}
    )
    user.bind(store)
    return user


def bump_epoch(store: SqlStore, user_id: UUID) -> None:
    """Revoke every token of a user at once (in every worker: the epoch is in the database)."""
    q = store.db.q
    with store.db.transaction() as tx:
        tx.execute(
            f"UPDATE {q('users')} SET {q('token_epoch')} = {q('token_epoch')} + 1 "
            f"WHERE {q('id')} = ?",
            [str(user_id)],
        )


def touch_api_key(store: SqlStore, key_id: UUID) -> None:
    q = store.db.q
    with store.db.transaction() as tx:
        tx.execute(
            f"UPDATE {q('api_keys')} SET {q('last_used')} = ? WHERE {q('id')} = ?",
            [store.db.encode("datetime", utcnow()), str(key_id)],
        )


def create_first_admin(store: SqlStore, name: str, password: str) -> UserResponse:
    """The first user of an empty server, as an admin; refused once any user exists.

    The emptiness check and the insert share one transaction that holds a lock
    on the users table, so two racing setup calls cannot both succeed.
    """
    check_password_strength(password)
    spec = spec_for("user")
    q = store.db.q
    password_hash = hash_password(password)
    with store.db.transaction() as tx:
        count_sql = f"SELECT COUNT(*) FROM {q('users')}"
        if store.db.dialect == "postgresql":
            tx.execute(f"LOCK TABLE {q('users')} IN EXCLUSIVE MODE")
        elif store.db.dialect == "mysql":
            count_sql += " FOR UPDATE"
        if tx.scalar(count_sql):
            raise IllegalOperationError(
                "this server already has users: setup works only once, on an empty server; "
                "log in and create users instead"
            )
        now = utcnow()
        values = {
            "id": uuid4(),
            "created": now,
            "updated": now,
            "name": name,
            "full_name": "",
            "email": None,
            "is_admin": True,
            "active": True,
            "is_service_account": False,
            "password_hash": password_hash,
            "token_epoch": 0,
        }
        store.insert_row(tx, spec.shape, values)
    return as_response(store, values)


# -- failed logins (shared by every worker of a server: they live in the store) -------------
def count_failures(store: SqlStore, key: str, since: datetime) -> list[datetime]:
    """When `key` failed since `since`, oldest first."""
    q, db = store.db.q, store.db
    with db.transaction(write=False) as tx:
        rows = tx.fetchall(
            f"SELECT {q('created')} FROM {q('login_failures')} WHERE {q('key')} = ? "
            f"AND {q('created')} > ? ORDER BY {q('created')}",
            [key, db.encode("datetime", since)],
        )
    return [db.decode("datetime", r[0]) for r in rows]


def add_failures(store: SqlStore, keys: list[str], forget_before: datetime) -> None:
    q, db = store.db.q, store.db
    now = db.encode("datetime", utcnow())
    with db.transaction() as tx:
        tx.execute(
            f"DELETE FROM {q('login_failures')} WHERE {q('created')} < ?",
            [db.encode("datetime", forget_before)],
        )
        tx.executemany(
            f"INSERT INTO {q('login_failures')} ({q('id')}, {q('key')}, {q('created')}) "
            "VALUES (?, ?, ?)",
            [(str(uuid4()), key[:255], now) for key in keys],
        )


def clear_failures(store: SqlStore, key: str) -> None:
    q = store.db.q
    with store.db.transaction() as tx:
        tx.execute(f"DELETE FROM {q('login_failures')} WHERE {q('key')} = ?", [key[:255]])


def has_users(store: SqlStore) -> bool:
    with store.db.transaction(write=False) as tx:
        return bool(tx.scalar(f"SELECT COUNT(*) FROM {store.db.q('users')}"))
