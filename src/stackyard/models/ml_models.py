"""Models and their numbered versions: the model control plane.

A model (`iris`) is a named series of versions (1, 2, 3 ...); a version ties a
trained model to the runs that made or used it (`model_version_pipeline_run_link`)
and the artifacts they produced (`model_version_artifact_link`: model, deployment
or data artifacts). A version may hold a stage: `staging` and `production` have at
most one holder each (promoting with `force` moves the holder to `archived`), any
number may be `archived`, and `latest` is not stored: it names the highest number.
Every stage change is kept in the version's `stage_history`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from pydantic import BaseModel, Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.enums import LATEST_STAGE, STAGE_CHOICES, ModelStage
from stackyard.models.spec import ResourceSpec, register

if TYPE_CHECKING:
    from stackyard.models.artifacts import ArtifactVersionResponse
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.store.base import Store


_TEXT = Field(default=None, max_length=65_535)


class ModelRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    description: str | None = _TEXT
    license: str | None = Field(default=None, max_length=255)
    audience: str | None = _TEXT
    use_cases: str | None = _TEXT
    limitations: str | None = _TEXT
    trade_offs: str | None = _TEXT
    ethics: str | None = _TEXT
    tags: list[str] = []


class ModelUpdate(Update):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = _TEXT
    license: str | None = Field(default=None, max_length=255)
    audience: str | None = _TEXT
    use_cases: str | None = _TEXT
    limitations: str | None = _TEXT
    trade_offs: str | None = _TEXT
    ethics: str | None = _TEXT
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


class ModelResponse(OwnedResponse):
    name: str
    description: str | None = None
    license: str | None = None
    audience: str | None = None
    use_cases: str | None = None
    limitations: str | None = None
    trade_offs: str | None = None
    ethics: str | None = None
    tags: list[str] = []

    @property
    def versions(self) -> list[ModelVersionResponse]:
        """Every version of this model, by number."""
        from stackyard.models.paging import depaginate_store

        return list(
            depaginate_store(self.store, "model_version", model_id=self.id, sort_by="number")
        )

    @property
    def latest_version(self) -> ModelVersionResponse:
        """The version with the highest number; an error when there is none."""
        page = self.store.list("model_version", model_id=self.id, sort_by="desc:number", size=1)
        if not page.items:
            from stackyard.exceptions import EntityNotFoundError

            raise EntityNotFoundError(f"model {self.name!r} has no versions yet")
        version: ModelVersionResponse = page.items[0]
        return version

    def get_version(self, version: str | int | UUID | None = None) -> ModelVersionResponse:
        """A version by number, name, stage (`production`, `latest` ...) or id; without
        `version`, the latest."""
        return find_version(cast("Store", self.store), self, version)


class StageChange(BaseModel):
    """One change of a version's stage: who made it, when, from and to."""

    from_stage: ModelStage | None = None
    to_stage: ModelStage | None = None
    user_id: UUID | None = None
    time: datetime
    # set when the change was a side effect: the version whose promotion moved this one
    displaced_by: str | None = None


class ModelVersionRequest(Request):
    """A new version: numbered by the store (1, 2 ...); `name` defaults to the number.
    With `pipeline_run_id` the run is linked to the version in the same transaction."""

    model_id: UUID
    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = _TEXT
    tags: list[str] = []
    pipeline_run_id: UUID | None = None


class ModelVersionUpdate(Update):
    """`stage=None` takes the version out of its stage; `force` lets a promotion move
    the current holder of the stage to `archived`, or bring back an archived version."""

    name: str | None = Field(default=None, min_length=1, max_length=255)
    description: str | None = _TEXT
    stage: ModelStage | None = None
    force: bool = False
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


