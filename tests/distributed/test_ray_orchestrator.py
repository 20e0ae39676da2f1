"""The ray orchestrator on a local Ray cluster (one per test session).

All Ray tests live in this file, so a run with `--dist loadfile` starts one cluster.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
import ray_steps as steps
from cloud import AwsEndpoint
from ray_steps import HERE, RUNTIME_ENV

from stackyard.client import Client
from stackyard.exceptions import InputError, RunStoppedError, StepFailedError
from stackyard.models.enums import ExecutionStatus


def test_diamond_branches_overlap_in_other_processes(ray_stack: str, tmp_path: Path) -> None:
    run = steps.diamond(barrier=str(tmp_path / "barrier"))
    assert run.status == ExecutionStatus.COMPLETED
    spans = [run.steps[name].output.load() for name in ("branch", "branch_2")]
    assert all(span["pid"] != os.getpid() for span in spans)
    first, second = sorted(spans, key=lambda s: s["start"])
    assert second["start"] < first["end"], f"branches ran one after another: {spans}"
    assert run.steps["join"].output.load() == 2
    assert {s.status for s in run.steps.values()} == {ExecutionStatus.COMPLETED}
    assert list(run.steps) == ["source", "branch", "branch_2", "join"]
    assert max(span["end"] - span["start"] for span in spans) < 60  # neither waited it out


def test_resource_settings_reach_ray(ray_stack: str) -> None:
    run = steps.resources_pipeline()
    assert run.steps["assigned"].output.load() == {"CPU": 0.5, "memory": 50_000_000.0}


def test_a_failing_step_fails_the_run_with_its_reason(ray_stack: str) -> None:
    with pytest.raises(StepFailedError, match="step 'fails' .* ValueError: bad input on purpose"):
        steps.failing_pipeline()
    run = Client().list_pipeline_runs(size=1)[0]
    assert run.status == ExecutionStatus.FAILED
    failed = run.steps["fails"]
    assert failed.status == ExecutionStatus.FAILED
    assert "ValueError: bad input on purpose" in (failed.error or "")
    assert "never" not in run.steps


def test_a_killed_worker_is_recorded_as_a_failure(ray_stack: str) -> None:
    with pytest.raises(StepFailedError, match="step 'dies' .*Ray worker running the step died"):
        steps.dying_pipeline()
    run = Client().list_pipeline_runs(size=1)[0]
    assert run.status == ExecutionStatus.FAILED
    died = run.steps["dies"]
    assert died.status == ExecutionStatus.FAILED and died.end_time is not None
    assert "died" in (died.error or "")


def test_impossible_resources_and_unreachable_addresses_fail_before_recording(
    ray_stack: str,
) -> None:
    client = Client()
    started = time.monotonic()
    with pytest.raises(
        InputError, match=r"step 'wants_gpu' asks for CPU=1, GPU=1.*node 1: CPU=2, GPU=0"
    ):
        steps.gpu_pipeline()
    assert time.monotonic() - started < 30

    from serving import free_port

    nowhere = f"127.0.0.1:{free_port()}"
    client.update_stack_component("ray", configuration={"address": nowhere})
    with pytest.raises(InputError, match=f"cannot reach the Ray cluster at '{nowhere}'"):
        steps.cached_pipeline()
    client.update_stack_component("ray", configuration={"address": "ray://"})
    with pytest.raises(InputError, match="invalid Ray address 'ray://'; accepted: unset"):
        steps.cached_pipeline()
    assert client.list_pipeline_runs().total == 0


def test_stopping_a_run_cancels_its_unfinished_tasks(ray_stack: str) -> None:
    client = Client()
    outcome: dict[str, BaseException] = {}

    def drive() -> None:
        try:
            steps.slow_pipeline(seconds=120)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=drive)
    started = time.monotonic()
    thread.start()
    deadline = time.monotonic() + 60
    while True:
        runs = client.list_pipeline_runs(size=1)
        if runs.items and "sleeps" in runs[0].steps:
            break
        assert time.monotonic() < deadline, "the slow step never started"
        time.sleep(0.2)
    client.update_pipeline_run(runs[0].id, status="stopped")
    thread.join(60)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), RunStoppedError)
    assert time.monotonic() - started < 60
    run = client.get_pipeline_run(runs[0].id)
    assert run.status == ExecutionStatus.STOPPED and run.end_time is not None
    assert run.steps["sleeps"].status == ExecutionStatus.STOPPED


def test_caching_retries_and_logs_as_with_the_local_orchestrator(
    ray_stack: str, tmp_path: Path
) -> None:
    first = steps.cached_pipeline()
    second = steps.cached_pipeline()
    assert first.steps["cached_value"].status == ExecutionStatus.COMPLETED
    cached = second.steps["cached_value"]
    assert cached.status == ExecutionStatus.CACHED
    assert cached.original_step_run_id == first.steps["cached_value"].id
    assert cached.output.load() == 42

    run = steps.flaky_pipeline(marker=str(tmp_path / "marker"))
    flaky = run.steps["flaky"]
    assert flaky.status == ExecutionStatus.COMPLETED and flaky.output.load() == "flaky"
    assert flaky.attempts == 2
    assert "first attempt fails" in (flaky.logs or "")


def _login(url: str) -> Client:
    """This test's Client, logged in to a server as its admin (as `stackyard login`)."""
    from serving import ADMIN, ADMIN_PASSWORD

    from stackyard.server import local

    local.login(url, ADMIN, ADMIN_PASSWORD)
    return Client()


