"""Orchestrator flavors: what runs the steps of a pipeline."""

from stackyard.orchestrators.base import (
    BaseOrchestrator,
    BaseOrchestratorConfig,
    BaseOrchestratorFlavor,
)
from stackyard.orchestrators.local import LocalOrchestrator, LocalOrchestratorFlavor
from stackyard.orchestrators.local_parallel import (
    LocalParallelOrchestrator,
    LocalParallelOrchestratorConfig,
    LocalParallelOrchestratorFlavor,
)

__all__ = [
    "BaseOrchestrator",
    "BaseOrchestratorConfig",
    "BaseOrchestratorFlavor",
    "LocalOrchestrator",
    "LocalOrchestratorFlavor",
    "LocalParallelOrchestrator",
    "LocalParallelOrchestratorConfig",
    "LocalParallelOrchestratorFlavor",
]
