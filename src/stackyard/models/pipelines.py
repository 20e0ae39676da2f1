"""Pipelines, their runs and step runs, and the snapshots that make runs re-runnable."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import BaseModel, Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.binding import default_store
from stackyard.models.enums import ExecutionStatus
from stackyard.models.spec import ResourceSpec, register

if TYPE_CHECKING:
    from stackyard.models.artifacts import ArtifactVersionResponse
    from stackyard.models.code import CodeRepositoryResponse
    from stackyard.models.stacks import StackResponse


DEFAULT_RUN_NAME = "{pipeline}-{date}-{time}"


def render_run_name(template: str, pipeline_name: str, now: datetime) -> str:
    """Fill `{pipeline}`, `{date}` (YYYY_MM_DD) and `{time}` (HH_MM_SS_ffffff, UTC)."""
    from stackyard.exceptions import InputError

    try:
        return template.format(
            pipeline=pipeline_name, date=now.strftime("%Y_%m_%d"), time=now.strftime("%H_%M_%S_%f")
        )
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        raise InputError(
            f"run name {template!r} has an unknown or malformed placeholder ({exc}); "
            "use {date}, {time} or {pipeline}"
        ) from None


class PipelineRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    description: str = ""


class PipelineUpdate(Update):
    description: str | None = None


class PipelineResponse(OwnedResponse):
    name: str
    description: str = ""

    @property
    def runs(self) -> list[PipelineRunResponse]:
        """Every run of this pipeline, newest first."""
        from stackyard.models.paging import depaginate_store

        return list(depaginate_store(self.store, "pipeline_run", pipeline_id=self.id))

    @property
    def last_run(self) -> PipelineRunResponse:
        page = self.store.list("pipeline_run", pipeline_id=self.id, size=1)
        if not page.items:
            from stackyard.exceptions import EntityNotFoundError

            raise EntityNotFoundError(f"pipeline {self.name!r} has no runs yet")
        run: PipelineRunResponse = page.items[0]
        return run


class CodeReference(BaseModel):
    """Where a run's code lives: a commit of a registered code repository."""

    code_repository_id: UUID
    commit: str
    subdirectory: str = ""

    @property
    def code_repository(self) -> CodeRepositoryResponse:
        repo: CodeRepositoryResponse = default_store().get(
            "code_repository", self.code_repository_id
        )
        return repo


class SnapshotRequest(Request):
    pipeline_id: UUID
    stack_id: UUID
    build_id: UUID | None = None
    schedule_id: UUID | None = None
    run_name_template: str = "{pipeline}-{date}-{time}"
    pipeline_configuration: dict[str, Any] = {}
    step_configurations: dict[str, Any] = {}
    pipeline_spec: dict[str, Any] = {}
    code_reference: CodeReference | None = None
    code_path: str | None = None
    source: str | None = None


class SnapshotResponse(OwnedResponse):
    """The compiled DAG plus configuration of a pipeline: enough to run it again."""

    pipeline_id: UUID
    stack_id: UUID
    build_id: UUID | None = None
    schedule_id: UUID | None = None
    run_name_template: str = "{pipeline}-{date}-{time}"
    pipeline_configuration: dict[str, Any] = {}
    step_configurations: dict[str, Any] = {}
    pipeline_spec: dict[str, Any] = {}
    code_reference: CodeReference | None = None
    code_path: str | None = None
    source: str | None = None
    code_repository_id: UUID | None = None


class PipelineRunRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    status: ExecutionStatus = ExecutionStatus.INITIALIZING
    start_time: datetime | None = None
    end_time: datetime | None = None
    pipeline_id: UUID | None = None
    stack_id: UUID | None = None
    schedule_id: UUID | None = None
    build_id: UUID | None = None
    template_id: UUID | None = None
    snapshot_id: UUID | None = None
    code_reference: CodeReference | None = None
    code_path: str | None = None
    config: dict[str, Any] = {}
    orchestrator_run_id: str | None = None
    # what a run started from a template changes of it (parameters, steps, ...)
    run_configuration: dict[str, Any] | None = None
    tags: list[str] = []


