"""Code repositories: where a run's code can be fetched from by commit."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.spec import ResourceSpec, register


class CodeRepositoryRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    source: str
    config: dict[str, Any] = {}
    description: str = ""
    logo_url: str | None = None


class CodeRepositoryUpdate(Update):
    name: str | None = None
    config: dict[str, Any] | None = None
    description: str | None = None
    logo_url: str | None = None


class CodeRepositoryResponse(OwnedResponse):
    name: str
    source: str
    config: dict[str, Any] = {}
    description: str = ""
    logo_url: str | None = None


register(
    ResourceSpec(
        name="code_repository",
        plural="code_repositories",
        response=CodeRepositoryResponse,
        request=CodeRepositoryRequest,
        update=CodeRepositoryUpdate,
        unique=(("name",),),
        text=frozenset({"description", "logo_url"}),
        list_columns=("name", "source", "description", "user", "created"),
    )
)
