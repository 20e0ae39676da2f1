"""Pydantic models of every resource, loaded on first use.

`from stackyard.models import PipelineRunResponse` works as usual; the module
holding it (found in the generated manifest) is imported only then, keeping the
start-up of the CLI short.
"""

from __future__ import annotations

from typing import Any

from stackyard.utils.lazy import lazy_attributes


def _where() -> dict[str, str]:
    from stackyard.models.manifest import WHERE

    return WHERE


_lazy = lazy_attributes(__name__, _where)


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted(_where())
    return _lazy(name)
