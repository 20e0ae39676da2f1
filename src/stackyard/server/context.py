"""What every route of one server shares: the store, the authenticator, limits."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from stackyard.exceptions import AuthenticationError
from stackyard.server.auth import Authenticator
from stackyard.server.tokens import Claims
from stackyard.store.sql.store import SqlStore

DEFAULT_MAX_BODY = 10 * 1024 * 1024


@dataclass
class ServerContext:
    store: SqlStore
    auth: Authenticator
    max_body: int = DEFAULT_MAX_BODY

    @staticmethod
    def claims(request: Request) -> Claims:
        """The token claims the gate checked for this request."""
        claims = request.scope.get("state", {}).get("claims")
        if not isinstance(claims, Claims):
            raise AuthenticationError("this endpoint needs a bearer token: log in first")
        return claims

    def store_for(self, request: Request) -> SqlStore:
        """The store acting as the caller; raises if the token was revoked meanwhile.

        Call it from sync code (it reads the database): routes run in the threadpool.
        """
        user = self.auth.user(self.claims(request))
        return self.store.as_user(user)
