"""`{{secret.key}}` in component configurations: checked at registration, resolved
when a run builds the stack, never stored or shown resolved."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stackyard import pipeline, step
from stackyard.client import Client
from stackyard.exceptions import InputError


@step(enable_cache=False)
def make_numbers() -> list[int]:
    return [1, 2, 3]


@pipeline
def secret_pipeline():
    make_numbers()


def _stack_with_secret_path(client: Client, tmp_path: Path) -> Path:
    target = tmp_path / "from-the-secret"
    client.create_secret("storage", {"path": str(target), "workers": "1"})
    client.create_stack_component(
        "secret-store", "local", "artifact_store", {"path": "{{storage.path}}"}
    )
    client.create_stack_component(
        "secret-orch",
        "local",
        "orchestrator",
        {},  # the local orchestrator takes no config
    )
    client.create_stack(
        "secret-stack", {"orchestrator": "secret-orch", "artifact_store": "secret-store"}
    )
    client.activate_stack("secret-stack")
    return target


def test_a_reference_reaches_the_component_at_run_time(tmp_path: Path) -> None:
    client = Client()
    target = _stack_with_secret_path(client, tmp_path)
    component = client.get_stack_component("secret-store", "artifact_store")
    assert component.configuration == {"path": "{{storage.path}}"}  # stored as written
    assert client.active_stack.artifact_store.path == str(target)
    run = secret_pipeline()
    output = run.steps["make_numbers"].output
    assert output.uri.startswith(str(target)) and output.load() == [1, 2, 3]
    assert client.get_stack_component(component.id).configuration == {"path": "{{storage.path}}"}


def test_a_reference_counts_as_any_type_and_is_typed_once_resolved() -> None:
    client = Client()
    client.create_secret("tuning", {"workers": "3"})
    client.create_stack_component(
        "tuned", "local_parallel", "orchestrator", {"max_workers": "{{ tuning.workers }}"}
    )
    client.create_stack("tuned", {"orchestrator": "tuned", "artifact_store": "default"})
    client.activate_stack("tuned")
    assert client.active_stack.orchestrator.config.max_workers == 3  # type: ignore[attr-defined]
    client.update_secret("tuning", add_or_update_values={"workers": "many"})
    with pytest.raises(InputError, match="max_workers"):
        client.active_stack  # noqa: B018 - building it resolves and validates


def test_unknown_secrets_and_keys_are_refused_at_registration_and_update() -> None:
    client = Client()
    with pytest.raises(
        InputError, match=r"path refers to \{\{nosuch\.path\}\}.*no secret named 'nosuch'"
    ):
        client.create_stack_component("bad", "local", "artifact_store", {"path": "{{nosuch.path}}"})
    client.create_secret("storage", {"path": "/tmp/x"})
    with pytest.raises(InputError, match="secret 'storage' has no key 'dir'; its keys: path"):
        client.create_stack_component("bad", "local", "artifact_store", {"path": "{{storage.dir}}"})
    client.create_stack_component("good", "local", "artifact_store", {"path": "{{storage.path}}"})
    with pytest.raises(InputError, match="no secret named 'other'"):
        client.update_stack_component(
            "good", "artifact_store", configuration={"path": "{{other.x}}"}
        )
    assert client.list_stack_components(name="bad").total == 0


def test_a_secret_gone_after_registration_fails_the_run_before_anything_is_recorded(
    tmp_path: Path,
) -> None:
    client = Client()
    _stack_with_secret_path(client, tmp_path)
    client.update_secret("storage", remove_values=["path"])
    with pytest.raises(InputError, match=r"secret 'storage' has no key 'path'; its keys: workers"):
        secret_pipeline()
    client.delete_secret("storage")
    with pytest.raises(InputError, match="no secret named 'storage' that user 'default' can read"):
        secret_pipeline()
    assert client.list_pipeline_runs().total == 0


def test_the_cli_shows_the_reference_and_never_the_value(tmp_path: Path) -> None:
    client = Client()
    client.create_secret("storage", {"path": "/very/secret/place"})

    def cli(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "stackyard", *args],
            capture_output=True,
            text=True,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli(
        "artifact-store",
        "register",
        "cli-store",
        "-f",
        "local",
        "--config",
        "path={{storage.path}}",
    )
    described = cli("artifact-store", "describe", "cli-store", "-o", "json")
    assert json.loads(described)["configuration"] == {"path": "{{storage.path}}"}
    for output in (
        described,
        cli("artifact-store", "describe", "cli-store"),
        cli("stack-component", "list", "-o", "json"),
        cli("stack-component", "list"),
    ):
        assert "/very/secret/place" not in output
    assert "{{storage.path}}" in cli("artifact-store", "describe", "cli-store")
