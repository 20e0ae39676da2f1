"""Driving a recorded pipeline run: what orchestrators talk to.

`stackyard.pipelines.launch` records the run and hands a `RunContext` to the
stack's orchestrator. The orchestrator only decides *when and where* steps run: `context.order` and
`context.run_step(name)` in process, or `context.run_parallel(max_workers)`;
caching, recording, inputs and outputs are the context's job.
"""

from __future__ import annotations

import sys
import threading
import traceback
from typing import TYPE_CHECKING
from uuid import UUID

from stackyard.exceptions import (
    RunStoppedError,
    StackyardError,
    StepFailedError,
)
from stackyard.experiment_trackers.base import pipeline_tracker
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus
from stackyard.pipelines.artifacts import ArtifactRef
from stackyard.pipelines.cache import cache_key, find_cached
from stackyard.pipelines.config import jsonable
from stackyard.pipelines.execution import StepOutcome, StepTask, execute_step
from stackyard.pipelines.heartbeat import beating, interrupt
from stackyard.pipelines.ml_models import ModelPlan, attach_models, link_cached_outputs
from stackyard.pipelines.progress import RunProgress

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.pipelines.dag import Invocation
    from stackyard.pipelines.pipeline import CompiledPipeline
    from stackyard.stack.stack import Stack
    from stackyard.store.base import Store


