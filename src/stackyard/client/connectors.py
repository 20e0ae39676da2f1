"""Client methods for service connectors: how components reach cloud resources."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import SERVICE_CONNECTOR

if TYPE_CHECKING:
    from stackyard.client.filters import ServiceConnectorFilters
    from stackyard.models.base import Page
    from stackyard.models.connectors import ServiceConnectorResources, ServiceConnectorResponse


class ConnectorMethods(ClientCore):
    def create_service_connector(
        self,
        name: str,
        connector_type: str,
        auth_method: str,
        configuration: dict[str, Any],
        resource_type: str | None = None,
        resource_id: str | None = None,
        expires_at: datetime | None = None,
        description: str = "",
    ) -> ServiceConnectorResponse:
        """Register a connector; secret fields are sealed and come back masked."""
        return self._create(
            SERVICE_CONNECTOR,
            name=name,
            connector_type=connector_type,
            auth_method=auth_method,
            configuration=configuration,
            resource_type=resource_type,
            resource_id=resource_id,
            expires_at=expires_at,
            description=description,
        )

    def get_service_connector(self, name_id_or_prefix: str | UUID) -> ServiceConnectorResponse:
        return self._get(SERVICE_CONNECTOR, name_id_or_prefix)

    def list_service_connectors(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ServiceConnectorFilters],
    ) -> Page[ServiceConnectorResponse]:
        return self._list(SERVICE_CONNECTOR, sort_by, page, size, logical_operator, filters)

    def update_service_connector(
        self,
        name_id_or_prefix: str | UUID,
        *,
        name: str | Unset = UNSET,
        auth_method: str | Unset = UNSET,
        configuration: dict[str, Any] | Unset = UNSET,
        resource_type: str | Unset | None = UNSET,
        resource_id: str | Unset | None = UNSET,
        expires_at: datetime | Unset | None = UNSET,
        description: str | Unset = UNSET,
    ) -> ServiceConnectorResponse:
        """Masked values sent back unchanged keep their stored secret."""
        changes = {
            "name": name,
            "auth_method": auth_method,
            "configuration": configuration,
            "resource_type": resource_type,
            "resource_id": resource_id,
            "expires_at": expires_at,
            "description": description,
        }
        return self._update(SERVICE_CONNECTOR, name_id_or_prefix, changes)

    def delete_service_connector(self, name_id_or_prefix: str | UUID) -> None:
        self._delete(SERVICE_CONNECTOR, name_id_or_prefix)

    def verify_service_connector(
        self,
        name_id_or_prefix: str | UUID,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> ServiceConnectorResources:
        """Check a connector's credentials with its provider (over REST, the server does).

        Returns the resources they reach per resource type, e.g. `{"s3-bucket":
        ["s3://a", "s3://b"]}`; `resource_type` / `resource_id` check just one.
        Raises `ServiceConnectorError` with the provider's message when refused.
        """
        connector = self.get_service_connector(name_id_or_prefix)
        return self.store.verify_service_connector(connector.id, resource_type, resource_id)
