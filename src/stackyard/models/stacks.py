"""Stacks, their components and the flavors components are made from."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.enums import StackComponentType
from stackyard.models.spec import ResourceSpec, register

NAME = Field(min_length=1, max_length=255)


class FlavorRequest(Request):
    name: str = NAME
    type: StackComponentType
    source: str
    integration: str = "custom"
    config_schema: dict[str, Any] = {}
    is_custom: bool = True
    connector_resource_type: str | None = None


class FlavorUpdate(Update):
    config_schema: dict[str, Any] | None = None


class FlavorResponse(OwnedResponse):
    """`connector_resource_type`: what a service connector linked to a component of this
    flavor must serve (`s3-bucket`), or None when it takes none; recorded, so the store
    checks links without importing the flavor."""

    name: str
    type: StackComponentType
    source: str
    integration: str = "builtin"
    config_schema: dict[str, Any] = {}
    is_custom: bool = False
    connector_resource_type: str | None = None


class StackComponentRequest(Request):
    name: str = NAME
    type: StackComponentType
    flavor: str
    configuration: dict[str, Any] = {}
    connector_id: UUID | None = None
    connector_resource_id: str | None = None


class StackComponentUpdate(Update):
    name: str | None = None
    configuration: dict[str, Any] | None = None
    connector_id: UUID | None = None
    connector_resource_id: str | None = None


class StackComponentResponse(OwnedResponse):
    """`connector_id`: the service connector that hands this component its credentials
    at run time, for the resource `connector_resource_id` (e.g. `s3://bucket`)."""

    name: str
    type: StackComponentType
    flavor: str
    configuration: dict[str, Any] = {}
    connector_id: UUID | None = None
    connector_resource_id: str | None = None

    @property
    def flavor_model(self) -> FlavorResponse:
        page = self.store.list("flavor", name=self.flavor, type=self.type.value)
        result: FlavorResponse = page.items[0]
        return result


class StackRequest(Request):
    name: str = NAME
    description: str = ""
    components: dict[StackComponentType, list[UUID]]


class StackUpdate(Update):
    name: str | None = None
    description: str | None = None
    components: dict[StackComponentType, list[UUID]] | None = None


class StackResponse(OwnedResponse):
    name: str
    description: str = ""
    component_ids: dict[StackComponentType, list[UUID]] = {}

    @property
    def components(self) -> dict[StackComponentType, list[StackComponentResponse]]:
        """Component type → the components of that type (one each, today)."""
        ids = [i for group in self.component_ids.values() for i in group]
        if not ids:
            return {}
        found = {c.id: c for c in self.store.list("stack_component", id=ids).items}
        return {
            t: [found[i] for i in group if i in found] for t, group in self.component_ids.items()
        }

    @property
    def orchestrator(self) -> StackComponentResponse:
        return self.components[StackComponentType.ORCHESTRATOR][0]

    @property
    def artifact_store(self) -> StackComponentResponse:
        return self.components[StackComponentType.ARTIFACT_STORE][0]


register(
    ResourceSpec(
        name="flavor",
        plural="flavors",
        response=FlavorResponse,
        request=FlavorRequest,
        update=FlavorUpdate,
        unique=(("name", "type"),),
        text=frozenset({"source"}),
        hooks="stacks",
        list_columns=("name", "type", "integration", "is_custom", "source"),
    )
)
register(
    ResourceSpec(
        name="stack_component",
        plural="stack_components",
        response=StackComponentResponse,
        request=StackComponentRequest,
        update=StackComponentUpdate,
        unique=(("name", "type"),),
        extra_filters=frozenset({"stack_id"}),
        hooks="stacks",
        relation_aliases={"connector": "service_connector"},
        list_columns=("name", "type", "flavor", "user", "created"),
    )
)
register(
    ResourceSpec(
        name="stack",
        plural="stacks",
        response=StackResponse,
        request=StackRequest,
        update=StackUpdate,
        unique=(("name",),),
        computed=frozenset({"component_ids"}),
        text=frozenset({"description"}),
        extra_filters=frozenset({"component_id", "component"}),
        hooks="stacks",
        list_columns=("name", "active", "components", "user", "created"),
    )
)
