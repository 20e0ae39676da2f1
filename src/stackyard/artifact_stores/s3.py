"""The `s3` artifact store: artifacts in an S3 bucket (or MinIO and other S3-compatible
stores through `endpoint_url`), through s3fs. Needs `pip install 'stackyard[s3]'`.

Credentials come from, in this order: the service connector linked to the
component (`create_stack_component(..., connector="aws-dev")`), asked at run
time and again before they expire; the secret named in `authentication_secret`
(keys `aws_access_key_id`, `aws_secret_access_key`, optionally
`aws_session_token`); else boto's own chain (environment, `~/.aws`, instance
role). `connect` mounts them for the store's root (`stackyard.artifacts.fs`)
and checks that the bucket answers, so bad keys or a missing bucket stop a run
before it is recorded.
"""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import field_validator

from stackyard.artifact_stores.base import (
    BaseArtifactStore,
    BaseArtifactStoreConfig,
    BaseArtifactStoreFlavor,
)
from stackyard.exceptions import InputError, ServiceConnectorError
from stackyard.stack.flavor import StackComponent, StackComponentConfig

if TYPE_CHECKING:
    from stackyard.store.base import Store

RESOURCE_TYPE = "s3-bucket"
SECRET_KEYS = ("aws_access_key_id", "aws_secret_access_key")


class S3ArtifactStoreConfig(BaseArtifactStoreConfig):
    """`path`: s3://bucket/prefix; `endpoint_url` and `region` override the connector's."""

    endpoint_url: str | None = None
    region: str | None = None
    authentication_secret: str | None = None

    @field_validator("path")
    @classmethod
    def _s3_path(cls, value: str) -> str:
        from stackyard.connectors.aws import bucket_of

        if not value.startswith("s3://"):
            raise ValueError(f"{value!r} is not an S3 URL: use s3://bucket or s3://bucket/prefix")
        bucket_of(value)
        return value


def _s3fs_options(values: dict[str, str], endpoint_url: str | None, region: str | None) -> Any:
    client: dict[str, str] = {}
    endpoint = endpoint_url or values.get("endpoint_url")
    if endpoint:
        client["endpoint_url"] = endpoint
    if region or values.get("region"):
        client["region_name"] = region or values["region"]
    options: dict[str, Any] = {"client_kwargs": client, "use_listings_cache": False}
    if values.get("aws_access_key_id"):
        options.update(key=values["aws_access_key_id"], secret=values["aws_secret_access_key"])
        if values.get("aws_session_token"):
            options["token"] = values["aws_session_token"]
    return options


class S3ArtifactStore(BaseArtifactStore):
    config: S3ArtifactStoreConfig

    @property
    def bucket(self) -> str:
        from stackyard.connectors.aws import bucket_of

        return bucket_of(self.path)

    def _credentials(self, store: Store) -> tuple[str, dict[str, str], datetime | None]:
        """Where the credentials come from (for errors), their values and expiry."""
        if self.connector_id is not None:
            if self.config.authentication_secret:
                raise InputError(
                    f"artifact store {self.name!r} has both a service connector and "
                    "authentication_secret; keep one"
                )
            issued = store.component_credentials(self.id, RESOURCE_TYPE)
            if issued.resource_id is not None and issued.resource_id != f"s3://{self.bucket}":
                raise ServiceConnectorError(
                    f"artifact store {self.name!r} keeps artifacts in s3://{self.bucket}, but its "
                    f"connector is linked for {issued.resource_id}"
                )
            origin = f"service connector {issued.connector_name!r} ({issued.connector_id})"
            return origin, issued.values, issued.expires_at
        if self.config.authentication_secret:
            return self._secret_values(store, self.config.authentication_secret)
        return "the AWS default credential chain", {}, None

    def _secret_values(self, store: Store, name: str) -> tuple[str, dict[str, str], None]:
        from stackyard.models.secrets import SecretResponse

        secret: SecretResponse = store.find("secret", name)
        values = {k: str(v) for k, v in (secret.secret_values or {}).items()}
        missing = [k for k in SECRET_KEYS if not values.get(k)]
        if missing:
            raise InputError(
                f"secret {name!r} (authentication_secret of artifact store {self.name!r}) lacks "
                f"{', '.join(missing)}; it has: {', '.join(sorted(values)) or 'no keys'} "
                "(needs aws_access_key_id, aws_secret_access_key, optionally aws_session_token)"
            )
        return f"secret {name!r}", values, None

    def connect(self, store: Store) -> None:
        from stackyard.artifacts import fs

        origin = ""

        def provide() -> tuple[dict[str, Any], datetime | None]:
            nonlocal origin
            origin, values, expires_at = self._credentials(store)
            options = _s3fs_options(values, self.config.endpoint_url, self.config.region)
            return options, expires_at

        fs.mount(str(self.id), self.path, provide)
        self._check_bucket(fs.storage_options(self.path), origin)

    def _check_bucket(self, options: dict[str, Any], origin: str) -> None:
        """One listing call: refused keys or a missing bucket fail here, with S3's words."""
        try:
            import boto3  # type: ignore[import-untyped,unused-ignore]
            from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
                BotoCoreError,
                ClientError,
            )
        except ImportError:
            raise InputError(
                f"artifact store {self.name!r} (s3) needs s3fs and boto3: "
                "pip install 'stackyard[s3]'"
            ) from None
        client = boto3.client(
            "s3",
            aws_access_key_id=options.get("key"),
            aws_secret_access_key=options.get("secret"),
            aws_session_token=options.get("token"),
            **options["client_kwargs"],
        )
        where = options["client_kwargs"].get("endpoint_url", "AWS")
        try:
            client.list_objects_v2(Bucket=self.bucket, MaxKeys=1)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code, message = error.get("Code", "Error"), error.get("Message", str(exc))
            hint = (
                "create it or change the path"
                if code == "NoSuchBucket"
                else f"check the credentials from {origin}"
            )
            raise InputError(
                f"artifact store {self.name!r} cannot use bucket {self.bucket!r} at {where}: "
                f"{code}: {message} ({hint})"
            ) from None
        except BotoCoreError as exc:
            raise InputError(
                f"artifact store {self.name!r} cannot reach bucket {self.bucket!r} at {where}: "
                f"{exc}"
            ) from None


class S3ArtifactStoreFlavor(BaseArtifactStoreFlavor):
    name: ClassVar[str] = "s3"
    integration: ClassVar[str] = "s3"
    config_class: ClassVar[builtins.type[StackComponentConfig]] = S3ArtifactStoreConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = S3ArtifactStore
    connector_resource_type: ClassVar[str | None] = RESOURCE_TYPE
