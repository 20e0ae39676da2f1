"""Requirements a pipeline's code imports: the installed distributions, pinned.

The modules holding the pipeline and its steps are read (not run) for their
imports; imports of the project's own modules (files under the code's import
root) are followed, the others are mapped to the installed distributions that
provide them, pinned to the installed version as `pip freeze` names them.
Standard-library modules and stackyard itself (installed on its own line) are
left out. An environment inside the project (`project/.venv`) is installed code,
not the project's: its packages are pinned, never walked.
"""

from __future__ import annotations

import ast
import importlib.machinery
import importlib.metadata
import importlib.util
import logging
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from stackyard.code.archive import SKIPPED_NAMES

logger = logging.getLogger(__name__)

_INSTALLED_DIRS = frozenset({"site-packages", "dist-packages"})


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
    """The file module `name` would load from, found without importing anything:
    `importlib.util.find_spec` of a submodule imports (runs) its parent packages, and
    installed code may fail to import here (`asyncio.coroutine` gone in a new Python)."""
    module = sys.modules.get(name)
    file = getattr(module, "__file__", None)
    if isinstance(file, str):
        return Path(file).resolve()
    top, *rest = name.split(".")
    spec = importlib.util.find_spec(top)  # a top-level name: only finders are asked
    for part in rest:
        if spec is None or not spec.submodule_search_locations:
            return None
        locations = list(spec.submodule_search_locations)
        spec = importlib.machinery.PathFinder.find_spec(f"{spec.name}.{part}", locations)
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    return Path(spec.origin).resolve()


def _is_project_code(origin: Path, project_root: Path) -> bool:
    """Whether `origin` is one of the project's own files: under `project_root`, but not
    in an environment there (site-packages, a virtualenv, the interpreter's prefix) nor
    in a folder code archives leave out (`.venv`, `__pycache__`, ...)."""
    if not origin.is_relative_to(project_root):
        return False
    prefixes = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    if any(origin.is_relative_to(p) and not project_root.is_relative_to(p) for p in prefixes):
        return False
    folders = origin.relative_to(project_root).parts[:-1]
    if any(part in _INSTALLED_DIRS or part in SKIPPED_NAMES for part in folders):
        return False
    directory = project_root
    for part in folders:
        directory /= part
        if (directory / "pyvenv.cfg").is_file():  # a virtualenv
            return False
    return True


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
    project's own modules under `project_root`.

    What cannot be inspected (a file that does not parse, a module no finder can
    place) is warned about and left out: requirements are a convenience, never a
    reason for a build to fail.
    """
    root = project_root.resolve() if project_root is not None else None
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
        except (SyntaxError, UnicodeDecodeError, OSError) as exc:
            logger.warning(
                "could not read the imports of %s (%s: %s); add what it needs to "
                "DockerSettings(requirements=...)",
                path,
                type(exc).__name__,
                exc,
            )
            continue
        for name in sorted(names):
            top = name.partition(".")[0]
            if not top or top in sys.stdlib_module_names or top in ("stackyard", "__future__"):
                continue
            origin = _origin_or_warn(name, path) if root is not None else None
            if origin is not None and root is not None and _is_project_code(origin, root):
                pending.append((origin, name))
            elif top in _distributions():
                top_levels.add(top)
    return sorted({pin for top in top_levels for pin in _pinned(top)}, key=str.lower)


def _origin_or_warn(name: str, importer: Path) -> Path | None:
    try:
        return _origin(name)
    except Exception as exc:  # finders run third-party code; any failure is theirs
        logger.warning(
            "could not find where %r (imported by %s) comes from (%s: %s); if it is an "
            "installed package, add it to DockerSettings(requirements=...)",
            name,
            importer,
            type(exc).__name__,
            exc,
        )
        return None
