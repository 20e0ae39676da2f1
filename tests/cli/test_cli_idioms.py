"""CLI spellings people bring from ZenML, and output a script can read whole."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

from stackyard.client import Client

Invoke = Callable[..., Result]  # the `run_cli` fixture of tests/cli/conftest.py
VENV_SCRIPT = Path(sys.executable).with_name("stackyard")


def test_pipeline_runs_list_is_pipeline_run_list(run_cli: Invoke, recorded_run: dict) -> None:
    name = recorded_run["run"].name
    for args in (("runs", "list"), ("run", "list"), ("runs",), ("runs", "train")):
        listed = json.loads(run_cli("pipeline", *args, "-o", "json").stdout)
        assert [r["name"] for r in listed] == [name], args
    assert (
        run_cli("pipeline", "runs", "list", "--status", "failed", "-o", "json").stdout.strip()
        == "[]"
    )
    described = json.loads(run_cli("pipeline", "runs", "describe", name, "-o", "json").stdout)
    assert described["name"] == name


def test_key_value_options_are_one_style(run_cli: Invoke, client: Client) -> None:
    run_cli("artifact-store", "register", "zen-like", "--flavor", "local", "--path=/data/one")
    assert client.get_stack_component("zen-like").configuration == {"path": "/data/one"}
    run_cli("artifact-store", "update", "zen-like", "--path", "/data/two")
    assert client.get_stack_component("zen-like").configuration == {"path": "/data/two"}
    run_cli("orchestrator", "register", "wide", "--flavor", "local_parallel", "--max_workers=3")
    assert client.get_stack_component("wide").configuration == {"max_workers": 3}
    run_cli("secret", "create", "same-style", "--user=ann", "--token", "t0k")
    assert client.get_secret("same-style").values == {"user": "ann", "token": "t0k"}
    bad = run_cli("artifact-store", "register", "x", "--flavor", "local", "stray", code=2)
    assert "give values as --KEY=VALUE" in bad.stderr


def test_stack_update_takes_short_component_options(run_cli: Invoke, client: Client) -> None:
    run_cli("orchestrator", "register", "other-orch", "--flavor", "local")
    run_cli("artifact-store", "register", "other-store", "--flavor", "local", "--path=/tmp/o")
    run_cli("stack", "register", "swap", "-o", "default", "-a", "default")
    run_cli("stack", "update", "swap", "-o", "other-orch", "-a", "other-store")
    components = client.get_stack("swap").components
    assert {t.value: [c.name for c in group] for t, group in components.items()} == {
        "orchestrator": ["other-orch"],
        "artifact_store": ["other-store"],
    }


def _piped(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(VENV_SCRIPT)] if VENV_SCRIPT.exists() else [sys.executable, "-m", "stackyard"]
    return subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},  # a narrow terminal says so; a pipe is not one
        timeout=120,
    )


def test_piped_tables_are_never_cut(recorded_run: dict) -> None:
    done = _piped("pipeline", "run", "list")
    assert done.returncode == 0, done.stderr
    row = done.stdout.splitlines()[1]
    assert len(row) > 80 and "…" not in done.stdout
    assert recorded_run["run"].name in row and "completed" in row and "default" in row


def test_service_accounts_and_api_keys_from_the_cli(run_cli: Invoke, client: Client) -> None:
    created = run_cli("service-account", "create", "robot", "-d", "nightly")
    assert "Created service account 'robot'" in created.stdout
    listed = json.loads(run_cli("service-account", "list", "-o", "json").stdout)
    assert [a["name"] for a in listed] == ["robot"]
    key = run_cli("api-key", "create", "robot", "ci").stdout.splitlines()[-1]
    keys: list[dict[str, Any]] = json.loads(
        run_cli("api-key", "list", "robot", "-o", "json").stdout
    )
    assert [k["name"] for k in keys] == ["ci"] and key not in json.dumps(keys)
    rotated = run_cli("api-key", "rotate", "robot", "ci").stdout.splitlines()[-1]
    assert rotated.startswith("sy_") and rotated != key
    run_cli("api-key", "deactivate", "robot", "ci")
    assert client.get_api_key("robot", "ci").active is False
    run_cli("api-key", "delete", "robot", "ci", "--yes")
    assert client.list_api_keys("robot").total == 0
    run_cli("service-account", "delete", "robot", "--yes")
    assert client.list_service_accounts().total == 0
