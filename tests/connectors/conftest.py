"""Fixtures for connector and S3 tests: a local AWS (moto, IAM on) per test session,
and a server whose store the tests' clients reach over REST."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from cloud import AwsEndpoint, aws_endpoint
from serving import ADMIN, ADMIN_PASSWORD, Running, running_server
from support import IN_CI

from stackyard.store.sql import accounts

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # s3_steps is imported by path in worker processes
    sys.path.insert(0, HERE)


@pytest.fixture(scope="session")
def aws() -> Iterator[AwsEndpoint]:
    if not IN_CI:  # CI installs the aws extra: missing boto3 there is a failure
        pytest.importorskip("boto3", reason="install stackyard[aws] to run these tests")
    with aws_endpoint() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    path = tmp_path_factory.mktemp("server") / "store.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STACKYARD_CONFIG_PATH", str(path.parent / "config"))
        with running_server(f"sqlite:///{path}") as running:
            accounts.create_first_admin(running.ctx.store, ADMIN, ADMIN_PASSWORD)
            yield running
