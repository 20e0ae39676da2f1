"""One local Ray cluster for the whole test session, a local AWS, an MLflow server,
and Ray stacks.

The cluster is `ray start --head --block` as a child process on loopback
(2 CPUs, no GPU, no dashboard, a Ray client server), stopped by its PID at the
end; `ray stop`, which kills every Ray process on the machine, is never used.
Steps run by Ray workers are imported by path, so they live in `ray_steps.py`
and the workers get this directory on PYTHONPATH through the orchestrator's
`runtime_env`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
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
# The head's Ray client server forks a server per client while its own gRPC threads
# run; with gRPC's fork handlers on (grpcio 1.85), that child now and then dies at once
# ("Starting Ray client server failed", an epoll_wait error in its log).
HEAD_ENV = {**RAY_ENV, "GRPC_ENABLE_FORK_SUPPORT": "0"}


@dataclass(frozen=True)
class RayHead:
    address: str  # host:port of the head's GCS
    client_address: str  # ray://host:port of its Ray client server
    tmpdir: str  # as RAY_TMPDIR, Ray's default temp dir is the head's (its address file)


@pytest.fixture(scope="session")
def ray_head() -> Iterator[RayHead]:
    """A Ray head started for this session."""
    if not IN_CI:
        pytest.importorskip("ray", reason="install stackyard[ray] to run the Ray tests")
    import ray

    os.environ.update(RAY_ENV)
    port, client_port = free_port(), free_port()
    tmpdir = tempfile.mkdtemp(prefix="sy-ray-", dir="/tmp")  # short: Ray's socket paths
    temp = str(Path(tmpdir) / "ray")
    Path(temp).mkdir()
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
            f"--ray-client-server-port={client_port}",
        ],
        env={**os.environ, **HEAD_ENV},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not (Path(temp) / "session_latest").exists() or not (
            _listening(port) and _listening(client_port)
        ):
            if head.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"ray start failed: {(Path(temp) / 'head.log').read_text()}")
            time.sleep(0.2)
        yield RayHead(f"127.0.0.1:{port}", f"ray://127.0.0.1:{client_port}", tmpdir)
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


@pytest.fixture(scope="session")
def ray_address(ray_head: RayHead) -> str:
    """The GCS address of the session's Ray head."""
    return ray_head.address


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
