"""The mlflow flavor as users meet it before a run: built in, registered from the CLI,
its configuration checked and its credentials masked; and a tracking URI that is not a
server (a local SQLite file) works without one."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from click.testing import CliRunner
from mlflow_serving import need, tracked_stack
from support import modules_after_cli

from stackyard import pipeline, step
from stackyard.cli.main import cli
from stackyard.client import Client
from stackyard.exceptions import InputError


def test_the_flavor_is_built_in_and_its_credential_fields_are_secret() -> None:
    from stackyard.dashboard.views import MASK, masked

    flavor = Client().get_flavor("mlflow", "experiment_tracker")
    assert not flavor.is_custom and flavor.integration == "mlflow"
    schema = flavor.config_schema
    assert schema["required"] == ["tracking_uri"]
    assert set(schema["properties"]) == {
        "tracking_uri",
        "experiment_name",
        "tracking_username",
        "tracking_password",
        "tracking_token",
        "nested",
    }
    shown = masked(
        {
            "tracking_uri": "http://mlflow:5000",
            "tracking_username": "ana",
            "tracking_password": "plain-text",
            "tracking_token": "{{mlflow.token}}",
        },
        schema,
    )
    assert shown["tracking_password"] == MASK  # a value is hidden; a reference is not one
    assert shown["tracking_token"] == "{{mlflow.token}}"
    assert shown["tracking_uri"] == "http://mlflow:5000"


def test_registered_from_the_cli_and_added_to_a_stack_without_importing_mlflow() -> None:
    runner = CliRunner()
    client = Client()
    client.create_secret("mlflow-login", {"user": "ana", "password": "s3cret"})
    registered = runner.invoke(
        cli,
        [
            "experiment-tracker",
            "register",
            "tracker",
            "--flavor",
            "mlflow",
            "--tracking_uri=http://127.0.0.1:5000",
            "--tracking_username={{mlflow-login.user}}",
            "--tracking_password={{mlflow-login.password}}",
            "--nested=false",
        ],
    )
    assert registered.exit_code == 0, registered.output
    updated = runner.invoke(
        cli, ["stack", "update", "default", "--component", "experiment_tracker=tracker"]
    )
    assert updated.exit_code == 0, updated.output
    component = client.get_stack_component("tracker", "experiment_tracker")
    assert component.configuration == {
        "tracking_uri": "http://127.0.0.1:5000",
        "tracking_username": "{{mlflow-login.user}}",
        "tracking_password": "{{mlflow-login.password}}",
        "nested": False,
    }
    stack = client.get_stack("default")
    assert [c.name for c in stack.components["experiment_tracker"]] == ["tracker"]

    unknown = runner.invoke(
        cli, ["experiment-tracker", "register", "typo", "-f", "mlflow", "--tracking_url=x"]
    )
    assert unknown.exit_code == 1 and "'tracking_url'" in unknown.output

    listed = json.loads(runner.invoke(cli, ["experiment-tracker", "list", "-o", "json"]).output)
    assert [c["name"] for c in listed] == ["tracker"]
    for argv in (("experiment-tracker", "list"), ("flavor", "describe", "mlflow")):
        assert "mlflow" not in modules_after_cli(*argv)
    imported = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, stackyard, stackyard.experiment_trackers.mlflow; "
            "print('mlflow' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == "False"


@step(experiment_tracker="mlflow")
def tracked() -> int:
    return 1


def test_a_configuration_mlflow_cannot_log_in_with_is_refused_before_recording() -> None:
    tracked_stack("http://127.0.0.1:5000", tracking_username="ana")

    @pipeline
    def half_a_login() -> None:
        tracked()

    with pytest.raises(InputError, match="tracking_username and tracking_password go together"):
        half_a_login()
    assert Client().list_pipeline_runs().total == 0


@step(experiment_tracker="mlflow", enable_cache=False)
def log_locally(depth: int) -> str:
    import mlflow

    mlflow.log_metric("depth", depth)
    run = mlflow.active_run()
    assert run is not None
    return run.info.run_id


def test_a_local_tracking_uri_needs_no_server(tmp_path: Any, monkeypatch: Any) -> None:
    need("mlflow")
    from mlflow.tracking import MlflowClient

    monkeypatch.chdir(tmp_path)
    uri = f"sqlite:///{tmp_path / 'local.db'}"
    tracked_stack(uri)

    @pipeline(enable_cache=False)
    def tracked_locally() -> None:
        log_locally(depth=2)

    run = tracked_locally()
    run_id = run.steps["log_locally"].output.load()
    metadata = dict(run.steps["log_locally"].run_metadata)
    assert metadata["mlflow_run_id"] == run_id
    assert metadata["mlflow_tracking_uri"] == uri
    assert "experiment_tracker_url" not in metadata  # no UI to link to
    found = MlflowClient(tracking_uri=uri).get_run(run_id)
    assert found.data.metrics == {"depth": 2.0} and found.data.params == {"depth": "2"}
    assert found.info.status == "FINISHED"
    parent = MlflowClient(tracking_uri=uri).get_run(found.data.tags["mlflow.parentRunId"])
    assert parent.info.run_name == run.name and parent.info.status == "FINISHED"
