"""Recording where a pipeline's code lives, so a run template can run it again.

When the pipeline's source is a clean checkout (no uncommitted changes) of a
registered code repository, the run records a *code reference*: repository,
commit and the subdirectory its imports start from. Otherwise the source tree
(the whole checkout when in git, else the directory holding the top-level
package or script) is packed with `build_archive` and stored once in the
artifact store as `code/<sha256>.tar.gz`: the same tree gives the same digest,
so unchanged code is neither packed again in this process nor uploaded twice.

Recording never fails a run. When the code can be neither referenced nor
archived, a warning says why and templates made from the run are not runnable.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
from collections.abc import Collection, Hashable
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath
from typing import TYPE_CHECKING, TypeVar
from uuid import uuid4

from stackyard.code.archive import SKIPPED_NAMES, build_archive, source_files, state_paths
from stackyard.code.git import LocalCheckout, find_checkout, subdirectory_of
from stackyard.models.pipelines import CodeReference

if TYPE_CHECKING:
    from stackyard.artifact_stores.base import BaseArtifactStore
    from stackyard.models.code import CodeRepositoryResponse
    from stackyard.models.pipelines import SnapshotResponse
    from stackyard.pipelines.pipeline import Pipeline
    from stackyard.store.base import Store

logger = logging.getLogger(__name__)
P = TypeVar("P", bound=PurePath)

MAX_CODE_FILES = 5_000
MAX_CODE_BYTES = 100 * 2**20
"""Trees beyond these limits are not archived: they almost always hold an environment
or data by mistake, and packing them would slow every run down."""


@dataclass(frozen=True)
class RecordedCode:
    """What a snapshot and its runs keep about the code: how to import, where to fetch."""

    source: str | None = None  # "package.module:attribute" of the pipeline object
    source_path: str | None = None  # that module's file, posix, relative to the code root
    code_reference: CodeReference | None = None
    code_path: str | None = None  # URI of the code archive

    @classmethod
    def of(cls, snapshot: SnapshotResponse) -> RecordedCode:
        """What `record_snapshot` stored on `snapshot`."""
        return cls(
            source=snapshot.source,
            source_path=snapshot.pipeline_spec.get("source_path"),
            code_reference=snapshot.code_reference,
            code_path=snapshot.code_path,
        )

    @property
    def import_root(self) -> PurePosixPath:
        """The directory, relative to the code root, that goes first on `sys.path`."""
        if not self.source or not self.source_path:
            raise ValueError("no source recorded")
        module = self.source.partition(":")[0]
        return import_root(module, PurePosixPath(self.source_path))


def import_root(module: str, file: P) -> P:
    """The directory from which `module` imports as `file`: for `a.b.c` at
    `/x/a/b/c.py` (or `a.b` at `/x/a/b/__init__.py`) it is `/x`."""
    parts = module.split(".")
    levels = len(parts) if file.name == "__init__.py" else len(parts) - 1
    root = file.parent
    for _ in range(levels):
        root = root.parent
    expected = root.joinpath(*parts[:-1] if file.name != "__init__.py" else parts)
    if file.parent != expected:
        raise ValueError(f"module {module!r} does not import from {file}")
    return root


def locate(pipeline: Pipeline) -> tuple[str, Path] | None:
    """`("module:attribute", file)` of the module-level object holding `pipeline`.

    None when there is none: defined in an interactive session, inside a
    function, or only reachable under another object.
    """
    from stackyard.pipelines.pipeline import Pipeline

    func = pipeline.entrypoint
    module = sys.modules.get(func.__module__)
    file = getattr(module, "__file__", None)
    if module is None or not file or "<locals>" in func.__qualname__:
        return None
    if not (file.endswith(".py") and Path(file).is_file()):  # `python -`: no file to import
        return None
    candidates = [
        name
        for name, value in vars(module).items()
        if isinstance(value, Pipeline) and value.entrypoint is func
    ]
    if not candidates:
        return None
    attribute = func.__name__ if func.__name__ in candidates else candidates[0]
    # `source` spells `__main__` as the module's real name under `python -m`
    name = pipeline.source[: -len(func.__qualname__) - 1]
    if name == "__main__":
        name = Path(file).stem
    return f"{name}:{attribute}", Path(file).resolve()


def record_code(
    store: Store, pipeline: Pipeline, artifact_store: BaseArtifactStore
) -> RecordedCode:
    """A code reference or an archived copy of `pipeline`'s code; warns instead of failing."""
    located = locate(pipeline)
    if located is None:
        logger.warning(
            "pipeline %r is not defined at the top level of a module file, so its code "
            "is not recorded and templates made from its runs cannot run",
            pipeline.name,
        )
        return RecordedCode()
    source, file = located
    try:
        root = import_root(source.partition(":")[0], file)
        checkout = find_checkout(file)
        if checkout is not None and not root.is_relative_to(checkout.root):
            checkout = None  # imports start above the checkout: only an archive can hold it
        code_root = checkout.root if checkout is not None else root
        source_path = file.relative_to(code_root).as_posix()
        if checkout is not None and not checkout.is_dirty:
            repository = registered_repository(store, checkout)
            if repository is not None:
                reference = CodeReference(
                    code_repository_id=repository.id,
                    commit=checkout.commit,
                    subdirectory=subdirectory_of(checkout, root),
                )
                return RecordedCode(source, source_path, code_reference=reference)
        elif checkout is not None:
            logger.info(
                "%s has uncommitted changes: archiving the code of pipeline %r",
                checkout.root,
                pipeline.name,
            )
        uri = upload_archive(code_root, checkout, artifact_store)
        return RecordedCode(source, source_path, code_path=uri)
    except Exception as exc:  # a run must never fail because its code was not recorded
        logger.warning(
            "could not record the code of pipeline %r (%s: %s); templates made from "
            "this run cannot run",
            pipeline.name,
            type(exc).__name__,
            exc,
        )
        return RecordedCode(source)


