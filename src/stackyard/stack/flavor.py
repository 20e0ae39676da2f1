"""Flavors: classes that say how to configure and build one kind of component.

A flavor names itself (`name`), says which component type it makes (`type`),
validates configuration with a pydantic `config_class` and builds an
`implementation_class`. A subclass that overrides `name` is a new flavor,
registered with `Client.create_flavor(source="module.Class")`.
"""

from __future__ import annotations

import builtins
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


class Flavor:
    """Base flavor; subclasses set the class attributes."""

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
    def config_schema(cls) -> dict[str, Any]:
        return cls.config_class.model_json_schema()

    @classmethod
    def validate_config(cls, configuration: dict[str, Any]) -> StackComponentConfig:
        try:
            return cls.config_class.model_validate(configuration)
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'configuration'}: {e['msg']}"
                for e in exc.errors()
            )
            fields = ", ".join(cls.config_class.model_fields) or "none"
            raise InputError(
                f"invalid configuration for {cls.type.value} flavor {cls.name!r}: {problems} "
                f"(accepted keys: {fields})"
            ) from None

    @classmethod
    def check(cls) -> None:
        """Refuse a class that is not a complete flavor, saying what is missing."""
        problems = [
            attr for attr in ("name", "type") if not isinstance(getattr(cls, attr, None), str)
        ]
        if problems:
            raise InputError(f"flavor class {cls.source()} does not set {', '.join(problems)}")
        if not issubclass(cls.config_class, BaseModel):
            raise InputError(f"flavor class {cls.source()}: config_class must be a pydantic model")
        if not issubclass(cls.implementation_class, StackComponent):
            raise InputError(
                f"flavor class {cls.source()}: implementation_class must subclass StackComponent"
            )
