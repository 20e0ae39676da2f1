"""Service connectors that work: credentials for one resource, checked against the provider.

A connector record (`stackyard.models.connectors`) holds plain and sealed
configuration. Only the metadata store can unseal it, so only the store calls
this package: the SQL store directly, a server on behalf of its REST clients.
Each connector type is one module implementing `Provider`; its cloud SDK is
imported inside it, never by `import stackyard`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from stackyard.exceptions import ServiceConnectorError

# connector type → module with a `PROVIDER`
_MODULES: dict[str, str] = {"aws": "stackyard.connectors.aws"}


@dataclass(frozen=True)
class ConnectorSetup:
    """A connector as its provider sees it: configuration with secret fields unsealed."""

    name: str
    connector_type: str
    auth_method: str
    values: dict[str, Any] = field(repr=False)
    resource_types: tuple[str, ...]
    resource_id: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class IssuedCredentials:
    values: dict[str, str] = field(repr=False)
    expires_at: datetime | None = None


class Provider(Protocol):
    """What one connector type knows: the resource types it can serve, how to turn its
    configuration into credentials for a resource, and which resources those reach."""

    resource_types: tuple[str, ...]

    def canonical_resource_id(self, resource_type: str, resource_id: str) -> str:
        """The one spelling of a resource id (`bucket` and `s3://bucket/x` → `s3://bucket`)."""

    def credentials(
        self, setup: ConnectorSetup, resource_type: str, resource_id: str | None
    ) -> IssuedCredentials:
        """Credentials for `resource_id` (short-lived where the auth method allows)."""

    def reachable(
        self, setup: ConnectorSetup, resource_type: str, resource_id: str | None
    ) -> list[str]:
        """The resources of `resource_type` the credentials reach, checked with the
        provider; raises `ServiceConnectorError` with the provider's message."""


def provider_for(connector_type: str) -> Provider:
    """The implementation of a connector type, or an error naming the implemented ones."""
    module = _MODULES.get(connector_type)
    if module is None:
        raise ServiceConnectorError(
            f"connector type {connector_type!r} can be recorded but not used yet: it cannot "
            f"verify or hand out credentials; implemented: {', '.join(sorted(_MODULES))}"
        )
    provider: Provider = importlib.import_module(module).PROVIDER
    return provider


def served_types(setup: ConnectorSetup, provider: Provider, asked: str | None) -> list[str]:
    """The resource types to work on: `asked`, if the connector serves it, else every type
    the connector serves that its provider implements."""
    implemented = [t for t in setup.resource_types if t in provider.resource_types]
    if asked is None:
        return implemented
    if asked not in setup.resource_types or asked not in provider.resource_types:
        raise ServiceConnectorError(
            f"service connector {setup.name!r} ({setup.connector_type}) cannot serve resource "
            f"type {asked!r}; it serves: {', '.join(implemented) or 'nothing implemented'}"
        )
    return [asked]


def pick_resource(
    setup: ConnectorSetup, provider: Provider, resource_type: str, asked: str | None
) -> str | None:
    """The resource to use: `asked`, which must be the connector's own if it has one."""
    own = (
        provider.canonical_resource_id(resource_type, setup.resource_id)
        if setup.resource_id
        else None
    )
    if asked is None:
        return own
    wanted = provider.canonical_resource_id(resource_type, asked)
    if own is not None and wanted != own:
        raise ServiceConnectorError(
            f"service connector {setup.name!r} serves only {own}, not {wanted}"
        )
    return wanted


__all__ = ["ConnectorSetup", "IssuedCredentials", "Provider", "provider_for"]
