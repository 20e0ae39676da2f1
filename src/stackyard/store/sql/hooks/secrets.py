"""Secrets and service connectors: values sealed at rest, shown only to a single get;
references to secrets checked where configurations name them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackyard.exceptions import InputError
from stackyard.security import decrypt_values, encrypt_values
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.hooks.base import Hooks, Row
from stackyard.store.sql.store import SqlStore
from stackyard.utils.secret_refs import SecretReference

if TYPE_CHECKING:
    from pydantic import BaseModel


def _plain(values: dict[str, Any] | None) -> dict[str, str]:
    return {
        k: v.get_secret_value() if hasattr(v, "get_secret_value") else str(v)
        for k, v in (values or {}).items()
    }


def _scope(private: bool, owner: Any) -> str:
    return str(owner) if private and owner is not None else "public"


class SecretHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        values["values_encrypted"] = encrypt_values(_plain(getattr(request, "values", {})))
        values["scope"] = _scope(values.get("private", False), values.get("user_id"))

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        if "private" in changes:
            changes["scope"] = _scope(changes["private"], row.get("user_id"))
        add = _plain(getattr(update, "add_or_update_values", None))
        remove = getattr(update, "remove_values", None) or []
        if not add and not remove:
            return
        current = decrypt_values(row["values_encrypted"]) if row["values_encrypted"] else {}
        unknown = [k for k in remove if k not in current]
        if unknown:
            raise InputError(
                f"secret {row['name']!r} has no key(s) {', '.join(unknown)}; "
                f"keys: {', '.join(sorted(current)) or 'none'}"
            )
        for key in remove:
            current.pop(key)
        current.update(add)
        changes["values_encrypted"] = encrypt_values(current)

    def hydrate(self, store: SqlStore, tx: Transaction, rows: list[Row], single: bool) -> None:
        for row in rows:
            sealed = row.get("values_encrypted")
            values = decrypt_values(sealed) if sealed else {}
            row["keys"] = sorted(values)
            row["secret_values"] = values if single else None


def readable_secret(
    store: SqlStore, tx: Transaction, name: str, user_id: Any
) -> dict[str, str] | None:
    """The values of secret `name` as user `user_id` sees it (their private one first,
    else the public one), or None when they can read none of that name."""
    q = store.db.q
    found = tx.fetchone(
        f"SELECT {q('values_encrypted')} FROM {q('secrets')} WHERE {q('name')} = ? "
        f"AND {q('scope')} IN (?, ?) ORDER BY {q('private')} DESC",
        [name, str(user_id), "public"],
    )
    if found is None:
        return None
    return decrypt_values(found[0]) if found[0] else {}


def resolved_text(store: SqlStore, tx: Transaction, value: Any, user_id: Any) -> Any:
    """`value`, or the secret value it refers to (`{{secret.key}}`) as `user_id` may
    read it; None when the reference cannot be resolved."""
    from stackyard.utils.secret_refs import parse_reference

    parsed = parse_reference(value)
    if parsed is None:
        return value
    values = readable_secret(store, tx, parsed[0], user_id)
    return None if values is None else values.get(parsed[1])


def check_secret_references(
    store: SqlStore, tx: Transaction, references: list[SecretReference], what: str
) -> None:
    """Each `{{secret.key}}` in a configuration names a secret the acting user may read
    (their own or a public one) and a key it holds; else an `InputError` naming both."""
    if not references:
        return
    actor = store.current_user()
    for name in sorted({r.secret for r in references}):
        found = readable_secret(store, tx, name, actor.id)
        uses = [r for r in references if r.secret == name]
        if found is None:
            raise InputError(
                f"{what}: {uses[0].path} refers to {uses[0]}, but there is no secret named "
                f"{name!r} that user {actor.name!r} can read"
            )
        keys = found
        for use in uses:
            if use.key not in keys:
                raise InputError(
                    f"{what}: {use.path} refers to {use}, but secret {name!r} has no key "
                    f"{use.key!r}; its keys: {', '.join(sorted(keys)) or 'none'}"
                )


HOOKS = {"secret": SecretHooks()}
