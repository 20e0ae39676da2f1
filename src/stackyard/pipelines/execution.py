"""Executing one step run: the same code in the calling process and in workers.

Bookkeeping is two store calls around the work plus one per output: the step
run is created with its inputs (status `running`), and finished with status,
end time, outputs, error, logs URI and attempt count in a single update.
"""

from __future__ import annotations

import inspect
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.artifacts import fs
from stackyard.experiment_trackers.base import step_tracking
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus
from stackyard.pipelines.artifacts import ArtifactRef, ModelLink, path_segment, record_value
from stackyard.pipelines.context import StepContext, reset_context, set_context
from stackyard.pipelines.logs import capture_logs

if TYPE_CHECKING:
    from stackyard.pipelines.step import Hook, Step
    from stackyard.stack.stack import Stack
    from stackyard.store.base import Store


@dataclass
class StepTask:
    """Everything needed to execute one step run; picklable, for worker processes."""

    run_id: UUID
    run_name: str
    pipeline_name: str
    stack_id: UUID
    artifact_store_id: UUID
    artifact_root: str
    name: str  # the invocation id, which is the step run's name
    step_source: str
    parameters: dict[str, Any]
    parameters_json: dict[str, Any]
    inputs: dict[str, ArtifactRef]
    cache_key: str
    config: dict[str, Any]
    model_version_id: UUID | None = None  # the model version its outputs are linked to

    def _uri(self, *parts: str) -> str:
        segments = (path_segment(self.pipeline_name), str(self.run_id), *map(path_segment, parts))
        return fs.join(self.artifact_root, *segments)

    def output_uri(self, output_name: str) -> str:
        return self._uri(self.name, output_name)

    @property
    def logs_uri(self) -> str:
        return self._uri("logs", f"{self.name}.log")


@dataclass
class StepOutcome:
    """How a step run ended; `exception` is kept only in the process that ran it."""

    step_run_id: UUID | None
    status: ExecutionStatus
    outputs: dict[str, ArtifactRef] = field(default_factory=dict)
    error: str | None = None  # one line: "ValueError: bad input"
    attempts: int = 1
    exception: BaseException | None = field(default=None, compare=False)


def _user_traceback(exc: BaseException) -> str:
    """The traceback without this module's frames, which only say "the step was called"."""
    tb = exc.__traceback__
    while (
        tb is not None
        and tb.tb_next is not None
        and tb.tb_frame.f_globals.get("__name__") == __name__
    ):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _run_hook(hook: Hook | None, kind: str, step_name: str, exc: Exception | None) -> None:
    """Call a hook; its own failure is reported but never changes the step's outcome."""
    if hook is None:
        return
    try:
        takes_argument = any(
            p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
            for p in inspect.signature(hook).parameters.values()
        )
        if exc is not None and takes_argument:
            hook(exc)
        else:
            hook()
    except Exception:
        sys.stderr.write(
            f"The {kind} hook of step {step_name!r} raised; the step's outcome stands:\n"
            + traceback.format_exc()
        )


def _call_with_retries(step: Step, task: StepTask, outcome: StepOutcome, store: Store) -> Any:
    """Load the inputs and call the step, retrying per its policy (inputs are reloaded,
    so an attempt that mutated them does not leak into the next)."""
    policy = step.retry
    allowed = 1 + (policy.max_retries if policy else 0)
    for attempt in range(1, allowed + 1):
        outcome.attempts = attempt
        try:
            kwargs = dict(task.parameters)
            kwargs.update({name: ref.load(store) for name, ref in task.inputs.items()})
            return step.entrypoint(**kwargs)
        except Exception as exc:
            if policy is None or attempt == allowed:
                raise
            wait = policy.wait_before(attempt + 1)
            sys.stderr.write(
                f"Attempt {attempt} of {allowed} of step {task.name!r} failed "
                f"({type(exc).__name__}: {exc}); retrying in {wait:g} s\n"
            )
            time.sleep(wait)
    raise AssertionError("unreachable")