class RunContext:
    """One run in progress. Orchestrators call `order`, `run_step` or `run_parallel`;
    a step whose upstream step failed is not run (`blocked`), independent ones are."""

    def __init__(
        self,
        store: Store,
        compiled: CompiledPipeline,
        stack: Stack,
        run: PipelineRunResponse,
        models: dict[tuple[str, str | None], ModelPlan] | None = None,
    ) -> None:
        self.store = store
        self.compiled = compiled
        self.stack = stack
        self.run = run
        self.invocations = compiled.invocations
        self.order: list[str] = list(compiled.invocations)
        self.upstream: dict[str, list[str]] = {n: i.upstream for n, i in self.invocations.items()}
        self.outputs: dict[str, dict[str, ArtifactRef]] = {}  # finished step → its outputs
        self.failure: tuple[str, StepOutcome] | None = None  # the first step that failed
        self.failed: set[str] = set()
        self.cached: set[str] = set()  # steps taken from the cache
        self.skipped: dict[str, str] = {}  # step not run → the failed step that stopped it
        self._artifact_store = stack.artifact_store
        # set when the store says the run was stopped (see `stackyard.pipelines.heartbeat`)
        self.stop_requested = threading.Event()
        self._lock = threading.Lock()
        self._stepping: threading.Thread | None = None  # running a step in this process
        self.progress = RunProgress(
            store, run, len(self.order), live=stack.orchestrator.runs_steps_here
        )
        self._model_plans = models or {}
        # model key → the version this run works on (attached when the run starts)
        self.model_versions: dict[tuple[str, str | None], UUID] = {}
        # the stack's experiment tracker, when a step asks for it
        self.tracker = pipeline_tracker(compiled, stack)

    # -- what orchestrators use -------------------------------------------------------------
    def task(self, name: str) -> StepTask:
        """Everything to execute step `name`; its upstream steps must have finished."""
        invocation = self.invocations[name]
        waiting = [u for u in invocation.upstream if u not in self.outputs]
        if waiting:
            raise StackyardError(f"step {name!r} cannot start: {', '.join(waiting)} not finished")
        inputs = {arg: self.outputs[s][o] for arg, (s, o) in invocation.artifacts.items()}
        inputs.update({arg: ArtifactRef.of(v) for arg, v in invocation.external.items()})
        parameters_json = jsonable(invocation.parameters, f"parameters of step {name!r}")
        settings = self.compiled.step_settings(invocation)
        return StepTask(
            run_id=self.run.id,
            run_name=self.run.name,
            pipeline_name=self.compiled.name,
            stack_id=self.stack.id,
            artifact_store_id=self._artifact_store.id,
            artifact_root=self._artifact_store.path,
            name=name,
            step_source=invocation.step.source,
            parameters=invocation.parameters,
            parameters_json=parameters_json,
            inputs=inputs,
            cache_key=cache_key(
                invocation.step,
                parameters=parameters_json,
                inputs=inputs,
                settings=settings,
                artifact_store_id=self._artifact_store.id,
            ),
            config=self.compiled.step_config(invocation),
            model_version_id=self._model_version(invocation),
        )

    def _model_version(self, invocation: Invocation) -> UUID | None:
        model = self.compiled.model_for(invocation)
        return None if model is None else self.model_versions[model.key]

    def try_cache(self, task: StepTask) -> bool:
        """Record step `task.name` as cached if caching is on and an earlier run matches."""
        invocation = self.invocations[task.name]
        if not self.compiled.caching(invocation):
            return False
        hit = find_cached(
            self.store,
            task.cache_key,
            [o.name for o in invocation.step.outputs],
            self._artifact_store.path,
        )
        if hit is None:
            return False
        original, outputs = hit
        now = utcnow()
        self.store.create(
            "run_step",
            {
                "name": task.name,
                "pipeline_run_id": task.run_id,
                "status": ExecutionStatus.CACHED,
                "start_time": now,
                "end_time": now,
                "cache_key": task.cache_key,
                "original_step_run_id": original.id,
                "code_hash": invocation.step.code_hash,
                "source": invocation.step.source,
                "parameters": task.parameters_json,
                "config": task.config,
                "logs_uri": original.logs_uri,
                "inputs": {arg: ref.id for arg, ref in task.inputs.items()},
                "outputs": {out: ref.id for out, ref in outputs.items()},
            },
        )
        if task.model_version_id is not None:
            configs = {o.name: o.config for o in invocation.step.outputs}
            link_cached_outputs(self.store, task.model_version_id, outputs, configs)
        self.outputs[task.name] = outputs
        self.cached.add(task.name)
        self.progress.step_cached(task.name, original.pipeline_run_id)
        return True

    def blocked(self, name: str) -> bool:
        """Whether step `name` must not run because a step it depends on failed (or was
        itself not run); the first time, it is reported as skipped."""
        if name in self.skipped:
            return True
        cause = next(
            (u for u in self.upstream[name] if u in self.failed or u in self.skipped), None
        )
        if cause is None:
            return False
        self.skipped[name] = self.skipped.get(cause, cause)
        self.progress.step_skipped(name, self.skipped[name])
        return True

    def step_started(self, name: str) -> None:
        """Orchestrators that run steps elsewhere say when one starts (for the progress log)."""
        self.progress.step_started(name)

    def record(self, name: str, outcome: StepOutcome) -> bool:
        """Take note of how a step ended; False if it failed."""
        self.progress.step_finished(
            name,
            outcome.status.value,
            None if outcome.status.is_successful else outcome.error or "no reason given",
        )
        if outcome.status.is_successful:
            self.outputs[name] = outcome.outputs
            return True
        self.failed.add(name)
        if self.failure is None:
            self.failure = (name, outcome)
        return False

    def record_lost(
        self, task: StepTask, error: str, status: ExecutionStatus = ExecutionStatus.FAILED
    ) -> StepOutcome:
        """A step whose worker died or was cancelled: its step run (created by the worker,
        or now if the worker never got that far) ends with `status` and `error`."""
        invocation = self.invocations[task.name]
        now = utcnow()
        found = self.store.list(
            "run_step", pipeline_run_id=self.run.id, name=f"equals:{task.name}", size=1
        ).items
        if found:
            step_run = found[0]
            if not step_run.status.is_finished:
                self.store.update(
                    "run_step", step_run.id, {"status": status, "end_time": now, "error": error}
                )
            step_run_id = step_run.id
        else:
            step_run_id = self.store.create(
                "run_step",
                {
                    "name": task.name,
                    "pipeline_run_id": task.run_id,
                    "status": status,
                    "start_time": now,
                    "end_time": now,
                    "cache_key": task.cache_key,
                    "code_hash": invocation.step.code_hash,
                    "source": invocation.step.source,
                    "parameters": task.parameters_json,
                    "config": task.config,
                    "error": error,
                    "inputs": {arg: ref.id for arg, ref in task.inputs.items()},
                },
            ).id
        outcome = StepOutcome(step_run_id, status, error=error.strip().splitlines()[-1])
        if status == ExecutionStatus.FAILED:
            self.record(task.name, outcome)
        return outcome

    def check_stopped(self) -> None:
        """Raise RunStoppedError once the run was stopped: orchestrators call it between
        steps (a step running in this process is interrupted)."""
        if self.stop_requested.is_set():
            raise self._stopped() from None

    def _stopped(self) -> RunStoppedError:
        run = self.store.get("pipeline_run", self.run.id)
        self.run = run
        return RunStoppedError(
            f"run {run.name!r} is {run.status.value}"
            + (f": {run.status_reason}" if run.status_reason else "")
        )

    def _on_stop(self) -> None:
        with self._lock:
            self.stop_requested.set()
            if self._stepping is not None:
                interrupt(self._stepping)

    def run_step(self, name: str) -> bool:
        """Run step `name` in this process (or take it from the cache); False if it failed."""
        self.check_stopped()
        task = self.task(name)
        if self.try_cache(task):
            return True
        self.progress.step_started(name)
        with self._lock:
            self._stepping = threading.current_thread()
        try:
            outcome = execute_step(task, self.invocations[name].step, self.store, self.stack)
        finally:
            with self._lock:
                self._stepping = None
        return self.record(name, outcome)

    def run_parallel(self, max_workers: int) -> None:
        """Run independent steps at the same time in up to `max_workers` processes."""
        from stackyard.pipelines.parallel import run_in_processes

        run_in_processes(self, max_workers)

    # -- the run as a whole -------------------------------------------------------------------
    def _finish(self, status: ExecutionStatus) -> PipelineRunResponse:
        self.run = self.store.update(
            "pipeline_run", self.run.id, {"status": status, "end_time": utcnow()}
        )
        self.progress.run_finished(self.run)
        return self.run

    def _pipeline_hook(self, error: StepFailedError | None) -> None:
        pipeline = self.compiled.pipeline
        hook = pipeline.on_failure if error is not None else pipeline.on_success
        if hook is None:
            return
        try:
            hook(error) if error is not None else hook()
        except Exception:
            sys.stderr.write(
                f"A hook of pipeline {pipeline.name!r} raised; the run's outcome stands:\n"
                + traceback.format_exc()
            )

    def _attach_models(self) -> None:
        """Link the run to its model versions (creating new ones); a failure ends the run
        `failed` with the reason before any step starts."""
        if not self._model_plans:
            return
        try:
            self.model_versions = attach_models(self.store, self._model_plans, self.run.id)
        except Exception as exc:
            self.run = self.store.update(
                "pipeline_run",
                self.run.id,
                {
                    "status": ExecutionStatus.FAILED,
                    "end_time": utcnow(),
                    "status_reason": f"its model versions could not be attached: {exc}",
                },
            )
            raise

    def execute(self) -> PipelineRunResponse:
        """Let the orchestrator run the steps; record the outcome; raise if a step failed."""
        self._attach_models()
        self.run = self.store.update(
            "pipeline_run", self.run.id, {"status": ExecutionStatus.RUNNING}
        )
        try:
            return self._execute()
        finally:  # however the run ended: the live line goes, self.run has its status
            self.progress.close()
            if self.tracker is not None:
                self.tracker.pipeline_run_finished(self.store, self.run)

    def _execute(self) -> PipelineRunResponse:
        orchestrator = self.stack.orchestrator
        self.progress.run_started(self.compiled.name, self.stack.name)
        with beating(self.store, self.run.id) as beat:
            unregister = beat.on_stop(self._on_stop)
            try:
                try:
                    if self.tracker is not None:  # what tracked steps share, before they start
                        self.tracker.pipeline_run_started(self.store, self.run, self.compiled.name)
                    orchestrator.run(self)
                finally:
                    unregister()
                self.check_stopped()
            except RunStoppedError:
                raise
            except BaseException as exc:
                if self.stop_requested.is_set():  # the store ended the run; it says why
                    raise self._stopped() from None
                stopped = not isinstance(exc, Exception)
                self._finish(ExecutionStatus.STOPPED if stopped else ExecutionStatus.FAILED)
                raise
        missing = [n for n in self.order if n not in self.outputs]
        if self.failure is None and missing:
            self._finish(ExecutionStatus.FAILED)
            raise StackyardError(
                f"orchestrator {orchestrator.name!r} returned without running step(s) "
                f"{', '.join(missing)} of run {self.run.name!r}"
            )
        if self.failure is None:
            # a run whose every step came from the cache is `cached`, like its steps
            all_cached = bool(self.order) and self.cached.issuperset(self.order)
            run = self._finish(ExecutionStatus.CACHED if all_cached else ExecutionStatus.COMPLETED)
            self._pipeline_hook(None)
            return run
        name, outcome = self.failure
        self._finish(ExecutionStatus.FAILED)
        not_run = [n for n in missing if n not in self.failed]
        others = sorted(self.failed - {name})
        error = StepFailedError(
            f"step {name!r} of pipeline run {self.run.name!r} failed: {outcome.error} "
            + (f"(also failed: {', '.join(others)}; " if others else "(")
            + "traceback in the step run's `error`; steps not run: "
            + f"{', '.join(not_run) or 'none'})"
        )
        self._pipeline_hook(error)
        raise error from outcome.exception