def registered_repository(store: Store, checkout: LocalCheckout) -> CodeRepositoryResponse | None:
    """The first registered code repository whose flavor says `checkout` is a clone of it."""
    from stackyard.code.repositories import resolve_flavor
    from stackyard.exceptions import InputError
    from stackyard.models.paging import depaginate_store

    for repository in depaginate_store(store, "code_repository"):
        try:
            flavor = resolve_flavor(repository.source)(repository.config)
        except InputError as exc:
            logger.warning("skipping code repository %r: %s", repository.name, exc)
            continue
        if flavor.matches(checkout):
            found: CodeRepositoryResponse = repository
            return found
    return None


# -- archives ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Archive:
    sha256: str
    data: bytes


_LOCK = threading.Lock()
# code root → (fingerprint of its tree, archive or None when too large): the last tree only
_ARCHIVES: dict[Path, tuple[Hashable, _Archive | None]] = {}


def upload_archive(
    root: Path, checkout: LocalCheckout | None, artifact_store: BaseArtifactStore
) -> str | None:
    """URI of the archive of `root` in the artifact store (uploaded unless already
    there), or None when the tree is too large to archive."""
    from stackyard.artifacts.fs import exists, filesystem, makedirs, open_uri

    archive = _archive(root, checkout, state_paths(artifact_store.path))
    if archive is None:
        return None
    uri = artifact_store.uri("code", f"{archive.sha256}.tar.gz")
    if not exists(uri):
        makedirs(artifact_store.uri("code"))
        partial = f"{uri}.{uuid4().hex}.partial"  # readers never see half an archive
        with open_uri(partial, "wb") as handle:
            handle.write(archive.data)
        fs, path = filesystem(partial)
        fs.mv(path, filesystem(uri)[1])
    return uri


def _archive(root: Path, checkout: LocalCheckout | None, exclude: list[Path]) -> _Archive | None:
    """The archive of `root` less `exclude` (stackyard's own state), packed again only
    when its tree changed."""
    key = _git_fingerprint(checkout) if checkout is not None else _tree_fingerprint(root, exclude)
    with _LOCK:
        cached = _ARCHIVES.get(root)
    if key is not None and cached is not None and cached[0] == key:
        return cached[1]
    # an oversized plain tree was only walked that far: don't list it all to say so
    files = [] if key is _TOO_MANY_FILES else source_files(root, exclude)
    size = sum((root / f).stat().st_size for f in files)
    archive = None
    if key is _TOO_MANY_FILES or len(files) > MAX_CODE_FILES or size > MAX_CODE_BYTES:
        found = (
            f"more than {MAX_CODE_FILES} files"
            if key is _TOO_MANY_FILES
            else f"{len(files)} files, {size / 2**20:.0f} MB"
        )
        logger.warning(
            "not archiving the code in %s (%s): the limit is %d files and %.0f MB. Keep "
            "environments and data out of it (.gitignore), or commit it and register its git "
            "repository; until then templates made from these runs cannot run",
            root,
            found,
            MAX_CODE_FILES,
            MAX_CODE_BYTES / 2**20,
        )
    else:
        buffer = io.BytesIO()
        info = build_archive(root, buffer, exclude)
        archive = _Archive(info.sha256, buffer.getvalue())
    if key is not None:
        with _LOCK:
            _ARCHIVES[root] = (key, archive)
    return archive


def _git_fingerprint(checkout: LocalCheckout) -> Hashable | None:
    """Commit plus the state of every changed path; None when a path can't be read back."""
    state: list[Hashable] = [checkout.commit]
    for line in checkout.changes:
        path = _changed_path(line)
        if path is None:
            return None
        full = checkout.root / path
        if full.is_dir():
            state.append((line, _tree_fingerprint(full)))
        else:
            state.append((line, _stat(full)))
    return tuple(state)


def _changed_path(line: str) -> str | None:
    """The path a `git status --porcelain=v2` line is about; None when unsure (git quotes
    unusual names)."""
    fields = {"1": 8, "2": 9, "u": 10}.get(line[:1])
    if line[:1] in ("?", "!"):
        path = line[2:]
    elif fields is not None:
        path = line.split(" ", fields)[-1].split("\t")[0]  # "2": "<path>\t<original path>"
    else:
        return None
    return None if path.startswith('"') else path


_TOO_MANY_FILES = ("too many files",)


def _tree_fingerprint(root: Path, exclude: Collection[Path] = ()) -> Hashable:
    """Path, mtime and size of every file under `root` but `exclude`; one constant beyond
    `MAX_CODE_FILES`, so an oversized tree is walked only that far and warned about once."""
    state: list[Hashable] = []
    skipped = set(exclude)
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        dirnames[:] = sorted(
            d for d in dirnames if d not in SKIPPED_NAMES and here / d not in skipped
        )
        for name in sorted(filenames):
            if name in SKIPPED_NAMES or name.endswith(".pyc") or here / name in skipped:
                continue
            state.append((directory, name, _stat(Path(directory, name))))
            if len(state) > MAX_CODE_FILES:
                return _TOO_MANY_FILES
    return tuple(state)


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size
