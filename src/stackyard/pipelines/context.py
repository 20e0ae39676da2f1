"""What a running step can know about itself, and attaching metadata to records.

`get_step_context()` works inside a step function and its hooks; it is a
context variable, so each step (and each worker process) sees its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import IllegalOperationError, InputError
from stackyard.pipelines.config import jsonable

if TYPE_CHECKING:
    from stackyard.models.artifacts import ArtifactVersionResponse
    from stackyard.models.ml_models import ModelVersionResponse
    from stackyard.models.pipelines import PipelineRunResponse, RunStepResponse
    from stackyard.stack.stack import Stack
    from stackyard.store.base import Store


@dataclass
class StepContext:
    """The run, step and stack a step is running in, and where its outputs go."""

    pipeline_name: str
    run_name: str
    run_id: UUID
    step_name: str
    step_run_id: UUID
    parameters: dict[str, Any]
    output_uris: dict[str, str]
    store: Store
    stack_id: UUID
    # the model version this step's outputs join (see `stackyard.pipelines.ml_models`)
    model_version_id: UUID | None = None
    _stack: Stack | None = field(default=None, repr=False)
    _model: ModelVersionResponse | None = field(default=None, repr=False)
    # the step's inputs (input name → artifact version id), as the step run records them
    input_ids: dict[str, UUID] = field(default_factory=dict)
    # artifact versions the step loaded itself (`load_artifact`): input name → id
    loaded_inputs: dict[str, UUID] = field(default_factory=dict)

    def record_loaded(self, version: ArtifactVersionResponse, taken: set[str]) -> None:
        """Note that the step loaded `version`, as an input named after its artifact
        (suffixed with its version when the name is taken)."""
        if version.id in self.loaded_inputs.values():
            return
        name = version.name
        if name in taken or name in self.loaded_inputs:
            name = f"{version.name}_v{version.version}"
        self.loaded_inputs[name] = version.id

    @property
    def step_run(self) -> RunStepResponse:
        """The step run record, read fresh (it is written as the step runs)."""
        found: RunStepResponse = self.store.get("run_step", self.step_run_id)
        return found

    @property
    def pipeline_run(self) -> PipelineRunResponse:
        """The run record, read fresh (its status and metadata change while it runs)."""
        run: PipelineRunResponse = self.store.get("pipeline_run", self.run_id)
        return run

    @property
    def model(self) -> ModelVersionResponse:
        """The model version this run works on (`@pipeline(model=...)` or `@step(model=...)`):
        `.get_artifact(name)`, `.load_artifact(name)`, `.log_metadata({...})`."""
        if self.model_version_id is None:
            raise IllegalOperationError(
                f"step {self.step_name!r} has no model: give it or its pipeline "
                "model=Model(name=...)"
            )
        if self._model is None:
            self._model = self.store.get("model_version", self.model_version_id)
        return self._model

    @property
    def stack(self) -> Stack:
        """The live stack of this run (built on first use in a worker process)."""
        if self._stack is None:
            from stackyard.stack.stack import Stack

            self._stack = Stack.from_model(self.store.get("stack", self.stack_id))
        return self._stack

    def get_output_uri(self, output_name: str | None = None) -> str:
        """Where an output will be stored; `output_name` may be omitted for a single output."""
        if output_name is None:
            if len(self.output_uris) != 1:
                raise InputError(
                    f"step {self.step_name!r} has {len(self.output_uris)} outputs; name one of: "
                    + (", ".join(self.output_uris) or "none")
                )
            return next(iter(self.output_uris.values()))
        try:
            return self.output_uris[output_name]
        except KeyError:
            raise InputError(
                f"step {self.step_name!r} has no output {output_name!r}; outputs: "
                + (", ".join(self.output_uris) or "none")
            ) from None


_CONTEXT: ContextVar[StepContext | None] = ContextVar("stackyard_step_context", default=None)


def current_context() -> StepContext | None:
    return _CONTEXT.get()


def set_context(context: StepContext | None) -> Any:
    """Make `context` current; returns the token to restore the previous one."""
    return _CONTEXT.set(context)


def reset_context(token: Any) -> None:
    _CONTEXT.reset(token)


def get_step_context() -> StepContext:
    """The context of the step running now; an error anywhere else."""
    context = _CONTEXT.get()
    if context is None:
        raise IllegalOperationError(
            "get_step_context() only works while a step runs (inside a @step function or its hooks)"
        )
    return context


def log_metadata(
    values: Mapping[str, Any],
    *,
    run_id: str | UUID | None = None,
    step_id: str | UUID | None = None,
    artifact_version_id: str | UUID | None = None,
) -> None:
    """Attach JSON-able `values` to a pipeline run, step run or artifact version.

    Inside a step, without ids, they go to the current step run. Each id may
    also be a name or a unique prefix (an artifact's name means its latest version);
    ids may be combined to attach the same values to several records.
    """
    if not isinstance(values, Mapping) or not values:
        raise InputError(f"log_metadata needs a non-empty dict of values, got {values!r}")
    data = jsonable(dict(values), "metadata")
    given = [
        (kind, value)
        for kind, value in (
            ("pipeline_run", run_id),
            ("run_step", step_id),
            ("artifact_version", artifact_version_id),
        )
        if value is not None
    ]
    context = _CONTEXT.get()
    if context is not None:
        store = context.store
    elif given:
        from stackyard.client import Client

        store = Client().store
    else:
        raise InputError("log_metadata outside a step needs run_id, step_id or artifact_version_id")
    from stackyard.client.tags import metadata_target

    # ids, names and prefixes, resolved like every other API (a full id costs one read)
    targets = [(kind, metadata_target(store, kind, value)) for kind, value in given]
    if not targets and context is not None:
        targets = [("run_step", context.step_run_id)]
    for kind, target in targets:
        store.create("run_metadata", {"resource_type": kind, "resource_id": target, "values": data})
