"""The s3 artifact store on a local AWS: credentials from a connector or a secret,
artifacts that load in another process, and refusals before a run is recorded."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from typing import Annotated

import pytest
from cloud import AwsEndpoint

from stackyard import pipeline, save_artifact, step
from stackyard.client import Client
from stackyard.exceptions import InputError, ServiceConnectorError


@step
def make_numbers() -> Annotated[list[int], "numbers"]:
    return [1, 2, 3]


@step
def add_up(numbers: list[int]) -> int:
    print("adding", numbers)
    return sum(numbers)


@pipeline(enable_cache=False)
def s3_pipeline() -> None:
    add_up(make_numbers())


def _s3_stack(client: Client, name: str, path: str, **component: object) -> None:
    client.create_stack_component(name, "s3", "artifact_store", {"path": path}, **component)  # type: ignore[arg-type]
    client.create_stack(name, components={"orchestrator": "default", "artifact_store": name})
    client.activate_stack(name)


def _keys(aws: AwsEndpoint, keys: dict[str, str]) -> dict[str, str]:
    return {**keys, "endpoint_url": aws.url}


def _load_elsewhere(version_id: str) -> str:
    """Load an artifact version in a fresh interpreter (same store, nothing mounted)."""
    code = textwrap.dedent(
        f"""
        from stackyard.client import Client
        print(repr(Client().get_artifact_version({version_id!r}).load()))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_run_through_a_connector_round_trips_in_another_process(aws: AwsEndpoint) -> None:
    bucket = aws.bucket()
    client = Client()
    client.create_service_connector(
        "aws-dev", "aws", "secret-key", _keys(aws, aws.user(bucket)), resource_type="s3-bucket"
    )
    _s3_stack(client, "s3", f"s3://{bucket}/runs", connector="aws-dev")
    component = client.get_stack_component("s3")
    assert set(component.configuration) == {"path"}  # no credentials in the component

    run = s3_pipeline()
    assert run.status == "completed"
    output = run.steps["add_up"].output
    assert output.uri.startswith(f"s3://{bucket}/runs/")
    assert output.artifact_store_id == component.id
    assert output.load() == 6
    assert "adding [1, 2, 3]" in (run.steps["add_up"].logs or "")
    keys = aws.client("s3").list_objects_v2(Bucket=bucket)["Contents"]
    assert any(k["Key"].endswith("data.json") for k in keys)

    assert _load_elsewhere(str(output.id)) == "6"
    assert _load_elsewhere(str(run.steps["make_numbers"].output.id)) == "[1, 2, 3]"


def test_credentials_from_an_authentication_secret(aws: AwsEndpoint) -> None:
    bucket = aws.bucket()
    client = Client()
    client.create_secret("s3-keys", aws.user(bucket))
    client.create_stack_component(
        "s3-secret",
        "s3",
        "artifact_store",
        {"path": f"s3://{bucket}", "endpoint_url": aws.url, "authentication_secret": "s3-keys"},
    )
    client.create_stack(
        "s3-secret", components={"orchestrator": "default", "artifact_store": "s3-secret"}
    )
    client.activate_stack("s3-secret")
    version = save_artifact({"a": 1}, "config")
    assert version.uri.startswith(f"s3://{bucket}/artifacts/config/")
    assert _load_elsewhere(str(version.id)) == "{'a': 1}"

    client.create_secret("half", {"aws_access_key_id": "AKIA"})
    client.update_stack_component(
        "s3-secret",
        configuration={
            "path": f"s3://{bucket}",
            "endpoint_url": aws.url,
            "authentication_secret": "half",
        },
    )
    with pytest.raises(InputError, match="secret 'half' .* lacks aws_secret_access_key"):
        s3_pipeline()


def test_two_stores_with_different_credentials_side_by_side(aws: AwsEndpoint) -> None:
    first, second = aws.bucket(), aws.bucket()
    client = Client()
    for bucket in (first, second):  # each user may reach its own bucket only
        client.create_service_connector(
            f"c-{bucket}", "aws", "secret-key", _keys(aws, aws.user(bucket))
        )
        _s3_stack(client, f"s-{bucket}", f"s3://{bucket}", connector=f"c-{bucket}")
    runs = []
    for bucket in (first, second):
        client.activate_stack(f"s-{bucket}")
        runs.append(s3_pipeline())
    assert [r.steps["add_up"].output.load() for r in runs] == [6, 6]
    assert [_load_elsewhere(str(r.steps["add_up"].output.id)) for r in runs] == ["6", "6"]


def test_bad_keys_a_missing_bucket_or_a_foreign_resource_stop_before_recording(
    aws: AwsEndpoint,
) -> None:
    bucket = aws.bucket()
    client = Client()
    client.create_service_connector(
        "wrong",
        "aws",
        "secret-key",
        _keys(aws, {"aws_access_key_id": "AKIAWRONG", "aws_secret_access_key": "x"}),
    )
    _s3_stack(client, "bad-keys", f"s3://{bucket}", connector="wrong")
    wrong = client.get_service_connector("wrong").id
    with pytest.raises(
        InputError, match=f"cannot use bucket '{bucket}'.*InvalidAccessKeyId"
    ) as bad:
        s3_pipeline()
    # the connector by name (and id), on one line
    assert str(bad.value).endswith(
        f"(check the credentials from service connector 'wrong' ({wrong}))"
    )
    assert "\n" not in str(bad.value)

    other = aws.bucket()  # keys that reach `bucket` only, for a store in another bucket
    client.create_service_connector("only-one", "aws", "secret-key", _keys(aws, aws.user(bucket)))
    _s3_stack(client, "denied", f"s3://{other}", connector="only-one")
    with pytest.raises(InputError, match=f"cannot use bucket '{other}'.*AccessDenied") as denied:
        s3_pipeline()
    only_one = client.get_service_connector("only-one").id
    assert f"service connector 'only-one' ({only_one})" in str(denied.value)

    client.create_service_connector("right", "aws", "secret-key", _keys(aws, aws.admin))
    _s3_stack(client, "no-bucket", "s3://no-such-bucket-at-all", connector="right")
    with pytest.raises(InputError, match="NoSuchBucket.*create it or change the path"):
        s3_pipeline()

    _s3_stack(
        client,
        "elsewhere",
        f"s3://{bucket}",
        connector="right",
        connector_resource_id="s3://another-bucket",
    )
    with pytest.raises(ServiceConnectorError, match="linked for s3://another-bucket"):
        s3_pipeline()
    assert client.list_pipeline_runs().total == 0
    assert client.list_pipelines().total == 0


def test_path_must_be_an_s3_url() -> None:
    client = Client()
    client.create_stack_component("not-s3", "s3", "artifact_store", {"path": "/tmp/local"})
    client.create_stack(
        "not-s3", components={"orchestrator": "default", "artifact_store": "not-s3"}
    )
    client.activate_stack("not-s3")
    with pytest.raises(InputError, match="'/tmp/local' is not an S3 URL"):
        s3_pipeline()
