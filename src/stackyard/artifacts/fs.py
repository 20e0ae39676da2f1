"""Typed helpers over fsspec so artifact code treats local paths and URLs alike.

Which options (credentials, endpoint) a URI is opened with comes from *mounts*:
an artifact store that needs credentials mounts its root under its component
id (`mount`), and every URI under that root uses them. Mounts are keyed by
store, so two S3 stores with different credentials work side by side; if two
share a root, `using(store_id)` says whose credentials the code inside it
means. Options that expire are fetched again shortly before they do. Without a
mount, a URI uses its scheme's options (`set_storage_options`) or fsspec's
defaults.

fsspec is imported inside each function to keep ``import stackyard`` cheap.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem  # type: ignore[import-untyped,unused-ignore]

# options and when they stop working (None: never)
OptionsProvider = Callable[[], tuple[dict[str, Any], datetime | None]]
REFRESH_BEFORE = 300.0  # seconds before expiry that options are fetched again

_STORAGE_OPTIONS: dict[str, dict[str, Any]] = {}


@dataclass
class _Mount:
    root: str
    provide: OptionsProvider
    options: dict[str, Any]
    expires: float | None  # time.time() of expiry

    def current(self) -> dict[str, Any]:
        if self.expires is not None and time.time() > self.expires - REFRESH_BEFORE:
            options, expires_at = self.provide()
            self.options, self.expires = options, _timestamp(expires_at)
        return self.options


_MOUNTS: dict[str, _Mount] = {}
_LOCK = threading.Lock()
_PREFERRED: ContextVar[str | None] = ContextVar("stackyard_fs_preferred_mount", default=None)


def _timestamp(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _under(uri: str, root: str) -> bool:
    return uri == root or uri.startswith(root + "/")


def set_storage_options(scheme: str, options: dict[str, Any]) -> None:
    """Use ``options`` (e.g. s3 endpoint_url/key/secret) for URIs with ``scheme`` that
    no mount covers. Passing an empty dict resets the scheme to fsspec's defaults.
    """
    _STORAGE_OPTIONS[scheme] = dict(options)


def mount(key: str, root: str, provide: OptionsProvider) -> None:
    """Open URIs under ``root`` with the options ``provide`` returns (fetched now, and
    again before they expire); ``key`` (an artifact store's id) replaces its old mount."""
    options, expires_at = provide()
    with _LOCK:
        _MOUNTS[key] = _Mount(root.rstrip("/"), provide, options, _timestamp(expires_at))


def unmount(key: str) -> None:
    with _LOCK:
        _MOUNTS.pop(key, None)


@contextmanager
def using(key: str | None) -> Iterator[None]:
    """Inside the block, URIs under the root of mount ``key`` use that mount first."""
    token = _PREFERRED.set(key)
    try:
        yield
    finally:
        _PREFERRED.reset(token)


def storage_options(uri: str) -> dict[str, Any]:
    """The fsspec options ``uri`` is opened with (see the module docstring)."""
    from fsspec.utils import get_protocol  # type: ignore[import-untyped,unused-ignore]

    with _LOCK:
        preferred = _MOUNTS.get(_PREFERRED.get() or "")
        if preferred is not None and _under(uri, preferred.root):
            return preferred.current()
        covering = [m for m in _MOUNTS.values() if _under(uri, m.root)]
        if covering:
            return max(covering, key=lambda m: len(m.root)).current()
    return _STORAGE_OPTIONS.get(get_protocol(uri), {})


def filesystem(uri: str) -> tuple[AbstractFileSystem, str]:
    """Return the fsspec filesystem for ``uri`` and the path within it."""
    from fsspec.core import url_to_fs  # type: ignore[import-untyped,unused-ignore]

    fs: AbstractFileSystem
    path: str
    fs, path = url_to_fs(uri, **storage_options(uri))
    return fs, path


@dataclass
class HashRecording:
    """SHA-256 of each file written under `root` while recording, each seeded with the
    file's path below `root` and a NUL (the shape of one file's content hash).
    `exact` turns False once a write could not be followed (text, append, seek)."""

    root: str
    digests: dict[str, Any]
    exact: bool = True


_RECORDING: ContextVar[HashRecording | None] = ContextVar("stackyard_fs_hashes", default=None)


@contextmanager
def recording_hashes(root: str) -> Iterator[HashRecording]:
    """Hash binary files as they are written under `root`, so a caller that needs their
    hash need not read them back (from S3, a second transfer)."""
    recording = HashRecording(root.rstrip("/"), {})
    token = _RECORDING.set(recording)
    try:
        yield recording
    finally:
        _RECORDING.reset(token)


class _HashingWriter:
    """A binary file being written, feeding a digest on the way."""

    def __init__(self, handle: Any, digest: Any, recording: HashRecording) -> None:
        self._handle, self._digest, self._recording = handle, digest, recording

    def write(self, data: Any) -> Any:
        self._digest.update(data)
        return self._handle.write(data)

    def seek(self, *args: Any) -> Any:
        self._recording.exact = False  # rewriting earlier bytes: the stream digest is off
        return self._handle.seek(*args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __enter__(self) -> _HashingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()


def open_uri(uri: str, mode: str = "rb") -> IO[Any]:
    """Open a file at ``uri``; text modes always use UTF-8."""
    import hashlib

    fs, path = filesystem(uri)
    recording = _RECORDING.get()
    if recording is not None and not _under(uri, recording.root):
        recording = None
    if "b" not in mode:
        if recording is not None and mode != "r":
            recording.exact = False
        return cast(IO[Any], fs.open(path, mode, encoding="utf-8"))
    handle = fs.open(path, mode)
    if recording is None or mode == "rb":
        return cast(IO[Any], handle)
    if mode != "wb":
        recording.exact = False
        return cast(IO[Any], handle)
    digest = hashlib.sha256(uri[len(recording.root) :].encode() + b"\0")
    recording.digests[uri[len(recording.root) :]] = digest
    return cast(IO[Any], _HashingWriter(handle, digest, recording))


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
