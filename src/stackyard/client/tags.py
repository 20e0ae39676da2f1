"""Client methods for tags and run metadata: small facts attached to other entities."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack
from uuid import UUID

from stackyard.client.artifacts import find_artifact_version
from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Kind, Unset
from stackyard.client.kinds import ARTIFACT_VERSION, PIPELINE_RUN, RUN_METADATA, RUN_STEP, TAG
from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from stackyard.client.filters import RunMetadataFilters, TagFilters
    from stackyard.models.base import Page
    from stackyard.models.tags import RunMetadataResponse, TagResponse
    from stackyard.store.base import Store


class TagMethods(ClientCore):
    # -- tags ---------------------------------------------------------------------------------
    def create_tag(self, name: str, color: str = "grey") -> TagResponse:
        return self._create(TAG, name=name, color=color)

    def get_tag(self, name_id_or_prefix: str | UUID) -> TagResponse:
        return self._get(TAG, name_id_or_prefix)

    def list_tags(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[TagFilters],
    ) -> Page[TagResponse]:
        return self._list(TAG, sort_by, page, size, logical_operator, filters)

    def update_tag(
        self,
        name_id_or_prefix: str | UUID,
        *,
        name: str | Unset = UNSET,
        color: str | Unset = UNSET,
    ) -> TagResponse:
        return self._update(TAG, name_id_or_prefix, {"name": name, "color": color})

    def delete_tag(self, name_id_or_prefix: str | UUID) -> None:
        self._delete(TAG, name_id_or_prefix)

    # -- run metadata -------------------------------------------------------------------------
    def log_metadata(
        self,
        metadata: dict[str, Any],
        *,
        run_id: str | UUID | None = None,
        step_id: str | UUID | None = None,
        artifact_version_id: str | UUID | None = None,
    ) -> None:
        """Attach metadata to one run, step run or artifact version: exactly one of them,
        each given by id, name or unique prefix like everywhere else (an artifact's name
        means its latest version, as in `get_artifact_version`)."""
        targets: list[tuple[Kind[Any], str | UUID | None]] = [
            (PIPELINE_RUN, run_id),
            (RUN_STEP, step_id),
            (ARTIFACT_VERSION, artifact_version_id),
        ]
        given = [(kind, value) for kind, value in targets if value is not None]
        if len(given) != 1:
            raise InputError(
                "log_metadata needs exactly one of run_id, step_id or artifact_version_id"
            )
        kind, value = given[0]
        assert value is not None
        target = metadata_target(self.store, kind.name, value)
        self._create(
            RUN_METADATA, resource_type=kind.name, resource_id=str(target), values=metadata
        )

    def get_run_metadata(self, id_or_prefix: str | UUID) -> RunMetadataResponse:
        """One metadata entry (one key of one entity) by id, unique id prefix or key."""
        return self._get(RUN_METADATA, id_or_prefix)

    def list_run_metadata(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[RunMetadataFilters],
    ) -> Page[RunMetadataResponse]:
        return self._list(RUN_METADATA, sort_by, page, size, logical_operator, filters)


def metadata_target(store: Store, kind: str, name_id_or_prefix: str | UUID) -> UUID:
    """The id of the record `log_metadata` (the Client's and `stackyard.log_metadata`)
    attaches to: a run or step run by id, name or prefix; an artifact version as
    `get_artifact_version` takes it, its artifact's name meaning the latest version."""
    if kind == ARTIFACT_VERSION.name:
        return find_artifact_version(store, name_id_or_prefix).id
    found_id: UUID = store.find(kind, name_id_or_prefix).id
    return found_id
