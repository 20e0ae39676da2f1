"""Service connectors: the configuration checked against the connector type, secret
fields sealed at rest and always masked when read back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackyard.exceptions import InputError
from stackyard.models.connector_types import CONNECTOR_TYPES, MASK
from stackyard.security import decrypt_values, encrypt_values
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.hooks.base import Hooks, Row
from stackyard.store.sql.store import SqlStore

if TYPE_CHECKING:
    from pydantic import BaseModel


def _check_connector(
    connector_type: str, auth_method: str, resource_type: str | None, configuration: dict[str, Any]
) -> None:
    ctype = CONNECTOR_TYPES.get(connector_type)
    if ctype is None:
        raise InputError(
            f"unknown connector type {connector_type!r}; choose one of: "
            + ", ".join(sorted(CONNECTOR_TYPES))
        )
    method = ctype.auth_methods.get(auth_method)
    if method is None:
        raise InputError(
            f"connector type {connector_type!r} has no auth method {auth_method!r}; choose one of: "
            + ", ".join(ctype.auth_methods)
        )
    if resource_type is not None and resource_type not in ctype.resource_types:
        raise InputError(
            f"connector type {connector_type!r} serves no resource type {resource_type!r}; "
            "choose one of: " + ", ".join(ctype.resource_types)
        )
    missing = [f for f in method.required if f not in configuration]
    unknown = [f for f in configuration if f not in method.fields]
    if missing or unknown:
        problems = []
        if missing:
            problems.append("missing " + ", ".join(missing))
        if unknown:
            problems.append("unknown " + ", ".join(unknown))
        raise InputError(
            f"configuration for {connector_type}/{auth_method}: {'; '.join(problems)} "
            f"(accepted: {', '.join(method.fields)})"
        )


def _split(
    connector_type: str, auth_method: str, configuration: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    secret_fields = CONNECTOR_TYPES[connector_type].auth_methods[auth_method].secret
    plain = {k: v for k, v in configuration.items() if k not in secret_fields}
    sealed = {k: str(v) for k, v in configuration.items() if k in secret_fields}
    return plain, sealed


class ConnectorHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        resource_type = getattr(request, "resource_type", None)
        _check_connector(
            values["connector_type"], values["auth_method"], resource_type, values["configuration"]
        )
        plain, sealed = _split(
            values["connector_type"], values["auth_method"], values["configuration"]
        )
        values["configuration"] = plain
        values["secrets_encrypted"] = encrypt_values(sealed)
        ctype = CONNECTOR_TYPES[values["connector_type"]]
        values["resource_types"] = [resource_type] if resource_type else list(ctype.resource_types)

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        sealed = decrypt_values(row["secrets_encrypted"]) if row.get("secrets_encrypted") else {}
        current = {**row["configuration"], **sealed}
        auth_method = str(changes.get("auth_method") or row["auth_method"])
        configuration = changes.get("configuration")
        if configuration is None:
            configuration = current
        else:  # masked values sent back unchanged keep their stored value
            configuration = {
                k: current.get(k) if v == MASK else v for k, v in configuration.items()
            }
        resource_type = getattr(update, "resource_type", None)
        _check_connector(row["connector_type"], auth_method, resource_type, configuration)
        plain, sealed = _split(row["connector_type"], auth_method, configuration)
        changes["configuration"] = plain
        changes["secrets_encrypted"] = encrypt_values(sealed)
        if resource_type is not None:
            changes["resource_types"] = [resource_type]

    def hydrate(self, store: SqlStore, tx: Transaction, rows: list[Row], single: bool) -> None:
        for row in rows:
            secret_fields = CONNECTOR_TYPES.get(row["connector_type"])
            method = secret_fields.auth_methods.get(row["auth_method"]) if secret_fields else None
            masked = {f: MASK for f in (method.secret if method else ())}
            row["configuration"] = {**row["configuration"], **masked}


HOOKS = {"service_connector": ConnectorHooks()}
