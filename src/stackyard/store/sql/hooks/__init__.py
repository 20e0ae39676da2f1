"""Resource-specific rules, found by resource name; the rest is generic."""

from __future__ import annotations

import importlib
from functools import cache

from stackyard.store.sql.hooks.base import Hooks

# resource name → module in this package holding a `HOOKS` instance
_MODULES: dict[str, str] = {
    "user": "users",
    "api_key": "users",
    "stack": "stacks",
    "stack_component": "stacks",
    "flavor": "stacks",
    "secret": "secrets",
    "service_connector": "secrets",
    "snapshot": "runs",
    "pipeline_run": "runs",
    "run_step": "runs",
    "artifact_version": "artifacts",
    "artifact": "artifacts",
    "run_template": "automation",
    "schedule": "automation",
    "run_metadata": "runs",
}


@cache
def hooks_for(resource: str) -> Hooks:
    module = _MODULES.get(resource)
    if module is None:
        return Hooks()
    hooks: dict[str, Hooks] = importlib.import_module(f"{__name__}.{module}").HOOKS
    return hooks.get(resource, Hooks())
