"""The default orchestrator: every step in this process, one after another."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, ClassVar

from stackyard.orchestrators.base import BaseOrchestrator, BaseOrchestratorFlavor
from stackyard.stack.flavor import StackComponent

if TYPE_CHECKING:
    from stackyard.pipelines.run import RunContext


class LocalOrchestrator(BaseOrchestrator):
    """Runs steps in topological order in the calling process. A failed step stops
    only the steps that depend on it; the others still run."""

    runs_steps_here: ClassVar[bool] = True

    def run(self, context: RunContext) -> None:
        for step_name in context.order:
            if not context.blocked(step_name):
                context.run_step(step_name)


class LocalOrchestratorFlavor(BaseOrchestratorFlavor):
    name: ClassVar[str] = "local"
    implementation_class: ClassVar[builtins.type[StackComponent]] = LocalOrchestrator
