"""Client methods for service accounts and their API keys.

A service account is a user that logs in with API keys instead of a password
(`stackyard login URL --api-key KEY`, or `RestStore(url, api_key=...)`). A key
is shown once, when it is created or rotated; the store keeps only its hash.
Only admins and the service account itself manage its keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.client.core import ClientCore
from stackyard.exceptions import EntityNotFoundError

if TYPE_CHECKING:
    from stackyard.models.base import Page
    from stackyard.models.users import APIKeyResponse, UserResponse


class AccountMethods(ClientCore):
    # -- service accounts ---------------------------------------------------------------------
    def create_service_account(
        self, name: str, description: str = "", active: bool = True
    ) -> UserResponse:
        """A user without a password that logs in with API keys (admins only).
        `description` is kept as the account's `full_name`."""
        result: UserResponse = self._create(
            "user", name=name, full_name=description, active=active, is_service_account=True
        )
        return result

    def get_service_account(self, name_id_or_prefix: str | UUID) -> UserResponse:
        try:
            result: UserResponse = self._get("user", name_id_or_prefix, is_service_account=True)
        except EntityNotFoundError:
            found = self.list_rows("user", is_service_account=True, size=5).items
            known = [str(u["name"]) for u in found]
            raise EntityNotFoundError(
                f"no service account matches {str(name_id_or_prefix)!r} by id, name or prefix; "
                f"service accounts: {', '.join(known) or 'none'}"
            ) from None
        return result

    def list_service_accounts(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[UserResponse]:
        """Filters: name, full_name, active, created, updated."""
        filters["is_service_account"] = True
        return self._list("user", sort_by, page, size, logical_operator, filters)

    def update_service_account(
        self,
        name_id_or_prefix: str | UUID,
        new_name: str | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> UserResponse:
        """Deactivating an account (active=False) revokes its tokens and blocks its keys."""
        account = self.get_service_account(name_id_or_prefix)
        changes = {"name": new_name, "full_name": description, "active": active}
        result: UserResponse = self.store.update(
            "user", account.id, {k: v for k, v in changes.items() if v is not None}
        )
        return result

    def delete_service_account(self, name_id_or_prefix: str | UUID) -> None:
        """Delete an account that owns nothing, with its API keys."""
        account = self.get_service_account(name_id_or_prefix)
        for key in self.list_rows("api_key", service_account_id=str(account.id), size=1000).items:
            self.store.delete("api_key", key["id"])
        self.store.delete("user", account.id)

    # -- API keys -------------------------------------------------------------------------------
    def create_api_key(
        self, service_account: str | UUID, name: str, description: str = ""
    ) -> APIKeyResponse:
        """A new key for `service_account`; its secret is in `.key`, this once only."""
        account = self.get_service_account(service_account)
        result: APIKeyResponse = self._create(
            "api_key", name=name, service_account_id=account.id, description=description
        )
        return result

    def get_api_key(
        self, service_account: str | UUID, name_id_or_prefix: str | UUID
    ) -> APIKeyResponse:
        """A key of `service_account` by name, id or prefix (without its secret)."""
        account = self.get_service_account(service_account)
        result: APIKeyResponse = self._get(
            "api_key", name_id_or_prefix, service_account_id=str(account.id)
        )
        return result

    def list_api_keys(
        self,
        service_account: str | UUID,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[APIKeyResponse]:
        """The keys of `service_account`. Filters: name, description, active, last_used."""
        filters["service_account_id"] = str(self.get_service_account(service_account).id)
        return self._list("api_key", sort_by, page, size, logical_operator, filters)

    def update_api_key(
        self,
        service_account: str | UUID,
        name_id_or_prefix: str | UUID,
        name: str | None = None,
        description: str | None = None,
        active: bool | None = None,
    ) -> APIKeyResponse:
        key = self.get_api_key(service_account, name_id_or_prefix)
        changes = {"name": name, "description": description, "active": active}
        result: APIKeyResponse = self.store.update(
            "api_key", key.id, {k: v for k, v in changes.items() if v is not None}
        )
        return result

    def rotate_api_key(
        self, service_account: str | UUID, name_id_or_prefix: str | UUID
    ) -> APIKeyResponse:
        """A new secret for the key (in `.key`, shown once); the old one stops at once."""
        return self.store.rotate_api_key(self.get_api_key(service_account, name_id_or_prefix).id)

    def deactivate_api_key(
        self, service_account: str | UUID, name_id_or_prefix: str | UUID
    ) -> APIKeyResponse:
        """Revoke a key (and the tokens it gave) without deleting its record."""
        return self.update_api_key(service_account, name_id_or_prefix, active=False)

    def delete_api_key(self, service_account: str | UUID, name_id_or_prefix: str | UUID) -> None:
        self.store.delete("api_key", self.get_api_key(service_account, name_id_or_prefix).id)
