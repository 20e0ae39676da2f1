"""Import paths ("module.QualName") for classes and functions.

Artifacts and pipeline records store types and materializers as import paths so
that another process can load them again without pickling the objects themselves.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import importlib.machinery
import logging
import os
import sys
import types
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from stackyard.exceptions import RunDuringImportError

logger = logging.getLogger(__name__)

# Set only in step worker processes, which run objects sent from their caller's
# `__main__` by value: what that `__main__` is called, and the caller's objects
# under their import paths (the worker must never import the caller's script).
_MAIN_OVERRIDE: list[str | None] = []
_PROVIDED: dict[str, Any] = {}

# The import path `load_source` is importing a module for, while it does.
_LOADING: ContextVar[str | None] = ContextVar("stackyard_loading", default=None)
# Modules whose import stopped at a module-level pipeline call (see `refuse_run_while_loading`),
# kept as far as they got, with the refused call.
_STOPPED: dict[str, tuple[types.ModuleType, RunDuringImportError]] = {}
_GUARD_HINT = 'put that call under `if __name__ == "__main__":`'


def act_for_caller(main_module: str | None, objects: dict[str, Any]) -> None:
    """In a worker process: `__main__` stands for the caller's `main_module` (None: an
    interactive session), and `objects` answer `load_source` for their paths."""
    _MAIN_OVERRIDE[:] = [main_module]
    _PROVIDED.update(objects)


def source_root(script: Path) -> Path:
    """The directory a script's import path starts from: the project root (the
    nearest `.stackyard/` folder above it, made by `stackyard init`), else its own
    directory."""
    from stackyard.config import find_project_root

    root = find_project_root(script.parent)
    return root if root is not None else script.parent


@functools.cache
def _script_module(file: str) -> str | None:
    """The module name under which the script `file` imports from its source root."""
    script = Path(file).resolve()
    if script.suffix != ".py":
        return None
    for root in dict.fromkeys((source_root(script), script.parent)):
        parts = [*script.relative_to(root).parent.parts, script.stem]
        if all(part.isidentifier() for part in parts):
            name = ".".join(parts)
            other = sys.modules.get(name)
            other_file = getattr(other, "__file__", None)
            if other is None or (other_file and Path(other_file).resolve() == script):
                return name
    return None


def main_module_name() -> str | None:
    """The real module name of ``__main__``: its name under ``python -m``, else the
    script's import path from its source root; None in an interactive session."""
    if _MAIN_OVERRIDE:
        return _MAIN_OVERRIDE[0]
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    name = getattr(spec, "name", None)
    if name and name != "__main__":
        return str(name)
    file = getattr(main, "__file__", None)
    return _script_module(file) if isinstance(file, str) else None


def source_of(obj: type | Callable[..., Any]) -> str:
    """Return the import path of a class or function, e.g. ``"builtins.int"``.

    Objects defined in ``__main__`` get their real module name: the module's under
    ``python -m``, else the script's path from its source root (see `source_root`),
    so the path also resolves in other processes. Only an interactive session (a
    notebook, ``python -``) keeps ``__main__``, which resolves in that process alone.
    """
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        raise TypeError(f"{obj!r} has no __module__/__qualname__, so it has no import path")
    if module == "__main__":
        module = main_module_name() or module
    elif module == "builtins" and getattr(builtins, qualname, None) is not obj:
        # Types such as NoneType report "builtins" but are only reachable via `types`.
        for name, candidate in vars(types).items():
            if candidate is obj:
                return f"types.{name}"
    return f"{module}.{qualname}"


def refuse_run_while_loading(pipeline: str) -> None:
    """Refuse to start pipeline `pipeline` while `load_source` imports a module.

    A script without an `if __name__ == "__main__":` guard runs its pipeline when it
    is imported, and loading anything it defined (an artifact's type or materializer,
    its pipeline for a build or a template run) imports it: without this, every load
    would run the pipeline again. The module's import stops at the call instead, and
    `load_source` keeps what it defined up to there.
    """
    loading = _LOADING.get()
    if loading is None:
        return
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_name != "<module>":
        frame = frame.f_back
    module = str(frame.f_globals.get("__name__"))
    file, line = frame.f_code.co_filename, frame.f_lineno
    error = RunDuringImportError(
        f"module {module!r} ({file}) calls pipeline {pipeline!r} at line {line} when it is "
        f"imported, and stackyard imported it to load {loading!r}: stackyard never runs a "
        f"pipeline while it imports code, so that import stopped there; {_GUARD_HINT}",
        module=module,
        pipeline=pipeline,
        file=file,
        line=line,
    )
    if module in sys.modules:
        _STOPPED[module] = (sys.modules[module], error)
    raise error


