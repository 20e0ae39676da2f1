"""The aws connector against a local AWS: verify, credentials, linking components.

Every case runs against the SQL store (the Client unseals the connector itself)
and over REST (the server does, and answers only what the caller may read).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cloud import AwsEndpoint
from serving import ADMIN, Running

from stackyard.client import Client
from stackyard.exceptions import EntityNotFoundError, InputError, ServiceConnectorError


@pytest.fixture(params=["sql", "rest"])
def client(request: pytest.FixtureRequest) -> Iterator[Client]:
    if request.param == "sql":
        yield Client()
        return
    running: Running = request.getfixturevalue("server")
    yield Client(store=running.rest(running.token_for(ADMIN)))


def _connector(client: Client, aws: AwsEndpoint, keys: dict[str, str], **extra: str) -> str:
    name = f"aws-{len(client.list_service_connectors().items)}"
    client.create_service_connector(
        name,
        "aws",
        "secret-key",
        {**keys, "endpoint_url": aws.url, "region": "us-east-1"},
        **extra,
    )
    return name


def test_verify_lists_the_buckets_the_keys_reach(client: Client, aws: AwsEndpoint) -> None:
    bucket = aws.bucket()
    name = _connector(client, aws, aws.admin)
    found = client.verify_service_connector(name)
    assert f"s3://{bucket}" in found.resources["s3-bucket"]
    assert found.resources["aws-generic"] == ["us-east-1"]
    assert found.connector_type == "aws" and found.name == name

    one = client.verify_service_connector(name, "s3-bucket", bucket)
    assert one.resources == {"s3-bucket": [f"s3://{bucket}"]}


def test_verify_with_wrong_keys_raises_the_providers_message(
    client: Client, aws: AwsEndpoint
) -> None:
    unknown = _connector(
        client, aws, {"aws_access_key_id": "AKIANOSUCHKEY", "aws_secret_access_key": "x"}
    )
    with pytest.raises(ServiceConnectorError, match="InvalidAccessKeyId: The AWS Access Key Id"):
        client.verify_service_connector(unknown, "s3-bucket")
    wrong_secret = _connector(client, aws, {**aws.admin, "aws_secret_access_key": "not-the-secret"})
    with pytest.raises(ServiceConnectorError, match="SignatureDoesNotMatch"):
        client.verify_service_connector(wrong_secret, "aws-generic")


def test_verify_names_a_missing_bucket_and_refuses_other_resource_types(
    client: Client, aws: AwsEndpoint
) -> None:
    name = _connector(client, aws, aws.admin)
    with pytest.raises(ServiceConnectorError, match="NoSuchBucket"):
        client.verify_service_connector(name, "s3-bucket", "s3://no-such-bucket-here")
    with pytest.raises(ServiceConnectorError, match="cannot serve resource type 'gcs-bucket'"):
        client.verify_service_connector(name, "gcs-bucket")
    with pytest.raises(InputError, match="names no S3 bucket"):
        client.verify_service_connector(name, "s3-bucket", "s3://UPPER")


def test_a_connector_for_one_bucket_serves_no_other(client: Client, aws: AwsEndpoint) -> None:
    mine, other = aws.bucket(), aws.bucket()
    name = _connector(client, aws, aws.admin, resource_type="s3-bucket", resource_id=mine)
    assert client.verify_service_connector(name).resources == {"s3-bucket": [f"s3://{mine}"]}
    with pytest.raises(ServiceConnectorError, match=f"serves only s3://{mine}, not s3://{other}"):
        client.verify_service_connector(name, "s3-bucket", other)


def test_iam_role_and_sts_token_methods(client: Client, aws: AwsEndpoint) -> None:
    bucket = aws.bucket()
    role = f"role-{len(client.list_service_connectors().items)}"
    client.create_service_connector(
        role, "aws", "iam-role", {**aws.admin, "role_arn": aws.role_arn, "endpoint_url": aws.url}
    )
    assert f"s3://{bucket}" in client.verify_service_connector(role).resources["s3-bucket"]

    # a session token such as `aws sts assume-role` prints (moto knows only these)
    session = aws.client("sts").assume_role(
        RoleArn=aws.role_arn, RoleSessionName="by-hand", DurationSeconds=900
    )["Credentials"]
    token = {
        "aws_access_key_id": session["AccessKeyId"],
        "aws_secret_access_key": session["SecretAccessKey"],
        "aws_session_token": session["SessionToken"],
        "endpoint_url": aws.url,
    }
    sts = f"sts-{role}"
    client.create_service_connector(
        sts, "aws", "sts-token", token, expires_at=session["Expiration"]
    )
    assert f"s3://{bucket}" in client.verify_service_connector(sts).resources["s3-bucket"]
    client.update_service_connector(sts, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    with pytest.raises(ServiceConnectorError, match="session token .* expired"):
        client.verify_service_connector(sts)


def test_connector_types_without_an_implementation_say_so(client: Client) -> None:
    client.create_service_connector("gcp-x", "gcp", "oauth2-token", {"token": "t"})
    with pytest.raises(ServiceConnectorError, match="'gcp' can be recorded but not used yet"):
        client.verify_service_connector("gcp-x")


def test_components_link_only_to_a_connector_that_fits(client: Client, aws: AwsEndpoint) -> None:
    bucket = aws.bucket()
    name = _connector(client, aws, aws.admin)
    store = client.create_stack_component(
        f"s3-{name}",
        "s3",
        "artifact_store",
        {"path": f"s3://{bucket}/artifacts"},
        connector=name,
        connector_resource_id=f"s3://{bucket}",
    )
    assert store.connector_id == client.get_service_connector(name).id
    assert store.connector_resource_id == f"s3://{bucket}"
    assert "aws_secret_access_key" not in str(store.configuration)

    client.create_service_connector(f"gcs-{name}", "gcp", "oauth2-token", {"token": "t"})
    with pytest.raises(ServiceConnectorError, match="needs a connector for s3-bucket"):
        client.update_stack_component(store.id, connector=f"gcs-{name}")
    with pytest.raises(InputError, match=r"\(flavor 'local'\) takes no service connector"):
        client.create_stack_component(
            f"local-{name}", "local", "artifact_store", {"path": "/tmp/x"}, connector=name
        )
    with pytest.raises(EntityNotFoundError):
        client.create_stack_component(
            f"s3b-{name}", "s3", "artifact_store", {"path": f"s3://{bucket}"}, connector="nope"
        )

    relinked = client.update_stack_component(store.id, connector=name)
    assert relinked.connector_resource_id is None


def test_credentials_over_rest_are_short_lived_role_sessions(
    server: Running, aws: AwsEndpoint
) -> None:
    client = Client(store=server.rest(server.token_for(ADMIN)))
    bucket = aws.bucket()
    client.create_service_connector(
        "role-rest",
        "aws",
        "iam-role",
        {**aws.admin, "role_arn": aws.role_arn, "endpoint_url": aws.url},
    )
    component = client.create_stack_component(
        "s3-role-rest", "s3", "artifact_store", {"path": f"s3://{bucket}"}, connector="role-rest"
    )
    issued = client.store.component_credentials(component.id, "s3-bucket")
    assert issued.values["aws_session_token"]
    assert issued.values["aws_access_key_id"] != aws.admin["aws_access_key_id"]
    assert issued.expires_at is not None
    assert timedelta(0) < issued.expires_at - datetime.now(UTC) <= timedelta(hours=1)
    # the session works, and nothing of it is in the component
    s3 = aws.client("s3", {k: v for k, v in issued.values.items() if k.startswith("aws_")})
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]

    with pytest.raises(ServiceConnectorError, match="needs a gcs-bucket connector"):
        client.store.component_credentials(component.id, "gcs-bucket")
    path = f"{server.url}/api/v1/stack_components/{component.id}/credentials"
    anonymous = httpx.post(path, json={"resource_type": "s3-bucket"})
    assert anonymous.status_code == 401
    assert "aws_" not in anonymous.text


def test_cli_verify_and_connect(aws: AwsEndpoint) -> None:
    import os
    import subprocess
    import sys

    bucket = aws.bucket()
    client = Client()
    client.create_service_connector(
        "aws-dev", "aws", "secret-key", {**aws.admin, "endpoint_url": aws.url}
    )
    client.create_service_connector(
        "aws-bad",
        "aws",
        "secret-key",
        {"aws_access_key_id": "AKIAWRONG", "aws_secret_access_key": "x", "endpoint_url": aws.url},
    )
    client.create_stack_component("s3", "s3", "artifact_store", {"path": f"s3://{bucket}"})

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stackyard", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
            timeout=120,
        )

    good = cli("service-connector", "verify", "aws-dev", "--resource-type", "s3-bucket")
    assert good.returncode == 0, good.stderr
    assert "is valid" in good.stdout and f"s3://{bucket}" in good.stdout
    bad = cli("service-connector", "verify", "aws-bad")
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0 and "InvalidClientTokenId" in bad.stderr

    done = cli("stack-component", "connect", "s3", "--connector", "aws-dev", "-r", bucket)
    assert done.returncode == 0, done.stderr
    assert f"for s3://{bucket}" in done.stdout
    component = client.get_stack_component("s3")
    assert component.connector_id == client.get_service_connector("aws-dev").id
    assert client.get_stack_component("s3").connector_resource_id == f"s3://{bucket}"


def test_the_store_refuses_links_that_do_not_fit_over_rest_as_through_the_client(
    server: Running, aws: AwsEndpoint
) -> None:
    """The rule lives in the store: a request sent straight to the server meets it
    just as the Client does; nothing is created."""
    token = server.token_for(ADMIN)
    client = Client(store=server.rest(token))
    own, other = aws.bucket(), aws.bucket()
    gcp = client.create_service_connector("gcp-link", "gcp", "oauth2-token", {"token": "t"})
    pinned = client.create_service_connector(
        "pinned",
        "aws",
        "secret-key",
        {**aws.admin, "endpoint_url": aws.url},
        resource_type="s3-bucket",
        resource_id=own,
    )
    http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"})

    def create(name: str, **link: str) -> httpx.Response:
        body = {"name": name, "type": "artifact_store", "flavor": "s3"}
        return http.post(
            "/api/v1/stack_components",
            json={**body, "configuration": {"path": f"s3://{own}"}, **link},
        )

    wrong_type = (
        "artifact_store '{}' (flavor 's3') needs a connector for s3-bucket; service connector "
        f"'gcp-link' (gcp, serving {', '.join(gcp.resource_types)}) is not one"
    )
    foreign = (
        f"artifact_store '{{}}' (flavor 's3') cannot use s3://{other} through service connector "
        f"'pinned' (aws, serving s3-bucket): it serves only s3://{own}; link the component for "
        "that resource or to another connector"
    )
    refused = create("raw-gcp", connector_id=str(gcp.id))
    assert refused.status_code == 422
    assert refused.json() == {
        "error": "ServiceConnectorError",
        "detail": wrong_type.format("raw-gcp"),
    }
    refused = create("raw-other", connector_id=str(pinned.id), connector_resource_id=other)
    assert refused.status_code == 422
    assert refused.json() == {
        "error": "ServiceConnectorError",
        "detail": foreign.format("raw-other"),
    }
    refused = create("raw-orphan", connector_resource_id=own)
    assert refused.status_code == 422 and "needs a connector to reach it" in refused.text

    linked = create("raw-own", connector_id=str(pinned.id), connector_resource_id=own)
    assert linked.status_code == 201, linked.text
    assert linked.json()["connector_resource_id"] == f"s3://{own}"  # one spelling
    relink = http.put(
        f"/api/v1/stack_components/{linked.json()['id']}", json={"connector_id": str(gcp.id)}
    )
    assert relink.status_code == 422
    assert relink.json()["detail"] == wrong_type.format("raw-own")

    with pytest.raises(ServiceConnectorError) as through_client:
        client.create_stack_component(
            "c-gcp", "s3", "artifact_store", {"path": f"s3://{other}"}, connector="gcp-link"
        )
    assert str(through_client.value) == wrong_type.format("c-gcp")
    with pytest.raises(ServiceConnectorError) as through_client:
        client.update_stack_component("raw-own", connector_resource_id=other)
    assert str(through_client.value) == foreign.format("raw-own")
    names = {c.name for c in client.list_stack_components(flavor="s3", size=1000).items}
    assert "raw-own" in names and not names & {"raw-gcp", "raw-other", "raw-orphan", "c-gcp"}
    assert client.get_stack_component("raw-own").connector_resource_id == f"s3://{own}"
