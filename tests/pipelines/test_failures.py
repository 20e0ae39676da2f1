"""Failing steps: recorded with their traceback, retried, reported to hooks."""

from __future__ import annotations

import itertools
import time

import pytest

from stackyard import ExecutionStatus, get_step_context, pipeline, step
from stackyard.client import Client
from stackyard.exceptions import StepFailedError
from stackyard.pipelines import RetryPolicy

events: list[object] = []


@step(enable_cache=False)
def ok() -> int:
    return 1


@step(enable_cache=False)
def broken(value: int) -> int:
    raise ValueError(f"cannot handle {value}")


@step(enable_cache=False)
def downstream(value: int) -> int:
    events.append("downstream ran")
    return value


@pipeline
def breaking():
    downstream(broken(ok()))


def test_a_failing_step_fails_the_run_and_stops_downstream() -> None:
    events.clear()
    with pytest.raises(StepFailedError) as caught:
        breaking()
    message = str(caught.value)
    assert "step 'broken'" in message and "ValueError: cannot handle 1" in message
    assert "steps not run: downstream" in message
    assert isinstance(caught.value.__cause__, ValueError)
    assert events == []
    run = Client().list_pipeline_runs(pipeline_name="breaking")[0]
    assert run.status == ExecutionStatus.FAILED
    assert run.end_time is not None
    assert list(run.steps) == ["ok", "broken"]
    failed = run.steps["broken"]
    assert failed.status == ExecutionStatus.FAILED
    assert failed.end_time is not None
    assert "Traceback (most recent call last)" in failed.error
    assert 'raise ValueError(f"cannot handle {value}")' in failed.error
    assert "execution.py" not in failed.error  # only the user's frames
    assert "ValueError: cannot handle 1" in failed.logs
    assert failed.outputs == {}


@step(enable_cache=False)
def independent() -> int:
    events.append("independent ran")
    return 2


@pipeline
def breaking_one_branch():
    downstream(broken(ok()))
    downstream(independent())


def test_a_failing_step_stops_only_what_depends_on_it() -> None:
    events.clear()
    with pytest.raises(StepFailedError, match="steps not run: downstream\\)") as caught:
        breaking_one_branch()
    assert "step 'broken'" in str(caught.value)
    assert events == ["independent ran", "downstream ran"]  # the other branch ran to its end
    run = Client().list_pipeline_runs(pipeline_name="breaking_one_branch")[0]
    assert run.status == ExecutionStatus.FAILED
    statuses = {name: s.status for name, s in run.steps.items()}
    assert statuses == {
        "ok": ExecutionStatus.COMPLETED,
        "broken": ExecutionStatus.FAILED,
        "independent": ExecutionStatus.COMPLETED,
        "downstream_2": ExecutionStatus.COMPLETED,
    }


attempt_times: list[float] = []


@step(enable_cache=False, retry=RetryPolicy(max_retries=3, delay=0.05, backoff=3))
def flaky() -> int:
    attempt_times.append(time.monotonic())
    if len(attempt_times) < 3:
        raise ConnectionError(f"attempt {len(attempt_times)} lost the connection")
    return len(attempt_times)


@pipeline
def retrying():
    flaky()


def test_retries_with_backoff_until_success() -> None:
    attempt_times.clear()
    run = retrying()
    step_run = run.steps["flaky"]
    assert step_run.status == ExecutionStatus.COMPLETED
    assert step_run.attempts == 3
    assert step_run.output.load() == 3
    waits = [b - a for a, b in itertools.pairwise(attempt_times)]
    assert waits[0] >= 0.05 and waits[1] >= 0.15  # delay, then delay * backoff
    assert "Attempt 1 of 4 of step 'flaky' failed (ConnectionError" in step_run.logs
    assert "retrying in 0.15 s" in step_run.logs


@step(enable_cache=False, retry=RetryPolicy(max_retries=1, delay=0))
def hopeless() -> int:
    attempt_times.append(time.monotonic())
    raise RuntimeError("still broken")


@pipeline
def exhausting():
    hopeless()


def test_retries_exhausted_fail_with_the_attempt_count() -> None:
    attempt_times.clear()
    with pytest.raises(StepFailedError, match="RuntimeError: still broken"):
        exhausting()
    step_run = Client().list_run_steps(name="hopeless")[0]
    assert step_run.status == ExecutionStatus.FAILED
    assert step_run.attempts == 2
    assert len(attempt_times) == 2


def failure_hook(error: BaseException) -> None:
    events.append(("step failed", get_step_context().step_name, repr(error)))


def success_hook() -> None:
    events.append(("step succeeded", get_step_context().step_name))


def broken_hook() -> None:
    raise OSError("the alert service is down")


@step(enable_cache=False, on_success=success_hook, on_failure=failure_hook)
def watched(fail: bool) -> int:
    if fail:
        raise KeyError("missing")
    return 1


@step(enable_cache=False, on_success=broken_hook)
def badly_watched() -> int:
    return 2


@pipeline(
    on_success=lambda: events.append("pipeline succeeded"),
    on_failure=lambda error: events.append(("pipeline failed", type(error).__name__)),
)
def hooked(fail: bool = False):
    watched(fail)


def test_step_and_pipeline_hooks_are_called() -> None:
    events.clear()
    hooked()
    assert events == [("step succeeded", "watched"), "pipeline succeeded"]
    events.clear()
    with pytest.raises(StepFailedError):
        hooked(fail=True)
    assert events == [
        ("step failed", "watched", "KeyError('missing')"),
        ("pipeline failed", "StepFailedError"),
    ]


@pipeline
def hook_raises():
    badly_watched()


def test_a_failing_hook_is_logged_and_does_not_change_the_outcome() -> None:
    run = hook_raises()
    step_run = run.steps["badly_watched"]
    assert step_run.status == ExecutionStatus.COMPLETED
    assert "on_success hook of step 'badly_watched' raised" in step_run.logs
    assert "OSError: the alert service is down" in step_run.logs
