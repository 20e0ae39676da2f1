"""The classes an artifact record names, checked before any of their code runs.

A version's `materializer` and `data_type` are import paths that anyone who may write
to the store chose; loading the version imports them and calls them. So a path is
resolved without running anything when it can be (an object of a module already
imported, or sent by a worker's caller), and a module is imported for it only after
its source, read but not run, shows that it defines that class: for a materializer,
a class deriving from a `...Materializer` class. The standard library is never
imported for a record, and `__main__` modules never are (a package's `__main__`
runs its program when imported).
"""

from __future__ import annotations

import ast
import importlib.machinery
import inspect
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stackyard.exceptions import IllegalOperationError
from stackyard.utils.source import load_source, main_module_name, provided

_MISSING = object()


def loaded(path: str) -> Any:
    """The object at `path` if reaching it imports nothing, else `_MISSING`. Attributes
    are read statically, so no module `__getattr__` or property runs either."""
    found = provided(path)
    if found is not None:
        return found
    parts = path.split(".")
    main = main_module_name()
    starts: list[tuple[Any, list[str]]] = []
    if main and path.startswith(main + ".") and main not in sys.modules:
        starts.append((sys.modules.get("__main__"), parts[len(main.split(".")) :]))
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is not None:
            starts.append((module, parts[cut:]))
            break
    for obj, rest in starts:
        for attribute in rest:
            try:
                obj = inspect.getattr_static(obj, attribute)
            except AttributeError:
                break
        else:
            return obj
    return _MISSING


def is_stdlib(module: str) -> bool:
    return module.partition(".")[0] in sys.stdlib_module_names


def _search_path() -> list[str]:
    """Where `load_source` looks for a top-level module: `sys.path`, then the project
    root and the working directory."""
    from stackyard.config import find_project_root

    root = find_project_root()
    extra = [str(root)] if root is not None else []
    extra.append(os.getcwd())
    return [*sys.path, *(p for p in dict.fromkeys(extra) if p not in sys.path)]


def _source_of_module(parts: list[str]) -> Path | None:
    """The `.py` file of module `parts`, found without importing it (or its packages)."""
    search: list[str] | None = _search_path()
    origin: str | None = None
    for depth in range(len(parts)):
        name = ".".join(parts[: depth + 1])
        module = sys.modules.get(name)  # an imported package tells where it is
        spec = getattr(module, "__spec__", None) if module is not None else None
        if spec is None:
            if search is None:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, search)
            if spec is None:
                return None
        locations = spec.submodule_search_locations
        search = list(locations) if locations is not None else None
        origin = spec.origin
    if not origin or not origin.endswith(".py"):
        return None
    return Path(origin)


def _class_in(body: list[ast.stmt], names: list[str]) -> ast.ClassDef | None:
    """The class definition `names` (a qualified name) among the statements `body`."""
    found = None
    for name in names:
        found = next(
            (s for s in body if isinstance(s, ast.ClassDef) and s.name == name),
            None,
        )
        if found is None:
            return None
        body = found.body
    return found


def _derives(module: ast.Module, klass: ast.ClassDef, accepts: Callable[[str], bool]) -> bool:
    """Whether `klass` names a base that `accepts` takes, itself or through classes of
    the same module (a base from elsewhere is imported by name, so its name shows)."""
    seen: set[str] = set()
    todo = [klass]
    while todo:
        current = todo.pop()
        for base in current.bases:
            name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
            if name and accepts(name):
                return True
            local = _class_in(module.body, [name]) if name and name not in seen else None
            if local is not None:
                seen.add(name)
                todo.append(local)
    return False


def _check_source(path: str, accepts: Callable[[str], bool] | None, what: str) -> None:
    """Refuse to import `path` unless its module's source defines that class, deriving
    from a base `accepts` takes (any class when None); ImportError if there is none."""
    parts = path.split(".")
    if "__main__" in parts or "<locals>" in parts:
        load_source(path)  # nothing to import: it raises, saying why
    if is_stdlib(path):
        raise IllegalOperationError(
            f"{path!r} is in the standard library, which is never imported for a record"
        )
    for cut in range(len(parts) - 1, 0, -1):
        source = _source_of_module(parts[:cut])
        if source is None:
            continue
        try:
            module = ast.parse(source.read_text("utf-8"), str(source))
        except (OSError, SyntaxError, ValueError):
            break
        klass = _class_in(module.body, parts[cut:])
        if klass is None:
            raise IllegalOperationError(
                f"{path!r} is not {what}: {source} defines no class {'.'.join(parts[cut:])}"
            )
        if accepts is not None and not _derives(module, klass, accepts):
            raise IllegalOperationError(
                f"{path!r} is not {what}: class {klass.name} in {source} does not derive "
                "from one by name (import its module first, and it is checked as a class)"
            )
        return
    searched = ", ".join(["sys.path", *_search_path()[len(sys.path) :]])
    top = sys.modules.get(parts[0]) or importlib.machinery.PathFinder.find_spec(
        parts[0], _search_path()
    )
    if top is None:
        missing = f"no module named {parts[0]!r}"
    else:
        missing = "no Python source of its module, which is read before it is imported"
    raise ImportError(f"cannot load {path!r}: {missing} (searched {searched})")


def resolve(path: str, accepts: Callable[[str], bool] | None, what: str) -> Any:
    """The object `path` names. Its module is imported only when its source defines that
    class deriving from a base whose name `accepts` takes (any class if None); `what`
    names what it must be, for errors. Callers check the object before they call it."""
    found = loaded(path)
    if found is not _MISSING:
        return found
    _check_source(path, accepts, what)
    return load_source(path)


__all__ = ["is_stdlib", "loaded", "resolve"]
