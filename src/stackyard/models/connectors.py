"""Service connectors: how stack components reach cloud resources.

The connector types and their auth methods are in
`stackyard.models.connector_types`. Secret fields are stored through a secret,
never in a plain column, and come back masked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.spec import ResourceSpec, register


class ServiceConnectorRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    connector_type: str
    auth_method: str
    configuration: dict[str, Any] = Field(default_factory=dict, repr=False)
    resource_type: str | None = None
    resource_id: str | None = None
    expires_at: datetime | None = None
    description: str = ""


class ServiceConnectorUpdate(Update):
    name: str | None = None
    auth_method: str | None = None
    configuration: dict[str, Any] | None = Field(default=None, repr=False)
    resource_type: str | None = None
    resource_id: str | None = None
    expires_at: datetime | None = None
    description: str | None = None


class ServiceConnectorResponse(OwnedResponse):
    """Secret configuration fields come back as MASK."""

    name: str
    connector_type: str
    auth_method: str
    resource_types: list[str] = []
    resource_id: str | None = None
    configuration: dict[str, Any] = {}
    expires_at: datetime | None = None
    description: str = ""


class ServiceConnectorResources(BaseModel):
    """What `verify_service_connector` found reachable: resource type → resource ids
    (for `s3-bucket`, `s3://<bucket>` of every bucket the credentials can list)."""

    connector_id: UUID
    name: str
    connector_type: str
    resources: dict[str, list[str]]


class ConnectorCredentials(BaseModel):
    """Credentials a connector hands out for one resource; `values` are secret.

    For `aws`: `aws_access_key_id`, `aws_secret_access_key`, optionally
    `aws_session_token`, plus the plain `region` and `endpoint_url` when set.
    `expires_at` is None for long-lived keys.
    """

    connector_id: UUID
    connector_name: str  # for messages: people know their connectors by name
    connector_type: str
    auth_method: str
    resource_type: str
    resource_id: str | None = None
    values: dict[str, str] = Field(default_factory=dict, repr=False)
    expires_at: datetime | None = None


register(
    ResourceSpec(
        name="service_connector",
        plural="service_connectors",
        response=ServiceConnectorResponse,
        request=ServiceConnectorRequest,
        update=ServiceConnectorUpdate,
        unique=(("name",),),
        text=frozenset({"description"}),
        private_columns={"secrets_encrypted": "text"},
        hooks="connectors",
        list_columns=("name", "connector_type", "auth_method", "resource_types", "expires_at"),
    )
)
