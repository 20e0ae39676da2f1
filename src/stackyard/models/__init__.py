"""Pydantic models of every resource, loaded on first use.

`from stackyard.models import PipelineRunResponse` works as usual; the module
holding it (found in the generated manifest) is imported only then, keeping the
start-up of the CLI short.
"""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    from stackyard.models.manifest import WHERE

    if name == "__all__":
        return sorted(WHERE)
    module = WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'stackyard.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
