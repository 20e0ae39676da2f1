"""The door every request passes before routing: body size, then bearer token.

A plain ASGI middleware (no per-request task or thread), so refusing costs
almost nothing. It checks only what needs no I/O — the token's signature and
expiry — and leaves the claims in the request state; the route then confirms
the account and the token's epoch in the threadpool (`ServerContext.store_for`).
Public paths are matched exactly: nothing under them is public by accident.

Everything under `/api/` takes bearer tokens only (never a cookie, so the API
needs no CSRF defence). Other paths are the dashboard's pages: they pass here
and its own session check (`stackyard.dashboard.session`) admits or redirects.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from stackyard.exceptions import AuthenticationError
from stackyard.server.errors import error_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PUBLIC_PATHS = frozenset({"/health", "/docs", "/openapi.json", "/api/v1/login", "/api/v1/setup"})
BEARER_PREFIX = "/api/"


def needs_bearer(path: str) -> bool:
    """API paths need a token; public ones and the dashboard's (cookie sessions) do not."""
    return path.startswith(BEARER_PREFIX) and path not in PUBLIC_PATHS


class Gate:
    """Refuse oversized bodies (413) and requests without a valid token (401)."""

    def __init__(self, app: ASGIApp, *, verify: Callable[[str], Any], max_body: int) -> None:
        self.app = app
        self.verify = verify
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length: bytes | None = None
        authorization = b""
        for name, value in scope["headers"]:
            if name == b"content-length":
                length = value
            elif name == b"authorization":
                authorization = value
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._refuse(scope, send, 413, "InputError", self._too_large())
            return
        if needs_bearer(scope["path"]):
            scheme, _, token = authorization.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                detail = "this endpoint needs a bearer token: log in first (POST /api/v1/login)"
                await self._refuse(scope, send, 401, "AuthenticationError", detail)
                return
            try:
                claims = self.verify(token.strip())
            except AuthenticationError as exc:
                await self._refuse(scope, send, 401, "AuthenticationError", exc.message)
                return
            scope.setdefault("state", {})["claims"] = claims
        if length is None:
            receive = self._counting(receive)
        await self.app(scope, receive, send)

    def _too_large(self) -> str:
        return f"request body too large: the limit is {self.max_body} bytes"

    def _counting(self, receive: Receive) -> Receive:
        """For bodies without Content-Length (chunked): stop once past the limit."""
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise HTTPException(413, self._too_large())
            return message

        return counted

    @staticmethod
    async def _refuse(scope: Scope, send: Send, status: int, name: str, detail: str) -> None:
        response = error_response(status, name, detail)
        await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
