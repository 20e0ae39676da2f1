"""Closed sets of values shared by models, store, CLI and server."""

from __future__ import annotations

from enum import StrEnum


class ExecutionStatus(StrEnum):
    """Where a run or step run is in its life."""

    INITIALIZING = "initializing"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CACHED = "cached"
    STOPPED = "stopped"

    @property
    def is_finished(self) -> bool:
        return self in (self.COMPLETED, self.FAILED, self.CACHED, self.STOPPED)

    @property
    def is_successful(self) -> bool:
        return self in (self.COMPLETED, self.CACHED)


class StackComponentType(StrEnum):
    """The kinds of component a stack can hold, one of each at most."""

    ORCHESTRATOR = "orchestrator"
    ARTIFACT_STORE = "artifact_store"
    CONTAINER_REGISTRY = "container_registry"
    IMAGE_BUILDER = "image_builder"
    STEP_OPERATOR = "step_operator"
    EXPERIMENT_TRACKER = "experiment_tracker"
    MODEL_DEPLOYER = "model_deployer"
    ALERTER = "alerter"
    DATA_VALIDATOR = "data_validator"


class ArtifactType(StrEnum):
    """What an artifact version holds, for humans and dashboards."""

    DATA = "data"
    MODEL = "model"
    METRICS = "metrics"
    SCHEMA = "schema"
    SERVICE = "service"
    CODE = "code"


class ModelStage(StrEnum):
    """Stages a model version can hold; `latest` is an alias, never stored."""

    STAGING = "staging"
    PRODUCTION = "production"
    ARCHIVED = "archived"


LATEST_STAGE = "latest"
# stages one version at a time may hold (promoting into one archives its holder)
EXCLUSIVE_STAGES = frozenset({ModelStage.STAGING, ModelStage.PRODUCTION})
# what a version may be asked for by: every stage, and the alias
STAGE_CHOICES = (*(s.value for s in ModelStage), LATEST_STAGE)
