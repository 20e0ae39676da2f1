"""Independent steps at the same time, each in a worker process."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field

from stackyard.orchestrators.base import (
    BaseOrchestrator,
    BaseOrchestratorConfig,
    BaseOrchestratorFlavor,
)
from stackyard.stack.flavor import StackComponent, StackComponentConfig

if TYPE_CHECKING:
    from stackyard.pipelines.run import RunContext


class LocalParallelOrchestratorConfig(BaseOrchestratorConfig):
    max_workers: int = Field(default=2, ge=1, le=256)


class LocalParallelOrchestrator(BaseOrchestrator):
    """Starts every step whose inputs are ready, up to `max_workers` at once."""

    config: LocalParallelOrchestratorConfig

    def run(self, context: RunContext) -> None:
        context.run_parallel(self.config.max_workers)


class LocalParallelOrchestratorFlavor(BaseOrchestratorFlavor):
    name: ClassVar[str] = "local_parallel"
    config_class: ClassVar[builtins.type[StackComponentConfig]] = LocalParallelOrchestratorConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = LocalParallelOrchestrator
