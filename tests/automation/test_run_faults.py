"""Runs under faults: the process running a run, a step's worker, a runner killed with
SIGKILL; runs stopped from outside. Heartbeats every 2 s, so "within two heartbeat
intervals" is within 4 s."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from automation_support import Project
from serving import ADMIN, ADMIN_PASSWORD, Running, running_runner, running_server
from serving import logged_in_server as logged_in

from stackyard.client import Client
from stackyard.models.enums import ExecutionStatus
from stackyard.models.pipelines import PipelineRunResponse
from stackyard.store.sql import accounts

INTERVAL = 2.0


@pytest.fixture(autouse=True)
def short_heartbeats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STACKYARD_HEARTBEAT_INTERVAL", str(INTERVAL))


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)


def pids(path: Path, count: int = 1) -> list[int]:
    """The pids the `linger` steps wrote, once `count` of them did."""

    def read() -> list[int] | None:
        found = [int(x) for x in path.read_text().split()] if path.exists() else []
        return found if len(found) >= count else None

    result: list[int] = wait_for(read, 60, f"{count} lingering step(s) starting")
    return result


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return "zombie"


def drive(project: Project, call: str, marker: Path) -> subprocess.Popen[str]:
    """Run `project.module.<call>` in a process of its own, as a user's script would."""
    script = textwrap.dedent(
        f"""
        import {project.module_name} as flows
        flows.{call}
        """
    )
    env = {
        **os.environ,
        "FAULT_PID_FILE": str(marker),
        "PYTHONPATH": os.pathsep.join([str(project.module_file.parent), *sys.path]),
    }
    return subprocess.Popen(
        [sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True
    )


def the_run(pipeline: str) -> PipelineRunResponse:
    runs = Client().list_pipeline_runs(pipeline_name=pipeline, size=1)
    assert runs.total == 1
    run: PipelineRunResponse = runs[0]
    return run


def use_local_parallel(client: Client) -> None:
    client.create_stack_component("par", "local_parallel", "orchestrator", {"max_workers": 2})
    client.create_stack("par", {"orchestrator": "par", "artifact_store": "default"})
    client.activate_stack("par")


def test_a_killed_driver_leaves_a_run_failed_within_two_intervals(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    project = make_project(git_repo=False)
    marker = tmp_path / "pids"
    driver = drive(project, "lingering(seconds=60)", marker)
    pids(marker)
    driver.kill()
    killed = time.monotonic()
    driver.wait()
    client = Client()
    run = wait_for(
        lambda: (r := the_run("lingering")).status == ExecutionStatus.FAILED and r,
        4 * INTERVAL,
        "the run failing",
    )
    elapsed = time.monotonic() - killed
    assert elapsed < 2 * INTERVAL, elapsed
    assert "stopped sending heartbeats" in (run.status_reason or "")
    step = run.steps["linger"]
    assert step.status == ExecutionStatus.FAILED and "heartbeats" in (step.error or "")
    assert client.get_pipeline_run(run.id).end_time is not None


def test_a_killed_step_worker_fails_its_step_and_run_at_once(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    project = make_project(git_repo=False)
    use_local_parallel(Client())
    marker = tmp_path / "pids"
    driver = drive(project, "lingering(seconds=60)", marker)
    (worker,) = pids(marker)
    os.kill(worker, signal.SIGKILL)
    _, stderr = driver.communicate(timeout=30)
    assert driver.returncode != 0 and "StepFailedError" in stderr
    run = the_run("lingering")
    assert run.status == ExecutionStatus.FAILED
    step = run.steps["linger"]
    assert step.status == ExecutionStatus.FAILED
    assert "worker process ended" in (step.error or ""), step.error


@pytest.mark.parametrize("orchestrator", ["local", "local_parallel"])
def test_stopping_a_run_ends_the_processes_of_its_steps(
    make_project: Callable[..., Project], tmp_path: Path, orchestrator: str
) -> None:
    project = make_project(git_repo=False)
    client = Client()
    pipeline, count = "lingering", 1
    if orchestrator == "local_parallel":
        use_local_parallel(client)
        pipeline, count = "lingering_pair", 2
    marker = tmp_path / "pids"
    driver = drive(project, f"{pipeline}(seconds=60)", marker)
    running = pids(marker, count)
    run = the_run(pipeline)

    stopped = client.stop_pipeline_run(run.name, wait=4 * INTERVAL)

    # `wait` waited for the driver to let go: its steps' work has ended already
    assert stopped.released and stopped.heartbeat_deadline is None
    if orchestrator == "local_parallel":  # each step ran in a worker of its own
        assert not [pid for pid in running if alive(pid)]
    assert stopped.status == ExecutionStatus.STOPPED
    assert stopped.status_reason == "stopped by default"
    _, stderr = driver.communicate(timeout=4 * INTERVAL)
    assert driver.returncode != 0 and "RunStoppedError" in stderr, stderr
    assert not [pid for pid in running if alive(pid)]
    steps = client.get_pipeline_run(run.id).steps
    assert {s.status for s in steps.values()} == {ExecutionStatus.STOPPED}
    assert client.get_pipeline_run(run.id).status == ExecutionStatus.STOPPED
    from stackyard.exceptions import IllegalOperationError

    with pytest.raises(IllegalOperationError, match="already finished"):
        client.stop_pipeline_run(run.id)


@pytest.fixture
def logged_in_server(migrated_db: Path) -> Iterator[Running]:
    with logged_in(migrated_db) as running:
        yield running


def test_a_restarted_server_reaps_a_run_whose_process_died_while_it_was_down(
    tmp_path: Path, migrated_db: Path
) -> None:
    """Nobody reads the run after the restart (the database is read directly): the
    server's reaper fails it on its own."""
    import shutil
    import sqlite3

    import httpx

    path = tmp_path / "server.db"
    shutil.copyfile(migrated_db, path)
    with running_server(f"sqlite:///{path}") as running:
        accounts.create_first_admin(running.ctx.store, ADMIN, ADMIN_PASSWORD)
        with httpx.Client(
            base_url=running.url,
            headers={"Authorization": f"Bearer {running.token_for(ADMIN)}"},
        ) as http:
            pipeline = http.post("/api/v1/pipelines", json={"name": "p"}).json()["id"]
            body = {"name": "orphan", "pipeline_id": pipeline, "status": "running"}
            run = http.post("/api/v1/pipeline_runs", json=body).json()["id"]
            beat = http.post(f"/api/v1/pipeline_runs/{run}/heartbeat", json={"interval": 0.2})
            assert beat.json()["running"] is True

    def raw() -> tuple[str, str | None]:
        with sqlite3.connect(path) as db:
            found = db.execute(
                "SELECT status, status_reason FROM pipeline_runs WHERE id = ?", [run]
            ).fetchone()
        return str(found[0]), found[1]

    time.sleep(0.5)  # its deadline passes while no server runs
    assert raw()[0] == "running"
    with running_server(f"sqlite:///{path}"):
        restarted = time.monotonic()
        _, reason = wait_for(lambda: raw()[0] == "failed" and raw(), 5, "the reaper")
        elapsed = time.monotonic() - restarted
    assert elapsed < 2, elapsed
    assert "stopped sending heartbeats" in (reason or "")


def test_a_killed_runner_takes_its_workers_along_and_its_runs_fail(
    logged_in_server: Running,
    make_project: Callable[..., Project],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(git_repo=False)
    client = Client()
    first = project.module.lingering(seconds=0.01)
    template = client.create_run_template("linger-again", pipeline_run_id=first.id)
    marker = tmp_path / "pids"
    monkeypatch.setenv("FAULT_PID_FILE", str(marker))
    with running_runner(logged_in_server.url, logged_in_server.token_for(ADMIN)) as runner:
        run = client.trigger_pipeline(
            template.id, run_configuration={"parameters": {"seconds": 60}}
        )
        (step_process,) = pids(marker)
        runner.kill()  # SIGKILL: nothing of the runner gets to clean up
        killed = time.monotonic()
        wait_for(lambda: not alive(step_process), INTERVAL, "the worker dying with its runner")
        failed = wait_for(
            lambda: (r := client.get_pipeline_run(run.id)).status == ExecutionStatus.FAILED and r,
            4 * INTERVAL,
            "the run failing",
        )
        elapsed = time.monotonic() - killed
    assert elapsed < 2 * INTERVAL, elapsed
    assert "stopped sending heartbeats" in (failed.status_reason or "")


def test_a_rest_stop_ends_the_process_a_runner_runs_the_run_in(
    logged_in_server: Running,
    make_project: Callable[..., Project],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    project = make_project(git_repo=False)
    client = Client()
    template = client.create_run_template(
        "linger-remote", pipeline_run_id=project.module.lingering(seconds=0.01).id
    )
    marker = tmp_path / "pids"
    monkeypatch.setenv("FAULT_PID_FILE", str(marker))
    token = logged_in_server.token_for(ADMIN)
    with running_runner(logged_in_server.url, token):
        run = client.trigger_pipeline(
            template.id, run_configuration={"parameters": {"seconds": 60}}
        )
        (step_process,) = pids(marker)
        stopped = httpx.post(
            f"{logged_in_server.url}/api/v1/pipeline_runs/{run.id}/stop",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert stopped.status_code == 200 and stopped.json()["status"] == "stopped"
        wait_for(lambda: not alive(step_process), 2 * INTERVAL, "the runner's worker ending")
        released = wait_for(
            lambda: (r := client.get_pipeline_run(run.id)).released and r,
            2 * INTERVAL,
            "the worker letting go of the run",
        )
    assert released.status == ExecutionStatus.STOPPED
    assert {s.status for s in released.steps.values()} == {ExecutionStatus.STOPPED}


def test_a_killed_workers_directory_is_swept_by_the_next_launch(
    make_project: Callable[..., Project], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    project = make_project(git_repo=False)
    client = Client()
    template = client.create_run_template(
        "linger-here", pipeline_run_id=project.module.lingering(seconds=0.01).id
    )
    marker = tmp_path / "pids"
    monkeypatch.setenv("FAULT_PID_FILE", str(marker))
    run = client.trigger_pipeline(template.id, run_configuration={"parameters": {"seconds": 60}})
    (worker,) = pids(marker)  # the local orchestrator runs the step in the worker itself
    left = [
        d
        for d in Path(tempfile.gettempdir()).glob("stackyard-run-*")
        if (d / "pid").exists() and (d / "pid").read_text() == str(worker)
    ]
    assert len(left) == 1
    os.kill(worker, signal.SIGKILL)
    wait_for(lambda: not alive(worker), INTERVAL, "the worker dying")
    assert left[0].exists()  # SIGKILL: the worker could not clean up
    wait_for(
        lambda: client.get_pipeline_run(run.id).status == ExecutionStatus.FAILED,
        4 * INTERVAL,
        "the run failing",
    )
    again = client.trigger_pipeline(template.id, run_configuration={"parameters": {"seconds": 0}})
    assert not left[0].exists()
    wait_for(
        lambda: client.get_pipeline_run(again.id).status.is_finished, 60, "the second run ending"
    )


def test_the_cli_stops_a_run_and_waits_for_its_process(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from stackyard.cli.main import cli

    project = make_project(git_repo=False)
    use_local_parallel(Client())
    marker = tmp_path / "pids"
    driver = drive(project, "lingering(seconds=60)", marker)
    (worker,) = pids(marker)
    run = the_run("lingering")
    result = CliRunner().invoke(cli, ["pipeline", "run", "stop", run.name, "--wait", "20"])
    assert result.exit_code == 0, result.output
    assert f"Stopped run {run.name!r}" in result.output
    assert "has not let go" not in result.output
    assert not alive(worker)
    _, stderr = driver.communicate(timeout=4 * INTERVAL)
    assert "RunStoppedError" in stderr
    assert Client().get_pipeline_run(run.id).status == ExecutionStatus.STOPPED


def test_a_process_killed_before_its_run_executes_fails_it_within_two_intervals(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    """The process that records a run beats at once, not only when the run's steps
    start: killed while it prepares the run (attaching models, building), the run fails
    within two intervals, not after the start grace for processes yet to start."""
    from stackyard.store.sql.runs import START_GRACE

    project = make_project(git_repo=False)
    script = textwrap.dedent(
        f"""
        import time
        from stackyard.pipelines import run
        run.RunContext.execute = lambda self: time.sleep(600)  # preparing, for ever
        import {project.module_name} as flows
        flows.lingering(seconds=1)
        """
    )
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project.module_file.parent), *sys.path]),
    }
    driver = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        wait_for(lambda: Client().list_pipeline_runs(pipeline_name="lingering").total, 60, "a run")
        time.sleep(0.2)  # well inside the start grace of the old first beat
    finally:
        driver.kill()
        driver.wait()
    killed = time.monotonic()
    run = wait_for(
        lambda: (r := the_run("lingering")).status == ExecutionStatus.FAILED and r,
        START_GRACE.total_seconds() + 4 * INTERVAL,
        "the run failing",
    )
    assert time.monotonic() - killed < 2 * INTERVAL
    assert "stopped sending heartbeats" in (run.status_reason or "")
