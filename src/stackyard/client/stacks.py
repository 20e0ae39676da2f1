"""Client methods for stacks, their components and the flavors components are made of."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import FLAVOR, SERVICE_CONNECTOR, STACK, STACK_COMPONENT
from stackyard.exceptions import IllegalOperationError, InputError
from stackyard.models.enums import StackComponentType

if TYPE_CHECKING:
    from stackyard.client.filters import FlavorFilters, StackComponentFilters, StackFilters
    from stackyard.models.base import Page
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
                self._get(STACK_COMPONENT, ref, type=kind.value).id for ref in refs_list
            ]
        return resolved

    def create_stack(
        self, name: str, components: ComponentRefs, description: str = ""
    ) -> StackResponse:
        """Register a stack from existing components (an orchestrator and an artifact store
        at least), each given by name, id or prefix."""
        return self._create(
            STACK, name=name, description=description, components=self._component_ids(components)
        )

    def get_stack(self, name_id_or_prefix: str | UUID) -> StackResponse:
        return self._get(STACK, name_id_or_prefix)

    def list_stacks(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[StackFilters],
    ) -> Page[StackResponse]:
        return self._list(STACK, sort_by, page, size, logical_operator, filters)

    def update_stack(
        self,
        name_id_or_prefix: str | UUID,
        *,
        name: str | Unset = UNSET,
        components: ComponentRefs | Unset = UNSET,
        description: str | Unset = UNSET,
    ) -> StackResponse:
        """Rename, redescribe or recompose a stack; `components` replaces the given types."""
        stack = self.get_stack(name_id_or_prefix)
        new_components: dict[str, list[UUID]] | Unset = UNSET
        if not isinstance(components, Unset):
            merged = {t.value: ids for t, ids in stack.component_ids.items()}
            merged.update(self._component_ids(components))
            new_components = {k: v for k, v in merged.items() if v}
        changes = {"name": name, "description": description, "components": new_components}
        return self._update_entity(STACK, stack.id, changes)

    def delete_stack(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a stack; the active stack is refused."""
        stack = self.get_stack(name_id_or_prefix)
        if stack.id == self.active_stack_model.id:
            raise IllegalOperationError(
                f"stack {stack.name!r} is the active stack; activate another one first"
            )
        self.store.delete(STACK.name, stack.id)

    # -- components ---------------------------------------------------------------------
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
        `s3://bucket`). The store checks that it serves the resource type the flavor
        records and can serve that resource.
        """
        ctype = as_component_type(component_type)
        connector_id = self._get(SERVICE_CONNECTOR, connector).id if connector else None
        return self._create(
            STACK_COMPONENT,
            name=name,
            flavor=flavor,
            type=ctype.value,
            configuration=configuration or {},
            connector_id=connector_id,
            connector_resource_id=connector_resource_id,
        )

    def get_stack_component(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> StackComponentResponse:
        """Names are unique per type; `component_type` picks one when types share a name."""
        ctype = as_component_type(component_type).value if component_type else None
        return self._get(STACK_COMPONENT, name_id_or_prefix, type=ctype)

    def list_stack_components(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[StackComponentFilters],
    ) -> Page[StackComponentResponse]:
        return self._list(STACK_COMPONENT, sort_by, page, size, logical_operator, filters)

    def update_stack_component(
        self,
        name_id_or_prefix: str | UUID,
        component_type: str | StackComponentType | None = None,
        *,
        name: str | Unset = UNSET,
        configuration: dict[str, Any] | Unset = UNSET,
        connector: str | UUID | Unset | None = UNSET,
        connector_resource_id: str | Unset | None = UNSET,
    ) -> StackComponentResponse:
        """Rename, reconfigure or (re)link a component to a connector (see
        `create_stack_component`); a new connector without a resource id clears it, and
        `connector=None` unlinks it."""
        component = self.get_stack_component(name_id_or_prefix, component_type)
        changes: dict[str, Any] = {"name": name, "configuration": configuration}
        if connector is None:
            changes["connector_id"] = changes["connector_resource_id"] = None
        else:
            if isinstance(connector, Unset) and not isinstance(connector_resource_id, Unset):
                if component.connector_id is None:
                    raise InputError(
                        f"{component.type.value} {component.name!r} has no connector: "
                        "give one with the resource id"
                    )
                connector = component.connector_id
            if not isinstance(connector, Unset):
                changes["connector_id"] = self._get(SERVICE_CONNECTOR, connector).id
                changes["connector_resource_id"] = (
                    None if isinstance(connector_resource_id, Unset) else connector_resource_id
                )
        return self._update_entity(STACK_COMPONENT, component.id, changes)

    def delete_stack_component(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> None:
        """Delete a component; one still used in a stack is refused."""
        component = self.get_stack_component(name_id_or_prefix, component_type)
        self.store.delete(STACK_COMPONENT.name, component.id)

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
        return self._create(
            FLAVOR,
            name=parts.name,
            type=parts.type.value,
            source=source,
            integration="custom",
            config_schema=flavor.config_schema(),
            is_custom=True,
            connector_resource_type=flavor.connector_resource_type,
        )

    def get_flavor(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> FlavorResponse:
        ctype = as_component_type(component_type).value if component_type else None
        return self._get(FLAVOR, name_id_or_prefix, type=ctype)

    def list_flavors(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[FlavorFilters],
    ) -> Page[FlavorResponse]:
        return self._list(FLAVOR, sort_by, page, size, logical_operator, filters)

    def delete_flavor(
        self, name_id_or_prefix: str | UUID, component_type: str | StackComponentType | None = None
    ) -> None:
        """Delete a custom flavor that no component uses; built-ins are refused."""
        self.store.delete(FLAVOR.name, self.get_flavor(name_id_or_prefix, component_type).id)
