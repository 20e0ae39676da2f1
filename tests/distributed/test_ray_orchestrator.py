"""The ray orchestrator on a local Ray cluster (one per test session).

All Ray tests live in this file, so a run with `--dist loadfile` starts one cluster.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import ray_steps as steps
from cloud import AwsEndpoint
from ray_steps import HERE, RUNTIME_ENV

from stackyard.client import Client
from stackyard.exceptions import InputError, RunStoppedError, StepFailedError
from stackyard.models.enums import ExecutionStatus

if TYPE_CHECKING:
    from conftest import RayHead

FAILED, COMPLETED = ExecutionStatus.FAILED, ExecutionStatus.COMPLETED
# a Python started by a test finds ray_steps, then the stackyard this test runs
CHILD_PATH = os.pathsep.join(p for p in (HERE, os.environ.get("PYTHONPATH")) if p)


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


SLEEP = 30.0  # how long `sleeps` runs unless cancelled (the caller must end sooner)


def _step_started(folder: Path, alive: Any = None) -> float:
    """Wait until `sleeps` runs (its pid file is there); when it started."""
    deadline = time.monotonic() + 90
    while not (folder / "pid").exists():
        assert alive is None or alive(), "the caller ended before the step started"
        assert time.monotonic() < deadline, "the slow step never started"
        time.sleep(0.1)
    return time.monotonic()


def _gone(pid: int) -> bool:
    """Whether process `pid` ended (a zombie runs nothing either)."""
    try:
        return "\nState:\tZ" in Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True


def _assert_cancelled(folder: Path, started: float) -> None:
    """The Ray worker running `sleeps` ends within 30 s, and the step never reaches
    its end, even once its sleep would have ended."""
    pid = int((folder / "pid").read_text())
    deadline = time.monotonic() + 30
    while not _gone(pid):
        assert time.monotonic() < deadline, f"the Ray worker {pid} running the step still runs"
        time.sleep(0.1)
    time.sleep(max(0.0, started + SLEEP + 1 - time.monotonic()))
    assert not (folder / "finished").exists(), "the step ran to its end"


def test_stopping_a_run_cancels_its_unfinished_tasks(ray_stack: str, tmp_path: Path) -> None:
    client = Client()
    outcome: dict[str, BaseException] = {}

    def drive() -> None:
        try:
            steps.slow_pipeline(folder=str(tmp_path), seconds=SLEEP)
        except BaseException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=drive)
    thread.start()
    started = _step_started(tmp_path, thread.is_alive)
    run = client.list_pipeline_runs(size=1)[0]
    client.update_pipeline_run(run.id, status="stopped")
    thread.join(60)
    assert not thread.is_alive()
    assert isinstance(outcome.get("error"), RunStoppedError)
    assert time.monotonic() - started < SLEEP  # the caller did not wait for the step
    _assert_cancelled(tmp_path, started)
    run = client.get_pipeline_run(run.id)
    assert run.status == ExecutionStatus.STOPPED and run.end_time is not None
    assert run.steps["sleeps"].status == ExecutionStatus.STOPPED
    assert "never" not in run.steps


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


def test_ctrl_c_in_the_caller_cancels_the_running_tasks(ray_stack: str, tmp_path: Path) -> None:
    code = f"import ray_steps\nray_steps.slow_pipeline(folder={str(tmp_path)!r}, seconds={SLEEP})\n"
    caller = subprocess.Popen(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": CHILD_PATH},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    started = _step_started(tmp_path, lambda: caller.poll() is None)
    caller.send_signal(signal.SIGINT)
    output, _ = caller.communicate(timeout=60)
    assert caller.returncode != 0
    assert "KeyboardInterrupt" in output
    assert time.monotonic() - started < SLEEP
    _assert_cancelled(tmp_path, started)
    run = Client().list_pipeline_runs(size=1)[0]
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


def test_a_failure_stops_only_its_dependents_as_with_the_local_orchestrator(
    ray_stack: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`boom` fails at once; `outlives` ends after that, so `after` gets ready only once
    the run has a failure; `never` depends on `boom`. Same outcome on both orchestrators."""
    client = Client()
    seen: dict[str, dict[str, ExecutionStatus]] = {}
    for stack in ("default", ray_stack):
        client.activate_stack(stack)
        marker = tmp_path / f"{stack}-boom"
        with pytest.raises(
            StepFailedError,
            match=r"step 'boom' .*ValueError: boom on purpose .*steps not run: never\)$",
        ):
            steps.failure_among_independent_steps(marker=str(marker))
        run = client.list_pipeline_runs(size=1)[0]
        assert run.status == FAILED and run.end_time is not None
        seen[stack] = {name: step.status for name, step in run.steps.items()}
    expected = {"boom": FAILED, "outlives": COMPLETED, "after": COMPLETED, "source": COMPLETED}
    assert seen[ray_stack] == seen["default"] == expected
    ray_run = run.steps
    assert ray_run["after"].start_time > ray_run["boom"].end_time  # submitted after the failure
    assert "Step 'never' skipped: upstream step 'boom' failed." in capsys.readouterr().err


