"""Running independent steps at the same time, each in a worker process.

Workers are fresh interpreters (`stackyard.pipelines.step_worker`): they inherit
no threads, locks or open SQLite connections from this process, never import
the caller's script, and end when this process ends. A worker receives a
`StepTask` and the step, records the step run through its own `Client()` (the
config directory travels in the inherited environment) and sends back a
`StepOutcome`. Caching is decided here, before a worker is bothered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackyard.pipelines.step_worker import WorkerPool, task_payload

if TYPE_CHECKING:
    from stackyard.pipelines.run import RunContext


POLL_SECONDS = 0.2  # how often the waiting driver looks whether the run was stopped


def run_in_processes(context: RunContext, max_workers: int) -> None:
    """Start each step once its upstream steps finished, up to `max_workers` at a time.
    A failed step stops only the steps that depend on it. When the run is stopped (or
    this process interrupted) the workers end at once, mid-step: closing the pool
    closes their lifelines."""
    pending = list(context.order)
    pool = WorkerPool(max_workers)
    try:
        while True:
            for name in list(pending):
                if pool.busy >= max_workers:
                    break
                if context.blocked(name):
                    pending.remove(name)  # an upstream step failed: it never runs
                    continue
                if any(u not in context.outputs for u in context.upstream[name]):
                    continue
                pending.remove(name)
                task = context.task(name)
                if not context.try_cache(task):
                    context.step_started(name)
                    pool.submit(name, task_payload(task, context.invocations[name].step))
            if not pool.busy:
                return
            for name, outcome in pool.wait(POLL_SECONDS):
                if outcome.step_run_id is None:  # its process died: close its step run
                    context.record_lost(name, outcome.error or "its worker process died")
                else:
                    context.record(name, outcome)
            context.check_stopped()
    finally:
        pool.close()
