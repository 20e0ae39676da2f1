"""Typed helpers over fsspec so artifact code treats local paths and URLs alike.

fsspec is imported inside each function to keep ``import stackyard`` cheap.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem  # type: ignore[import-untyped,unused-ignore]

_STORAGE_OPTIONS: dict[str, dict[str, Any]] = {}


def set_storage_options(scheme: str, options: dict[str, Any]) -> None:
    """Use ``options`` (e.g. s3 endpoint_url/key/secret) for every URI with ``scheme``.

    Passing an empty dict resets the scheme to fsspec's defaults.
    """
    _STORAGE_OPTIONS[scheme] = dict(options)


def filesystem(uri: str) -> tuple[AbstractFileSystem, str]:
    """Return the fsspec filesystem for ``uri`` and the path within it."""
    from fsspec.core import url_to_fs  # type: ignore[import-untyped,unused-ignore]
    from fsspec.utils import get_protocol  # type: ignore[import-untyped,unused-ignore]

    fs: AbstractFileSystem
    path: str
    fs, path = url_to_fs(uri, **_STORAGE_OPTIONS.get(get_protocol(uri), {}))
    return fs, path


def open_uri(uri: str, mode: str = "rb") -> IO[Any]:
    """Open a file at ``uri``; text modes always use UTF-8."""
    fs, path = filesystem(uri)
    if "b" in mode:
        return cast(IO[Any], fs.open(path, mode))
    return cast(IO[Any], fs.open(path, mode, encoding="utf-8"))


def makedirs(uri: str) -> None:
    """Create the directory ``uri`` (and parents); existing directories are fine."""
    fs, path = filesystem(uri)
    fs.makedirs(path, exist_ok=True)


def exists(uri: str) -> bool:
    """Whether a file or directory exists at ``uri``."""
    fs, path = filesystem(uri)
    return bool(fs.exists(path))


def remove(uri: str, recursive: bool = True) -> None:
    """Delete the file or directory at ``uri``."""
    fs, path = filesystem(uri)
    fs.rm(path, recursive=recursive)


def join(uri: str, *parts: str) -> str:
    """Join path segments with "/" without touching the scheme (``s3://`` stays)."""
    cleaned = [part.strip("/") for part in parts if part.strip("/")]
    if not cleaned:
        return uri
    base = uri if uri.endswith("/") else uri + "/"
    return base + "/".join(cleaned)
