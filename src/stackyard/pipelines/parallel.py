"""Running independent steps at the same time, each in another process.

`local_parallel` runs steps in worker processes of its own
(`stackyard.pipelines.step_worker`): fresh interpreters that inherit no threads,
locks or open SQLite connections, never import the caller's script, and end when
this process ends. Every worker, here or on a cluster (the Ray orchestrator's
tasks), opens the caller's store from its `StoreHandoff`, connects the run's stack
(credentials for the artifact store) and records the step run there; the caller
decides caching and records the outcome.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from dataclasses import replace
from typing import TYPE_CHECKING
from uuid import UUID

from stackyard.exceptions import InputError
from stackyard.pipelines.execution import StepOutcome, StepTask, execute_step

if TYPE_CHECKING:
    from stackyard.pipelines.dag import Invocation
    from stackyard.pipelines.run import RunContext
    from stackyard.pipelines.step import Step
    from stackyard.stack.stack import Stack
    from stackyard.store.base import Store, StoreHandoff

POLL_SECONDS = 0.2  # how often the waiting driver looks whether the run was stopped


def check_importable(
    invocations: dict[str, Invocation], orchestrator: str = "local_parallel"
) -> None:
    """Refuse steps a worker could not import by path, before any step starts."""
    from stackyard.pipelines.step import Step
    from stackyard.utils.source import load_source

    for invocation in invocations.values():
        step = invocation.step
        source = step.source
        problem = None
        if "<locals>" in source:
            problem = "it is defined inside a function"
        elif source.startswith("__main__.") and not getattr(
            sys.modules["__main__"], "__file__", None
        ):
            problem = "it is defined in an interactive session"
        else:
            try:
                found = load_source(source)
            except ImportError as exc:
                problem = str(exc)
            else:
                if not isinstance(found, Step) or found.entrypoint is not step.entrypoint:
                    problem = f"{source!r} does not name this @step object"
        if problem:
            raise InputError(
                f"step {invocation.id!r} ({source}) cannot run in a worker process: {problem}. "
                f"The {orchestrator} orchestrator imports steps by path, so define them with "
                "@step at the top level of an importable module"
            )


_STACKS: OrderedDict[tuple[int, UUID], Stack] = OrderedDict()  # (store, run) → its stack
_STACKS_LOCK = threading.Lock()


def worker_stack(store: Store, task: StepTask) -> Stack:
    """The run's stack, connected for steps once per worker process and run."""
    from stackyard.stack.stack import Stack

    key = (id(store), task.run_id)
    with _STACKS_LOCK:
        stack = _STACKS.get(key)
    if stack is None:
        stack = Stack.from_model(store.get("stack", task.stack_id))
        stack.connect(store, for_steps=True)
        with _STACKS_LOCK:
            _STACKS[key] = stack
            while len(_STACKS) > 8:
                _STACKS.popitem(last=False)
    return stack


def _import_step(task: StepTask) -> Step:
    from stackyard.utils.source import load_source

    try:
        step: Step = load_source(task.step_source)
    except ImportError as exc:
        raise InputError(
            f"step {task.name!r} cannot be imported in this worker process from "
            f"{task.step_source!r}: {exc}. Install its code where the workers run, or ship it "
            "(the Ray orchestrator's runtime_env: working_dir, py_modules, env_vars PYTHONPATH)"
        ) from None
    return step


def execute_in_worker(task: StepTask, handoff: StoreHandoff) -> StepOutcome:
    """Worker entry point: open the caller's store, import the step, run it, return a
    picklable outcome."""
    store = handoff.open()
    outcome = execute_step(task, _import_step(task), store, worker_stack(store, task))
    return replace(outcome, exception=None)  # exceptions need not pickle


def run_in_processes(context: RunContext, max_workers: int) -> None:
    """Start each step once its upstream steps finished, up to `max_workers` at a time.
    A failed step stops only the steps that depend on it. When the run is stopped (or
    this process interrupted) the workers end at once, mid-step: closing the pool
    closes their lifelines."""
    from stackyard.pipelines.step_worker import WorkerPool, task_payload

    pending = list(context.order)
    tasks: dict[str, StepTask] = {}
    pool = WorkerPool(max_workers, context.store.handoff())
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
                task = tasks[name] = context.task(name)
                if not context.try_cache(task):
                    context.step_started(name)
                    pool.submit(name, task_payload(task, context.invocations[name].step))
            if not pool.busy:
                return
            for name, outcome in pool.wait(POLL_SECONDS):
                if outcome.step_run_id is None:  # its process died: close its step run
                    context.record_lost(tasks[name], outcome.error or "its worker process died")
                else:
                    context.record(name, outcome)
            context.check_stopped()
    finally:
        pool.close()
