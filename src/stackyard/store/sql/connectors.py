"""Service connectors at work in the SQL store: verifying them and handing credentials
to the components linked to them.

Both read the connector (and component) as the store's actor, so whoever cannot
read a connector gets nothing from it; only then are its secret fields unsealed
for the provider (`stackyard.connectors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.connectors import ConnectorSetup, pick_resource, provider_for, served_types
from stackyard.exceptions import ServiceConnectorError
from stackyard.models.connector_types import MASK
from stackyard.security import decrypt_values

if TYPE_CHECKING:
    from stackyard.models.connectors import (
        ConnectorCredentials,
        ServiceConnectorResources,
        ServiceConnectorResponse,
    )
    from stackyard.store.sql.store import SqlStore


def _setup(store: SqlStore, connector: ServiceConnectorResponse) -> ConnectorSetup:
    plain = {k: v for k, v in connector.configuration.items() if v != MASK}
    return ConnectorSetup(
        name=connector.name,
        connector_type=connector.connector_type,
        auth_method=connector.auth_method,
        values={**plain, **connector_secret_values(store, connector.id)},
        resource_types=tuple(connector.resource_types),
        resource_id=connector.resource_id,
        expires_at=connector.expires_at,
    )


def verify(
    store: SqlStore, connector_id: UUID, resource_type: str | None, resource_id: str | None
) -> ServiceConnectorResources:
    from stackyard.models.connectors import ServiceConnectorResources

    connector: ServiceConnectorResponse = store.get("service_connector", connector_id)
    setup = _setup(store, connector)
    provider = provider_for(setup.connector_type)
    kinds = served_types(setup, provider, resource_type)
    if not kinds:
        raise ServiceConnectorError(
            f"service connector {setup.name!r} serves {', '.join(setup.resource_types)}, none of "
            f"which can be verified yet; implemented: {', '.join(provider.resource_types)}"
        )
    if resource_id is not None and len(kinds) > 1:
        raise ServiceConnectorError(
            f"resource id {resource_id!r} needs a resource type: one of {', '.join(kinds)}"
        )
    return ServiceConnectorResources(
        connector_id=connector.id,
        name=connector.name,
        connector_type=connector.connector_type,
        resources={kind: provider.reachable(setup, kind, resource_id) for kind in kinds},
    )


def component_credentials(
    store: SqlStore, component_id: UUID, resource_type: str
) -> ConnectorCredentials:
    from stackyard.models.connectors import ConnectorCredentials
    from stackyard.models.stacks import StackComponentResponse

    component: StackComponentResponse = store.get("stack_component", component_id)
    label = f"{component.type.value} {component.name!r}"
    if component.connector_id is None:
        raise ServiceConnectorError(
            f"{label} is linked to no service connector: link one with "
            f"`stackyard stack-component connect {component.name} --connector NAME`"
        )
    connector: ServiceConnectorResponse = store.get("service_connector", component.connector_id)
    setup = _setup(store, connector)
    provider = provider_for(setup.connector_type)
    if resource_type not in setup.resource_types or resource_type not in provider.resource_types:
        raise ServiceConnectorError(
            f"{label} needs a {resource_type} connector, but service connector "
            f"{connector.name!r} ({connector.connector_type}) serves "
            f"{', '.join(setup.resource_types)}"
        )
    resource = pick_resource(setup, provider, resource_type, component.connector_resource_id)
    issued = provider.credentials(setup, resource_type, resource)
    return ConnectorCredentials(
        connector_id=connector.id,
        connector_name=connector.name,
        connector_type=connector.connector_type,
        auth_method=connector.auth_method,
        resource_type=resource_type,
        resource_id=resource,
        values=issued.values,
        expires_at=issued.expires_at,
    )


def connector_secret_values(store: SqlStore, connector_id: Any) -> dict[str, str]:
    """The clear secret fields of a connector, for the component that uses it."""
    with store.db.transaction(write=False) as tx:
        sealed = tx.scalar(
            f"SELECT {store.db.q('secrets_encrypted')} FROM {store.db.q('service_connectors')} "
            f"WHERE {store.db.q('id')} = ?",
            [str(connector_id)],
        )
    return decrypt_values(sealed) if sealed else {}
