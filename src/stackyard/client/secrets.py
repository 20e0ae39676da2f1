"""Client methods for secrets: named sets of values, encrypted at rest."""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import SECRET

if TYPE_CHECKING:
    from stackyard.client.filters import SecretFilters
    from stackyard.models.base import Page
    from stackyard.models.secrets import SecretResponse


class SecretMethods(ClientCore):
    def create_secret(
        self, name: str, values: dict[str, str], private: bool = False
    ) -> SecretResponse:
        """Store values encrypted; a private secret is visible to its owner only."""
        return self._create(SECRET, name=name, values=values, private=private)

    def get_secret(self, name_id_or_prefix: str | UUID) -> SecretResponse:
        """The secret with its values in `secret_values`."""
        return self._get(SECRET, name_id_or_prefix)

    def list_secrets(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[SecretFilters],
    ) -> Page[SecretResponse]:
        """Secrets without their values."""
        return self._list(SECRET, sort_by, page, size, logical_operator, filters)

    def update_secret(
        self,
        name_id_or_prefix: str | UUID,
        *,
        new_name: str | Unset = UNSET,
        add_or_update_values: dict[str, str] | Unset = UNSET,
        remove_values: list[str] | Unset = UNSET,
        private: bool | Unset = UNSET,
    ) -> SecretResponse:
        changes = {
            "name": new_name,
            "private": private,
            "add_or_update_values": add_or_update_values,
            "remove_values": remove_values,
        }
        return self._update(SECRET, name_id_or_prefix, changes)

    def delete_secret(self, name_id_or_prefix: str | UUID) -> None:
        self._delete(SECRET, name_id_or_prefix)
