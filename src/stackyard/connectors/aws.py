"""The `aws` connector: keys, session tokens or an assumed IAM role, for S3 buckets
(`s3-bucket`) and AWS as a whole (`aws-generic`).

- `secret-key` hands out the stored access key pair as it is (long-lived);
- `sts-token` hands out the stored session token, refused once it has expired;
- `iam-role` calls STS AssumeRole with the stored keys and hands out the role's
  session credentials, valid for an hour; for one bucket the session is also
  limited by a policy to that bucket.

`endpoint_url` points every client at an S3-compatible service (MinIO, a local
test endpoint) instead of AWS.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from stackyard.connectors import (
    ConnectorSetup,
    IssuedCredentials,
    pick_resource,
    served_types,
)
from stackyard.exceptions import InputError, ServiceConnectorError

if TYPE_CHECKING:
    from collections.abc import Callable

SESSION_SECONDS = 3600
DEFAULT_REGION = "us-east-1"
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def bucket_of(resource_id: str) -> str:
    """`s3://bucket/prefix`, `bucket` or `arn:aws:s3:::bucket` → `bucket`."""
    value = resource_id.strip()
    if value.startswith("arn:aws:s3:::"):
        value = value[len("arn:aws:s3:::") :]
    elif value.startswith("s3://"):
        value = value[len("s3://") :]
    bucket = value.split("/", 1)[0]
    if not _BUCKET.match(bucket):
        raise InputError(
            f"{resource_id!r} names no S3 bucket: use s3://bucket, bucket or arn:aws:s3:::bucket "
            "(3-63 lowercase letters, digits, dots and hyphens)"
        )
    return bucket


def _boto3() -> Any:
    try:
        import boto3  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        raise ServiceConnectorError(
            "the aws connector needs boto3: pip install 'stackyard[aws]'"
        ) from None
    return boto3


def _client(service: str, setup: ConnectorSetup, keys: dict[str, str]) -> Any:
    return _boto3().client(
        service,
        region_name=str(setup.values.get("region") or DEFAULT_REGION),
        endpoint_url=setup.values.get("endpoint_url") or None,
        aws_access_key_id=keys["aws_access_key_id"],
        aws_secret_access_key=keys["aws_secret_access_key"],
        aws_session_token=keys.get("aws_session_token"),
    )


def _call(setup: ConnectorSetup, what: str, call: Callable[[], Any]) -> Any:
    """Run one AWS call; a refusal becomes a one-line error with AWS's own message."""
    from botocore.exceptions import (  # type: ignore[import-untyped,unused-ignore]
        BotoCoreError,
        ClientError,
    )

    try:
        return call()
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message") or str(exc)
        raise ServiceConnectorError(
            f"service connector {setup.name!r} ({setup.auth_method}): AWS refused {what}: "
            f"{code}: {message}"
        ) from None
    except BotoCoreError as exc:
        raise ServiceConnectorError(
            f"service connector {setup.name!r} ({setup.auth_method}): {what} failed: {exc}"
        ) from None


def _bucket_policy(bucket: str) -> str:
    arns = [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": arns}],
        }
    )


class AWSProvider:
    resource_types: tuple[str, ...] = ("s3-bucket", "aws-generic")

    def canonical_resource_id(self, resource_type: str, resource_id: str) -> str:
        if resource_type == "s3-bucket":
            return f"s3://{bucket_of(resource_id)}"
        return resource_id.strip()

    def _keys(self, setup: ConnectorSetup) -> dict[str, str]:
        names = ("aws_access_key_id", "aws_secret_access_key", "aws_session_token")
        return {k: str(setup.values[k]) for k in names if setup.values.get(k)}

    def credentials(
        self, setup: ConnectorSetup, resource_type: str, resource_id: str | None
    ) -> IssuedCredentials:
        plain = {k: str(setup.values[k]) for k in ("region", "endpoint_url") if setup.values.get(k)}
        keys = self._keys(setup)
        if setup.auth_method == "secret-key":
            keys.pop("aws_session_token", None)
            return IssuedCredentials({**keys, **plain})
        if setup.auth_method == "sts-token":
            if setup.expires_at is not None and setup.expires_at <= datetime.now(UTC):
                raise ServiceConnectorError(
                    f"the session token of service connector {setup.name!r} expired at "
                    f"{setup.expires_at.isoformat()}: store a new one with "
                    f"`stackyard service-connector update {setup.name} --config ...`"
                )
            return IssuedCredentials({**keys, **plain}, setup.expires_at)
        if setup.auth_method == "iam-role":
            return self._assume_role(setup, keys, plain, resource_type, resource_id)
        raise ServiceConnectorError(
            f"service connector {setup.name!r}: unknown aws auth method {setup.auth_method!r}; "
            "choose one of: secret-key, sts-token, iam-role"
        )

    def _assume_role(
        self,
        setup: ConnectorSetup,
        keys: dict[str, str],
        plain: dict[str, str],
        resource_type: str,
        resource_id: str | None,
    ) -> IssuedCredentials:
        role = str(setup.values["role_arn"])
        options: dict[str, Any] = {
            "RoleArn": role,
            "RoleSessionName": "stackyard-" + re.sub(r"[^\w+=,.@-]", "-", setup.name)[:50],
            "DurationSeconds": SESSION_SECONDS,
        }
        if resource_type == "s3-bucket" and resource_id is not None:
            options["Policy"] = _bucket_policy(bucket_of(resource_id))
        sts = _client("sts", setup, keys)
        answer = _call(setup, f"AssumeRole of {role}", lambda: sts.assume_role(**options))
        issued = answer["Credentials"]
        return IssuedCredentials(
            {
                "aws_access_key_id": issued["AccessKeyId"],
                "aws_secret_access_key": issued["SecretAccessKey"],
                "aws_session_token": issued["SessionToken"],
                **plain,
            },
            issued["Expiration"],
        )

    def reachable(
        self, setup: ConnectorSetup, resource_type: str, resource_id: str | None
    ) -> list[str]:
        [kind] = served_types(setup, self, resource_type)
        resource = pick_resource(setup, self, kind, resource_id)
        keys = self.credentials(setup, kind, resource).values
        if kind == "aws-generic":
            sts = _client("sts", setup, keys)
            _call(setup, "GetCallerIdentity", sts.get_caller_identity)
            return [resource or str(setup.values.get("region") or DEFAULT_REGION)]
        s3 = _client("s3", setup, keys)
        if resource is not None:
            bucket = bucket_of(resource)
            _call(
                setup,
                f"listing bucket {bucket!r}",
                lambda: s3.list_objects_v2(Bucket=bucket, MaxKeys=1),
            )
            return [resource]
        answer = _call(setup, "ListBuckets", s3.list_buckets)
        return sorted(f"s3://{b['Name']}" for b in answer.get("Buckets", []))


PROVIDER = AWSProvider()
