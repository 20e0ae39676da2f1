"""Artifacts (named series) and their numbered versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from pydantic import Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.enums import ArtifactType
from stackyard.models.spec import ResourceSpec, register

if TYPE_CHECKING:
    from stackyard.models.pipelines import RunStepResponse
    from stackyard.store.base import Store


class ArtifactRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    has_custom_name: bool = True
    tags: list[str] = []


class ArtifactUpdate(Update):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


class ArtifactResponse(OwnedResponse):
    name: str
    has_custom_name: bool = True
    tags: list[str] = []

    @property
    def versions(self) -> list[ArtifactVersionResponse]:
        """Every version of this artifact, in version order."""
        from stackyard.models.paging import depaginate_store

        return list(
            depaginate_store(self.store, "artifact_version", artifact_id=self.id, sort_by="number")
        )

    @property
    def latest_version(self) -> ArtifactVersionResponse:
        page = self.store.list("artifact_version", artifact_id=self.id, sort_by="desc:number")
        if not page.items:
            from stackyard.exceptions import EntityNotFoundError

            raise EntityNotFoundError(f"artifact {self.name!r} has no versions")
        version: ArtifactVersionResponse = page.items[0]
        return version


class ArtifactVersionRequest(Request):
    """A new version; `version` is assigned by the store (1, 2, ...) unless given."""

    name: str = Field(min_length=1, max_length=255)
    version: str | None = None
    uri: str
    type: ArtifactType = ArtifactType.DATA
    data_type: str
    materializer: str
    producer_step_run_id: UUID | None = None
    # the artifact store component holding `uri`; found from the uri when not given
    artifact_store_id: UUID | None = None
    content_hash: str | None = None
    tags: list[str] = []
    has_custom_name: bool = True
    metadata: dict[str, Any] = {}
    # joins this model version in the same write (a run's output)
    model_version_id: UUID | None = None
    is_model_artifact: bool = False
    is_deployment_artifact: bool = False


class ArtifactVersionUpdate(Update):
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


class ArtifactVersionResponse(OwnedResponse):
    artifact_id: UUID
    name: str
    version: str
    number: int | None = None
    uri: str
    type: ArtifactType = ArtifactType.DATA
    data_type: str
    materializer: str
    producer_step_run_id: UUID | None = None
    artifact_store_id: UUID | None = None
    content_hash: str | None = None
    run_metadata: dict[str, Any] = {}
    tags: list[str] = []

    @property
    def artifact(self) -> ArtifactResponse:
        result: ArtifactResponse = self.store.get("artifact", self.artifact_id)
        return result

    @property
    def producer_step_run(self) -> RunStepResponse | None:
        result: RunStepResponse | None = self._related("run_step", self.producer_step_run_id)
        return result

    @property
    def artifact_store_root(self) -> str:
        """The path of the artifact store holding this version: loading and pruning
        touch nothing outside it."""
        from stackyard.stack.stack import resolved_configuration
        from stackyard.utils.uris import innermost_root

        if self.artifact_store_id is not None:
            component = self.store.get("stack_component", self.artifact_store_id)
            store = cast("Store", self.store)  # a response is always bound to a full store
            return str(resolved_configuration(component, store).get("path", ""))
        # recorded before versions named their store: the store whose path holds it
        stores = self.store.list("stack_component", type="artifact_store", size=10_000)
        roots = {str(c.id): str(c.configuration.get("path", "")) for c in stores}
        found = innermost_root(self.uri, roots)
        if found is None:
            from stackyard.exceptions import IllegalOperationError

            raise IllegalOperationError(
                f"artifact version {self.name!r} v{self.version} names {self.uri!r}, which is "
                "inside no artifact store: it is not loaded"
            )
        return roots[found]

    def load(self) -> Any:
        """Read the stored value back with the materializer that wrote it, and the
        credentials of the artifact store that holds it (in any process)."""
        from stackyard.artifacts import load_value
        from stackyard.stack.access import artifact_store_access

        root = self.artifact_store_root
        with artifact_store_access(self.store, self.artifact_store_id):
            return load_value(self.uri, self.materializer, self.data_type, root=root)


register(
    ResourceSpec(
        name="artifact",
        plural="artifacts",
        response=ArtifactResponse,
        request=ArtifactRequest,
        update=ArtifactUpdate,
        unique=(("name",),),
        computed=frozenset({"tags"}),
        taggable=True,
        hooks="artifacts",
        list_columns=("name", "tags", "user", "created"),
    )
)
register(
    ResourceSpec(
        name="artifact_version",
        plural="artifact_versions",
        response=ArtifactVersionResponse,
        request=ArtifactVersionRequest,
        update=ArtifactVersionUpdate,
        unique=(("artifact_id", "version"),),
        name_field=None,
        computed=frozenset({"run_metadata", "tags"}),
        text=frozenset({"uri", "data_type", "materializer"}),
        indexes=(("artifact_id", "number"),),
        taggable=True,
        has_metadata=True,
        extra_filters=frozenset({"pipeline_run_id"}),
        hooks="artifacts",
        relation_aliases={"producer_step_run": "run_step", "artifact_store": "stack_component"},
        list_columns=("name", "version", "type", "data_type", "uri", "created"),
    )
)
