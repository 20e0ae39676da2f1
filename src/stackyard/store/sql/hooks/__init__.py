"""Resource-specific rules, found through each spec's `hooks` (a module of this package
holding a `HOOKS` dict); the rest is generic."""

from __future__ import annotations

import importlib
from functools import cache

from stackyard.models.spec import shape_for
from stackyard.store.sql.hooks.base import Hooks


@cache
def hooks_for(resource: str) -> Hooks:
    module = shape_for(resource).hooks
    if module is None:
        return Hooks()
    hooks: dict[str, Hooks] = importlib.import_module(f"{__name__}.{module}").HOOKS
    return hooks.get(resource, Hooks())