class ModelVersionResponse(OwnedResponse):
    model_id: UUID
    name: str
    number: int
    description: str | None = None
    stage: ModelStage | None = None
    stage_history: list[StageChange] = []
    run_metadata: dict[str, Any] = {}
    tags: list[str] = []

    @property
    def model(self) -> ModelResponse:
        result: ModelResponse = self.store.get("model", self.model_id)
        return result

    def set_stage(
        self, stage: ModelStage | str | None, force: bool = False
    ) -> ModelVersionResponse:
        """Move this version to `stage` (None: out of any stage). A stage another
        version holds needs `force=True`, which moves that version to `archived`;
        so does promoting an archived version. Returns the updated version."""
        updated: ModelVersionResponse = cast("Store", self.store).update(
            "model_version", self.id, {"stage": stage, "force": force}
        )
        self.__dict__.update(updated.__dict__)
        return updated

    # -- what the version links to ------------------------------------------------------------
    def artifact_links(self, **filters: Any) -> list[ModelVersionArtifactLinkResponse]:
        """Links to artifact versions, newest first; `filters` as for the list method."""
        from stackyard.models.paging import depaginate_store

        return list(
            depaginate_store(
                self.store,
                "model_version_artifact_link",
                model_version_id=self.id,
                sort_by="desc:created",
                **filters,
            )
        )

    def _versions(self, **filters: Any) -> dict[str, ArtifactVersionResponse]:
        """Artifact name -> the newest linked version, read in one query (not one each)."""
        newest: dict[str, UUID] = {}
        for link in reversed(self.artifact_links(**filters)):  # oldest first: newest wins
            newest[link.artifact_name] = link.artifact_version_id
        by_id = _by_id(self.store, "artifact_version", set(newest.values()))
        return {name: by_id[version_id] for name, version_id in newest.items()}

    @property
    def model_artifacts(self) -> dict[str, ArtifactVersionResponse]:
        """Artifact name -> its newest version linked as a model artifact."""
        return self._versions(is_model_artifact=True)

    @property
    def deployment_artifacts(self) -> dict[str, ArtifactVersionResponse]:
        return self._versions(is_deployment_artifact=True)

    @property
    def data_artifacts(self) -> dict[str, ArtifactVersionResponse]:
        return self._versions(is_model_artifact=False, is_deployment_artifact=False)

    @property
    def pipeline_runs(self) -> dict[str, PipelineRunResponse]:
        """Run name -> run, for every run linked to this version, oldest first."""
        from stackyard.models.paging import depaginate_store

        links = depaginate_store(
            self.store, "model_version_pipeline_run_link", model_version_id=self.id
        )
        ids = [link.pipeline_run_id for link in links]
        by_id = _by_id(self.store, "pipeline_run", set(ids))
        return {by_id[i].name: by_id[i] for i in ids}

    def get_artifact(self, name: str) -> ArtifactVersionResponse:
        """The newest version of artifact `name` linked to this model version."""
        page = self.store.list(
            "model_version_artifact_link",
            model_version_id=self.id,
            artifact_name=f"equals:{name}",
            sort_by="desc:created",
            size=1,
        )
        if not page.items:
            from stackyard.exceptions import EntityNotFoundError

            linked = sorted({link.artifact_name for link in self.artifact_links()})
            raise EntityNotFoundError(
                f"version {self.name!r} of model {self.model.name!r} has no artifact {name!r}; "
                "linked: " + (", ".join(linked) or "none")
            )
        link: ModelVersionArtifactLinkResponse = page.items[0]
        return link.artifact_version

    def load_artifact(self, name: str) -> Any:
        """The value of `get_artifact(name)` (inside a step it becomes the step's input)."""
        version = self.get_artifact(name)
        from stackyard.pipelines.context import current_context

        context = current_context()
        if context is not None:
            context.record_loaded(version, set(context.input_ids))
        return version.load()

    def log_metadata(self, values: Mapping[str, Any]) -> None:
        """Attach JSON-able `values` (metrics, notes) to this version."""
        from stackyard.exceptions import InputError
        from stackyard.pipelines.config import jsonable

        if not isinstance(values, Mapping) or not values:
            raise InputError(f"log_metadata needs a non-empty dict of values, got {values!r}")
        data = jsonable(dict(values), "metadata")
        cast("Store", self.store).create(
            "run_metadata",
            {"resource_type": "model_version", "resource_id": self.id, "values": data},
        )
        self.run_metadata = {**self.run_metadata, **data}


class ModelVersionArtifactLinkRequest(Request):
    model_version_id: UUID
    artifact_version_id: UUID
    is_model_artifact: bool = False
    is_deployment_artifact: bool = False


class ModelVersionArtifactLinkResponse(OwnedResponse):
    model_id: UUID
    model_version_id: UUID
    artifact_version_id: UUID
    # the artifact's name, kept on the link so `get_artifact(name)` is one indexed read
    artifact_name: str
    is_model_artifact: bool = False
    is_deployment_artifact: bool = False

    @property
    def artifact_version(self) -> ArtifactVersionResponse:
        result: ArtifactVersionResponse = self.store.get(
            "artifact_version", self.artifact_version_id
        )
        return result

    @property
    def model_version(self) -> ModelVersionResponse:
        result: ModelVersionResponse = self.store.get("model_version", self.model_version_id)
        return result


class ModelVersionPipelineRunLinkRequest(Request):
    model_version_id: UUID
    pipeline_run_id: UUID


class ModelVersionPipelineRunLinkResponse(OwnedResponse):
    model_id: UUID
    model_version_id: UUID
    pipeline_run_id: UUID

    @property
    def pipeline_run(self) -> PipelineRunResponse:
        result: PipelineRunResponse = self.store.get("pipeline_run", self.pipeline_run_id)
        return result

    @property
    def model_version(self) -> ModelVersionResponse:
        result: ModelVersionResponse = self.store.get("model_version", self.model_version_id)
        return result


