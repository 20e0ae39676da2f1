"""Client methods for stacks, stack components, flavors and service connectors."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.client.core import ClientCore
from stackyard.exceptions import IllegalOperationError, InputError, ServiceConnectorError
from stackyard.models.enums import StackComponentType

if TYPE_CHECKING:
    from stackyard.models.base import Page
    from stackyard.models.connectors import ServiceConnectorResources, ServiceConnectorResponse
    from stackyard.models.stacks import FlavorResponse, StackComponentResponse, StackResponse

ComponentRefs = dict[str, str | UUID | list[str | UUID]]


def as_component_type(value: str | StackComponentType) -> StackComponentType:
    try:
        return StackComponentType(value)
    except ValueError:
        raise InputError(
            f"unknown component type {value!r}; choose one of: "
            + ", ".join(t.value for t in StackComponentType)
        ) from None


class StackMethods(ClientCore):
    # -- stacks -------------------------------------------------------------------------
    def _component_ids(self, components: ComponentRefs) -> dict[str, list[UUID]]:
        """Resolve `{"orchestrator": "default", ...}` (names, ids or prefixes) to ids."""
        resolved: dict[str, list[UUID]] = {}
        for ctype, refs in components.items():
            kind = as_component_type(ctype)
            refs_list = refs if isinstance(refs, list) else [refs]
            resolved[kind.value] = [
                self._get("stack_component", ref, type=kind.value).id for ref in refs_list
            ]
        return resolved

    def create_stack(
        self, name: str, components: ComponentRefs, description: str = ""
    ) -> StackResponse:
        """Register a stack from existing components (an orchestrator and an artifact store
        at least), each given by name, id or prefix."""
        result: StackResponse = self._create(
            "stack",
            name=name,
            description=description,
            components=self._component_ids(components),
        )
        return result

    def get_stack(self, name_id_or_prefix: str | UUID) -> StackResponse:
        result: StackResponse = self._get("stack", name_id_or_prefix)
        return result

    def list_stacks(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[StackResponse]:
        """Filters: name, created, updated, user_id/user, component_id/component."""
        return self._list("stack", sort_by, page, size, logical_operator, filters)

    def update_stack(
        self,
        name_id_or_prefix: str | UUID,
        name: str | None = None,
        components: ComponentRefs | None = None,
        description: str | None = None,
    ) -> StackResponse:
        """Rename, redescribe or recompose a stack; `components` replaces the given types."""
        stack = self.get_stack(name_id_or_prefix)
        new_components = None
        if components is not None:
            merged = {t.value: ids for t, ids in stack.component_ids.items()}
            merged.update(self._component_ids(components))
            new_components = {k: v for k, v in merged.items() if v}
        result: StackResponse = self.store.update(
            "stack",
            stack.id,
            {
                k: v
                for k, v in {
                    "name": name,
                    "description": description,
                    "components": new_components,
                }.items()
                if v is not None
            },
        )
        return result

    def delete_stack(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a stack; the active stack is refused."""
        stack = self.get_stack(name_id_or_prefix)
        if stack.id == self.active_stack_model.id:
            raise IllegalOperationError(
                f"stack {stack.name!r} is the active stack; activate another one first"
            )
        self.store.delete("stack", stack.id)

    # -- components ---------------------------------------------------------------------
    def _fitting_connector(
        self,
        flavor: str,
        component_type: StackComponentType,
        connector: str | UUID,
        resource_id: str | None,
    ) -> tuple[UUID, str | None]:
        """The connector named `connector`, if it serves what the flavor needs, and
        `resource_id` in its one spelling (`bucket` → `s3://bucket`)."""
        from stackyard.connectors import provider_for
        from stackyard.stack.stack import flavor_class

        found: ServiceConnectorResponse = self._get("service_connector", connector)
        record: FlavorResponse = self._get("flavor", flavor, type=component_type.value)
        needs = flavor_class(record.source, f"{component_type.value} flavor {flavor!r}")
        wanted = needs.connector_resource_type
        if wanted is None:
            raise InputError(
                f"{component_type.value} flavor {flavor!r} takes no service connector "
                "(it reaches nothing remote)"
            )
        if wanted not in found.resource_types:
            raise ServiceConnectorError(
                f"service connector {found.name!r} ({found.connector_type}) serves "
                f"{', '.join(found.resource_types)}; {component_type.value} flavor {flavor!r} "
                f"needs a connector for {wanted}"
            )
        if resource_id is not None:
            provider = provider_for(found.connector_type)
            resource_id = provider.canonical_resource_id(wanted, resource_id)
        return found.id, resource_id

    def create_stack_component(
        self,
        name: str,
        flavor: str,
        component_type: str | StackComponentType,
        configuration: dict[str, Any] | None = None,
        connector: str | UUID | None = None,
        connector_resource_id: str | None = None,
    ) -> StackComponentResponse:
        """Register a component; `configuration` is checked against the flavor's schema.

        `connector` (name, id or prefix) links a service connector that hands the
        component its credentials at run time, for `connector_resource_id` (e.g.
        `s3://bucket`); it must serve the resource type the flavor needs.
        """
        ctype = as_component_type(component_type)
        connector_id = None
        if connector:
            connector_id, connector_resource_id = self._fitting_connector(
                flavor, ctype, connector, connector_resource_id
            )
        elif connector_resource_id is not None:
            raise InputError("connector_resource_id needs a connector to reach it with")
        result: StackComponentResponse = self._create(
            "stack_component",
            name=name,
            flavor=flavor,
            type=ctype.value,
            configuration=configuration or {},
            connector_id=connector_id,
            connector_resource_id=connector_resource_id,
        )
        return result

    def get_stack_component(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> StackComponentResponse:
        """Names are unique per type; `component_type` picks one when types share a name."""
        ctype = as_component_type(component_type).value if component_type else None
        result: StackComponentResponse = self._get("stack_component", name_id_or_prefix, type=ctype)
        return result

    def list_stack_components(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[StackComponentResponse]:
        """Filters: name, type, flavor, user_id/user, stack_id, connector_id, created, updated."""
        return self._list("stack_component", sort_by, page, size, logical_operator, filters)

    def update_stack_component(
        self,
        name_id_or_prefix: str | UUID,
        component_type: str | StackComponentType | None = None,
        name: str | None = None,
        configuration: dict[str, Any] | None = None,
        connector: str | UUID | None = None,
        connector_resource_id: str | None = None,
    ) -> StackComponentResponse:
        """Rename, reconfigure or (re)link a component to a connector (see
        `create_stack_component`); a new connector without a resource id clears it."""
        component = self.get_stack_component(name_id_or_prefix, component_type)
        changes: dict[str, Any] = {
            k: v for k, v in {"name": name, "configuration": configuration}.items() if v is not None
        }
        if connector is None and connector_resource_id is not None:
            if component.connector_id is None:
                raise InputError(
                    f"{component.type.value} {component.name!r} has no connector: "
                    "give one with the resource id"
                )
            connector = component.connector_id
        if connector is not None:
            changes["connector_id"], changes["connector_resource_id"] = self._fitting_connector(
                component.flavor, component.type, connector, connector_resource_id
            )
        result: StackComponentResponse = self.store.update("stack_component", component.id, changes)
        return result

    def delete_stack_component(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> None:
        """Delete a component; one still used in a stack is refused."""
        component = self.get_stack_component(name_id_or_prefix, component_type)
        self.store.delete("stack_component", component.id)

    # -- flavors ------------------------------------------------------------------------
    def create_flavor(
        self, source: str, component_type: str | StackComponentType | None = None
    ) -> FlavorResponse:
        """Register a custom flavor class by import path, after importing and checking it."""
        from stackyard.stack.flavor import Flavor
        from stackyard.utils.source import load_source

        try:
            flavor = load_source(source)
        except ImportError as exc:
            raise InputError(f"cannot import flavor {source!r}: {exc}") from None
        if not (isinstance(flavor, type) and issubclass(flavor, Flavor)):
            raise InputError(f"{source!r} is not a flavor class (a subclass of stackyard Flavor)")
        parts = flavor.parts()  # class attributes or ZenML-style properties, checked
        if component_type is not None and as_component_type(component_type) != parts.type:
            raise InputError(
                f"flavor {source!r} makes {parts.type.value} components, not {component_type}"
            )
        result: FlavorResponse = self._create(
            "flavor",
            name=parts.name,
            type=parts.type.value,
            source=source,
            integration="custom",
            config_schema=flavor.config_schema(),
            is_custom=True,
        )
        return result

    def get_flavor(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> FlavorResponse:
        ctype = as_component_type(component_type).value if component_type else None
        result: FlavorResponse = self._get("flavor", name_id_or_prefix, type=ctype)
        return result

    def list_flavors(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[FlavorResponse]:
        """Filters: name, type, integration, is_custom, source, created, updated."""
        return self._list("flavor", sort_by, page, size, logical_operator, filters)

    def delete_flavor(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> None:
        """Delete a custom flavor that no component uses; built-ins are refused."""
        self.store.delete("flavor", self.get_flavor(name_id_or_prefix, component_type).id)

    # -- service connectors ---------------------------------------------------------------
    def create_service_connector(
        self,
        name: str,
        connector_type: str,
        auth_method: str,
        configuration: dict[str, Any],
        resource_type: str | None = None,
        resource_id: str | None = None,
        expires_at: datetime | None = None,
        description: str = "",
    ) -> ServiceConnectorResponse:
        """Register a connector; secret fields are sealed and come back masked."""
        result: ServiceConnectorResponse = self._create(
            "service_connector",
            name=name,
            connector_type=connector_type,
            auth_method=auth_method,
            configuration=configuration,
            resource_type=resource_type,
            resource_id=resource_id,
            expires_at=expires_at,
            description=description,
        )
        return result

    def get_service_connector(self, name_id_or_prefix: str | UUID) -> ServiceConnectorResponse:
        result: ServiceConnectorResponse = self._get("service_connector", name_id_or_prefix)
        return result

    def list_service_connectors(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[ServiceConnectorResponse]:
        """Filters: name, connector_type, auth_method, resource_id, user_id/user, expires_at."""
        return self._list("service_connector", sort_by, page, size, logical_operator, filters)

    def update_service_connector(
        self, name_id_or_prefix: str | UUID, **changes: Any
    ) -> ServiceConnectorResponse:
        """Changes: name, auth_method, configuration, resource_type, resource_id, expires_at,
        description. Masked values sent back unchanged keep their stored secret."""
        result: ServiceConnectorResponse = self._update(
            "service_connector", name_id_or_prefix, **changes
        )
        return result

    def delete_service_connector(self, name_id_or_prefix: str | UUID) -> None:
        self._delete("service_connector", name_id_or_prefix)

    def verify_service_connector(
        self,
        name_id_or_prefix: str | UUID,
        resource_type: str | None = None,
        resource_id: str | None = None,
    ) -> ServiceConnectorResources:
        """Check a connector's credentials with its provider (over REST, the server does).

        Returns the resources they reach per resource type, e.g. `{"s3-bucket":
        ["s3://a", "s3://b"]}`; `resource_type` / `resource_id` check just one.
        Raises `ServiceConnectorError` with the provider's message when refused.
        """
        connector = self.get_service_connector(name_id_or_prefix)
        return self.store.verify_service_connector(connector.id, resource_type, resource_id)
