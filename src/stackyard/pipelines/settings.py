"""The pydantic models of pipeline configuration: resource and retry settings, and the
YAML run file. Kept apart from `stackyard.pipelines.config` so defining and running a
pipeline imports pydantic only when one of these is used."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stackyard.builds.settings import DockerSettings


class ResourceSettings(BaseModel):
    """What one step needs from the machine it runs on.

    `@step(settings={"resources": ResourceSettings(cpu_count=2, memory="4GB")})`;
    orchestrators that place steps on workers map these to their own requests.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    cpu_count: float | None = Field(default=None, gt=0)
    gpu_count: int | None = Field(default=None, ge=0)
    memory: str | None = Field(default=None, pattern=r"^\d+(\.\d+)?\s*([KMGT]i?B)?$")


class RetryPolicy(BaseModel):
    """Run a failing step again: `max_retries` more times, waiting
    `delay * backoff ** (attempt - 1)` seconds before each new attempt."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_retries: int = Field(default=1, ge=0, le=100)
    delay: float = Field(default=1.0, ge=0)
    backoff: float = Field(default=2.0, ge=1)

    def wait_before(self, attempt: int) -> float:
        """Seconds to sleep before attempt number `attempt` (2, 3, ...)."""
        return self.delay * self.backoff ** (attempt - 2)


# Known setting keys and the model each is validated with.
SETTINGS_MODELS: dict[str, type[BaseModel]] = {
    "resources": ResourceSettings,
    "docker": DockerSettings,
}


RUN_CONFIG_KEYS = ("run_name", "enable_cache", "parameters", "settings", "steps")
STEP_CONFIG_KEYS = ("parameters", "enable_cache", "settings")


class StepFileConfig(BaseModel):
    """`steps: {name: {...}}` in a run configuration file."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    parameters: dict[str, Any] = {}
    enable_cache: bool | None = None
    settings: dict[str, Any] = {}


class RunFileConfig(BaseModel):
    """A YAML run configuration (`with_options(config_path="run.yaml")`)."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    run_name: str | None = None
    enable_cache: bool | None = None
    parameters: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    steps: dict[str, StepFileConfig] = {}