def _save_outputs(
    step: Step, task: StepTask, context: StepContext, store: Store, result: Any
) -> dict[str, ArtifactRef]:
    values = step.split_outputs(result)
    refs: dict[str, ArtifactRef] = {}
    for spec in step.outputs:
        default_name = f"{task.pipeline_name}::{task.name}::{spec.name}"
        config = spec.config
        refs[spec.name] = record_value(
            store,
            values[spec.name],
            name=spec.name if spec.custom_name else default_name,
            uri=context.output_uris[spec.name],
            data_type=spec.data_type,
            materializer=step.output_materializers.get(spec.name),
            producer_step_run_id=context.step_run_id,
            artifact_store_id=task.artifact_store_id,
            has_custom_name=spec.custom_name,
            tags=list(config.tags) if config else None,
            model_link=ModelLink.of(task.model_version_id, config),
            root=task.artifact_root,
        )
    return refs


def execute_step(
    task: StepTask, step: Step, store: Store, stack: Stack | None = None
) -> StepOutcome:
    """Run `step` for `task`, recording the step run, its outputs and logs."""
    inputs = {name: ref.id for name, ref in task.inputs.items()}
    # the hot path writes without reading back: the store answers with the id alone
    step_run_id: UUID = store.create(
        "run_step",
        {
            "name": task.name,
            "pipeline_run_id": task.run_id,
            "status": ExecutionStatus.RUNNING,
            "start_time": utcnow(),
            "cache_key": task.cache_key,
            "code_hash": step.code_hash,
            "source": step.source,
            "parameters": task.parameters_json,
            "config": task.config,
            "logs_uri": task.logs_uri,  # written while the step runs, for the dashboard
            "inputs": inputs,
        },
        respond=False,
    )
    context = StepContext(
        pipeline_name=task.pipeline_name,
        run_name=task.run_name,
        run_id=task.run_id,
        step_name=task.name,
        step_run_id=step_run_id,
        parameters=task.parameters,
        output_uris={o.name: task.output_uri(o.name) for o in step.outputs},
        store=store,
        stack_id=task.stack_id,
        model_version_id=task.model_version_id,
        input_ids=inputs,
        _stack=stack,
    )
    outcome = StepOutcome(step_run_id, ExecutionStatus.COMPLETED)
    error: str | None = None
    token = set_context(context)
    try:
        with capture_logs(task.logs_uri) as logs:
            try:
                with step_tracking(step, context):  # the experiment tracker's run, if asked
                    result = _call_with_retries(step, task, outcome, store)
                    outcome.outputs = _save_outputs(step, task, context, store, result)
            except Exception as exc:
                error = _user_traceback(exc)
                sys.stderr.write(f"Step {task.name!r} failed:\n{error}")
                outcome.status, outcome.exception = ExecutionStatus.FAILED, exc
                outcome.error = f"{type(exc).__name__}: {exc}"
                _run_hook(step.on_failure, "on_failure", task.name, exc)
            else:
                _run_hook(step.on_success, "on_success", task.name, None)
    except BaseException:  # interrupted: record that the step did not finish
        store.update(
            "run_step",
            step_run_id,
            {"status": ExecutionStatus.STOPPED, "end_time": utcnow(), "attempts": outcome.attempts},
            respond=False,
        )
        raise
    finally:
        reset_context(token)
    finished: dict[str, Any] = {
        "status": outcome.status,
        "end_time": utcnow(),
        "outputs": {name: ref.id for name, ref in outcome.outputs.items()},
        "error": error,
        "logs_uri": logs.save(task.logs_uri),
        "attempts": outcome.attempts,
    }
    if context.loaded_inputs:  # what the step loaded itself joins its inputs
        finished["inputs"] = {**inputs, **context.loaded_inputs}
    store.update("run_step", step_run_id, finished, respond=False)
    return outcome
