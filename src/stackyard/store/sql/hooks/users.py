"""Users: hashed passwords, admin-only management, no deletion while owning things."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackyard.exceptions import AuthorizationError, IllegalOperationError, InputError
from stackyard.models.spec import all_specs
from stackyard.security import check_password_strength, hash_api_key, hash_password, new_api_key
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.hooks.base import Hooks, Row
from stackyard.store.sql.store import SqlStore

if TYPE_CHECKING:
    from pydantic import BaseModel


# `default` is the local store's own user: a server user taking it could pass for it
RESERVED_NAMES = frozenset({"default"})


def _check_name(name: Any) -> None:
    if isinstance(name, str) and name.strip().lower() in RESERVED_NAMES:
        raise InputError(
            f"the user name {name!r} is reserved; choose another "
            f"(reserved: {', '.join(sorted(RESERVED_NAMES))})"
        )


class UserHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        _check_name(values.get("name"))
        actor = store.actor
        if actor is not None and not actor.is_admin:
            raise AuthorizationError(
                f"user {actor.name!r} is not an admin and may not create users"
            )
        password = getattr(request, "password", None)
        if password is not None:
            check_password_strength(password)
            values["password_hash"] = hash_password(password)
        values["token_epoch"] = 0

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        if "name" in changes and changes["name"] != row["name"]:
            _check_name(changes["name"])
        actor = store.current_user()
        if not actor.is_admin and ({"is_admin", "active"} & changes.keys()):
            raise AuthorizationError("only admins may change is_admin or active")
        password = getattr(update, "password", None)
        if password is not None:
            check_password_strength(password)
            changes["password_hash"] = hash_password(password)
        if password is not None or changes.get("active") is False:
            changes["token_epoch"] = int(row.get("token_epoch") or 0) + 1  # revokes tokens
        if row["id"] == actor.id and changes.get("is_admin") is False:
            others = tx.scalar(
                f"SELECT COUNT(*) FROM {store.db.q('users')} WHERE {store.db.q('is_admin')} = ? "
                f"AND {store.db.q('id')} <> ?",
                [True, str(row["id"])],
            )
            if not others:
                raise IllegalOperationError("cannot remove admin rights from the last admin")

    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        if store.actor is not None and row["id"] == store.actor.id:
            raise IllegalOperationError(f"user {row['name']!r} cannot delete themselves")
        owned: list[str] = []
        for spec in all_specs():
            if not spec.owned:
                continue
            count = tx.scalar(
                f"SELECT COUNT(*) FROM {store.db.q(spec.table)} WHERE {store.db.q('user_id')} = ?",
                [str(row["id"])],
            )
            if count:
                owned.append(f"{count} {spec.plural.replace('_', ' ')}")
        if owned:
            raise IllegalOperationError(
                f"user {row['name']!r} still owns {', '.join(owned)}; "
                "delete or reassign them first, or deactivate the user (active=False)"
            )


def check_key_manager(store: SqlStore, service_account_id: Any) -> None:
    """Only admins and the service account itself manage its keys (a key is a login)."""
    actor = store.actor
    if actor is not None and not actor.is_admin and str(actor.id) != str(service_account_id):
        raise AuthorizationError(
            f"user {actor.name!r} may not manage API keys of another account; ask an admin"
        )


class APIKeyHooks(Hooks):
    """A key is shown once, on creation; only its hash is stored."""

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        check_key_manager(store, values["service_account_id"])
        owner = tx.fetchone(
            f"SELECT {store.db.q('is_service_account')} FROM {store.db.q('users')} "
            f"WHERE {store.db.q('id')} = ?",
            [str(values["service_account_id"])],
        )
        if owner is None or not owner[0]:
            raise InputError(
                f"{values['service_account_id']} is not a service account; create one with "
                "create_user(..., is_service_account=True)"
            )
        key = new_api_key()
        values["key_hash"] = hash_api_key(key)
        values["key_prefix"] = key[:10]
        values["_key"] = key  # returned once, in the response

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        check_key_manager(store, row["service_account_id"])

    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        check_key_manager(store, row["service_account_id"])

    def hydrate(self, store: SqlStore, tx: Transaction, rows: list[Row], single: bool) -> None:
        for row in rows:
            row.pop("key_hash", None)


HOOKS = {"user": UserHooks(), "api_key": APIKeyHooks()}
