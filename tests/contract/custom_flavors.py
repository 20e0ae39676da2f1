"""A user's own flavors, importable by path in the contract tests."""

from __future__ import annotations

from typing import Any, ClassVar

from stackyard.models.enums import StackComponentType
from stackyard.orchestrators import BaseOrchestrator, BaseOrchestratorConfig, BaseOrchestratorFlavor
from stackyard.orchestrators.local import LocalOrchestrator
from stackyard.stack.flavor import Flavor, StackComponent, StackComponentConfig


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


class EchoConfig(BaseOrchestratorConfig):
    greeting: str = "hello"


class EchoOrchestrator(LocalOrchestrator):
    """Runs steps like the local orchestrator and says what it was configured with."""

    def run(self, context: Any) -> None:
        print(f"echo orchestrator says {self.config.greeting}")  # type: ignore[attr-defined]
        super().run(context)


class ZenStyleOrchestratorFlavor(BaseOrchestratorFlavor):
    """Written as ZenML's flavors are: properties, not class attributes."""

    @property
    def name(self) -> str:  # type: ignore[override]
        return "zen_style"

    @property
    def config_class(self) -> type[StackComponentConfig]:  # type: ignore[override]
        return EchoConfig

    @property
    def implementation_class(self) -> type[StackComponent]:  # type: ignore[override]
        return EchoOrchestrator


class ZenStyleFromScratchFlavor(Flavor):
    """Every part a property, the type included, on the bare base class."""

    @property
    def name(self) -> str:  # type: ignore[override]
        return "zen_scratch"

    @property
    def type(self) -> StackComponentType:  # type: ignore[override]
        return StackComponentType.ORCHESTRATOR

    @property
    def config_class(self) -> type[StackComponentConfig]:  # type: ignore[override]
        return EchoConfig

    @property
    def implementation_class(self) -> type[StackComponent]:  # type: ignore[override]
        return EchoOrchestrator


class ZenStyleBadTypeFlavor(ZenStyleFromScratchFlavor):
    @property
    def type(self) -> str:  # type: ignore[override]
        return "orchestra"