def _ray_component(client: Client, **configuration: Any) -> None:
    """The stack `ray` with an orchestrator configured so, made or changed."""
    found = client.list_stack_components(name="ray", type="orchestrator").items
    if found:
        client.update_stack_component("ray", "orchestrator", configuration=configuration)
        return
    client.create_stack_component("ray", "ray", "orchestrator", configuration)
    client.create_stack("ray", components={"orchestrator": "ray", "artifact_store": "default"})
    client.activate_stack("ray")


def test_an_address_where_something_else_answers_fails_within_seconds(
    ray_head: RayHead,
) -> None:
    """Ray retries for many minutes where another service listens; stackyard asks the
    service itself, and names the right form when it is Ray's other port."""
    client = Client()
    with socket.socket() as listener:  # accepts connections (its backlog), says nothing
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        other = f"127.0.0.1:{listener.getsockname()[1]}"
        _ray_component(client, address=other)
        started = time.monotonic()
        with pytest.raises(InputError) as refused:
            steps.cached_pipeline()
        assert time.monotonic() - started < 30
    assert str(refused.value).startswith(
        f"no Ray cluster answers at '{other}' (something listens there, but not Ray: "
        "DEADLINE_EXCEEDED within 10s); start it or fix the orchestrator's address; "
        "accepted: unset (a new local Ray), 'auto' (the cluster this machine belongs to"
    )
    client_port = ray_head.client_address.removeprefix("ray://")
    for given, right in (
        (client_port, ray_head.client_address),  # the client server's port without ray://
        (f"ray://{ray_head.address}", ray_head.address),  # the GCS port with ray://
    ):
        _ray_component(client, address=given)
        with pytest.raises(InputError) as refused:
            steps.cached_pipeline()
        assert str(refused.value).startswith(
            f"Ray address '{given}' answers as a "
            f"{'Ray client server' if right.startswith('ray://') else 'head' + chr(39) + 's GCS'}"
            f": write '{right}'; accepted: unset"
        )
        assert "\n" not in str(refused.value)
    assert client.list_pipeline_runs().total == 0


def _seen_in_a_new_process(env: dict[str, str]) -> dict[str, Any]:
    """Run `surroundings_pipeline` in a new Python with `env`; what its step saw, and
    the caller's process id."""
    code = (
        "import json, os, ray_steps\n"
        "run = ray_steps.surroundings_pipeline()\n"
        "seen = run.steps['surroundings'].output.load()\n"
        "print('SEEN', json.dumps({**seen, 'caller': os.getpid()}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": CHILD_PATH, **env},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    seen: dict[str, Any] = json.loads(done.stdout.split("SEEN ", 1)[1])
    return seen


def _port(address: str) -> int:
    return int(address.rpartition(":")[2])


