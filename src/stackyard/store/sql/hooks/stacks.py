"""Stacks, components and flavors: composition rules and deletion guards."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stackyard.exceptions import (
    EntityNotFoundError,
    IllegalOperationError,
    InputError,
    ServiceConnectorError,
)
from stackyard.models.enums import StackComponentType
from stackyard.models.spec import shape_for
from stackyard.store.sql.db import Transaction
from stackyard.store.sql.filters import Condition
from stackyard.store.sql.hooks.base import Hooks, Row, ids_of, placeholders
from stackyard.store.sql.hooks.secrets import check_secret_references
from stackyard.store.sql.store import SqlStore
from stackyard.utils.jsonschema import check_configuration
from stackyard.utils.secret_refs import find_references

if TYPE_CHECKING:
    from pydantic import BaseModel

REQUIRED = (StackComponentType.ORCHESTRATOR, StackComponentType.ARTIFACT_STORE)


def _check_components(
    store: SqlStore, tx: Transaction, components: dict[StackComponentType, list[Any]]
) -> list[str]:
    """Validate a stack's composition; return the component ids in it."""
    q = store.db.q
    missing = [t.value for t in REQUIRED if not components.get(t)]
    if missing:
        raise InputError(f"a stack needs a component of each type: missing {', '.join(missing)}")
    ids: list[str] = []
    for ctype, group in components.items():
        if len(group) != 1:
            raise InputError(f"a stack holds exactly one {ctype.value} component; got {len(group)}")
        found = tx.fetchone(
            f"SELECT {q('type')}, {q('name')} FROM {q('stack_components')} WHERE {q('id')} = ?",
            [str(group[0])],
        )
        if found is None:
            raise EntityNotFoundError(f"{ctype.value} component {group[0]} does not exist")
        if found[0] != ctype.value:
            raise InputError(f"component {found[1]!r} is a {found[0]}, not a {ctype.value}")
        ids.append(str(group[0]))
    return ids


def _write_composition(store: SqlStore, tx: Transaction, stack_id: Any, ids: list[str]) -> None:
    q = store.db.q
    tx.execute(f"DELETE FROM {q('stack_compositions')} WHERE {q('stack_id')} = ?", [str(stack_id)])
    tx.executemany(
        f"INSERT INTO {q('stack_compositions')} ({q('stack_id')}, {q('component_id')}) "
        "VALUES (?, ?)",
        [(str(stack_id), cid) for cid in ids],
    )


class StackHooks(Hooks):
    def after_create(self, store: SqlStore, tx: Transaction, row: Row, request: BaseModel) -> None:
        ids = _check_components(store, tx, request.components)  # type: ignore[attr-defined]
        _write_composition(store, tx, row["id"], ids)

    def after_update(self, store: SqlStore, tx: Transaction, row: Row, update: BaseModel) -> None:
        components = getattr(update, "components", None)
        if components is not None:
            _write_composition(store, tx, row["id"], _check_components(store, tx, components))

    def hydrate(self, store: SqlStore, tx: Transaction, rows: list[Row], single: bool) -> None:
        q = store.db.q
        by_id = {str(r["id"]): r for r in rows}
        for row in rows:
            row["component_ids"] = {}
        if not rows:
            return
        for stack_id, comp_id, ctype in tx.fetchall(
            f"SELECT s.{q('stack_id')}, c.{q('id')}, c.{q('type')} FROM "
            f"{q('stack_compositions')} s JOIN {q('stack_components')} c ON c.{q('id')} = "
            f"s.{q('component_id')} WHERE s.{q('stack_id')} IN ({placeholders(ids_of(rows))})",
            ids_of(rows),
        ):
            comps = by_id[str(stack_id)]["component_ids"]
            comps.setdefault(StackComponentType(ctype), []).append(store.db.decode("uuid", comp_id))

    def filter_sql(self, store: SqlStore, condition: Condition) -> tuple[str, list[Any]]:
        q = store.db.q
        value = condition.value
        if condition.field == "component":
            value = store.resolve_row(shape_for("stack_component"), value, {})["id"]
        return (
            f"{q('id')} IN (SELECT {q('stack_id')} FROM {q('stack_compositions')} "
            f"WHERE {q('component_id')} = ?)",
            [str(value)],
        )


