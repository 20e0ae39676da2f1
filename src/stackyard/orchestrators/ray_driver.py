"""Driving one run on Ray: submit each step once its inputs are ready, collect outcomes.

The driver (the caller's process) decides caching and records outcomes through
the `RunContext`, exactly as with `local_parallel`: a failed step stops only the
steps that depend on it. Each task runs `execute_in_worker`, which records the
step run in the caller's store. A task that raised outside the step (an import
error, a store it could not reach) or whose worker process died is recorded as
a failed step with Ray's reason. A stop request (the run marked `stopped` in the
store, which the run's heartbeat hears) or Ctrl-C cancels every unfinished task;
their step runs end `stopped`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from stackyard.models.enums import ExecutionStatus
from stackyard.orchestrators.ray_cluster import ray_module, step_options

if TYPE_CHECKING:
    from stackyard.pipelines.execution import StepOutcome, StepTask
    from stackyard.pipelines.run import RunContext

POLL_SECONDS = 0.5  # how often a waiting driver looks whether the run was stopped
CANCEL_WAIT = 10.0  # how long cancelled tasks get to end before their step runs are marked


@cache
def _remote_step() -> Any:
    """`execute_in_worker` as a Ray remote function; stackyard retries steps itself."""
    from stackyard.pipelines.parallel import execute_in_worker

    return ray_module().remote(max_retries=0, retry_exceptions=False)(execute_in_worker)


def _reason(exc: BaseException) -> str:
    """One line saying why a task ended without an outcome."""
    ray = ray_module()
    if isinstance(exc, ray.exceptions.RayTaskError):
        cause = exc.cause if isinstance(exc.cause, BaseException) else exc
        return f"{type(cause).__name__}: {cause}"
    lines = [line for line in str(exc).splitlines() if line.strip()]
    detail = lines[0] if lines else ""
    return f"the Ray worker running the step died ({type(exc).__name__}: {detail})"


def _cancel(context: RunContext, running: dict[Any, StepTask]) -> None:
    """Cancel unfinished tasks and mark their step runs stopped."""
    ray = ray_module()
    for ref in running:
        ray.cancel(ref, force=True)
    ray.wait(list(running), num_returns=len(running), timeout=CANCEL_WAIT)
    for task in running.values():
        context.record_lost(task, "stopped: the run was stopped", ExecutionStatus.STOPPED)
    running.clear()


def _outcome(context: RunContext, ref: Any, task: StepTask) -> None:
    ray = ray_module()
    try:
        outcome: StepOutcome = ray.get(ref)
    except Exception as exc:
        context.record_lost(task, _reason(exc))
        return
    context.record(task.name, outcome)


def run_on_ray(context: RunContext) -> None:
    """Run every step of `context` as a Ray task once its inputs are ready. As with the
    local orchestrators, a failed step stops only the steps that depend on it
    (`context.blocked` reports them skipped); the others still run."""
    ray = ray_module()
    remote = _remote_step()
    handoff = context.store.handoff()
    pending = list(context.order)
    running: dict[Any, StepTask] = {}
    try:
        while True:
            for name in list(pending):
                if context.blocked(name):
                    pending.remove(name)  # an upstream step failed: it never runs
                    continue
                if any(u not in context.outputs for u in context.upstream[name]):
                    continue
                pending.remove(name)
                task = context.task(name)
                if context.try_cache(task):
                    continue
                options = step_options(context.compiled.step_settings(context.invocations[name]))
                label = f"{context.run.name}:{name}"[:200]
                context.step_started(name)
                ref = remote.options(name=label, **options).remote(task, handoff)
                running[ref] = task
            if not running:
                return
            done, _ = ray.wait(list(running), num_returns=1, timeout=POLL_SECONDS)
            if done:
                rest = [r for r in running if r not in done]
                more, _ = ray.wait(rest, num_returns=len(rest), timeout=0) if rest else ([], [])
                for ref in [*done, *more]:
                    _outcome(context, ref, running.pop(ref))
            if context.stop_requested.is_set():  # the run's heartbeat heard it was stopped
                _cancel(context, running)
                context.check_stopped()
    except BaseException:
        if running:
            _cancel(context, running)
        raise