register(
    ResourceSpec(
        name="model",
        plural="models",
        response=ModelResponse,
        request=ModelRequest,
        update=ModelUpdate,
        unique=(("name",),),
        computed=frozenset({"tags"}),
        text=frozenset(
            {"description", "audience", "use_cases", "limitations", "trade_offs", "ethics"}
        ),
        taggable=True,
        hooks="ml_models",
        list_columns=("name", "license", "tags", "user", "created"),
    )
)
register(
    ResourceSpec(
        name="model_version",
        plural="model_versions",
        response=ModelVersionResponse,
        request=ModelVersionRequest,
        update=ModelVersionUpdate,
        unique=(("model_id", "number"), ("model_id", "name")),
        name_field=None,
        computed=frozenset({"run_metadata", "tags"}),
        text=frozenset({"description"}),
        indexes=(("model_id", "stage"),),
        taggable=True,
        has_metadata=True,
        parent="model",
        hooks="ml_models",
        list_columns=("model", "number", "name", "stage", "tags", "created"),
    )
)
register(
    ResourceSpec(
        name="model_version_artifact_link",
        plural="model_version_artifact_links",
        response=ModelVersionArtifactLinkResponse,
        request=ModelVersionArtifactLinkRequest,
        unique=(("model_version_id", "artifact_version_id"),),
        name_field=None,
        indexes=(("model_version_id", "artifact_name"),),
        parent="model_version",
        hooks="ml_models",
        list_columns=(
            "model_version",
            "artifact_name",
            "artifact_version",
            "is_model_artifact",
            "is_deployment_artifact",
        ),
    )
)
register(
    ResourceSpec(
        name="model_version_pipeline_run_link",
        plural="model_version_pipeline_run_links",
        response=ModelVersionPipelineRunLinkResponse,
        request=ModelVersionPipelineRunLinkRequest,
        unique=(("model_version_id", "pipeline_run_id"),),
        name_field=None,
        parent="model_version",
        hooks="ml_models",
        list_columns=("model_version", "pipeline_run", "created"),
    )
)


def _by_id(store: Any, kind: str, ids: set[UUID]) -> dict[UUID, Any]:
    """Entities of `kind` by id, a page of them per query."""
    from stackyard.models.paging import depaginate_store

    found: dict[UUID, Any] = {}
    wanted = sorted(ids, key=str)
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        found.update((e.id, e) for e in depaginate_store(store, kind, id=chunk))
    return found


def find_version(
    store: Store, model: ModelResponse, version: str | int | UUID | None
) -> ModelVersionResponse:
    """Resolve `version` of `model`: None or `latest` (the highest number), a stage, a
    number, a version name, or a version's id (or unique id prefix)."""
    from stackyard.exceptions import EntityNotFoundError, InputError

    if version is None or version == LATEST_STAGE:
        return model.latest_version
    if isinstance(version, bool) or not isinstance(version, str | int | UUID):
        raise InputError(
            f"version must be a number, a name, a stage ({', '.join(STAGE_CHOICES)}) or an "
            f"id, got {version!r}"
        )
    text = str(version)
    if text in STAGE_CHOICES:
        filters: dict[str, Any] = {"stage": text}
    elif isinstance(version, int) or text.isdigit():
        filters = {"number": int(text)}
    else:
        filters = {"name": f"equals:{text}"}
    if not isinstance(version, UUID):
        page = store.list("model_version", model_id=model.id, size=1, **filters)
        if page.items:
            found: ModelVersionResponse = page.items[0]
            return found
    if "name" in filters or isinstance(version, UUID):
        try:
            by_id: ModelVersionResponse = store.find("model_version", text)
        except (EntityNotFoundError, InputError):
            by_id = None  # type: ignore[assignment]
        if by_id is not None and by_id.model_id == model.id:
            return by_id
    if "stage" in filters:
        raise EntityNotFoundError(
            f"no version of model {model.name!r} is in stage {text!r}; "
            + _stages_held(store, model)
        )
    latest = store.list("model_version", model_id=model.id, sort_by="desc:number", size=1)
    shown = f"versions 1 to {latest.items[0].number}" if latest.items else "no versions yet"
    raise EntityNotFoundError(
        f"model {model.name!r} has no version {text!r} (by number, name or id); it has {shown}"
    )


def _stages_held(store: Store, model: ModelResponse) -> str:
    held = store.list("model_version", model_id=model.id, stage=list(ModelStage), size=10)
    pairs = [f"{v.stage.value}: version {v.name}" for v in held.items if v.stage is not None]
    return ("stages held: " + ", ".join(pairs)) if pairs else "no version holds a stage"
