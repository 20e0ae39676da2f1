"""stackyard: pipelines of Python steps on a stack, every run recorded.

The names below load on first use, so `import stackyard` stays cheap: the CLI
and the Client pay only for what they touch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY: dict[str, str] = {
    "Client": "stackyard.client",
    "ExecutionStatus": "stackyard.models.enums",
}

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.enums import ExecutionStatus

__all__ = sorted([*_LAZY, "__version__"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stackyard' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