def test_an_unset_address_starts_a_ray_of_its_own_and_shuts_it_down(ray_head: RayHead) -> None:
    """Neither RAY_ADDRESS nor the address file `ray start` left is joined."""
    _ray_component(Client(), runtime_env=RUNTIME_ENV)
    seen = _seen_in_a_new_process({"RAY_ADDRESS": ray_head.address, "RAY_TMPDIR": ray_head.tmpdir})
    own = _port(seen["gcs_address"])
    assert own != _port(ray_head.address)
    assert seen["pid"] != seen["caller"]
    deadline = time.monotonic() + 30  # the caller has ended: so has its Ray
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", own)) != 0:
                break
        assert time.monotonic() < deadline, f"the caller's own Ray still listens on {own}"
        time.sleep(0.2)


def test_auto_joins_the_cluster_this_machine_belongs_to(
    ray_head: RayHead, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    _ray_component(Client(), address="auto", runtime_env=RUNTIME_ENV)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    for variable, value in (("RAY_ADDRESS", ray_head.address), ("RAY_TMPDIR", ray_head.tmpdir)):
        with monkeypatch.context() as env:  # the address itself, or the file `ray start` left
            env.setenv(variable, value)
            ray.shutdown()  # join afresh
            run = steps.surroundings_pipeline()
        seen = run.steps["surroundings"].output.load()
        assert _port(seen["gcs_address"]) == _port(ray_head.address), variable
        assert seen["pid"] != os.getpid()


def test_a_ray_client_address_runs_steps_through_the_client_server(ray_head: RayHead) -> None:
    _ray_component(Client(), address=ray_head.client_address, runtime_env=RUNTIME_ENV)
    seen = _seen_in_a_new_process({})
    assert _port(seen["gcs_address"]) == _port(ray_head.address)
    assert seen["pid"] != seen["caller"]


def test_namespace_and_runtime_env_reach_the_steps(ray_address: str) -> None:
    namespace = f"sy-{uuid.uuid4().hex[:8]}"
    env_vars = {**RUNTIME_ENV["env_vars"], "SY_MARK": "from-runtime-env"}
    assert "SY_MARK" not in os.environ  # workers could not inherit it
    _ray_component(
        Client(), address=ray_address, namespace=namespace, runtime_env={"env_vars": env_vars}
    )
    seen = steps.surroundings_pipeline().steps["surroundings"].output.load()
    assert seen["namespace"] == namespace
    assert seen["mark"] == "from-runtime-env"
    assert seen["pid"] != os.getpid()


def test_metadata_and_hooks_on_ray_are_recorded_and_run(ray_address: str, tmp_path: Path) -> None:
    env_vars = {**RUNTIME_ENV["env_vars"], "SY_HOOK_DIR": str(tmp_path)}
    _ray_component(Client(), address=ray_address, runtime_env={"env_vars": env_vars})
    with pytest.raises(StepFailedError, match="step 'measured_then_fails'"):
        steps.hooked_pipeline()
    run = Client().list_pipeline_runs(size=1)[0]
    measured, failed = run.steps["measured"], run.steps["measured_then_fails"]
    assert measured.status == COMPLETED and failed.status == FAILED
    worker = measured.run_metadata["pid"]
    assert measured.run_metadata == {"loss": 0.5, "pid": worker} and worker != os.getpid()
    assert failed.run_metadata == {"reached": True}
    assert (tmp_path / "on_success").read_text() == str(worker)
    pid, message = (tmp_path / "on_failure").read_text().split(" ", 1)
    assert int(pid) != os.getpid() and message == "fails after logging"


def test_ray_workers_record_in_a_postgresql_store_directly(
    ray_address: str, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stackyard.client.core import reset_stores

    monkeypatch.setenv("STACKYARD_STORE_URL", postgres_url)
    reset_stores()
    client = Client()
    name = f"ray-{uuid.uuid4().hex[:8]}"
    client.create_stack_component(
        name, "ray", "orchestrator", {"address": ray_address, "runtime_env": RUNTIME_ENV}
    )
    client.create_stack(name, components={"orchestrator": name, "artifact_store": "default"})
    client.activate_stack(name)
    run = steps.surroundings_pipeline()
    assert run.status == COMPLETED
    step = client.get_pipeline_run(run.id).steps["surroundings"]
    seen = step.output.load()
    assert seen["store_url"] == postgres_url and seen["pid"] != os.getpid()
    assert step.status == COMPLETED and step.end_time is not None
