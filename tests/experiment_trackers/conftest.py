"""Fixtures: real MLflow tracking servers for the session (see `mlflow_serving`)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # tracked_steps, imported by path in workers
    sys.path.insert(0, HERE)

from mlflow_serving import AUTH_PASSWORD, AUTH_USER, mlflow_server_at  # noqa: E402


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an MLflow tracking server for this session."""
    with mlflow_server_at(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


@pytest.fixture(scope="session")
def mlflow_auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of an MLflow server that asks for a user and password (its basic-auth app,
    with admin `AUTH_USER` / `AUTH_PASSWORD`)."""
    directory = tmp_path_factory.mktemp("mlflow-auth")
    config = directory / "basic_auth.ini"
    config.write_text(
        "[mlflow]\n"
        "default_permission = READ\n"
        f"database_uri = sqlite:///{directory / 'auth.db'}\n"
        f"admin_username = {AUTH_USER}\n"
        f"admin_password = {AUTH_PASSWORD}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    env = {
        "MLFLOW_AUTH_CONFIG_PATH": str(config),
        "MLFLOW_FLASK_SERVER_SECRET_KEY": uuid.uuid4().hex,
    }
    with mlflow_server_at(directory, "--app-name", "basic-auth", env=env) as url:
        yield url


@pytest.fixture
def unique() -> str:
    """A name no other test of the session uses (the servers live for the session)."""
    return uuid.uuid4().hex[:8]


@pytest.fixture
def mlflow_client(mlflow_server: str) -> Any:
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=mlflow_server)
