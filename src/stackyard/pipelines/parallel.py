"""Running independent steps at the same time, each in a worker process.

Workers are started with `spawn`: a fresh interpreter does not inherit this
process's threads, locks or open SQLite connections, which `fork` would copy
in whatever state they were. A worker receives a picklable `StepTask` and the
caller's `StoreHandoff`, imports the step by its path, connects the stack's
components (credentials for the artifact store), records the step run in the
caller's store and sends back a `StepOutcome`. `execute_in_worker` is the
same entry point for every orchestrator that runs steps in other processes
(the Ray orchestrator's tasks call it too). Caching is decided by the caller,
before a worker is bothered.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections import OrderedDict
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
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


def _worker_stack(store: Store, task: StepTask) -> Stack:
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
    outcome = execute_step(task, _import_step(task), store, _worker_stack(store, task))
    return replace(outcome, exception=None)  # exceptions need not pickle


def run_in_processes(context: RunContext, max_workers: int) -> None:
    """Start each step once its upstream steps finished, up to `max_workers` at a time;
    after a failure start nothing new and wait for the running steps."""
    check_importable(context.invocations)
    handoff = context.store.handoff()
    pending = list(context.order)
    running: dict[Future[StepOutcome], StepTask] = {}
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max_workers, mp_context=spawn) as pool:
        while True:
            for name in list(pending):
                if context.failure is not None or len(running) >= max_workers:
                    break
                if any(u not in context.outputs for u in context.upstream[name]):
                    continue
                pending.remove(name)
                task = context.task(name)
                if not context.try_cache(task):
                    running[pool.submit(execute_in_worker, task, handoff)] = task
            if not running:
                return
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                try:
                    context.record(task.name, future.result())
                except Exception as exc:  # the worker itself died or could not record
                    context.record_lost(task, f"{type(exc).__name__}: {exc}")
