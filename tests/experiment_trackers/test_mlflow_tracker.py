"""The mlflow experiment tracker against a real MLflow server, through the public API:
pipelines run on a stack with the tracker; what they did is read back from MLflow."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import pytest
from mlflow_serving import need, tracked_stack

from stackyard import get_step_context, pipeline, step
from stackyard.client import Client
from stackyard.exceptions import InputError, RunStoppedError, StepFailedError


def _runs(client: Any, experiment: str, **tags: str) -> list[Any]:
    found = client.get_experiment_by_name(experiment)
    assert found is not None, f"no MLflow experiment {experiment!r}"
    condition = " AND ".join(f"tags.`{k}` = '{v}'" for k, v in tags.items())
    return list(client.search_runs([found.experiment_id], filter_string=condition))


def _metadata(step_run: Any) -> dict[str, Any]:
    return dict(step_run.run_metadata)


@step(experiment_tracker="mlflow", enable_cache=False)
def train(rate: float, layers: list[int]) -> Annotated[dict[str, str], "seen"]:
    import mlflow

    mlflow.log_metric("loss", 0.25)
    run = mlflow.active_run()
    assert run is not None
    parent = run.data.tags.get("mlflow.parentRunId", "")
    return {"run_id": run.info.run_id, "run_name": run.info.run_name, "parent": parent}


@step(experiment_tracker="mlflow", enable_cache=False)
def evaluate(seen: dict[str, str], threshold: int = 3) -> float:
    import mlflow

    mlflow.log_metrics({"accuracy": 0.75, "threshold": threshold})
    with mlflow.start_run(nested=True, run_name="inner"):  # the step's own child run
        mlflow.log_metric("inner", 1)
    return 0.75


@step(enable_cache=False)
def report(accuracy: float) -> bool:
    import mlflow

    return mlflow.active_run() is None


def test_tracked_steps_are_mlflow_runs_under_one_run_per_pipeline_run(
    mlflow_server: str, mlflow_client: Any
) -> None:
    tracked_stack(mlflow_server)
    before_uri = os.environ.get("MLFLOW_TRACKING_URI")

    @pipeline(enable_cache=False)
    def tracked_training() -> None:
        report(evaluate(train(rate=0.1, layers=[4, 2])))

    run = tracked_training()
    assert run.status == "completed"

    # one MLflow run for the pipeline run, in the experiment named after the pipeline
    parents = _runs(mlflow_client, "tracked_training", **{"stackyard.kind": "pipeline_run"})
    assert len(parents) == 1
    parent = parents[0]
    assert parent.info.run_name == run.name
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["stackyard.pipeline_run_id"] == str(run.id)

    # one per tracked step, nested under it, named after the step; untracked steps none
    children = _runs(mlflow_client, "tracked_training", **{"stackyard.kind": "step"})
    by_name = {c.info.run_name: c for c in children}
    assert set(by_name) == {"train", "evaluate"}
    for name, child in by_name.items():
        assert child.data.tags["mlflow.parentRunId"] == parent.info.run_id
        assert child.info.status == "FINISHED"
        assert child.data.tags["stackyard.step_name"] == name
        assert child.data.tags["stackyard.pipeline_run_name"] == run.name
        assert child.data.tags["stackyard.step_run_id"] == str(run.steps[name].id)
    assert by_name["train"].data.params == {"rate": "0.1", "layers": "[4, 2]"}
    assert by_name["evaluate"].data.params == {"threshold": "3"}
    assert by_name["train"].data.metrics == {"loss": 0.25}
    assert by_name["evaluate"].data.metrics == {"accuracy": 0.75, "threshold": 3.0}
    (inner,) = _runs(mlflow_client, "tracked_training", **{"mlflow.runName": "inner"})
    assert inner.data.tags["mlflow.parentRunId"] == by_name["evaluate"].info.run_id
    assert inner.data.metrics == {"inner": 1.0}  # in the same experiment, found above

    # inside the step, its own run was MLflow's active run
    seen = run.steps["train"].output.load()
    assert seen == {
        "run_id": by_name["train"].info.run_id,
        "run_name": "train",
        "parent": parent.info.run_id,
    }
    assert run.steps["report"].output.load() is True  # no run is active in untracked steps

    # the step's metadata: its MLflow run and where to see it
    experiment_id = parent.info.experiment_id
    for name, child in by_name.items():
        metadata = _metadata(run.steps[name])
        assert metadata["mlflow_run_id"] == child.info.run_id
        assert metadata["mlflow_parent_run_id"] == parent.info.run_id
        assert metadata["experiment_tracker_url"] == (
            f"{mlflow_server}/#/experiments/{experiment_id}/runs/{child.info.run_id}"
        )
    assert "mlflow_run_id" not in _metadata(run.steps["report"])
    run_metadata = dict(Client().get_pipeline_run(run.id).run_metadata)
    assert run_metadata["mlflow_run_id"] == parent.info.run_id

    # nothing of the tracker stays in this process
    import mlflow

    assert mlflow.active_run() is None
    assert os.environ.get("MLFLOW_TRACKING_URI") == before_uri
    assert os.environ.get("MLFLOW_EXPERIMENT_ID") is None


@step(experiment_tracker="mlflow", enable_cache=False)
def fit_model(c: float) -> float:
    import mlflow
    from sklearn.linear_model import LogisticRegression

    mlflow.sklearn.autolog(log_models=False, log_datasets=False)
    features = [[0.0, 1.0], [1.0, 0.0], [0.9, 0.1], [0.1, 0.9]]
    labels = [0, 1, 1, 0]
    return float(LogisticRegression(C=c).fit(features, labels).score(features, labels))


@step(enable_cache=False)
def fit_untracked() -> float:
    from sklearn.linear_model import LogisticRegression

    return float(LogisticRegression().fit([[0.0], [1.0]], [0, 1]).score([[0.0], [1.0]], [0, 1]))


def test_autologging_inside_a_step_logs_into_its_run(
    mlflow_server: str, mlflow_client: Any, unique: str, tmp_path: Any, monkeypatch: Any
) -> None:
    need("sklearn")
    from mlflow.utils.autologging_utils import autologging_is_disabled

    monkeypatch.chdir(tmp_path)  # where MLflow's default store would appear
    tracked_stack(mlflow_server, experiment_name=f"autolog-{unique}")

    @pipeline(enable_cache=False)
    def autologged() -> None:
        fit_model(c=0.5)
        fit_untracked.after(fit_model)
        fit_untracked()

    run = autologged()
    assert run.status == "completed"
    (child,) = _runs(mlflow_client, f"autolog-{unique}", **{"stackyard.kind": "step"})
    assert child.info.run_name == "fit_model"
    assert child.data.params["C"] == "0.5"  # sklearn's own parameter, logged by autolog
    assert child.data.params["c"] == "0.5"  # the step's
    assert "training_score" in child.data.metrics
    # autologging the step switched on ended with it: the untracked step logged nowhere
    assert autologging_is_disabled("sklearn")
    assert not list(tmp_path.glob("mlflow.db")) and not list(tmp_path.glob("mlruns"))


@step(experiment_tracker="mlflow", enable_cache=False)
def explode(size: int) -> int:
    import mlflow

    mlflow.log_metric("before_failing", size)
    raise ValueError(f"bad size {size}")


def test_a_failing_step_ends_its_mlflow_run_failed(
    mlflow_server: str, mlflow_client: Any, unique: str
) -> None:
    tracked_stack(mlflow_server, experiment_name=f"failing-{unique}")

    @pipeline(enable_cache=False)
    def failing() -> None:
        explode(size=3)

    with pytest.raises(StepFailedError, match="bad size 3"):
        failing()
    run = Client().list_pipeline_runs(size=1)[0]
    (child,) = _runs(mlflow_client, f"failing-{unique}", **{"stackyard.kind": "step"})
    assert child.info.status == "FAILED"
    assert child.data.metrics == {"before_failing": 3.0}
    assert _metadata(run.steps["explode"])["mlflow_run_id"] == child.info.run_id
    (parent,) = _runs(mlflow_client, f"failing-{unique}", **{"stackyard.kind": "pipeline_run"})
    assert parent.info.status == "FAILED"
    import mlflow

    assert mlflow.active_run() is None


def test_parallel_steps_in_worker_processes_share_one_parent(
    mlflow_server: str, mlflow_client: Any, unique: str
) -> None:
    from tracked_steps import combine, measure

    Client().create_stack_component(
        "parallel", "local_parallel", "orchestrator", {"max_workers": 2}
    )
    tracked_stack(mlflow_server, orchestrator="parallel", experiment_name=f"parallel-{unique}")

    @pipeline(enable_cache=False)
    def fan_in() -> None:
        combine(measure(name="ab"), measure(name="abcd"))

    run = fan_in()
    assert run.status == "completed"
    parents = _runs(mlflow_client, f"parallel-{unique}", **{"stackyard.kind": "pipeline_run"})
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    children = _runs(mlflow_client, f"parallel-{unique}", **{"stackyard.kind": "step"})
    assert sorted(c.info.run_name for c in children) == ["combine", "measure", "measure_2"]
    assert {c.data.tags["mlflow.parentRunId"] for c in children} == {parents[0].info.run_id}
    left, right = run.steps["measure"].output.load(), run.steps["measure_2"].output.load()
    assert os.getpid() not in (left["pid"], right["pid"])  # steps ran in worker processes
    scores = {c.info.run_name: c.data.metrics.get("score") for c in children}
    assert scores == {"measure": 2.0, "measure_2": 4.0, "combine": None}
    assert run.steps["combine"].output.load() == sorted([left["run_id"], right["run_id"]])


@step(experiment_tracker="mlflow", enable_cache=False)
def linger(marker: str) -> int:
    Path(marker).touch()
    for _ in range(1200):
        time.sleep(0.05)
    return 1


def test_a_stopped_run_ends_its_mlflow_runs_killed(
    mlflow_server: str, mlflow_client: Any, unique: str, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("STACKYARD_HEARTBEAT_INTERVAL", "0.5")
    tracked_stack(mlflow_server, experiment_name=f"stopped-{unique}")
    marker = tmp_path / "started"

    @pipeline(enable_cache=False)
    def lingering() -> None:
        linger(marker=str(marker))

    raised: list[BaseException] = []

    def drive() -> None:
        try:
            lingering()
        except BaseException as exc:
            raised.append(exc)

    driver = threading.Thread(target=drive)
    driver.start()
    deadline = time.monotonic() + 60
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    client = Client()
    client.stop_pipeline_run(client.list_pipeline_runs(size=1)[0].id, wait=20)
    driver.join(60)
    assert [type(e) for e in raised] == [RunStoppedError]
    (child,) = _runs(mlflow_client, f"stopped-{unique}", **{"stackyard.kind": "step"})
    assert child.info.status == "KILLED"
    (parent,) = _runs(mlflow_client, f"stopped-{unique}", **{"stackyard.kind": "pipeline_run"})
    assert parent.info.status == "KILLED"


@step(experiment_tracker="mlflow", enable_cache=False)
def shared_a(x: int) -> int:
    import mlflow

    mlflow.log_metric("a", x)
    return x


@step(experiment_tracker="mlflow", enable_cache=False)
def shared_b(x: int) -> int:
    return x


def test_with_nested_false_steps_log_into_the_pipeline_runs_mlflow_run(
    mlflow_server: str, mlflow_client: Any, unique: str
) -> None:
    tracked_stack(mlflow_server, experiment_name=f"flat-{unique}", nested=False)

    @pipeline(enable_cache=False)
    def flat() -> None:
        shared_b(shared_a(x=1))

    run = flat()
    experiment = mlflow_client.get_experiment_by_name(f"flat-{unique}")
    (only,) = mlflow_client.search_runs([experiment.experiment_id])
    assert only.info.run_name == run.name and only.info.status == "FINISHED"
    assert only.data.params == {"shared_a.x": "1"}  # shared_b's x comes from shared_a
    assert only.data.metrics == {"a": 1.0}
    assert _metadata(run.steps["shared_b"])["mlflow_run_id"] == only.info.run_id


@step(experiment_tracker="mlflow")
def wants_mlflow() -> int:
    return 1


@step(experiment_tracker="other")
def wants_other() -> int:
    return 1


def test_a_step_asking_for_a_tracker_the_stack_lacks_is_refused_before_recording(
    mlflow_server: str,
) -> None:
    client = Client()

    @pipeline
    def wanting() -> None:
        wants_mlflow()

    with pytest.raises(InputError) as refused:
        wanting()
    message = str(refused.value)
    assert "'wants_mlflow'" in message and "'mlflow'" in message
    assert "stack 'default' has no experiment tracker" in message and "\n" not in message

    tracked_stack(mlflow_server)

    @pipeline
    def other() -> None:
        wants_other()

    with pytest.raises(InputError) as refused:
        other()
    message = str(refused.value)
    assert "'other'" in message and "has experiment tracker 'mlflow'" in message
    assert client.list_pipeline_runs().total == 0
    assert client.list_pipelines().total == 0


def test_an_unreachable_tracking_server_is_refused_before_any_step(unique: str) -> None:
    from serving import free_port

    need("mlflow")
    uri = f"http://127.0.0.1:{free_port()}"
    tracked_stack(uri)

    @pipeline
    def unreachable() -> None:
        wants_mlflow()

    with pytest.raises(InputError) as refused:
        unreachable()
    message = str(refused.value)
    assert f"cannot reach the MLflow server at {uri}" in message and "\n" not in message
    client = Client()
    assert client.list_pipeline_runs().total == 0  # no run left running, none at all


@step(experiment_tracker="mlflow", enable_cache=False)
def login_seen() -> dict[str, bool | str | None]:
    import mlflow
    from mlflow_serving import AUTH_PASSWORD

    mlflow.log_metric("logged_in", 1)
    return {
        "user": os.environ.get("MLFLOW_TRACKING_USERNAME"),
        "password_is_the_secret": os.environ.get("MLFLOW_TRACKING_PASSWORD") == AUTH_PASSWORD,
        "step": get_step_context().step_name,
    }


def test_credentials_from_a_secret_reach_mlflow_for_the_step_only(
    mlflow_auth_server: str, unique: str, monkeypatch: Any
) -> None:
    from mlflow.tracking import MlflowClient
    from mlflow_serving import AUTH_PASSWORD, AUTH_USER

    for name in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    client = Client()
    client.create_secret("mlflow-login", {"user": AUTH_USER, "password": AUTH_PASSWORD})
    tracked_stack(
        mlflow_auth_server,
        experiment_name=f"auth-{unique}",
        tracking_username="{{mlflow-login.user}}",
        tracking_password="{{mlflow-login.password}}",
    )
    component = client.get_stack_component("mlflow", "experiment_tracker")
    assert component.configuration["tracking_password"] == "{{mlflow-login.password}}"

    @pipeline(enable_cache=False)
    def logged_in() -> None:
        login_seen()

    run = logged_in()
    seen = run.steps["login_seen"].output.load()
    assert seen == {"user": AUTH_USER, "password_is_the_secret": True, "step": "login_seen"}
    assert "MLFLOW_TRACKING_USERNAME" not in os.environ
    assert "MLFLOW_TRACKING_PASSWORD" not in os.environ
    assert AUTH_PASSWORD not in (run.steps["login_seen"].logs or "")

    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", AUTH_USER)
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", AUTH_PASSWORD)
    admin = MlflowClient(tracking_uri=mlflow_auth_server)
    (child,) = _runs(admin, f"auth-{unique}", **{"stackyard.kind": "step"})
    assert child.info.status == "FINISHED" and child.data.metrics == {"logged_in": 1.0}
    monkeypatch.delenv("MLFLOW_TRACKING_USERNAME")
    monkeypatch.delenv("MLFLOW_TRACKING_PASSWORD")

    # a wrong password is refused before anything is recorded, without showing it
    client.update_secret("mlflow-login", add_or_update_values={"password": "not-it-at-all"})
    with pytest.raises(InputError) as refused:
        logged_in()
    message = str(refused.value)
    assert "refused the credentials" in message and "HTTP 401" in message
    assert "not-it-at-all" not in message and "\n" not in message
    assert client.list_pipeline_runs().total == 1


@step(experiment_tracker="mlflow", enable_cache=False)
def token_seen() -> dict[str, str | None]:
    names = ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")
    return {name: os.environ.get(name) for name in names}


def test_a_token_from_a_secret_replaces_a_login_in_the_environment_for_the_step(
    mlflow_server: str, unique: str, monkeypatch: Any
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_TOKEN", raising=False)
    monkeypatch.setenv("MLFLOW_TRACKING_USERNAME", "someone-else")  # MLflow would prefer it
    monkeypatch.setenv("MLFLOW_TRACKING_PASSWORD", "their-password")
    Client().create_secret("mlflow-token", {"token": "tok-123"})
    tracked_stack(
        mlflow_server, experiment_name=f"token-{unique}", tracking_token="{{mlflow-token.token}}"
    )

    @pipeline(enable_cache=False)
    def with_token() -> None:
        token_seen()

    run = with_token()
    assert run.steps["token_seen"].output.load() == {
        "MLFLOW_TRACKING_TOKEN": "tok-123",
        "MLFLOW_TRACKING_USERNAME": None,
        "MLFLOW_TRACKING_PASSWORD": None,
    }
    assert "MLFLOW_TRACKING_TOKEN" not in os.environ
    assert os.environ["MLFLOW_TRACKING_USERNAME"] == "someone-else"
    assert os.environ["MLFLOW_TRACKING_PASSWORD"] == "their-password"
