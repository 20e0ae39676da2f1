"""Flavors: classes that say how to configure and build one kind of component.

A flavor names itself (`name`), says which component type it makes (`type`),
validates configuration with a pydantic `config_class` and builds an
`implementation_class`. A subclass that overrides `name` is a new flavor,
registered with `Client.create_flavor(source="module.Class")`.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict
from pydantic import ValidationError as PydanticValidationError

from stackyard.exceptions import InputError
from stackyard.models.enums import StackComponentType


class StackComponentConfig(BaseModel):
    """Base of every component configuration; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")


class StackComponent:
    """A configured component, ready to use in a run."""

    def __init__(self, name: str, id: UUID, config: StackComponentConfig, flavor: str) -> None:
        self.name = name
        self.id = id
        self.config = config
        self.flavor = flavor

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, flavor={self.flavor!r})"


class Flavor:
    """Base flavor; subclasses set the class attributes."""

    name: ClassVar[str]
    type: ClassVar[StackComponentType]
    config_class: ClassVar[type[StackComponentConfig]] = StackComponentConfig
    implementation_class: ClassVar[type[StackComponent]] = StackComponent
    integration: ClassVar[str] = "builtin"

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


def schema_validate(schema: dict[str, Any], configuration: dict[str, Any], what: str) -> None:
    """Check a configuration against a stored JSON schema (for flavors not importable here).

    Covers what flavor config models produce: known keys, required keys and
    basic JSON types, so a typo or a missing field is caught at registration.
    """
    properties: dict[str, Any] = schema.get("properties", {})
    unknown = [k for k in configuration if k not in properties]
    if unknown:
        raise InputError(
            f"unknown configuration key(s) {', '.join(map(repr, unknown))} for {what}; "
            f"accepted: {', '.join(properties) or 'none'}"
        )
    missing = [k for k in schema.get("required", []) if k not in configuration]
    if missing:
        raise InputError(f"missing configuration key(s) {', '.join(missing)} for {what}")
    types = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "array": list,
        "object": dict,
    }
    for key, value in configuration.items():
        expected = properties.get(key, {})
        options = [expected] + expected.get("anyOf", [])
        names = [o.get("type") for o in options if o.get("type")]
        if not names or (value is None and "null" in names):
            continue
        if not any(
            n in types
            and isinstance(value, types[n])
            and not (n in ("integer", "number") and isinstance(value, bool))
            for n in names
        ):
            raise InputError(
                f"configuration key {key!r} for {what} must be {' or '.join(names)}, got {value!r}"
            )
