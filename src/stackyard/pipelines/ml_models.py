"""`Model` and `ArtifactConfig`: tying a run's outputs to a model version.

`@pipeline(model=Model(name="iris"))` (or the same on a `@step`) makes each run
create the model's next version, or attach to an existing one (`version=3`,
`"production"`, a version name); the run and every artifact its steps produce
are linked to that version. Outputs annotated with
`ArtifactConfig(is_model_artifact=True)` (or `is_deployment_artifact`) are linked
as such; the rest as data.

Existing versions are resolved, and the caller's right to add to them checked,
before anything of the run is recorded; a new version is created together with
its link to the run (one transaction), so no version exists without its run.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import AuthorizationError, EntityExistsError, InputError
from stackyard.models.enums import STAGE_CHOICES

if TYPE_CHECKING:
    from stackyard.models.ml_models import ModelResponse, ModelVersionResponse
    from stackyard.pipelines.pipeline import CompiledPipeline
    from stackyard.store.base import Store


@dataclass(frozen=True)
class Model:
    """Which model (and version) a pipeline or step works on.

    `version`: None creates the next version per run; a number, a stage
    (`staging`, `production`, `archived`, `latest`) or an existing version's name
    attaches to that version; a new name creates a version with that name. The
    other fields describe the model when a run registers it.
    """

    name: str
    version: str | int | None = None
    description: str | None = None
    license: str | None = None
    audience: str | None = None
    use_cases: str | None = None
    limitations: str | None = None
    trade_offs: str | None = None
    ethics: str | None = None
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(f"Model needs a name (a non-empty string), got {self.name!r}")
        version = self.version
        if isinstance(version, bool) or not isinstance(version, str | int | type(None)):
            raise InputError(
                f"version of Model {self.name!r} must be None (a new version), a number, a "
                f"stage ({', '.join(STAGE_CHOICES)}) or a version name, got {version!r}"
            )
        if isinstance(version, int) and version < 1:
            raise InputError(f"version of Model {self.name!r} must be 1 or more, got {version}")
        if isinstance(version, str) and not version.strip():
            raise InputError(f"version of Model {self.name!r} is an empty string")
        tags = self.tags
        if isinstance(tags, str) or not all(isinstance(t, str) for t in tags):
            raise InputError(f"tags of Model {self.name!r} must be a list of strings: {tags!r}")
        object.__setattr__(self, "tags", tuple(tags))

    @property
    def key(self) -> tuple[str, str | None]:
        """Models with the same key share one version within a run."""
        return self.name, None if self.version is None else str(self.version)

    def describe(self) -> dict[str, Any]:
        """What the run's configuration records of it."""
        return {"name": self.name, "version": self.version}

    def _registration(self) -> dict[str, Any]:
        fields = ("description", "license", "audience", "use_cases", "limitations")
        values = {f: getattr(self, f) for f in (*fields, "trade_offs", "ethics")}
        return {"name": self.name, **values, "tags": list(self.tags)}


@dataclass(frozen=True)
class ArtifactConfig:
    """How an output is stored and linked: `Annotated[X, ArtifactConfig(name="clf",
    is_model_artifact=True)]`. `name` names the artifact (like a plain string in
    `Annotated`); `tags` are added to each version."""

    name: str | None = None
    is_model_artifact: bool = False
    is_deployment_artifact: bool = False
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.name is not None and (not isinstance(self.name, str) or not self.name.strip()):
            raise InputError(f"ArtifactConfig name must be a non-empty string, got {self.name!r}")
        if isinstance(self.tags, str) or not all(isinstance(t, str) for t in self.tags):
            raise InputError(f"ArtifactConfig tags must be a list of strings: {self.tags!r}")
        object.__setattr__(self, "tags", tuple(self.tags))


@dataclass
class ModelPlan:
    """One model of a run, resolved before the run is recorded."""

    model: Model
    record: ModelResponse | None  # None: registered by the run
    version: ModelVersionResponse | None  # None: the run creates a new version


