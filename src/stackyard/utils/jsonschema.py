"""Checking a configuration against a flavor's stored JSON schema.

The store validates component configurations without importing the flavor
class (it may live in a package only the user's machine has), so it checks
what flavor config models produce: known keys, required keys, basic JSON types.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from stackyard.exceptions import InputError


def check_configuration(
    schema: dict[str, Any],
    configuration: dict[str, Any],
    what: str,
    unchecked: Collection[str] = (),
) -> None:
    """Check a configuration against a stored JSON schema (for flavors not importable here).

    Covers what flavor config models produce: known keys, required keys and
    basic JSON types, so a typo or a missing field is caught at registration.
    Keys in `unchecked` (secret references) are not type-checked.
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
    types: dict[str, type | tuple[type, ...]] = {
        "string": str,
        "integer": int,
        "number": (int, float),
        "boolean": bool,
        "array": list,
        "object": dict,
    }
    for key, value in configuration.items():
        if key in unchecked:
            continue
        expected = properties.get(key, {})
        options = [expected, *expected.get("anyOf", [])]
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
