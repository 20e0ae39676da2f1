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
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from stackyard.code.git import run_git

SKIPPED_NAMES = frozenset({".git", "__pycache__", ".venv", "venv", ".stackyard"})
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


def source_files(root: Path) -> list[Path]:
    """Files to archive under `root`, as sorted paths relative to it.

    Inside a git work tree git decides (tracked plus untracked-but-not-ignored
    files that still exist), so the user's .gitignore is honoured exactly.
    Elsewhere, or without git, a plain walk skips `SKIPPED_NAMES` and *.pyc.
    """
    root = Path(root).resolve()
    if (run_git(root, "rev-parse", "--is-inside-work-tree") or "").strip() == "true":
        listing = run_git(root, "ls-files", "--cached", "--others", "--exclude-standard", "-z")
        if listing is not None:
            # A set because a conflicted file is listed once per merge stage.
            names = {name for name in listing.split("\0") if name}
            files = [Path(name) for name in names if (root / name).is_file()]
            return sorted(files, key=PurePosixPath)
    return sorted(_walk(root), key=PurePosixPath)


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


def build_archive(root: Path, dest: BinaryIO) -> ArchiveInfo:
    """Write the `source_files` of `root` to `dest` as a deterministic tar.gz.

    Symlinked files are stored as the content they point to: the archive holds
    only regular files, which keeps extraction simple and safe.
    """
    root = Path(root).resolve()
    files = source_files(root)
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
