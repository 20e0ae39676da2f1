"""Service connectors: how stack components reach cloud resources.

Each connector type declares its auth methods, which configuration fields each
method needs, which of those are secret, and the resource types it serves.
Secret fields are stored through a secret, never in a plain column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.spec import ResourceSpec, register

MASK = "********"


@dataclass(frozen=True)
class AuthMethod:
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    secret: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[str, ...]:
        return self.required + self.optional


@dataclass(frozen=True)
class ConnectorType:
    name: str
    auth_methods: dict[str, AuthMethod]
    resource_types: tuple[str, ...]


CONNECTOR_TYPES: dict[str, ConnectorType] = {
    t.name: t
    for t in (
        ConnectorType(
            "aws",
            {
                "secret-key": AuthMethod(
                    ("aws_access_key_id", "aws_secret_access_key"),
                    ("region", "endpoint_url"),
                    ("aws_secret_access_key",),
                ),
                "sts-token": AuthMethod(
                    ("aws_access_key_id", "aws_secret_access_key", "aws_session_token"),
                    ("region",),
                    ("aws_secret_access_key", "aws_session_token"),
                ),
                "iam-role": AuthMethod(
                    ("role_arn", "aws_access_key_id", "aws_secret_access_key"),
                    ("region",),
                    ("aws_secret_access_key",),
                ),
            },
            ("aws-generic", "s3-bucket", "kubernetes-cluster", "docker-registry"),
        ),
        ConnectorType(
            "gcp",
            {
                "service-account": AuthMethod(
                    ("service_account_json",), ("project_id",), ("service_account_json",)
                ),
                "oauth2-token": AuthMethod(("token",), ("project_id",), ("token",)),
            },
            ("gcp-generic", "gcs-bucket", "kubernetes-cluster", "docker-registry"),
        ),
        ConnectorType(
            "azure",
            {
                "service-principal": AuthMethod(
                    ("tenant_id", "client_id", "client_secret"), (), ("client_secret",)
                ),
                "access-token": AuthMethod(("token",), (), ("token",)),
            },
            ("azure-generic", "blob-container", "kubernetes-cluster", "docker-registry"),
        ),
        ConnectorType(
            "kubernetes",
            {
                "password": AuthMethod(
                    ("server", "username", "password"), ("certificate_authority",), ("password",)
                ),
                "token": AuthMethod(("server", "token"), ("certificate_authority",), ("token",)),
            },
            ("kubernetes-cluster",),
        ),
        ConnectorType(
            "docker",
            {"password": AuthMethod(("username", "password"), ("registry",), ("password",))},
            ("docker-registry",),
        ),
    )
}


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
    )
)
