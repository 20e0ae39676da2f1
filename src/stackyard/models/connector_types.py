"""The connector types stackyard knows: their auth methods, which configuration
fields each method needs, which of those are secret, and the resource types each
type serves.

Plain dataclasses, apart from the pydantic models in `stackyard.models.connectors`,
so the store's connector rules and the CLI's listing load without pydantic.
"""

from __future__ import annotations

from dataclasses import dataclass

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
                    ("region", "endpoint_url"),
                    ("aws_secret_access_key", "aws_session_token"),
                ),
                "iam-role": AuthMethod(
                    ("role_arn", "aws_access_key_id", "aws_secret_access_key"),
                    ("region", "endpoint_url"),
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