class PipelineRunUpdate(Update):
    status: ExecutionStatus | None = None
    status_reason: str | None = None
    end_time: datetime | None = None
    start_time: datetime | None = None
    orchestrator_run_id: str | None = None
    # set by the worker of a run started from a template, once it compiled the pipeline
    snapshot_id: UUID | None = None
    config: dict[str, Any] | None = None
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


class PipelineRunResponse(OwnedResponse):
    name: str
    status: ExecutionStatus
    start_time: datetime | None = None
    end_time: datetime | None = None
    pipeline_id: UUID | None = None
    stack_id: UUID | None = None
    schedule_id: UUID | None = None
    build_id: UUID | None = None
    template_id: UUID | None = None
    snapshot_id: UUID | None = None
    code_repository_id: UUID | None = None
    code_reference: CodeReference | None = None
    code_path: str | None = None
    config: dict[str, Any] = {}
    orchestrator_run_id: str | None = None
    run_configuration: dict[str, Any] | None = None
    # why the run is failed or stopped when no step says so (its process died, ...)
    status_reason: str | None = None
    # the process running it promised a heartbeat before this; past it the run is failed
    heartbeat_deadline: datetime | None = None
    run_metadata: dict[str, Any] = {}
    tags: list[str] = []

    @property
    def pipeline(self) -> PipelineResponse | None:
        result: PipelineResponse | None = self._related("pipeline", self.pipeline_id)
        return result

    @property
    def stack(self) -> StackResponse | None:
        result: StackResponse | None = self._related("stack", self.stack_id)
        return result

    @property
    def snapshot(self) -> SnapshotResponse | None:
        result: SnapshotResponse | None = self._related("snapshot", self.snapshot_id)
        return result

    @property
    def released(self) -> bool:
        """Whether no process holds the run: the one that ran it let go once its steps'
        work ended, or died and missed its heartbeat. A stop's `wait` waits for this."""
        from stackyard.models.binding import utcnow

        return self.heartbeat_deadline is None or self.heartbeat_deadline < utcnow()

    @property
    def steps(self) -> dict[str, RunStepResponse]:
        """Step name → step run, in the order the steps started."""
        from stackyard.models.paging import depaginate_store

        steps = depaginate_store(self.store, "run_step", pipeline_run_id=self.id, sort_by="created")
        return {s.name: s for s in steps}

    @property
    def duration(self) -> float | None:
        if self.start_time is None or self.end_time is None:
            return None
        return (self.end_time - self.start_time).total_seconds()


class RunStepRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    pipeline_run_id: UUID
    status: ExecutionStatus = ExecutionStatus.RUNNING
    start_time: datetime | None = None
    end_time: datetime | None = None
    cache_key: str | None = None
    original_step_run_id: UUID | None = None
    code_hash: str | None = None
    source: str | None = None
    parameters: dict[str, Any] = {}
    config: dict[str, Any] = {}
    logs_uri: str | None = None
    # a step recorded when it already failed (its worker died before it could say so)
    error: str | None = None
    inputs: dict[str, UUID] = {}
    # set on create only for steps that produce nothing new (cached: the original's outputs)
    outputs: dict[str, UUID] = {}


class RunStepUpdate(Update):
    status: ExecutionStatus | None = None
    end_time: datetime | None = None
    error: str | None = None
    logs_uri: str | None = None
    # replace the recorded links: a step that loaded artifacts itself adds them as inputs
    inputs: dict[str, UUID] | None = None
    outputs: dict[str, UUID] | None = None
    attempts: int | None = None


