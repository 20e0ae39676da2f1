"""Secret references in component configurations: `{{secret_name.key}}`.

A configuration value that is exactly a reference (ZenML's syntax, spaces
inside the braces allowed) stands for the value of `key` in secret
`secret_name`. The store keeps the reference text, never the value; the store
checks at registration that the secret exists, that the registering user may
read it and that it has the key; `Stack.from_model` puts the values in when a
run builds the component, read as the running user.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_REFERENCE = re.compile(r"^\{\{\s*([^.{}\s]+)\.([^{}\s]+)\s*\}\}$")


@dataclass(frozen=True)
class SecretReference:
    """One reference: where it sits in the configuration and what it names."""

    path: str  # "path", or "options.token" inside a nested mapping
    secret: str
    key: str

    def __str__(self) -> str:
        return f"{{{{{self.secret}.{self.key}}}}}"


def parse_reference(value: Any) -> tuple[str, str] | None:
    """`(secret, key)` when `value` is a reference, else None."""
    if not isinstance(value, str):
        return None
    found = _REFERENCE.match(value)
    return (found.group(1), found.group(2)) if found else None


def _walk(value: Any, path: str) -> Iterator[SecretReference]:
    parsed = parse_reference(value)
    if parsed is not None:
        yield SecretReference(path, *parsed)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def find_references(configuration: dict[str, Any]) -> list[SecretReference]:
    """Every reference in a configuration, nested mappings and lists included."""
    return list(_walk(configuration, ""))


def resolve_references(value: Any, lookup: Callable[[SecretReference], str], path: str = "") -> Any:
    """A copy of `value` with each reference replaced by `lookup(reference)`."""
    parsed = parse_reference(value)
    if parsed is not None:
        return lookup(SecretReference(path, *parsed))
    if isinstance(value, dict):
        return {
            k: resolve_references(v, lookup, f"{path}.{k}" if path else str(k))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [resolve_references(v, lookup, f"{path}[{i}]") for i, v in enumerate(value)]
    return value
