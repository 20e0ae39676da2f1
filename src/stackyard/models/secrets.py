"""Secrets: named sets of values, encrypted at rest, readable only through `get`."""

from __future__ import annotations

from pydantic import Field, SecretStr

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.spec import ResourceSpec, register


class SecretRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    private: bool = False
    values: dict[str, SecretStr] = Field(default_factory=dict, repr=False)


class SecretUpdate(Update):
    name: str | None = Field(default=None, min_length=1, max_length=255)
    private: bool | None = None
    add_or_update_values: dict[str, SecretStr] | None = Field(default=None, repr=False)
    remove_values: list[str] | None = None


class SecretResponse(OwnedResponse):
    """`secret_values` is filled only by a single `get`, never by a list."""

    name: str
    private: bool = False
    keys: list[str] = []
    secret_values: dict[str, str] | None = Field(default=None, repr=False)

    @property
    def values(self) -> dict[str, str]:
        if self.secret_values is None:
            raise ValueError(f"secret {self.name!r} was listed, not fetched: use get_secret()")
        return self.secret_values


register(
    ResourceSpec(
        name="secret",
        plural="secrets",
        response=SecretResponse,
        request=SecretRequest,
        update=SecretUpdate,
        # a private secret's name is its owner's alone: names are unique per scope
        # ("public" or the owner's id), so no one learns of another's private secret
        unique=(("name", "scope"),),
        computed=frozenset({"secret_values", "keys"}),
        private_columns={"values_encrypted": "text", "scope": "str"},
        private_flag="private",
        hooks="secrets",
        list_columns=("name", "private", "keys", "user", "created"),
    )
)
