"""First use of a store: migrate the schema, then seed the defaults exactly once.

Seeding happens in one write transaction that first checks the store is empty,
and unique keys make a racing second process fail and roll back whole, so two
processes starting together still leave one `default` user and one `default`
stack.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from stackyard.exceptions import EntityNotFoundError
from stackyard.models.binding import utcnow
from stackyard.models.enums import StackComponentType
from stackyard.models.spec import shape_for
from stackyard.store.sql.migrate import ensure_schema

if TYPE_CHECKING:
    from stackyard.models.users import UserResponse
    from stackyard.store.sql.store import SqlStore

DEFAULT_NAME = "default"


def prepare(store: SqlStore, seed_user: str | None = DEFAULT_NAME) -> None:
    ensure_schema(store.db)
    seed(store, seed_user)


def _builtin_flavor_rows(sources: Sequence[str] | None = None) -> list[dict[str, Any]]:
    from stackyard.stack.builtins import BUILTIN_FLAVORS
    from stackyard.utils.source import load_source

    rows = []
    for source in BUILTIN_FLAVORS if sources is None else sources:
        flavor = load_source(source)
        parts = flavor.parts()
        rows.append(
            {
                "name": parts.name,
                "type": parts.type,
                "source": source,
                "integration": parts.integration,
                "config_schema": flavor.config_schema(),
                "is_custom": False,
                "connector_resource_type": flavor.connector_resource_type,
            }
        )
    return rows


def seed(store: SqlStore, seed_user: str | None = DEFAULT_NAME) -> bool:
    """Create the default user, built-in flavors and the default stack on an empty store;
    on a store seeded before, add the built-in flavors released since (see `add_flavors`)."""
    db = store.db
    with db.transaction(write=False) as tx:
        sources = {r[0] for r in tx.fetchall(f"SELECT {db.q('source')} FROM {db.q('flavors')}")}
    if sources:
        add_flavors(store, sources)
        return False
    from stackyard.config import config_dir

    try:
        with db.transaction() as tx:
            if tx.scalar(f"SELECT COUNT(*) FROM {db.q('flavors')}"):
                return False
            now = utcnow()

            def insert(kind: str, **values: Any) -> Any:
                values.update(id=uuid4(), created=now, updated=now)
                store.insert_row(tx, shape_for(kind), values)
                return values["id"]

            user_id = None
            if seed_user:
                user_id = insert(
                    "user",
                    name=seed_user,
                    full_name="",
                    is_admin=True,
                    active=True,
                    is_service_account=False,
                    token_epoch=0,
                )
            for row in _builtin_flavor_rows():
                insert("flavor", user_id=None, **row)
            orchestrator = insert(
                "stack_component",
                user_id=user_id,
                name=DEFAULT_NAME,
                type=StackComponentType.ORCHESTRATOR,
                flavor="local",
                configuration={},
            )
            artifact_store = insert(
                "stack_component",
                user_id=user_id,
                name=DEFAULT_NAME,
                type=StackComponentType.ARTIFACT_STORE,
                flavor="local",
                configuration={"path": str(config_dir() / "artifacts")},
            )
            stack = insert("stack", user_id=user_id, name=DEFAULT_NAME, description="")
            for component in (orchestrator, artifact_store):
                tx.execute(
                    f"INSERT INTO {db.q('stack_compositions')} ({db.q('stack_id')}, "
                    f"{db.q('component_id')}) VALUES (?, ?)",
                    [str(stack), str(component)],
                )
            return True
    except Exception as exc:
        if db.is_integrity_error(exc):
            return False  # another process seeded at the same moment
        raise


def add_flavors(store: SqlStore, present: set[str]) -> None:
    """Add the built-in flavors a store lacks: it was seeded by an older release.

    Derived from `BUILTIN_FLAVORS`, so a new built-in flavor needs no migration. The
    check costs the one query `seed` makes anyway, and compares import paths, so no
    flavor is imported unless one is missing. A custom flavor that already holds a new
    built-in's name and type keeps it. Two processes adding at once: unique keys make
    the second roll back, and the flavors are there.
    """
    from stackyard.stack.builtins import BUILTIN_FLAVORS

    missing = [source for source in BUILTIN_FLAVORS if source not in present]
    if not missing:
        return
    db = store.db
    now = utcnow()
    try:
        with db.transaction() as tx:
            for row in _builtin_flavor_rows(missing):
                if tx.scalar(
                    f"SELECT COUNT(*) FROM {db.q('flavors')} WHERE {db.q('name')} = ? "
                    f"AND {db.q('type')} = ?",
                    [row["name"], row["type"].value],
                ):
                    continue
                row.update(id=uuid4(), created=now, updated=now, user_id=None)
                store.insert_row(tx, shape_for("flavor"), row)
    except Exception as exc:
        if not db.is_integrity_error(exc):
            raise


def default_user_id(store: SqlStore) -> UUID:
    """The user a local (embedded) store acts as: `default`, or the oldest admin."""
    found = store.list_rows("user", name=DEFAULT_NAME, size=1).items
    found = found or store.list_rows("user", is_admin=True, size=1).items
    if not found:
        raise EntityNotFoundError(
            "this store has no 'default' user and no admin to act as; create one first"
        )
    user_id: UUID = found[0]["id"]
    return user_id


def default_user(store: SqlStore) -> UserResponse:
    user: UserResponse = store.get("user", default_user_id(store))
    return user
