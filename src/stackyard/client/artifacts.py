"""Client methods for artifacts and their versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import ARTIFACT, ARTIFACT_VERSION
from stackyard.exceptions import EntityNotFoundError

if TYPE_CHECKING:
    from stackyard.client.filters import ArtifactFilters, ArtifactVersionFilters
    from stackyard.models.artifacts import ArtifactResponse, ArtifactVersionResponse
    from stackyard.models.base import Page
    from stackyard.store.base import Store


class ArtifactMethods(ClientCore):
    # -- artifacts --------------------------------------------------------------------------
    def get_artifact(self, name_id_or_prefix: str | UUID) -> ArtifactResponse:
        return self._get(ARTIFACT, name_id_or_prefix)

    def list_artifacts(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ArtifactFilters],
    ) -> Page[ArtifactResponse]:
        return self._list(ARTIFACT, sort_by, page, size, logical_operator, filters)

    def update_artifact(
        self,
        name_id_or_prefix: str | UUID,
        *,
        new_name: str | Unset = UNSET,
        add_tags: list[str] | Unset = UNSET,
        remove_tags: list[str] | Unset = UNSET,
    ) -> ArtifactResponse:
        changes = {"name": new_name, "add_tags": add_tags, "remove_tags": remove_tags}
        return self._update(ARTIFACT, name_id_or_prefix, changes)

    def delete_artifact(self, name_id_or_prefix: str | UUID) -> None:
        """Delete an artifact and all its versions' records (stored data stays)."""
        self._delete(ARTIFACT, name_id_or_prefix)

    # -- versions ---------------------------------------------------------------------------
    def get_artifact_version(
        self, name_id_or_prefix: str | UUID, version: str | int | None = None
    ) -> ArtifactVersionResponse:
        """`("name", version="3")` picks a version; without `version`, the latest.
        An artifact version's id (or unique id prefix) also works."""
        return find_artifact_version(self.store, name_id_or_prefix, version)

    def list_artifact_versions(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ArtifactVersionFilters],
    ) -> Page[ArtifactVersionResponse]:
        return self._list(ARTIFACT_VERSION, sort_by, page, size, logical_operator, filters)

    def update_artifact_version(
        self,
        name_id_or_prefix: str | UUID,
        version: str | int | None = None,
        *,
        add_tags: list[str] | Unset = UNSET,
        remove_tags: list[str] | Unset = UNSET,
    ) -> ArtifactVersionResponse:
        target = self.get_artifact_version(name_id_or_prefix, version)
        changes = {"add_tags": add_tags, "remove_tags": remove_tags}
        return self._update_entity(ARTIFACT_VERSION, target.id, changes)

    def delete_artifact_version(
        self, name_id_or_prefix: str | UUID, version: str | int | None = None
    ) -> None:
        target = self.get_artifact_version(name_id_or_prefix, version)
        self.store.delete(ARTIFACT_VERSION.name, target.id)


def find_artifact_version(
    store: Store, name_id_or_prefix: str | UUID, version: str | int | None = None
) -> ArtifactVersionResponse:
    """The version `get_artifact_version` means: of the artifact named (or id'd) so, the
    latest or the one numbered `version`; else the artifact version with that id or id
    prefix. A function of the store, so that `log_metadata` inside a step (which has
    only the run's store) takes artifact versions the same way."""
    try:
        artifact: ArtifactResponse = store.find(ARTIFACT.name, name_id_or_prefix)
    except EntityNotFoundError as missing:
        if version is not None:
            raise
        try:
            found: ArtifactVersionResponse = store.find(ARTIFACT_VERSION.name, name_id_or_prefix)
        except EntityNotFoundError:
            raise EntityNotFoundError(
                f"{missing}; no artifact version matches {str(name_id_or_prefix)!r} by id or "
                "prefix either"
            ) from None
        return found
    if version is None:
        return artifact.latest_version
    page: Page[ArtifactVersionResponse] = store.list(
        ARTIFACT_VERSION.name, size=1, artifact_id=artifact.id, version=str(version)
    )
    if not page.items:
        raise EntityNotFoundError(
            f"artifact {artifact.name!r} has no version {version!r}; latest is "
            f"{artifact.latest_version.version}"
        )
    return page.items[0]