def _keep_stopped(path: str, name: str) -> types.ModuleType:
    """Module `name`, whose import stopped at a pipeline call, as far as it got: registered
    as imported (so it is not run again), with a warning that says where it stopped."""
    module, error = _STOPPED[name]
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    logger.warning(
        "Loading %r imported module %r (%s) only up to line %d, where it calls pipeline %r: "
        "stackyard never runs a pipeline while it imports code. To import the whole module, %s.",
        path,
        name,
        error.file,
        error.line,
        error.pipeline,
        _GUARD_HINT,
    )
    return module


def _search_roots() -> list[str]:
    """Where project modules live when they are not on `sys.path` already: the
    project root found from the working directory, then the working directory, as
    Python itself would search them when started there."""
    from stackyard.config import find_project_root

    root = find_project_root()
    candidates = [str(root)] if root is not None else []
    candidates.append(os.getcwd())
    return [c for c in dict.fromkeys(candidates) if c not in sys.path]


def _import_module(path: str, name: str) -> types.ModuleType | None:
    """Import module ``name`` for ``path``: None if no such module exists.

    The script running as ``__main__`` is reused rather than imported (and run) a
    second time. A top-level module found nowhere on `sys.path` is looked for in
    the project root and the working directory (which then join `sys.path`).
    """
    if name not in sys.modules and not _MAIN_OVERRIDE and name == main_module_name():
        return sys.modules["__main__"]
    token = _LOADING.set(path)
    try:
        return importlib.import_module(name)
    except RunDuringImportError as error:
        if error.module == name and name in _STOPPED:
            return _keep_stopped(path, name)
        raise ImportError(f"cannot load {path!r}: importing {name!r} failed: {error}") from error
    except ModuleNotFoundError as error:
        if error.name != name:
            raise ImportError(
                f"cannot load {path!r}: importing {name!r} failed: {error}"
            ) from error
        if "." in name:
            return None
        for root in _search_roots():
            if importlib.machinery.PathFinder.find_spec(name, [root]) is not None:
                sys.path.insert(0, root)
                return _import_module(path, name)
        return None
    except Exception as error:
        raise ImportError(f"cannot load {path!r}: importing {name!r} failed: {error!r}") from error
    finally:
        _LOADING.reset(token)


def provided(path: str) -> Any | None:
    """What a worker's caller sent for `path` (see `act_for_caller`), if anything."""
    return _PROVIDED.get(path)


def load_source(path: str) -> Any:
    """Import and return the object named by an import path from `source_of`.

    Walks the path from the top-level module, importing submodules as needed,
    and raises ImportError naming the path and the step that failed.
    """
    if path in _PROVIDED:
        return _PROVIDED[path]
    if "<locals>" in path:
        raise ImportError(f"cannot load {path!r}: it was defined inside a function")
    parts = path.split(".")
    if not all(parts):
        raise ImportError(f"cannot load {path!r}: not a dotted import path")
    main = None if _MAIN_OVERRIDE else main_module_name()
    start = len(main.split(".")) if main and path.startswith(main + ".") else 1
    obj: Any
    if start > 1 and main not in sys.modules:  # this very script: never run it again
        obj = sys.modules["__main__"]
    else:
        start, obj = 1, _import_module(path, parts[0])
    if obj is None:
        searched = ", ".join(["sys.path", *_search_roots()])
        raise ImportError(
            f"cannot load {path!r}: no module named {parts[0]!r} (searched {searched})"
        )
    for depth, attribute in enumerate(parts[start:], start=start):
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
            raise _missing_attribute(path, owner, attribute)
        obj = submodule
    return obj


def _missing_attribute(path: str, owner: str, attribute: str) -> ImportError:
    if owner == "__main__":
        return ImportError(
            f"cannot load {path!r}: it was defined in an interactive session (a notebook or "
            "`python -`) and only that session can import it; define it in a module file"
        )
    stopped = _STOPPED.get(owner)
    if stopped is not None and sys.modules.get(owner) is stopped[0]:
        error = stopped[1]
        return ImportError(
            f"cannot load {path!r}: {owner!r} has no attribute {attribute!r}: its import "
            f"stopped at line {error.line}, where it calls pipeline {error.pipeline!r} (stackyard "
            f"never runs a pipeline while it imports code), before defining it; {_GUARD_HINT}"
        )
    return ImportError(f"cannot load {path!r}: {owner!r} has no attribute {attribute!r}")