def _ray_stack(client: Client, ray_address: str, artifact_store: str = "default") -> None:
    client.create_stack_component(
        "ray", "ray", "orchestrator", {"address": ray_address, "runtime_env": RUNTIME_ENV}
    )
    client.create_stack("ray", components={"orchestrator": "ray", "artifact_store": artifact_store})
    client.activate_stack("ray")


def test_artifacts_written_by_ray_workers_through_s3_load_in_another_process(
    ray_address: str, aws: AwsEndpoint, tmp_path: Path
) -> None:
    """Over a server: workers get the caller's token, the server hands out role sessions
    to the S3 store; a fresh process loads what they wrote."""
    import subprocess
    import sys

    from serving import deployed_server

    bucket = aws.bucket()
    with deployed_server(f"sqlite:///{tmp_path / 'server.db'}", workers=2) as url:
        client = _login(url)
        client.create_service_connector(
            "aws-role",
            "aws",
            "iam-role",
            {**aws.admin, "role_arn": aws.role_arn, "endpoint_url": aws.url},
        )
        client.create_stack_component(
            "s3",
            "s3",
            "artifact_store",
            {"path": f"s3://{bucket}/ray"},
            connector="aws-role",
            connector_resource_id=bucket,
        )
        _ray_stack(client, ray_address, artifact_store="s3")
        run = steps.diamond(barrier=str(tmp_path / "barrier"), seconds=0)
        assert run.status == ExecutionStatus.COMPLETED
        span = run.steps["branch"].output
        assert span.uri.startswith(f"s3://{bucket}/ray/")
        assert span.load()["pid"] != os.getpid()
        code = (
            "from stackyard.client import Client\n"
            f"print(Client().get_artifact_version({str(run.steps['join'].output.id)!r}).load())"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "2"


@pytest.mark.slow
def test_a_thousand_steps_a_hundred_at_once_against_a_server_on_postgresql(
    ray_address: str,
) -> None:
    from serving import deployed_server
    from support import temporary_database

    with (
        temporary_database("postgresql") as store_url,
        deployed_server(store_url, workers=3) as url,
    ):
        client = _login(url)
        _ray_stack(client, ray_address)
        started = time.monotonic()
        run = steps.wide_pipeline(width=100, depth=10)
        elapsed = time.monotonic() - started
        assert run.status == ExecutionStatus.COMPLETED
        statuses = [s.status for s in client.list_run_steps(pipeline_run_id=run.id, size=2000)]
        assert len(statuses) == 1000
        assert set(statuses) == {ExecutionStatus.COMPLETED}
        last = client.list_run_steps(pipeline_run_id=run.id, name="hop_1000", size=1)[0]
        assert last.output.load() == 99 + 10
        print(f"1,000 steps on Ray against the server: {elapsed:.1f} s")


def test_ctrl_c_in_the_caller_cancels_the_running_tasks(ray_stack: str) -> None:
    import signal
    import subprocess
    import sys

    code = "import ray_steps\nray_steps.slow_pipeline(seconds=120)\n"
    caller = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": HERE},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = Client()
    deadline = time.monotonic() + 90
    while True:
        runs = client.list_pipeline_runs(size=1)
        if runs.items and "sleeps" in runs[0].steps:
            break
        assert caller.poll() is None, caller.stdout.read() if caller.stdout else ""
        assert time.monotonic() < deadline, "the slow step never started"
        time.sleep(0.2)
    caller.send_signal(signal.SIGINT)
    output, _ = caller.communicate(timeout=60)
    assert caller.returncode != 0
    assert "KeyboardInterrupt" in output
    run = client.get_pipeline_run(runs[0].id)
    assert run.status == ExecutionStatus.STOPPED
    assert run.steps["sleeps"].status == ExecutionStatus.STOPPED


def test_tracked_steps_in_ray_tasks_share_the_runs_mlflow_run(
    ray_stack: str, mlflow_server: str
) -> None:
    from mlflow.tracking import MlflowClient
    from mlflow_serving import tracked_stack

    experiment = f"ray-{os.getpid()}-{time.monotonic_ns()}"
    tracked_stack(mlflow_server, orchestrator="ray", experiment_name=experiment)
    run = steps.tracked_pipeline()
    assert run.status == ExecutionStatus.COMPLETED
    seen = [run.steps[name].output.load() for name in ("tracked", "tracked_2")]
    assert os.getpid() not in {s["pid"] for s in seen}  # both ran in Ray workers
    mlflow = MlflowClient(tracking_uri=mlflow_server)
    found = mlflow.get_experiment_by_name(experiment)
    parents = mlflow.search_runs(
        [found.experiment_id], filter_string="tags.`stackyard.kind` = 'pipeline_run'"
    )
    assert [p.info.run_name for p in parents] == [run.name]
    assert parents[0].info.status == "FINISHED"
    assert {s["parent"] for s in seen} == {parents[0].info.run_id}
    for name, step_seen in zip(("tracked", "tracked_2"), seen, strict=True):
        child = mlflow.get_run(step_seen["run_id"])
        assert child.info.run_name == name and child.info.status == "FINISHED"
        assert run.steps[name].run_metadata["mlflow_run_id"] == child.info.run_id
