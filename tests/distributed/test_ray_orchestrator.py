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

from stackyard.client import Client
from stackyard.exceptions import InputError, RunStoppedError, StepFailedError
from stackyard.models.enums import ExecutionStatus


def test_diamond_branches_overlap_in_other_processes(ray_stack: str) -> None:
    run = steps.diamond(seconds=4)
    assert run.status == ExecutionStatus.COMPLETED
    spans = [run.steps[name].output.load() for name in ("branch", "branch_2")]
    assert all(span["pid"] != os.getpid() for span in spans)
    first, second = sorted(spans, key=lambda s: s["start"])
    assert second["start"] < first["end"], f"branches ran one after another: {spans}"
    assert run.steps["join"].output.load() == 2
    assert {s.status for s in run.steps.values()} == {ExecutionStatus.COMPLETED}
    assert list(run.steps) == ["source", "branch", "branch_2", "join"]


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
        steps.diamond()
    client.update_stack_component("ray", configuration={"address": "ray://"})
    with pytest.raises(InputError, match="invalid Ray address 'ray://'; accepted: unset"):
        steps.diamond()
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
