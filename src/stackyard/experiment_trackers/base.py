"""What every experiment tracker is, and the three places a run meets it.

- Before anything of a run is recorded, `pipeline_tracker` checks that each step's
  `@step(experiment_tracker=...)` names the stack's tracker (`launch`, `drive_run`).
- The process driving the run calls `pipeline_run_started` before the first step
  and `pipeline_run_finished` once the run's status is final (`RunContext`). One
  process owns what the run's steps share (MLflow's parent run), whichever
  orchestrator runs the steps and wherever.
- The process running a tracked step (the caller, a `local_parallel` worker, a Ray
  task) wraps the step's call in `step_run(context)`, which sees the step's exception.
"""

from __future__ import annotations

import builtins
from abc import abstractmethod
from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, ClassVar

from stackyard.exceptions import InputError
from stackyard.models.enums import StackComponentType
from stackyard.stack.flavor import Flavor, StackComponent, StackComponentConfig

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.pipelines.context import StepContext
    from stackyard.pipelines.pipeline import CompiledPipeline
    from stackyard.pipelines.step import Step
    from stackyard.stack.stack import Stack
    from stackyard.store.base import Store


class BaseExperimentTrackerConfig(StackComponentConfig):
    """Settings shared by all experiment trackers."""


class BaseExperimentTracker(StackComponent):
    """Records tracked steps as runs of a tracking tool."""

    config: BaseExperimentTrackerConfig

    def pipeline_run_started(
        self, store: Store, run: PipelineRunResponse, pipeline_name: str
    ) -> None:
        """Open what the run's tracked steps share, before the first one starts, in the
        process driving the run; an error here fails the run. Default: nothing."""

    def pipeline_run_finished(self, store: Store, run: PipelineRunResponse) -> None:
        """Close what `pipeline_run_started` opened; `run.status` is final. Never raises:
        the run's outcome stands. Default: nothing."""

    @abstractmethod
    def step_run(self, context: StepContext) -> AbstractContextManager[None]:
        """The tracking run around one step's call (all its attempts): active while the
        step's function runs, ended as failed if it raises (the exception passes on)."""


class BaseExperimentTrackerFlavor(Flavor):
    type: ClassVar[StackComponentType] = StackComponentType.EXPERIMENT_TRACKER
    config_class: ClassVar[builtins.type[StackComponentConfig]] = BaseExperimentTrackerConfig


def _tracker_for(stack: Stack, step_name: str, wanted: str | bool) -> BaseExperimentTracker:
    """The stack's tracker if it is the one step `step_name` asks for (True: any)."""
    asked = "an experiment tracker" if wanted is True else f"experiment tracker {wanted!r}"
    component = stack.components.get(StackComponentType.EXPERIMENT_TRACKER)
    if component is None:
        raise InputError(
            f"step {step_name!r} asks for {asked}, but stack {stack.name!r} has no experiment "
            f"tracker; add one: stackyard stack update {stack.name} "
            "--component experiment_tracker=NAME"
        )
    if wanted is not True and component.name != wanted:
        raise InputError(
            f"step {step_name!r} asks for {asked}, but stack {stack.name!r} has experiment "
            f"tracker {component.name!r}; use @step(experiment_tracker={component.name!r}) "
            "or put that tracker in the stack"
        )
    if not isinstance(component, BaseExperimentTracker):
        raise InputError(
            f"experiment tracker {component.name!r} (flavor {component.flavor!r}) is a "
            f"{type(component).__name__}, not a BaseExperimentTracker"
        )
    return component


def pipeline_tracker(compiled: CompiledPipeline, stack: Stack) -> BaseExperimentTracker | None:
    """The stack's experiment tracker if a step of `compiled` asks for one, else None.

    A step asking for a tracker the stack does not have is refused here, before the
    run is recorded, with an `InputError` naming the step, the name it gave and the
    stack's tracker (or that it has none).
    """
    tracker = None
    for invocation in compiled.invocations.values():
        wanted = invocation.step.experiment_tracker
        if wanted is not None:
            tracker = _tracker_for(stack, invocation.id, wanted)
    return tracker


def step_tracking(step: Step, context: StepContext) -> AbstractContextManager[None]:
    """The tracking run around `step`'s call when it asks for one; else nothing."""
    wanted = step.experiment_tracker
    if wanted is None:
        return nullcontext()
    return _tracker_for(context.stack, context.step_name, wanted).step_run(context)
