"""Package attributes imported on first use: what keeps `import stackyard` and the CLI's
start light while `from stackyard import step` (or any model) works as usual."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(package: str, where: Callable[[], Mapping[str, str]]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: `where()` maps each lazy name to the module
    holding it; a name is imported once, then kept in the package like a plain one."""

    def __getattr__(name: str) -> Any:
        module = where().get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