class ComponentHooks(Hooks):
    def _validate(
        self,
        store: SqlStore,
        tx: Transaction,
        ctype: str,
        flavor: str,
        configuration: dict[str, Any],
        name: str,
    ) -> None:
        q = store.db.q
        found = tx.fetchone(
            f"SELECT {q('config_schema')} FROM {q('flavors')} WHERE {q('name')} = ? "
            f"AND {q('type')} = ?",
            [flavor, ctype],
        )
        if found is None:
            names = [
                r[0]
                for r in tx.fetchall(
                    f"SELECT {q('name')} FROM {q('flavors')} WHERE {q('type')} = ? "
                    f"ORDER BY {q('name')}",
                    [ctype],
                )
            ]
            raise EntityNotFoundError(
                f"no {ctype} flavor named {flavor!r}; available: {', '.join(names) or 'none'}"
            )
        what = f"{ctype} {name!r} (flavor {flavor!r})"
        references = find_references(configuration)
        check_secret_references(store, tx, references, what)
        check_configuration(
            store.db.decode("json", found[0]),
            configuration,
            what,
            unchecked={r.path for r in references},  # typed once resolved, at run time
        )

    @staticmethod
    def _check_connector(store: SqlStore, tx: Transaction, connector_id: Any) -> None:
        """Linking a connector hands its credentials to everyone who runs the component:
        only the connector's owner (or an admin) decides that."""
        if connector_id is not None:
            store.check_writable(tx, "service_connector", connector_id, "link components to")

    @staticmethod
    def _check_link(
        store: SqlStore,
        tx: Transaction,
        component: tuple[str, str, str],
        connector_id: Any,
        resource_id: str | None,
    ) -> str | None:
        """A component (type, flavor, name) links only to a connector serving the resource
        type its flavor records, and only for a resource that connector can serve (its
        own, when it is limited to one). Returns the resource id in its one spelling
        (`bucket` → `s3://bucket`). Here, so SQL and REST clients meet the same rule."""
        from stackyard.connectors import provider_for

        ctype, flavor, name = component
        what = f"{ctype} {name!r} (flavor {flavor!r})"
        if connector_id is None:
            if resource_id is not None:
                raise InputError(
                    f"{what}: connector_resource_id {resource_id!r} needs a connector to reach "
                    "it with; link one too"
                )
            return None
        q = store.db.q
        wanted = tx.scalar(
            f"SELECT {q('connector_resource_type')} FROM {q('flavors')} WHERE {q('name')} = ? "
            f"AND {q('type')} = ?",
            [flavor, ctype],
        )
        if wanted is None:
            raise InputError(f"{what} takes no service connector (it reaches nothing remote)")
        found = tx.fetchone(
            f"SELECT {q('name')}, {q('connector_type')}, {q('resource_types')}, "
            f"{q('resource_id')} FROM {q('service_connectors')} WHERE {q('id')} = ?",
            [str(connector_id)],
        )
        if found is None:
            raise EntityNotFoundError(f"no service connector with id {connector_id}")
        connector, connector_type, raw_types, own = found
        served = store.db.decode("json", raw_types) or []
        label = f"service connector {connector!r} ({connector_type}, serving {', '.join(served)})"
        if wanted not in served:
            raise ServiceConnectorError(
                f"{what} needs a connector for {wanted}; {label} is not one"
            )
        if resource_id is None:
            return None
        provider = provider_for(connector_type)
        resource_id = provider.canonical_resource_id(wanted, resource_id)
        own = provider.canonical_resource_id(wanted, own) if own else None
        if own is not None and resource_id != own:
            raise ServiceConnectorError(
                f"{what} cannot use {resource_id} through {label}: it serves only {own}; "
                "link the component for that resource or to another connector"
            )
        return resource_id

    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        self._check_connector(store, tx, values.get("connector_id"))
        values["configuration"] = dict(values.get("configuration") or {})
        ctype = str(values["type"].value)
        self._validate(store, tx, ctype, values["flavor"], values["configuration"], values["name"])
        values["connector_resource_id"] = self._check_link(
            store,
            tx,
            (ctype, values["flavor"], values["name"]),
            values.get("connector_id"),
            values.get("connector_resource_id"),
        )

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        if changes.get("connector_id") not in (None, row.get("connector_id")):
            self._check_connector(store, tx, changes["connector_id"])
        if "configuration" in changes:
            self._validate(
                store, tx, row["type"], row["flavor"], changes["configuration"] or {}, row["name"]
            )
        if "connector_id" in changes or "connector_resource_id" in changes:
            linked = {**row, **changes}
            changes["connector_resource_id"] = self._check_link(
                store,
                tx,
                (row["type"], row["flavor"], linked["name"]),
                linked.get("connector_id"),
                linked.get("connector_resource_id"),
            )

    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        q = store.db.q
        stacks = [
            r[0]
            for r in tx.fetchall(
                f"SELECT st.{q('name')} FROM {q('stack_compositions')} s JOIN {q('stacks')} st "
                f"ON st.{q('id')} = s.{q('stack_id')} WHERE s.{q('component_id')} = ?",
                [str(row["id"])],
            )
        ]
        if stacks:
            raise IllegalOperationError(
                f"{row['type']} {row['name']!r} is used by stack(s) {', '.join(stacks)}; "
                "remove it from them first"
            )

    def filter_sql(self, store: SqlStore, condition: Condition) -> tuple[str, list[Any]]:
        q = store.db.q
        return (
            f"{q('id')} IN (SELECT {q('component_id')} FROM {q('stack_compositions')} "
            f"WHERE {q('stack_id')} = ?)",
            [str(condition.value)],
        )


class FlavorHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        from stackyard.models.connector_types import CONNECTOR_TYPES

        wanted = values.get("connector_resource_type")
        known = sorted({t for c in CONNECTOR_TYPES.values() for t in c.resource_types})
        if wanted is not None and wanted not in known:
            raise InputError(
                f"flavor {values['name']!r}: connector_resource_type {wanted!r} is served by "
                f"no connector type; choose one of: {', '.join(known)}"
            )

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        if not row["is_custom"]:  # every component of that flavor relies on it as shipped
            raise IllegalOperationError(f"flavor {row['name']!r} is built in and cannot be changed")

    def before_delete(
        self, store: SqlStore, tx: Transaction, row: Row, *, force: bool = False
    ) -> None:
        if not row["is_custom"]:
            raise IllegalOperationError(f"flavor {row['name']!r} is built in and cannot be deleted")
        q = store.db.q
        users = [
            r[0]
            for r in tx.fetchall(
                f"SELECT {q('name')} FROM {q('stack_components')} WHERE {q('flavor')} = ? "
                f"AND {q('type')} = ?",
                [row["name"], row["type"]],
            )
        ]
        if users:
            raise IllegalOperationError(
                f"flavor {row['name']!r} is used by component(s) {', '.join(users)}"
            )


HOOKS = {"stack": StackHooks(), "stack_component": ComponentHooks(), "flavor": FlavorHooks()}
