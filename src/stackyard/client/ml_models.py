"""Client methods for models, their versions and what the versions link to."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import (
    MODEL,
    MODEL_VERSION,
    MODEL_VERSION_ARTIFACT_LINK,
    MODEL_VERSION_PIPELINE_RUN_LINK,
)
from stackyard.exceptions import EntityNotFoundError, InputError

if TYPE_CHECKING:
    from stackyard.client.filters import (
        ModelFilters,
        ModelVersionArtifactLinkFilters,
        ModelVersionFilters,
        ModelVersionPipelineRunLinkFilters,
    )
    from stackyard.models.base import Page
    from stackyard.models.enums import ModelStage
    from stackyard.models.ml_models import (
        ModelResponse,
        ModelVersionArtifactLinkResponse,
        ModelVersionPipelineRunLinkResponse,
        ModelVersionResponse,
    )

Text = str | None


class ModelMethods(ClientCore):
    # -- models -----------------------------------------------------------------------------
    def create_model(
        self,
        name: str,
        *,
        description: Text = None,
        license: Text = None,
        audience: Text = None,
        use_cases: Text = None,
        limitations: Text = None,
        trade_offs: Text = None,
        ethics: Text = None,
        tags: list[str] | None = None,
    ) -> ModelResponse:
        """Register a model (runs with `Model(name=...)` register theirs on first use)."""
        return self._create(
            MODEL,
            name=name,
            description=description,
            license=license,
            audience=audience,
            use_cases=use_cases,
            limitations=limitations,
            trade_offs=trade_offs,
            ethics=ethics,
            tags=tags or [],
        )

    def get_model(self, name_id_or_prefix: str | UUID) -> ModelResponse:
        return self._get(MODEL, name_id_or_prefix)

    def list_models(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ModelFilters],
    ) -> Page[ModelResponse]:
        return self._list(MODEL, sort_by, page, size, logical_operator, filters)

    def update_model(
        self,
        name_id_or_prefix: str | UUID,
        *,
        name: str | Unset = UNSET,
        description: Text | Unset = UNSET,
        license: Text | Unset = UNSET,
        audience: Text | Unset = UNSET,
        use_cases: Text | Unset = UNSET,
        limitations: Text | Unset = UNSET,
        trade_offs: Text | Unset = UNSET,
        ethics: Text | Unset = UNSET,
        add_tags: list[str] | Unset = UNSET,
        remove_tags: list[str] | Unset = UNSET,
    ) -> ModelResponse:
        changes = {
            "name": name,
            "description": description,
            "license": license,
            "audience": audience,
            "use_cases": use_cases,
            "limitations": limitations,
            "trade_offs": trade_offs,
            "ethics": ethics,
            "add_tags": add_tags,
            "remove_tags": remove_tags,
        }
        return self._update(MODEL, name_id_or_prefix, changes)

    def delete_model(self, name_id_or_prefix: str | UUID, *, force: bool = False) -> None:
        """Delete a model; refused while it has versions, unless `force` (then its
        versions and their links go with it, in one transaction)."""
        self._delete(MODEL, name_id_or_prefix, force=force)

    # -- versions ---------------------------------------------------------------------------
    def create_model_version(
        self,
        model: str | UUID,
        *,
        name: str | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
    ) -> ModelVersionResponse:
        """The next version of `model` (numbered by the store; `name` defaults to it)."""
        found = self.get_model(model)
        return self._create(
            MODEL_VERSION,
            model_id=found.id,
            name=name,
            description=description,
            tags=tags or [],
        )

    def get_model_version(
        self, model: str | UUID, version: str | int | UUID | None = None
    ) -> ModelVersionResponse:
        """A version of `model` by number (3 or "3"), name, stage ("production",
        "staging", "archived", "latest") or id; without `version`, the latest. A model
        version's id alone (as `model`) works too."""
        from stackyard.models.ml_models import find_version

        try:
            found = self.get_model(model)
        except EntityNotFoundError:
            if version is not None:
                raise
            return self._get(MODEL_VERSION, model)
        return find_version(self.store, found, version)

    def list_model_versions(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ModelVersionFilters],
    ) -> Page[ModelVersionResponse]:
        """E.g. `list_model_versions(model="iris", stage="production")`."""
        return self._list(MODEL_VERSION, sort_by, page, size, logical_operator, filters)

    def update_model_version(
        self,
        model: str | UUID,
        version: str | int | UUID | None = None,
        *,
        name: str | Unset = UNSET,
        description: Text | Unset = UNSET,
        stage: ModelStage | str | Unset | None = UNSET,
        force: bool = False,
        add_tags: list[str] | Unset = UNSET,
        remove_tags: list[str] | Unset = UNSET,
    ) -> ModelVersionResponse:
        """Rename, describe, tag or move a version between stages (`stage=None` takes it
        out of its stage); see `ModelVersionResponse.set_stage` for `force`."""
        if isinstance(stage, str) and stage == "latest":
            raise InputError(
                "'latest' is not a stage to set: it always names the highest version number; "
                "choose staging, production, archived, or None"
            )
        target = self.get_model_version(model, version)
        changes = {
            "name": name,
            "description": description,
            "stage": stage,
            "force": force,
            "add_tags": add_tags,
            "remove_tags": remove_tags,
        }
        return self._update_entity(MODEL_VERSION, target.id, changes)

    def delete_model_version(
        self, model: str | UUID, version: str | int | UUID | None = None
    ) -> None:
        """Delete a version and its links (the runs and artifacts stay)."""
        target = self.get_model_version(model, version)
        self.store.delete(MODEL_VERSION.name, target.id)

    # -- links ------------------------------------------------------------------------------
    def list_model_version_artifact_links(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ModelVersionArtifactLinkFilters],
    ) -> Page[ModelVersionArtifactLinkResponse]:
        """E.g. `(model_version_id=v.id, is_model_artifact=True)`."""
        return self._list(
            MODEL_VERSION_ARTIFACT_LINK, sort_by, page, size, logical_operator, filters
        )

    def list_model_version_pipeline_run_links(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ModelVersionPipelineRunLinkFilters],
    ) -> Page[ModelVersionPipelineRunLinkResponse]:
        return self._list(
            MODEL_VERSION_PIPELINE_RUN_LINK, sort_by, page, size, logical_operator, filters
        )
