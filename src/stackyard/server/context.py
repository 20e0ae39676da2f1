"""What every route of one server shares: the store, the authenticator, which files it
reads for users, limits."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from stackyard.exceptions import AuthenticationError
from stackyard.models.users import UserResponse
from stackyard.server.auth import Authenticator
from stackyard.server.files import ServerFiles
from stackyard.server.tokens import Claims
from stackyard.store.sql.store import SqlStore

DEFAULT_MAX_BODY = 10 * 1024 * 1024


@dataclass
class ServerContext:
    store: SqlStore
    auth: Authenticator
    files: ServerFiles  # the roots the server reads files under for its users
    max_body: int = DEFAULT_MAX_BODY

    @staticmethod
    def claims(request: Request) -> Claims:
        """The token claims the gate checked for this request."""
        claims = request.scope.get("state", {}).get("claims")
        if not isinstance(claims, Claims):
            raise AuthenticationError("this endpoint needs a bearer token: log in first")
        return claims

    def user(self, request: Request) -> UserResponse:
        """The caller, checked once per request: active, and the token not revoked.

        Call it from sync code (it reads the database): routes run in the threadpool.
        """
        state = request.scope.setdefault("state", {})
        user = state.get("user")
        if not isinstance(user, UserResponse):
            user = state["user"] = self.auth.user(self.claims(request))
        return user

    def store_for(self, request: Request) -> SqlStore:
        """The store acting as the caller; raises if the token was revoked."""
        return self.store.as_user(self.user(request))