def plan_models(
    store: Store, compiled: CompiledPipeline
) -> dict[tuple[str, str | None], ModelPlan]:
    """Resolve the run's models: existing versions must exist and be the caller's to
    add to (or the caller an admin). Nothing is written."""
    from stackyard.exceptions import EntityNotFoundError
    from stackyard.models.ml_models import find_version

    plans: dict[tuple[str, str | None], ModelPlan] = {}
    actor = None
    for model in compiled.models():
        if model.key in plans:
            continue
        try:
            record: ModelResponse | None = store.find("model", model.name)
        except EntityNotFoundError:
            record = None
        if record is not None and record.name != model.name:
            record = None  # `find` also takes prefixes: this is another model
        version = None
        if model.version is not None:
            if record is None:
                if _names_existing(model.version):
                    raise EntityNotFoundError(
                        f"Model {model.name!r} version {model.version!r}: there is no model "
                        f"named {model.name!r} yet; leave out version to create its first one"
                    )
            else:
                try:
                    version = find_version(store, record, model.version)
                except EntityNotFoundError:
                    if _names_existing(model.version):
                        raise
        owner = version.user_id if version is not None else getattr(record, "user_id", None)
        if record is not None:
            actor = actor or store.current_user()
            if not actor.is_admin and owner != actor.id:
                what = f"version {version.name} of model" if version is not None else "model"
                raise AuthorizationError(
                    f"user {actor.name!r} may not add runs or artifacts to {what} "
                    f"{model.name!r}: it belongs to another user; ask its owner or an admin"
                )
        plans[model.key] = ModelPlan(model, record, version)
    return plans


def _names_existing(version: str | int) -> bool:
    """A number or a stage must name an existing version; another name may be new."""
    text = str(version)
    return isinstance(version, int) or text.isdigit() or text in STAGE_CHOICES


def attach_models(
    store: Store, plans: dict[tuple[str, str | None], ModelPlan], run_id: UUID
) -> dict[tuple[str, str | None], UUID]:
    """Link the run to each planned version, creating models and new versions (each
    new version with its run link, in one transaction). Model key -> version id."""
    attached: dict[tuple[str, str | None], UUID] = {}
    for key, plan in plans.items():
        if plan.version is not None:
            store.create(
                "model_version_pipeline_run_link",
                {"model_version_id": plan.version.id, "pipeline_run_id": run_id},
            )
            attached[key] = plan.version.id
            continue
        record = plan.record or _register(store, plan.model)
        created: ModelVersionResponse = store.create(
            "model_version",
            {
                "model_id": record.id,
                "name": None if plan.model.version is None else str(plan.model.version),
                "tags": list(plan.model.tags),
                "pipeline_run_id": run_id,
            },
        )
        attached[key] = created.id
    return attached


def _register(store: Store, model: Model) -> ModelResponse:
    """The model, registered now unless another process just did."""
    try:
        created: ModelResponse = store.create("model", model._registration())
        return created
    except EntityExistsError:
        found: ModelResponse = store.find("model", model.name)
        return found


def link_cached_outputs(
    store: Store,
    model_version_id: UUID,
    outputs: dict[str, Any],
    configs: dict[str, ArtifactConfig | None],
) -> None:
    """Link a cached step's outputs (taken from an earlier run) to this run's version,
    as the step's output annotations say (model, deployment or data artifacts)."""
    for name, ref in outputs.items():
        config = configs.get(name)
        # an earlier run attached to the same version may have linked it already
        with contextlib.suppress(EntityExistsError):
            store.create(
                "model_version_artifact_link",
                {
                    "model_version_id": model_version_id,
                    "artifact_version_id": ref.id,
                    "is_model_artifact": bool(config and config.is_model_artifact),
                    "is_deployment_artifact": bool(config and config.is_deployment_artifact),
                },
            )
