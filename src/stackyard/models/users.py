"""Users and service accounts: who created what, and who may do what."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from stackyard.models.base import Request, Response, Update
from stackyard.models.spec import ResourceSpec, register


class UserRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    full_name: str = ""
    email: str | None = None
    is_admin: bool = False
    active: bool = True
    is_service_account: bool = False
    password: str | None = Field(default=None, repr=False)


class UserUpdate(Update):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    full_name: str | None = None
    email: str | None = None
    is_admin: bool | None = None
    active: bool | None = None
    password: str | None = Field(default=None, repr=False)


class UserResponse(Response):
    name: str
    full_name: str = ""
    email: str | None = None
    is_admin: bool = False
    active: bool = True
    is_service_account: bool = False


class APIKeyRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    service_account_id: UUID
    description: str = ""


class APIKeyUpdate(Update):
    name: str | None = None
    description: str | None = None
    active: bool | None = None


class APIKeyResponse(Response):
    """An API key of a service account; the key itself is shown once, at creation."""

    name: str
    service_account_id: UUID
    description: str = ""
    active: bool = True
    last_used: datetime | None = None
    key: str | None = Field(default=None, repr=False)


register(
    ResourceSpec(
        name="user",
        plural="users",
        response=UserResponse,
        request=UserRequest,
        update=UserUpdate,
        unique=(("name",),),
        private_columns={"password_hash": "text", "token_epoch": "int"},
        hooks="users",
        list_columns=("name", "full_name", "email", "is_admin", "active", "created"),
    )
)
register(
    ResourceSpec(
        name="api_key",
        plural="api_keys",
        response=APIKeyResponse,
        request=APIKeyRequest,
        update=APIKeyUpdate,
        unique=(("service_account_id", "name"),),
        computed=frozenset({"key"}),
        private_columns={"key_hash": "text", "key_prefix": "str"},
        hooks="users",
        relation_aliases={"service_account": "user"},
        list_columns=("name", "service_account", "active", "last_used", "description", "created"),
    )
)
