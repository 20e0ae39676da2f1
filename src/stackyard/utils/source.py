"""Import paths ("module.QualName") for classes and functions.

Artifacts and pipeline records store types and materializers as import paths so
that another process can load them again without pickling the objects themselves.
"""

from __future__ import annotations

import builtins
import importlib
import sys
import types
from collections.abc import Callable
from typing import Any


def _main_module_name() -> str | None:
    """Real module name of ``__main__`` when it was started with ``python -m``."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    name = getattr(spec, "name", None)
    return name if name and name != "__main__" else None


def source_of(obj: type | Callable[..., Any]) -> str:
    """Return the import path of a class or function, e.g. ``"builtins.int"``.

    Objects defined in ``__main__`` get their real module name when the script was
    run with ``python -m``, so the path also resolves in other processes.
    """
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        raise TypeError(f"{obj!r} has no __module__/__qualname__, so it has no import path")
    if module == "__main__":
        module = _main_module_name() or module
    elif module == "builtins" and getattr(builtins, qualname, None) is not obj:
        # Types such as NoneType report "builtins" but are only reachable via `types`.
        for name, candidate in vars(types).items():
            if candidate is obj:
                return f"types.{name}"
    return f"{module}.{qualname}"


def _import_module(path: str, name: str) -> types.ModuleType | None:
    """Import module ``name`` for ``path``: None if no such module exists.

    A module started with ``python -m`` is reused from ``__main__`` rather than
    imported (and run) a second time.
    """
    if name not in sys.modules and name == _main_module_name():
        return sys.modules["__main__"]
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            return None
        raise ImportError(f"cannot load {path!r}: importing {name!r} failed: {error}") from error
    except Exception as error:
        raise ImportError(f"cannot load {path!r}: importing {name!r} failed: {error!r}") from error


def load_source(path: str) -> Any:
    """Import and return the object named by an import path from `source_of`.

    Walks the path from the top-level module, importing submodules as needed,
    and raises ImportError naming the path and the step that failed.
    """
    if "<locals>" in path:
        raise ImportError(f"cannot load {path!r}: it was defined inside a function")
    parts = path.split(".")
    if not all(parts):
        raise ImportError(f"cannot load {path!r}: not a dotted import path")
    obj: Any = _import_module(path, parts[0])
    if obj is None:
        raise ImportError(f"cannot load {path!r}: no module named {parts[0]!r}")
    for depth, attribute in enumerate(parts[1:], start=1):
        owner = ".".join(parts[:depth])
        if hasattr(obj, attribute):
            obj = getattr(obj, attribute)
            continue
        submodule = (
            _import_module(path, f"{owner}.{attribute}")
            if isinstance(obj, types.ModuleType)
            else None
        )
        if submodule is None:
            raise ImportError(f"cannot load {path!r}: {owner!r} has no attribute {attribute!r}")
        obj = submodule
    return obj
