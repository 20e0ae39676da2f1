"""Which files the server process reads for a user: only under artifact store roots it
trusts, and never its own state.

The dashboard shows and serves files that records name: an artifact version's `uri`,
a step's `logs_uri`. Records are data any user writes, and so are artifact store
components: a plain user may register one whose `path` is `/` or the server's config
directory. So the server never takes a root from the store on trust. It reads under
an artifact store's root only when that root lies inside one the deployer allowed
(`python -m stackyard.server --artifact-root`; by default the path of the store's own
`default` artifact store, which only admins may change), and never under a root that
holds the server's state (its config directory, database files, secrets key and token
secret), whatever the allowed roots say. Local roots are compared after resolving
symlinks; remote roots (`s3://...`) are read with the server's own credentials, so
they too must lie inside an allowed root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from stackyard.exceptions import AuthorizationError, InputError
from stackyard.utils.uris import is_inside, split

if TYPE_CHECKING:
    from stackyard.store.sql.store import SqlStore

DEFAULT_STORE = "default"


def server_state(store_url: str) -> tuple[Path, ...]:
    """What this server process keeps for itself: the config directory (config file,
    logins, secrets key, token secret), the secrets key and token secret wherever they
    are, and a SQLite store's files. Resolved, so symlinks cannot hide them."""
    from stackyard.config import config_dir
    from stackyard.security import key_file
    from stackyard.server.tokens import secret_file
    from stackyard.store import database_files

    paths = [config_dir(), key_file(), secret_file(), *database_files(store_url)]
    return tuple(dict.fromkeys(p.expanduser().resolve() for p in paths))


def _local(root: str) -> str | None:
    """The resolved path of a local root (a plain path or file://), else None."""
    scheme, path = split(root)
    if scheme != "file":
        return None
    return os.path.realpath(path)


def _holds(root: str, path: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


@dataclass(frozen=True)
class ServerFiles:
    """The roots this server reads under for its users (see the module docstring).

    `allowed`: the deployer's roots; None means the store's default artifact store,
    looked up at each use (admins may move it). `state`: the server's own files.
    """

    allowed: tuple[str, ...] | None
    state: tuple[Path, ...]

    @classmethod
    def of(cls, store_url: str, allowed: Sequence[str] | None = None) -> ServerFiles:
        """The policy of a server for `store_url`; an allowed root that is not an
        absolute path or URL, or that holds the server's own files, is refused now."""
        files = cls(None, server_state(store_url))
        if allowed is None:
            return files
        for root in allowed:
            problem = files._unfit(root)
            if problem is not None:
                raise InputError(f"artifact root {root!r} cannot be allowed: {problem}")
        return cls(tuple(allowed), files.state)

    def _unfit(self, root: str) -> str | None:
        """Why `root` can never be read under, whoever allowed it (None if it can)."""
        if not root or "::" in root or not is_inside(root.rstrip("/") + "/x", root):
            return (
                "it is not an absolute path or a URL with a path (`/`, relative paths, "
                "`..`, and chained `a::b` URLs are refused)"
            )
        local = _local(root)
        if local is None:
            return None
        if not split(root)[1].startswith("/"):
            return "a local path must be absolute"
        if local == "/":
            return "it is the whole filesystem"
        if any(_holds(local, str(path)) for path in self.state):
            return (
                "it holds the server's own files (its config directory, database, secrets "
                "key or token secret)"
            )
        return None

    def allowed_roots(self, store: SqlStore) -> list[str]:
        """The roots the deployer allowed, or the path of the store's default artifact
        store (when it belongs to the system or an admin)."""
        if self.allowed is not None:
            return list(self.allowed)
        store = store.as_system()  # whoever asks, the same answer
        found = store.list_rows(
            "stack_component", type="artifact_store", name=DEFAULT_STORE, size=1
        ).items
        if not found:
            return []
        component = found[0]
        owner = component["user_id"]
        if owner is not None:
            users = store.list_rows("user", id=[owner], size=1).items
            if not users or not users[0]["is_admin"]:
                return []
        path = component["configuration"].get("path")
        return [str(path)] if isinstance(path, str) and self._unfit(path) is None else []

    def refusal(self, root: str, allowed: Iterable[str]) -> str | None:
        """Why the server does not read under artifact store path `root` (None: it does)."""
        problem = self._unfit(root)
        if problem is not None:
            return f"artifact store path {root!r} is refused: {problem}"
        if any(self._within(root, base) for base in allowed):
            return None
        shown = ", ".join(repr(b) for b in allowed) or "none"
        return (
            f"artifact store path {root!r} is not inside the roots this server reads files "
            f"under ({shown}); its deployer allows more with --artifact-root"
        )

    @staticmethod
    def _within(root: str, base: str) -> bool:
        """Whether `root` is `base` or lies under it (local paths resolved)."""
        local, base_local = _local(root), _local(base)
        if local is not None and base_local is not None:
            return _holds(base_local, local)
        if local is None and base_local is None:
            return root.rstrip("/") == base.rstrip("/") or is_inside(root, base)
        return False

    def readable(self, store: SqlStore, roots: Iterable[str]) -> list[str]:
        """Those of `roots` the server may read under; AuthorizationError saying why
        when there is none."""
        allowed = self.allowed_roots(store)
        readable, refused = [], []
        for root in roots:
            why = self.refusal(root, allowed)
            if why is None:
                readable.append(root)
            else:
                refused.append(why)
        if not readable:
            raise AuthorizationError(
                "the server reads no files for this: "
                + ("; ".join(refused) or "it names no artifact store")
            )
        return readable


__all__ = ["ServerFiles", "server_state"]
