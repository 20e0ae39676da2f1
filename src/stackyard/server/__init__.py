"""The stackyard server: the metadata store over HTTP, with logins and tokens.

Needs the `server` extra (FastAPI, uvicorn, httpx). `create_app` builds the
ASGI app; `python -m stackyard.server` runs it for deployment; `local` starts
and stops a server on this machine for `stackyard up` / `down`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackyard.server.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from stackyard.server.app import create_app

        return create_app
    raise AttributeError(f"module 'stackyard.server' has no attribute {name!r}")
