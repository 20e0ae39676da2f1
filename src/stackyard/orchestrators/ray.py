"""The `ray` orchestrator: every step a Ray task on a cluster. Needs `stackyard[ray]`.

    client.create_stack_component("ray", flavor="ray", component_type="orchestrator",
                                  configuration={"address": "ray://head:10001"})

`address`: unset starts a Ray of this process's own (even when `RAY_ADDRESS` is
set or `ray start` ran here), used by its later runs and shut down when it ends;
`"auto"` joins the cluster this machine belongs to (`RAY_ADDRESS`, else the one
the last `ray start` here started); `"ray://host:10001"` is Ray client mode;
`"host:6379"` joins through the head's GCS port. `runtime_env` is Ray's (pip, env_vars,
working_dir, py_modules) and `namespace` Ray's namespace.

Each step runs as a task placed with its `ResourceSettings` (`cpu_count` →
`num_cpus`, fractions allowed; `gpu_count` → `num_gpus`; `memory` → `memory`),
as soon as its inputs are ready. Inside the task the step runs through the
same code as every orchestrator (`stackyard.pipelines.parallel.execute_in_worker`),
recording in the caller's store (see `Store.handoff`). How the cluster is
reached is in `ray_cluster`, how the run is driven in `ray_driver`.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, ClassVar

from stackyard.orchestrators.base import (
    BaseOrchestrator,
    BaseOrchestratorConfig,
    BaseOrchestratorFlavor,
)
from stackyard.stack.flavor import StackComponent, StackComponentConfig

if TYPE_CHECKING:
    from stackyard.pipelines.pipeline import CompiledPipeline
    from stackyard.pipelines.run import RunContext
    from stackyard.store.base import Store


class RayOrchestratorConfig(BaseOrchestratorConfig):
    address: str | None = None
    runtime_env: dict[str, Any] = {}
    namespace: str | None = None


class RayOrchestrator(BaseOrchestrator):
    """Steps as Ray tasks; see the module docstring."""

    config: RayOrchestratorConfig

    def connect(self, store: Store) -> None:
        """Join the cluster (or start a local Ray) now: an unreachable address fails
        here, before the run is recorded."""
        from stackyard.orchestrators.ray_cluster import connect

        connect(self.config.address, self.config.namespace, self.config.runtime_env)

    def check_pipeline(self, compiled: CompiledPipeline) -> None:
        from stackyard.orchestrators.ray_cluster import check_capacity, step_options
        from stackyard.pipelines.parallel import check_importable

        check_importable(compiled.invocations, orchestrator="ray")
        check_capacity(
            {
                name: step_options(compiled.step_settings(invocation))
                for name, invocation in compiled.invocations.items()
            },
            self.config.address,
        )

    def run(self, context: RunContext) -> None:
        from stackyard.orchestrators.ray_driver import run_on_ray

        self.connect(context.store)  # a no-op when connected, as after `launch`
        run_on_ray(context)


class RayOrchestratorFlavor(BaseOrchestratorFlavor):
    name: ClassVar[str] = "ray"
    integration: ClassVar[str] = "ray"
    config_class: ClassVar[builtins.type[StackComponentConfig]] = RayOrchestratorConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = RayOrchestrator
