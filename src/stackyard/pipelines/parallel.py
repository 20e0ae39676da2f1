"""Running independent steps at the same time, each in a worker process.

Workers are started with `spawn`: a fresh interpreter does not inherit this
process's threads, locks or open SQLite connections, which `fork` would copy
in whatever state they were. A worker receives a picklable `StepTask`, imports
the step by its path, records the step run through its own `Client()` (the
config directory travels in the inherited environment) and sends back a
`StepOutcome`. Caching is decided here, before a worker is bothered.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import replace
from typing import TYPE_CHECKING

from stackyard.exceptions import InputError
from stackyard.pipelines.execution import StepOutcome, StepTask, execute_step

if TYPE_CHECKING:
    from stackyard.pipelines.dag import Invocation
    from stackyard.pipelines.run import RunContext


POLL_SECONDS = 0.2  # how often the waiting driver looks whether the run was stopped


def check_importable(invocations: dict[str, Invocation]) -> None:
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
                "The local_parallel orchestrator imports steps by path, so define them with "
                "@step at the top level of an importable module"
            )


def execute_in_worker(task: StepTask) -> StepOutcome:
    """Worker entry point: import the step, run it, return a picklable outcome."""
    from stackyard.client import Client
    from stackyard.utils.source import load_source

    outcome = execute_step(task, load_source(task.step_source), Client().store)
    return replace(outcome, exception=None)  # exceptions need not pickle


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's processes now: their steps are stopped, not awaited."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        with contextlib.suppress(Exception):
            process.kill()


def run_in_processes(context: RunContext, max_workers: int) -> None:
    """Start each step once its upstream steps finished, up to `max_workers` at a time;
    after a failure start nothing new and wait for the running steps. When the run is
    stopped or this process interrupted, the workers are killed at once."""
    check_importable(context.invocations)
    spawn = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(max_workers=max_workers, mp_context=spawn)
    try:
        _drive(context, pool, max_workers)
    except BaseException:
        _kill_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _drive(context: RunContext, pool: ProcessPoolExecutor, max_workers: int) -> None:
    pending = list(context.order)
    running: dict[Future[StepOutcome], str] = {}
    while True:
        for name in list(pending):
            if context.failure is not None or len(running) >= max_workers:
                break
            if any(u not in context.outputs for u in context.upstream[name]):
                continue
            pending.remove(name)
            task = context.task(name)
            if not context.try_cache(task):
                running[pool.submit(execute_in_worker, task)] = name
        if not running:
            return
        done, _ = wait(running, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        context.check_stopped()
        for future in done:
            name = running.pop(future)
            try:
                outcome = future.result()
            except Exception as exc:  # the worker itself died or could not record
                context.record_lost(name, f"{type(exc).__name__}: {exc}")
            else:
                context.record(name, outcome)
