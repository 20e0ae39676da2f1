"""Client methods for code repositories: where a run's code can be fetched by commit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import CODE_REPOSITORY

if TYPE_CHECKING:
    from stackyard.client.filters import CodeRepositoryFilters
    from stackyard.models.base import Page
    from stackyard.models.code import CodeRepositoryResponse


class CodeMethods(ClientCore):
    def create_code_repository(
        self,
        name: str,
        config: dict[str, Any],
        source: str,
        description: str | None = None,
        logo_url: str | None = None,
    ) -> CodeRepositoryResponse:
        """`source`: "local_git", "github", "gitlab" or a flavor class path; `config` is
        validated by that flavor."""
        from stackyard.code.repositories import validate_config

        return self._create(
            CODE_REPOSITORY,
            name=name,
            source=source,
            config=validate_config(source, config),
            description=description or "",
            logo_url=logo_url,
        )

    def get_code_repository(self, name_id_or_prefix: str | UUID) -> CodeRepositoryResponse:
        return self._get(CODE_REPOSITORY, name_id_or_prefix)

    def list_code_repositories(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[CodeRepositoryFilters],
    ) -> Page[CodeRepositoryResponse]:
        return self._list(CODE_REPOSITORY, sort_by, page, size, logical_operator, filters)

    def update_code_repository(
        self,
        name_id_or_prefix: str | UUID,
        *,
        name: str | Unset = UNSET,
        config: dict[str, Any] | Unset = UNSET,
        description: str | Unset = UNSET,
        logo_url: str | Unset | None = UNSET,
    ) -> CodeRepositoryResponse:
        repo = self.get_code_repository(name_id_or_prefix)
        if not isinstance(config, Unset):
            from stackyard.code.repositories import validate_config

            config = validate_config(repo.source, config)
        changes = {"name": name, "config": config, "description": description, "logo_url": logo_url}
        return self._update_entity(CODE_REPOSITORY, repo.id, changes)

    def delete_code_repository(self, name_id_or_prefix: str | UUID) -> None:
        self._delete(CODE_REPOSITORY, name_id_or_prefix)
