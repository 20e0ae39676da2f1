"""What a recorded code location may look like, checked wherever one is stored or used.

A snapshot tells a worker which module to import (`source`, `source_path`) and where
to fetch the code from (a commit of a registered repository, or an archive in the
artifact store). Anyone who may write a snapshot chooses these strings, and a
worker acts on them, so each must be exactly the shape stackyard itself records:
a dotted module path, a relative `.py` path without `..`, a hexadecimal commit id
(never something git would read as an option), and an archive named by its own
SHA-256 under the artifact store's `code/` folder (no other scheme, no other place).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from stackyard.exceptions import InputError
from stackyard.utils.uris import is_inside

_SOURCE = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$")
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")
_ARCHIVE = re.compile(r"^code/([0-9a-f]{64})\.tar\.gz$")


def check_source(source: str) -> None:
    if not _SOURCE.match(source):
        raise InputError(
            f"source {source!r} is not 'package.module:attribute' (a dotted module path and "
            "an attribute name)"
        )


def check_source_path(path: str) -> None:
    pure = PurePosixPath(path)
    if (
        not path
        or pure.is_absolute()
        or "\\" in path
        or ".." in pure.parts
        or pure.suffix != ".py"
        or path.startswith("~")
    ):
        raise InputError(
            f"source_path {path!r} must be a relative path to a .py file inside the code, "
            "without '..'"
        )


def check_subdirectory(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or "\\" in path or ".." in pure.parts:
        raise InputError(f"subdirectory {path!r} must be a relative path without '..'")


def check_commit(commit: str) -> None:
    if not _COMMIT.match(commit):
        raise InputError(
            f"commit {commit!r} is not a commit id (7 to 64 lowercase hexadecimal digits)"
        )


def archive_digest(code_path: str, artifact_root: str) -> str:
    """The SHA-256 an archive is named by; an error unless `code_path` is
    `<artifact store>/code/<sha256>.tar.gz`."""
    relative = None
    root = artifact_root.rstrip("/")
    if is_inside(code_path, artifact_root) and code_path.startswith(root + "/"):
        relative = code_path[len(root) + 1 :]
    found = _ARCHIVE.match(relative or "")
    if found is None:
        raise InputError(
            f"code_path {code_path!r} is not a code archive of the artifact store at "
            f"{artifact_root!r} (expected {root}/code/<sha256>.tar.gz)"
        )
    return found.group(1)
