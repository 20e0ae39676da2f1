"""A user's own flavors, importable by path in the contract tests."""

from __future__ import annotations

from typing import ClassVar

from stackyard.orchestrators import BaseOrchestrator, BaseOrchestratorConfig, BaseOrchestratorFlavor
from stackyard.stack.flavor import StackComponent, StackComponentConfig


class ClusterConfig(BaseOrchestratorConfig):
    endpoint: str
    workers: int = 4


class ClusterOrchestrator(BaseOrchestrator):
    def run(self, context: object) -> None:  # pragma: no cover - never run here
        raise NotImplementedError


class ClusterOrchestratorFlavor(BaseOrchestratorFlavor):
    name: ClassVar[str] = "my_cluster"
    config_class: ClassVar[type[StackComponentConfig]] = ClusterConfig
    implementation_class: ClassVar[type[StackComponent]] = ClusterOrchestrator


class NotAFlavor:
    name = "nope"
