"""Who is looking at the dashboard: the session cookie, and CSRF checks on every change.

The session cookie holds an ordinary access token (`stackyard.server.tokens`), the
one `POST /api/v1/login` would issue, so a dashboard session is exactly as strong
and as revocable as an API login: each request resolves the user through
`Authenticator.user`, which refuses a token whose user logged out, changed their
password or was deactivated. Pages read through `store.as_user(user)`, so they show
what the API shows that user and nothing more. The cookie is HttpOnly (scripts
cannot read it), SameSite=Lax (other sites' forms do not carry it) and Secure over
https. A token past half its life is replaced by a fresh one, so an active session
does not end mid-work.

Every state-changing request (a POST) must also carry a CSRF token in its form and,
when the browser says where it comes from (Origin, else Referer), come from this
host. The token is an HMAC of the user id and token epoch under the server secret:
stateless, the same in every tab, and void once the user logs out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from stackyard.exceptions import AuthenticationError, AuthorizationError
from stackyard.models.users import UserResponse
from stackyard.server.context import ServerContext
from stackyard.server.tokens import Claims
from stackyard.store.sql.store import SqlStore

SESSION_COOKIE = "stackyard_session"
LOGIN_COOKIE = "stackyard_login"  # the login form's CSRF token, before any session exists


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to /login."""


@dataclass
class Viewer:
    """The signed-in user of one request and the store acting as them."""

    user: UserResponse
    store: SqlStore
    claims: Claims
    csrf: str
    renewed_token: str | None = None


def csrf_token(secret: bytes, claims: Claims) -> str:
    message = f"csrf|{claims.sub}|{claims.ep}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def viewer(request: Request, ctx: ServerContext) -> Viewer:
    """The session's user (raises `LoginRequired` without a valid, unrevoked session).

    Reads the database (the user row): call it from the threadpool.
    """
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise LoginRequired
    try:
        claims = ctx.auth.claims(token)
        user = ctx.auth.user(claims)
    except AuthenticationError:
        raise LoginRequired from None
    if claims.kid is not None:  # API-key tokens belong to scripts, not to browser sessions
        raise LoginRequired
    renewed = None
    if claims.exp - time.time() < ctx.auth.ttl / 2:
        renewed = ctx.auth.token_for(user.id)
    return Viewer(
        user=user,
        store=ctx.store.as_user(user),
        claims=claims,
        csrf=csrf_token(ctx.auth.secret, claims),
        renewed_token=renewed,
    )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, token: str, max_age: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request),
    )


def clear_session(response: Response, request: Request) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request)
    )


def login_csrf(request: Request) -> str:
    """The login form's CSRF token: the one in its cookie, or a new one."""
    return request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)


def set_login_csrf(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


def check_origin(request: Request) -> None:
    """Refuse a POST that a browser says comes from another site."""
    origin = request.headers.get("origin")
    if origin == "null":
        raise AuthorizationError("refused: the form was sent from an opaque origin")
    source = origin or request.headers.get("referer")
    if not source:
        return  # not a browser, or one that hides it: the CSRF token still has to match
    host = request.headers.get("host", "")
    if urlsplit(source).netloc.lower() != host.lower():
        raise AuthorizationError(
            f"refused: the form was sent from {urlsplit(source).netloc or source!r}, "
            f"not from this server ({host})"
        )


def check_csrf(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected, given):
        raise AuthorizationError(
            "refused: the form's security token is missing or stale; reload the page and retry"
        )


__all__ = [
    "LOGIN_COOKIE",
    "SESSION_COOKIE",
    "LoginRequired",
    "Viewer",
    "check_csrf",
    "check_origin",
    "clear_session",
    "set_session",
    "viewer",
]
