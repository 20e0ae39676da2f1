"""CLI fixtures: the real root group through click's CliRunner, and recorded runs.

The autouse `isolated_config` fixture (tests/conftest.py) gives each test its own
config directory through STACKYARD_CONFIG_PATH, so the CLI, the Client used to
set up data and any subprocess all share one fresh store.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from stackyard.cli.main import cli
from stackyard.client import Client

Invoke = Callable[..., Result]
VENV_SCRIPT = Path(sys.executable).with_name("stackyard")


@pytest.fixture
def run_cli() -> Invoke:
    """`run_cli("stack", "list", code=0)`: invoke and check the exit code (None: any)."""
    runner = CliRunner(env={"COLUMNS": "200"})

    def invoke(*args: str, code: int | None = 0, input: str | None = None) -> Result:
        result = runner.invoke(cli, list(args), input=input, catch_exceptions=True)
        if code is not None:
            assert result.exit_code == code, (
                f"exit {result.exit_code} != {code}\nstdout: {result.stdout}\n"
                f"stderr: {result.stderr}\nexception: {result.exception!r}"
            )
        return result

    return invoke


@pytest.fixture
def run_process() -> Callable[..., subprocess.CompletedProcess[str]]:
    """The installed console script (or `python -m stackyard`) in a real process."""
    command = [str(VENV_SCRIPT)] if VENV_SCRIPT.exists() else [sys.executable, "-m", "stackyard"]

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
            timeout=120,
        )

    return run


@pytest.fixture
def client() -> Client:
    return Client()


@pytest.fixture
def recorded_run(client: Client, tmp_path: Path) -> dict[str, Any]:
    """A finished run of pipeline `train`: step `load` makes `numbers`, step `total`
    reads it and makes `total`; both logged. Plus `orphan`, a version no run touched."""
    store = client.store
    start = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    pipeline = store.create("pipeline", {"name": "train"})
    run = store.create(
        "pipeline_run",
        {
            "name": "train-2026_01_02-03_04_05_000001",
            "status": "completed",
            "start_time": start,
            "end_time": start + timedelta(seconds=3),
            "pipeline_id": pipeline.id,
            "stack_id": client.active_stack_model.id,
        },
    )
    data = Path(client.active_stack.artifact_store.path) / "recorded"
    data.mkdir(parents=True)

    def version(name: str, producer: Any | None) -> Any:
        uri = data / f"{name}.json"
        uri.write_text("[1, 2, 3]")
        return store.create(
            "artifact_version",
            {
                "name": name,
                "uri": str(uri),
                "data_type": "builtins.list",
                "materializer": "stackyard.artifacts.materializers_builtin.JsonMaterializer",
                "producer_step_run_id": producer,
            },
        )

    steps: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for offset, (step_name, inputs) in enumerate((("load", {}), ("total", {"numbers": None}))):
        log = data / f"{step_name}.log"  # a step's logs lie in its run's artifact store
        log.write_text(f"{step_name} says hello\n")
        step = store.create(
            "run_step",
            {
                "name": step_name,
                "pipeline_run_id": run.id,
                "status": "running",
                "start_time": start + timedelta(seconds=offset),
                "logs_uri": str(log),
                "inputs": {k: outputs["numbers"].id for k in inputs},
            },
        )
        output_name = "numbers" if step_name == "load" else "total"
        outputs[output_name] = version(output_name, step.id)
        steps[step_name] = store.update(
            "run_step",
            step.id,
            {
                "status": "completed",
                "end_time": start + timedelta(seconds=offset + 1, milliseconds=500),
                "outputs": {output_name: outputs[output_name].id},
            },
        )
    orphan = version("orphan", None)
    return {"pipeline": pipeline, "run": run, "steps": steps, "outputs": outputs, "orphan": orphan}
