"""Pack a pipeline's source tree into a reproducible tar.gz and unpack it safely.

The archive is byte-for-byte deterministic (sorted names, zeroed times and
owners, normalized modes) so the same tree always hashes the same and an
unchanged project is never uploaded twice. Extraction refuses any member that
could escape the destination, since archives come back from shared storage.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import shutil
import stat
import tarfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from stackyard.code.git import run_git
from stackyard.config import PROJECT_DIR

SKIPPED_NAMES = frozenset({".git", "__pycache__", ".venv", "venv", PROJECT_DIR})
"""Directory (or file) names never archived when no .gitignore decides for us."""

_SKIPPED_SUFFIXES = (".pyc",)
# Drive letters and backslash roots escape the destination when extracting on Windows.
_WINDOWS_ROOT = re.compile(r"^([A-Za-z]:|\\)")


@dataclass(frozen=True)
class ArchiveInfo:
    """What was written: the digest identifies the code, the counts help report it."""

    sha256: str
    file_count: int
    size: int


def state_paths(artifact_store_path: str | None = None) -> list[Path]:
    """What stackyard itself writes and no code archive should hold: the config
    directory, the SQLite store (with its journal files) and a local artifact store.
    They change with every run, so inside a source tree they would make each archive
    of unchanged code a new one."""
    from stackyard.config import GlobalConfig, config_dir
    from stackyard.store import database_files

    paths = [config_dir(), *database_files(GlobalConfig.load().store_url)]
    if artifact_store_path and "://" not in artifact_store_path.removeprefix("file://"):
        paths.append(Path(artifact_store_path.removeprefix("file://")))
    return [p.expanduser().resolve() for p in paths]


def _excluded(root: Path, exclude: Collection[Path]) -> list[PurePosixPath]:
    """`exclude` as paths relative to `root`, for those inside it."""
    inside = []
    for path in exclude:
        if path.is_relative_to(root) and path != root:
            inside.append(PurePosixPath(path.relative_to(root).as_posix()))
    return inside


def source_files(root: Path, exclude: Collection[Path] = ()) -> list[Path]:
    """Files to archive under `root`, as sorted paths relative to it.

    Inside a git work tree git decides (tracked plus untracked-but-not-ignored
    files that still exist), so the user's .gitignore is honoured exactly.
    Elsewhere, or without git, a plain walk skips `SKIPPED_NAMES` and *.pyc.
    Files at or under a path in `exclude` (see `state_paths`), and a project's
    `.stackyard/` folder (its active stack changes with `stackyard stack set`), are
    left out either way: stackyard's own state is no part of the code.
    """
    root = Path(root).resolve()
    skipped = _excluded(root, exclude)
    if (run_git(root, "rev-parse", "--is-inside-work-tree") or "").strip() == "true":
        listing = run_git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
        if listing is not None:
            # A set because a conflicted file is listed once per merge stage.
            names = {name for name in listing.split("\0") if name}
            files = [Path(name) for name in names if (root / name).is_file()]
            return sorted(_keep(files, skipped), key=PurePosixPath)
    return sorted(_keep(_walk(root), skipped), key=PurePosixPath)


def _keep(files: list[Path], skipped: list[PurePosixPath]) -> list[Path]:
    return [
        f
        for f in files
        if PROJECT_DIR not in f.parts[:-1]
        and not any(PurePosixPath(f.as_posix()).is_relative_to(s) for s in skipped)
    ]


def _walk(root: Path) -> list[Path]:
    """Every file below `root` except the usual environment and cache clutter."""
    found: list[Path] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIPPED_NAMES]
        base = Path(directory)
        for name in filenames:
            path = base / name
            if name in SKIPPED_NAMES or name.endswith(_SKIPPED_SUFFIXES) or not path.is_file():
                continue
            found.append(path.relative_to(root))
    return found


class _HashingWriter:
    """File-like sink that digests and counts bytes on their way to `dest`."""

    def __init__(self, dest: BinaryIO) -> None:
        self._dest = dest
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        self._dest.write(data)
        return len(data)

    def flush(self) -> None:
        self._dest.flush()


def build_archive(root: Path, dest: BinaryIO, exclude: Collection[Path] = ()) -> ArchiveInfo:
    """Write the `source_files` of `root` (less `exclude`) to `dest` as a
    deterministic tar.gz.

    Symlinked files are stored as the content they point to: the archive holds
    only regular files, which keeps extraction simple and safe.
    """
    root = Path(root).resolve()
    files = source_files(root, exclude)
    sink = _HashingWriter(dest)
    # GzipFile is built by hand: tarfile's own "w:gz" stamps the current time and
    # the output's file name into the gzip header, which would break determinism.
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=sink, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for relative in files:
            path = root / relative
            info = tarfile.TarInfo(relative.as_posix())
            info.size = path.stat().st_size
            info.mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.mtime = 0
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with path.open("rb") as handle:
                tar.addfile(info, handle)
    return ArchiveInfo(sha256=sink.digest.hexdigest(), file_count=len(files), size=sink.size)


def extract_archive(src: BinaryIO, dest_dir: Path) -> None:
    """Unpack a code archive into `dest_dir`, refusing members that could escape it.

    Every member is checked before anything is written, so a malicious archive
    leaves no partial tree behind. Raises ValueError naming the offending member
    for absolute paths, `..` components, or anything but files and directories.
    """
    dest_dir = Path(dest_dir)
    with tarfile.open(fileobj=src, mode="r:*") as tar:
        members = tar.getmembers()
        for member in members:
            _check_member(member)
        for member in members:
            target = dest_dir.joinpath(*PurePosixPath(member.name).parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None  # _check_member let only regular files get here
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            target.chmod(0o755 if member.mode & stat.S_IXUSR else 0o644)


def _check_member(member: tarfile.TarInfo) -> None:
    """Reject a member whose path or type could write outside the destination."""
    name = member.name
    path = PurePosixPath(name)
    if path.is_absolute() or _WINDOWS_ROOT.match(name):
        raise ValueError(f"refusing archive member {name!r}: absolute path")
    if ".." in path.parts or ".." in name.split("\\"):
        raise ValueError(f"refusing archive member {name!r}: '..' in path")
    if not (member.isfile() or member.isdir()):
        raise ValueError(f"refusing archive member {name!r}: not a regular file or directory")
