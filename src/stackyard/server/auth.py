"""Who is calling: password and API-key logins, token checks, revocation, rate limits.

Every request but the public few carries `Authorization: Bearer <token>`. The
token's signature and expiry are checked without I/O (see `tokens`); then one
indexed read of the user (and of the API key, for key tokens) confirms the
account is active and the token's epoch is current, so revocation is immediate.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from functools import cache
from uuid import UUID

from stackyard.exceptions import AuthenticationError, RateLimitError
from stackyard.models.users import UserResponse
from stackyard.security import hash_api_key, hash_password, verify_password
from stackyard.server import accounts
from stackyard.server.tokens import DEFAULT_TTL, Claims, issue, key_fingerprint, verify
from stackyard.store.sql.store import SqlStore

logger = logging.getLogger("stackyard.server.auth")

_BAD_LOGIN = "wrong user name or password"


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


@dataclass
class LoginLimiter:
    """At most `limit` failed logins per `window` seconds for one user name or address.

    Counted per server process: with N workers a client gets at most N x limit tries.
    """

    limit: int = 10
    window: float = 60.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                times = self._recent(key, now)
                if len(times) >= self.limit:
                    wait = int(times[0] + self.window - now) + 1
                    raise RateLimitError(f"too many failed logins; try again in {wait} s")

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)
            if len(self._failures) > 10_000:  # forget idle keys so the map cannot grow forever
                for key in [k for k, v in self._failures.items() if not v]:
                    del self._failures[key]

    def succeed(self, user_key: str) -> None:
        with self._lock:
            self._failures.pop(user_key, None)


@dataclass
class Authenticator:
    """Issues and checks tokens for one server (one store, one secret)."""

    store: SqlStore
    secret: bytes
    ttl: int = DEFAULT_TTL
    limiter: LoginLimiter = field(default_factory=LoginLimiter)

    # -- logging in ------------------------------------------------------------------
    def login_password(self, name: str, password: str, address: str) -> str:
        keys = (f"user:{name}", f"addr:{address}")
        self.limiter.check(*keys)
        row = accounts.user_by_name(self.store, name)
        # an unknown name costs a hash check too, so timing does not tell who exists
        stored = (row or {}).get("password_hash") or _dummy_hash()
        if not verify_password(password, stored) or row is None or not row["password_hash"]:
            self.limiter.fail(*keys)
            # a name that is no user may be a password typed in the wrong field: not logged
            shown = repr(name) if row is not None else "(unknown user name)"
            logger.warning("failed login for user %s from %s", shown, address)
            raise AuthenticationError(_BAD_LOGIN)
        if not row["active"]:
            raise AuthenticationError(f"user {name!r} is deactivated")
        self.limiter.succeed(keys[0])
        return issue(self.secret, row["id"], int(row["token_epoch"] or 0), self.ttl)

    def login_api_key(self, key: str, address: str) -> str:
        addr = f"addr:{address}"
        self.limiter.check(addr)
        key_hash = hash_api_key(key)
        row = accounts.api_key_by_hash(self.store, key_hash)
        if row is None:
            self.limiter.fail(addr)
            logger.warning("failed API key login from %s", address)
            raise AuthenticationError("unknown API key")
        if not row["active"]:
            raise AuthenticationError(f"API key {row['name']!r} is deactivated")
        user = accounts.user_by_id(self.store, row["service_account_id"])
        if user is None or not user["active"]:
            raise AuthenticationError("the service account of this API key is deactivated")
        accounts.touch_api_key(self.store, row["id"])
        return issue(
            self.secret,
            user["id"],
            int(user["token_epoch"] or 0),
            self.ttl,
            key_id=row["id"],
            key_fingerprint=key_fingerprint(key_hash),
        )

    def token_for(self, user_id: UUID) -> str:
        """A token for a user the caller already trusts (the local `up`, first setup)."""
        row = accounts.user_by_id(self.store, user_id)
        if row is None:
            raise AuthenticationError(f"no user with id {user_id}")
        return issue(self.secret, user_id, int(row["token_epoch"] or 0), self.ttl)

    # -- checking ----------------------------------------------------------------------
    def claims(self, token: str) -> Claims:
        return verify(self.secret, token)

    def user(self, claims: Claims) -> UserResponse:
        """The account behind valid claims, if it is active and the token not revoked."""
        row = accounts.user_by_id(self.store, claims.user_id)
        if row is None or not row["active"]:
            raise AuthenticationError("the account of this token is gone or deactivated")
        if int(row["token_epoch"] or 0) != claims.ep:
            raise AuthenticationError("the access token was revoked: log in again")
        if claims.kid is not None:
            key = accounts.api_key_by_id(self.store, claims.kid)
            if (
                key is None
                or not key["active"]
                or key_fingerprint(key["key_hash"] or "") != claims.kfp
            ):
                raise AuthenticationError("the API key of this token was rotated or revoked")
        return accounts.as_response(self.store, row)

    def logout(self, claims: Claims) -> None:
        """Revoke the caller's tokens: every session of that user ends."""
        accounts.bump_epoch(self.store, claims.user_id)
