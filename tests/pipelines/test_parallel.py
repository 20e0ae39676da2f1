"""The local_parallel orchestrator: independent steps at once, in worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from parallel_steps import explode, latest, meet, nap, numbers, summed

from stackyard import ExecutionStatus, pipeline, step
from stackyard.client import Client
from stackyard.exceptions import StepFailedError


@pipeline
def two_meetings(barrier: str):
    latest(meet(barrier), meet(barrier))


def test_independent_steps_overlap(parallel_stack: str, tmp_path: Path) -> None:
    run = two_meetings(barrier=str(tmp_path / "barrier"))
    assert run.status == ExecutionStatus.COMPLETED
    first, second, last = run.steps["meet"], run.steps["meet_2"], run.steps["latest"]
    # each waited inside its step until the other was inside its own: both at once
    assert first.output.load() < 20 and second.output.load() < 20
    assert last.start_time >= max(first.end_time, second.end_time)  # the join waited


@pipeline
def partly_broken():
    explode()
    nap(0.2)


def test_a_failure_in_a_worker_fails_the_run(parallel_stack: str) -> None:
    with pytest.raises(StepFailedError, match="step 'explode'.*ValueError: boom in a worker"):
        partly_broken()
    run = Client().list_pipeline_runs(pipeline_name="partly_broken")[0]
    assert run.status == ExecutionStatus.FAILED
    assert run.steps["explode"].status == ExecutionStatus.FAILED
    assert 'raise ValueError("boom in a worker")' in run.steps["explode"].error
    assert run.steps["nap"].status == ExecutionStatus.COMPLETED  # independent: it still ran


@pipeline
def summing(count: int = 4):
    summed(numbers(count))


def test_workers_record_outputs_logs_and_reuse_the_cache(parallel_stack: str) -> None:
    first = summing()
    assert first.steps["summed"].output.load() == 6
    assert first.steps["summed"].logs == "summing in summed\n"
    second = summing()
    assert [s.status for s in second.steps.values()] == [ExecutionStatus.CACHED] * 2
    assert second.steps["summed"].original_step_run_id == first.steps["summed"].id


def test_steps_defined_inside_a_function_run_in_workers(parallel_stack: str) -> None:
    offset = 10

    @step
    def local_step() -> int:
        return offset + 1  # a closure travels by value

    @pipeline
    def local():
        local_step()

    run = local()
    assert run.status == ExecutionStatus.COMPLETED
    assert run.steps["local_step"].output.load() == 11
