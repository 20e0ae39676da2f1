"""Fixtures for artifact tests: an isolated materializer registry and a moto S3."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stackyard.artifacts import fs, materializers

# Captured at collection time, before any lookup has loaded a default package.
_PRISTINE_DEFAULTS = dict(materializers._DEFAULT_MATERIALIZERS)


@pytest.fixture
def fresh_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry where no built-in materializer has been loaded yet.

    Tests that register materializers for shared types use it so their
    registrations do not leak into other tests.
    """
    monkeypatch.setattr(materializers, "_REGISTRY", {})
    monkeypatch.setattr(materializers, "_DEFAULT_MATERIALIZERS", dict(_PRISTINE_DEFAULTS))


@pytest.fixture(scope="module")
def s3_root() -> Iterator[str]:
    """An empty bucket on a local moto server, wired up through storage options."""
    boto3 = pytest.importorskip("boto3")
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="x",
            aws_secret_access_key="x",
            region_name="us-east-1",
        ).create_bucket(Bucket="bucket")
        fs.set_storage_options(
            "s3",
            {
                "client_kwargs": {"endpoint_url": endpoint, "region_name": "us-east-1"},
                "key": "x",
                "secret": "x",
                "skip_instance_cache": True,
            },
        )
        yield "s3://bucket"
    finally:
        fs.set_storage_options("s3", {})
        server.stop()
