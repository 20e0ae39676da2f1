"""Flavors: classes that say how to configure and build one kind of component.

A flavor names itself (`name`), says which component type it makes (`type`),
validates configuration with a pydantic `config_class` and builds an
`implementation_class`, as class attributes or as properties (ZenML's style).
A subclass that overrides `name` is a new flavor, registered with
`Client.create_flavor(source="module.Class")`.
"""

from __future__ import annotations

import builtins
import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from stackyard.exceptions import InputError
from stackyard.models.enums import StackComponentType

if TYPE_CHECKING:
    from stackyard.store.base import Store


class StackComponentConfig(BaseModel):
    """Base of every component configuration; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class StackComponent:
    """A configured component, ready to use in a run.

    `connector_id` / `connector_resource_id`: the service connector that hands it
    credentials at run time (see `connect`), and for which resource.
    """

    def __init__(
        self,
        name: str,
        id: UUID,
        config: StackComponentConfig,
        flavor: str,
        connector_id: UUID | None = None,
        connector_resource_id: str | None = None,
    ) -> None:
        self.name = name
        self.id = id
        self.config = config
        self.flavor = flavor
        self.connector_id = connector_id
        self.connector_resource_id = connector_resource_id

    def connect(self, store: Store) -> None:
        """Reach what this component needs before a run records anything, raising a
        one-line error if it cannot (an unreachable cluster, a missing bucket, refused
        credentials). Called in the caller and again in each worker process; the
        default needs nothing."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, flavor={self.flavor!r})"


@dataclass(frozen=True)
class FlavorParts:
    """What a flavor class says about itself, read once whichever style it is written in."""

    name: str
    type: StackComponentType
    config_class: builtins.type[BaseModel]  # a StackComponentConfig, or any pydantic model
    implementation_class: builtins.type[StackComponent]
    integration: str


_PARTS = ("name", "type", "config_class", "implementation_class", "integration")


class Flavor:
    """Base flavor; subclasses say `name`, `type`, `config_class` and
    `implementation_class`, either as class attributes or, as ZenML's flavors do,
    as properties (read from an instance made without arguments)."""

    name: ClassVar[str]
    type: ClassVar[StackComponentType]
    # `type` is a class attribute here, so the builtin is spelled `builtins.type`
    config_class: ClassVar[builtins.type[StackComponentConfig]] = StackComponentConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = StackComponent
    integration: ClassVar[str] = "builtin"
    # the service connector resource type its components reach ("s3-bucket"), if any
    connector_resource_type: ClassVar[str | None] = None

    @classmethod
    def source(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"

    @classmethod
    def parts(cls) -> FlavorParts:
        """The flavor's name, type, classes and integration, checked: an `InputError`
        says what is missing or wrong."""
        raw: dict[str, Any] = {}
        instance: Flavor | None = None
        for attr in _PARTS:
            value = inspect.getattr_static(cls, attr, None)
            if isinstance(value, property):
                if instance is None:
                    try:
                        instance = cls()
                    except Exception as exc:
                        raise InputError(
                            f"flavor class {cls.source()} cannot be created without arguments "
                            f"to read its {attr!r} property: {type(exc).__name__}: {exc}"
                        ) from None
                value = getattr(instance, attr)
            elif value is not None:
                value = getattr(cls, attr)
            raw[attr] = value
        return _checked(cls.source(), raw)

    @classmethod
    def config_schema(cls) -> dict[str, Any]:
        return cls.parts().config_class.model_json_schema()

    @classmethod
    def validate_config(cls, configuration: dict[str, Any]) -> BaseModel:
        parts = cls.parts()
        try:
            return parts.config_class.model_validate(configuration)
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'configuration'}: {e['msg']}"
                for e in exc.errors()
            )
            fields = ", ".join(parts.config_class.model_fields) or "none"
            raise InputError(
                f"invalid configuration for {parts.type.value} flavor {parts.name!r}: {problems} "
                f"(accepted keys: {fields})"
            ) from None


def _checked(source: str, raw: dict[str, Any]) -> FlavorParts:
    missing = [attr for attr in ("name", "type") if not isinstance(raw.get(attr), str)]
    if missing:
        raise InputError(f"flavor class {source} does not set {', '.join(missing)}")
    try:
        ctype = StackComponentType(raw["type"])
    except ValueError:
        raise InputError(
            f"flavor class {source}: type {raw['type']!r} is not a component type; choose one "
            "of: " + ", ".join(t.value for t in StackComponentType)
        ) from None
    config_class = raw.get("config_class")
    if not (isinstance(config_class, builtins.type) and issubclass(config_class, BaseModel)):
        raise InputError(f"flavor class {source}: config_class must be a pydantic model")
    implementation = raw.get("implementation_class")
    if not (
        isinstance(implementation, builtins.type) and issubclass(implementation, StackComponent)
    ):
        raise InputError(
            f"flavor class {source}: implementation_class must subclass StackComponent"
        )
    integration = raw.get("integration")
    return FlavorParts(
        name=raw["name"],
        type=ctype,
        config_class=config_class,
        implementation_class=implementation,
        integration=integration if isinstance(integration, str) else "custom",
    )
