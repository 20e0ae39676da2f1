"""What every orchestrator is: a component that runs a compiled pipeline."""

from __future__ import annotations

import builtins
from abc import abstractmethod
from typing import TYPE_CHECKING, ClassVar

from stackyard.models.enums import StackComponentType
from stackyard.stack.flavor import Flavor, StackComponent, StackComponentConfig

if TYPE_CHECKING:
    from stackyard.pipelines.pipeline import CompiledPipeline
    from stackyard.pipelines.run import RunContext


class BaseOrchestratorConfig(StackComponentConfig):
    """Settings shared by all orchestrators."""


class BaseOrchestrator(StackComponent):
    """Runs the steps of one pipeline run, in dependency order."""

    config: BaseOrchestratorConfig
    # Every step runs in the calling process, so all it prints goes through this process's
    # sys.stdout/sys.stderr: only then can a live progress line stay apart from it.
    runs_steps_here: ClassVar[bool] = False

    def check_pipeline(self, compiled: CompiledPipeline) -> None:
        """Refuse a pipeline this orchestrator could never run (a step asking for more
        than the cluster has), before anything is recorded; after `connect`."""

    @abstractmethod
    def run(self, context: RunContext) -> None:
        """Execute every step of `context`'s run; return when the run has finished. Once
        `context.stop_requested` is set, end the steps still running and call
        `context.check_stopped()` (which raises)."""


class BaseOrchestratorFlavor(Flavor):
    type: ClassVar[StackComponentType] = StackComponentType.ORCHESTRATOR
    config_class: ClassVar[builtins.type[StackComponentConfig]] = BaseOrchestratorConfig
