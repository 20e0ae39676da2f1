"""Requirements a pipeline's code imports: the installed distributions, pinned.

The modules holding the pipeline and its steps are read (not run) for their
imports; imports of the project's own modules (files under the code's import
root) are followed, the others are mapped to the installed distributions that
provide them, pinned to the installed version as `pip freeze` names them.
Standard-library modules and stackyard itself (installed on its own line) are
left out.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path


def _imports(source: str, package: str) -> set[str]:
    """Absolute names a module's source imports (relative imports resolved in `package`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if module:
                found.add(module)
                found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def _origin(name: str) -> Path | None:
    """The file module `name` would load from, without importing it when avoidable."""
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if file:
        return Path(file).resolve()
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    return Path(spec.origin).resolve()


@cache
def _distributions() -> Mapping[str, list[str]]:
    """Top-level import name → the installed distributions providing it (read once)."""
    return importlib.metadata.packages_distributions()


def _pinned(top_level: str) -> list[str]:
    pins = []
    for name in _distributions().get(top_level, []):
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        pins.append(f"{name}=={version}")
    return pins


def imported_requirements(
    files: Iterable[tuple[Path, str]], project_root: Path | None
) -> list[str]:
    """Pinned distributions imported by `files` (path, module name), following the
    project's own modules under `project_root`."""
    pending = [(path.resolve(), module) for path, module in files]
    seen_files: set[Path] = set()
    top_levels: set[str] = set()
    while pending:
        path, module = pending.pop()
        if path in seen_files or path.suffix != ".py" or not path.is_file():
            continue
        seen_files.add(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        try:
            names = _imports(path.read_text(encoding="utf-8"), package)
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        for name in names:
            top = name.partition(".")[0]
            if not top or top in sys.stdlib_module_names or top in ("stackyard", "__future__"):
                continue
            origin = _origin(name) if project_root is not None else None
            if (
                origin is not None
                and project_root is not None
                and origin.is_relative_to(project_root)
            ):
                pending.append((origin, name))
            elif top in _distributions():
                top_levels.add(top)
    return sorted({pin for top in top_levels for pin in _pinned(top)}, key=str.lower)
