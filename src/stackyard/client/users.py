"""Client methods for users, service accounts and their API keys.

A service account is a user that logs in with API keys instead of a password
(`stackyard login URL --api-key KEY`, or `RestStore(url, api_key=...)`). A key
is shown once, when it is created or rotated; the store keeps only its hash.
Only admins and the service account itself manage its keys.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import API_KEY, USER
from stackyard.exceptions import EntityNotFoundError

if TYPE_CHECKING:
    from stackyard.client.filters import APIKeyFilters, UserFilters
    from stackyard.models.base import Page
    from stackyard.models.users import APIKeyResponse, UserResponse


class UserMethods(ClientCore):
    # -- users --------------------------------------------------------------------------------
    def create_user(
        self,
        name: str,
        password: str | None = None,
        is_admin: bool = False,
        full_name: str = "",
        email: str | None = None,
        is_service_account: bool = False,
    ) -> UserResponse:
        """Create a user (admins only); the password is stored as an argon2 hash."""
        return self._create(
            USER,
            name=name,
            password=password,
            is_admin=is_admin,
            full_name=full_name,
            email=email,
            is_service_account=is_service_account,
        )

    def get_user(self, name_id_or_prefix: str | UUID) -> UserResponse:
        return self._get(USER, name_id_or_prefix)

    def list_users(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[UserFilters],
    ) -> Page[UserResponse]:
        return self._list(USER, sort_by, page, size, logical_operator, filters)

    def update_user(
        self,
        name_id_or_prefix: str | UUID,
        *,
        full_name: str | Unset = UNSET,
        email: str | Unset | None = UNSET,
        is_admin: bool | Unset = UNSET,
        active: bool | Unset = UNSET,
        password: str | Unset = UNSET,
        new_name: str | Unset = UNSET,
    ) -> UserResponse:
        """Changing the password or deactivating a user revokes their tokens;
        `email=None` clears the e-mail address."""
        changes = {
            "full_name": full_name,
            "email": email,
            "is_admin": is_admin,
            "active": active,
            "password": password,
            "name": new_name,
        }
        return self._update(USER, name_id_or_prefix, changes)

    def delete_user(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a user who owns nothing (else deactivate them with active=False)."""
        self._delete(USER, name_id_or_prefix)

    # -- service accounts ---------------------------------------------------------------------
    def create_service_account(
        self, name: str, description: str = "", active: bool = True
    ) -> UserResponse:
        """A user without a password that logs in with API keys (admins only).
        `description` is kept as the account's `full_name`."""
        return self._create(
            USER, name=name, full_name=description, active=active, is_service_account=True
        )

    def get_service_account(self, name_id_or_prefix: str | UUID) -> UserResponse:
        try:
            return self._get(USER, name_id_or_prefix, is_service_account=True)
        except EntityNotFoundError:
            found = self.list_rows("user", is_service_account=True, size=5).items
            known = [str(u["name"]) for u in found]
            raise EntityNotFoundError(
                f"no service account matches {str(name_id_or_prefix)!r} by id, name or prefix; "
                f"service accounts: {', '.join(known) or 'none'}"
            ) from None

    def list_service_accounts(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[UserFilters],
    ) -> Page[UserResponse]:
        query = {**filters, "is_service_account": True}
        return self._list(USER, sort_by, page, size, logical_operator, query)

    def update_service_account(
        self,
        name_id_or_prefix: str | UUID,
        *,
        new_name: str | Unset = UNSET,
        description: str | Unset = UNSET,
        active: bool | Unset = UNSET,
    ) -> UserResponse:
        """Deactivating an account (active=False) revokes its tokens and blocks its keys."""
        account = self.get_service_account(name_id_or_prefix)
        changes = {"name": new_name, "full_name": description, "active": active}
        return self._update_entity(USER, account.id, changes)

    def delete_service_account(self, name_id_or_prefix: str | UUID) -> None:
        """Delete an account that owns nothing, with its API keys."""
        account = self.get_service_account(name_id_or_prefix)
        for key in self.list_rows("api_key", service_account_id=str(account.id), size=1000).items:
            self.store.delete(API_KEY.name, key["id"])
        self.store.delete(USER.name, account.id)

    # -- API keys -------------------------------------------------------------------------------
    def create_api_key(
        self, service_account: str | UUID, name: str, description: str = ""
    ) -> APIKeyResponse:
        """A new key for `service_account`; its secret is in `.key`, this once only."""
        account = self.get_service_account(service_account)
        return self._create(
            API_KEY, name=name, service_account_id=account.id, description=description
        )

    def get_api_key(
        self, service_account: str | UUID, name_id_or_prefix: str | UUID
    ) -> APIKeyResponse:
        """A key of `service_account` by name, id or prefix (without its secret)."""
        account = self.get_service_account(service_account)
        return self._get(API_KEY, name_id_or_prefix, service_account_id=str(account.id))

    def list_api_keys(
        self,
        service_account: str | UUID,
        /,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[APIKeyFilters],
    ) -> Page[APIKeyResponse]:
        """The keys of `service_account`."""
        account = self.get_service_account(service_account)
        query = {**filters, "service_account_id": str(account.id)}
        return self._list(API_KEY, sort_by, page, size, logical_operator, query)

    def update_api_key(
        self,
        service_account: str | UUID,
        name_id_or_prefix: str | UUID,
        *,
        name: str | Unset = UNSET,
        description: str | Unset = UNSET,
        active: bool | Unset = UNSET,
    ) -> APIKeyResponse:
        key = self.get_api_key(service_account, name_id_or_prefix)
        changes = {"name": name, "description": description, "active": active}
        return self._update_entity(API_KEY, key.id, changes)

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
        self.store.delete(API_KEY.name, self.get_api_key(service_account, name_id_or_prefix).id)