class RunStepResponse(OwnedResponse):
    name: str
    status: ExecutionStatus
    pipeline_run_id: UUID
    start_time: datetime | None = None
    end_time: datetime | None = None
    cache_key: str | None = None
    original_step_run_id: UUID | None = None
    code_hash: str | None = None
    source: str | None = None
    parameters: dict[str, Any] = {}
    config: dict[str, Any] = {}
    logs_uri: str | None = None
    error: str | None = None
    attempts: int = 1
    input_ids: dict[str, UUID] = {}
    output_ids: dict[str, UUID] = {}
    run_metadata: dict[str, Any] = {}

    @property
    def pipeline_run(self) -> PipelineRunResponse:
        result: PipelineRunResponse = self.store.get("pipeline_run", self.pipeline_run_id)
        return result

    def _versions(self, ids: dict[str, UUID]) -> dict[str, ArtifactVersionResponse]:
        if not ids:
            return {}
        found = {v.id: v for v in self.store.list("artifact_version", id=list(ids.values()))}
        return {name: found[i] for name, i in ids.items() if i in found}

    @property
    def inputs(self) -> dict[str, ArtifactVersionResponse]:
        return self._versions(self.input_ids)

    @property
    def outputs(self) -> dict[str, ArtifactVersionResponse]:
        return self._versions(self.output_ids)

    @property
    def output(self) -> ArtifactVersionResponse:
        """The step's single output; an error if it has none or several."""
        outs = self.outputs
        if len(outs) != 1:
            from stackyard.exceptions import InputError

            raise InputError(
                f"step {self.name!r} has {len(outs)} outputs ({', '.join(outs) or 'none'}); "
                "use step.outputs[name]"
            )
        return next(iter(outs.values()))

    @property
    def logs(self) -> str:
        """Everything the step printed or logged, read from the artifact store."""
        if not self.logs_uri:
            return ""
        from stackyard.artifacts.fs import open_uri

        try:
            with open_uri(self.logs_uri, "rb") as handle:
                return bytes(handle.read()).decode("utf-8", errors="replace")
        except FileNotFoundError:  # a running step that has printed nothing yet
            return ""


register(
    ResourceSpec(
        name="pipeline",
        plural="pipelines",
        response=PipelineResponse,
        request=PipelineRequest,
        update=PipelineUpdate,
        unique=(("name",),),
        text=frozenset({"description"}),
        taggable=True,
        list_columns=("name", "description", "user", "created"),
    )
)
register(
    ResourceSpec(
        name="snapshot",
        plural="snapshots",
        response=SnapshotResponse,
        request=SnapshotRequest,
        name_field=None,
        text=frozenset({"source", "code_path", "run_name_template"}),
        soft_relations=frozenset({"schedule"}),
        hooks="pipelines",
    )
)
register(
    ResourceSpec(
        name="pipeline_run",
        plural="pipeline_runs",
        response=PipelineRunResponse,
        request=PipelineRunRequest,
        update=PipelineRunUpdate,
        unique=(("name",),),
        default_sort="desc:created",
        computed=frozenset({"run_metadata", "tags"}),
        text=frozenset({"code_path", "status_reason"}),
        private_columns={"claimed_at": "datetime"},
        indexes=(
            ("stack_id", "user_id", "start_time", "id"),  # the seed query's page
            ("stack_id", "user_id"),  # ... and its total: a narrow index counts faster
            ("pipeline_id", "created", "id"),
        ),
        taggable=True,
        has_metadata=True,
        hooks="pipelines",
        relation_aliases={"template": "run_template"},
        list_columns=("name", "status", "pipeline", "stack", "start_time", "duration", "user"),
    )
)
register(
    ResourceSpec(
        name="run_step",
        plural="run_steps",
        response=RunStepResponse,
        request=RunStepRequest,
        update=RunStepUpdate,
        unique=(("pipeline_run_id", "name"),),
        parent="pipeline_run",
        computed=frozenset({"input_ids", "output_ids", "run_metadata"}),
        text=frozenset({"error", "source", "logs_uri"}),
        indexes=(("pipeline_run_id", "created", "id"),),
        has_metadata=True,
        extra_filters=frozenset({"input_artifact_version_id"}),
        hooks="pipelines",
        relation_aliases={"original_step_run": "run_step"},
        list_columns=("name", "status", "start_time", "duration", "attempts", "cache_key"),
    )
)

# the names the public API has always had for the run_step models
StepRunRequest = RunStepRequest
StepRunResponse = RunStepResponse
StepRunUpdate = RunStepUpdate
