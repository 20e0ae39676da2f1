"""Whether a URI lies inside a root, judged from the strings alone.

A stored record names files (an artifact version's `uri`, a code archive's
`code_path`) that a client later reads or deletes. Before it does, the URI must
lie inside the artifact store that holds it. This is decided without touching
any filesystem (the server cannot see a client's disk), so URIs with `..`
segments, backslashes or NUL characters are refused outright rather than
normalised: a path that needs normalising is a path someone crafted.
"""

from __future__ import annotations

import posixpath


def split(uri: str) -> tuple[str, str]:
    """`("s3", "bucket/key")` for `s3://bucket/key`; `("file", "/a/b")` for a plain path."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return "file", uri
    return scheme.lower(), rest if scheme.lower() != "file" else rest or "/"


def _clean(path: str) -> str | None:
    if "\\" in path or "\x00" in path:
        return None
    parts = path.split("/")
    if ".." in parts or "." in parts[1:]:
        return None
    return posixpath.normpath(path) if path else None


def is_inside(uri: str, root: str) -> bool:
    """True when `uri` lies below `root` (never `root` itself), with the same scheme."""
    scheme, path = split(uri)
    root_scheme, root_path = split(root)
    if scheme != root_scheme:
        return False
    clean, clean_root = _clean(path), _clean(root_path.rstrip("/"))
    if clean is None or clean_root in (None, "/", "."):  # a root of / holds nothing
        return False
    assert clean_root is not None
    if clean == clean_root:
        return False
    return clean.startswith(clean_root.rstrip("/") + "/")


def innermost_root(uri: str, roots: dict[str, str]) -> str | None:
    """The key of the longest root in `roots` (key → root) that holds `uri`."""
    holding = [(len(root), key) for key, root in roots.items() if is_inside(uri, root)]
    return max(holding)[1] if holding else None
