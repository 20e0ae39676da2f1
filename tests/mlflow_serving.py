"""Real `mlflow server`s for tests, and stacks that track into them (shared by
tests/experiment_trackers and tests/distributed).

A server is `mlflow server` with a SQLite backend on a free loopback port, a child
process in its own session, stopped by its PID (and its process group, which holds its
uvicorn worker) at the end. With CI=true a missing mlflow or a server that does not
start fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from serving import free_port
from support import IN_CI

AUTH_USER = "admin"
AUTH_PASSWORD = "tracker-test-Pa55word"
SERVER_ENV = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
}
START_TIMEOUT = 180.0
# the `mlflow` command that serves the tests (default: this interpreter's mlflow); another
# installation's tests this client against a server of another version, e.g. the lower
# bound of the mlflow extra from its own virtual environment
SERVER_COMMAND = os.environ.get("STACKYARD_TEST_MLFLOW_SERVER")


def need(module: str) -> Any:
    """Import `module`; without it skip, but fail in CI (which installs the dev extra)."""
    try:
        return __import__(module)
    except ImportError:
        message = f"{module} is not installed: pip install 'stackyard[mlflow]' to run these tests"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


@contextmanager
def mlflow_server_at(
    directory: Path, *extra: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Serve MLflow from `directory` (its SQLite file, artifacts and log) until the block ends."""
    need("mlflow")
    os.environ.update(SERVER_ENV)  # the tests' own MLflow clients, and workers, stay quiet too
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = directory / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                *([SERVER_COMMAND] if SERVER_COMMAND else [sys.executable, "-m", "mlflow"]),
                "server",
                "--backend-store-uri",
                f"sqlite:///{directory / 'mlflow.db'}",
                "--artifacts-destination",
                str(directory / "artifacts"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
                *extra,
            ],
            cwd=directory,
            env={**os.environ, **SERVER_ENV, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: its worker goes with it
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(url):
            if server.poll() is not None or time.monotonic() > deadline:
                message = f"mlflow server did not start at {url}: {log_path.read_text()[-2000:]}"
                if IN_CI:
                    pytest.fail(message)
                pytest.skip(message)
            time.sleep(0.3)
        yield url
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        with suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)  # what is left of its group, if anything


def tracked_stack(tracking_uri: str, *, orchestrator: str = "default", **configuration: Any) -> str:
    """Register an mlflow tracker and activate a stack with it; the stack's name."""
    from stackyard.client import Client

    client = Client()
    client.create_stack_component(
        "mlflow",
        "mlflow",
        "experiment_tracker",
        {"tracking_uri": tracking_uri, **configuration},
    )
    client.create_stack(
        "tracked",
        components={
            "orchestrator": orchestrator,
            "artifact_store": "default",
            "experiment_tracker": "mlflow",
        },
    )
    client.activate_stack("tracked")
    return "tracked"
