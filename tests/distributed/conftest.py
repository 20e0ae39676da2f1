"""One local Ray cluster for the whole test session, a local AWS, an MLflow server,
and Ray stacks.

The cluster is `ray start --head --block` as a child process on loopback
(2 CPUs, no GPU, no dashboard), stopped by its PID at the end; `ray stop`,
which kills every Ray process on the machine, is never used. Steps run by Ray
workers are imported by path, so they live in `ray_steps.py` and the workers
get this directory on PYTHONPATH through the orchestrator's `runtime_env`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cloud import AwsEndpoint, aws_endpoint
from mlflow_serving import mlflow_server_at
from serving import free_port
from support import IN_CI

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
RAY_ENV = {"RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}


@pytest.fixture(scope="session")
def ray_address() -> Iterator[str]:
    """The GCS address of a Ray head started for this session."""
    if not IN_CI:
        pytest.importorskip("ray", reason="install stackyard[ray] to run the Ray tests")
    import ray

    os.environ.update(RAY_ENV)
    port = free_port()
    temp = tempfile.mkdtemp(prefix="sy-ray-", dir="/tmp")  # short: Ray's socket paths
    log = open(Path(temp) / "head.log", "w")  # noqa: SIM115
    head = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("ray")),
            "start",
            "--head",
            "--block",
            f"--port={port}",
            "--num-cpus=2",
            "--num-gpus=0",
            "--include-dashboard=false",
            f"--temp-dir={temp}",
            "--node-ip-address=127.0.0.1",
            "--object-store-memory=200000000",
        ],
        env={**os.environ, **RAY_ENV},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while not (Path(temp) / "session_latest").exists() or not _listening(port):
            if head.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ray start failed: {(Path(temp) / 'head.log').read_text()}")
            time.sleep(0.2)
        yield address
    finally:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(30)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
        log.close()


def _listening(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def aws() -> Iterator[AwsEndpoint]:
    with aws_endpoint() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An MLflow tracking server, for steps that Ray tasks track."""
    with mlflow_server_at(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


@pytest.fixture
def ray_stack(ray_address: str) -> str:
    """Activate a stack whose orchestrator is the session's Ray cluster."""
    from ray_steps import RUNTIME_ENV

    from stackyard.client import Client

    client = Client()
    client.create_stack_component(
        "ray", "ray", "orchestrator", {"address": ray_address, "runtime_env": RUNTIME_ENV}
    )
    client.create_stack("ray", components={"orchestrator": "ray", "artifact_store": "default"})
    client.activate_stack("ray")
    return "ray"
