"""Who is calling: password and API-key logins, token checks, revocation, rate limits.

Every request but the public few carries `Authorization: Bearer <token>`. The
token's signature and expiry are checked without I/O (see `tokens`); then one
indexed read of the user (and of the API key, for key tokens) confirms the
account is active and the token's epoch is current, so revocation is immediate.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from uuid import UUID

from stackyard.exceptions import AuthenticationError, RateLimitError
from stackyard.models.binding import utcnow
from stackyard.models.users import UserResponse
from stackyard.security import hash_api_key, hash_password, verify_password
from stackyard.server.tokens import DEFAULT_TTL, Claims, issue, key_fingerprint, verify
from stackyard.store.sql import accounts
from stackyard.store.sql.store import SqlStore

logger = logging.getLogger("stackyard.server.auth")

_BAD_LOGIN = "wrong user name or password"


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


@dataclass
class LoginLimiter:
    """Failed logins, counted in the store so every worker (and the dashboard) agrees.

    - A user name tried from one address: `limit` failures within `window` seconds
      lock out that pair (429) and only that pair, so an attacker elsewhere never
      locks the real user out: the right password from an address that has not been
      failing is never refused.
    - An address that keeps failing, whatever names it tries, is slowed down: past
      `limit` failures in the window it may try again only 2, 4, 8 ... seconds after
      its last failure (at most `window`), answered 429 with Retry-After meanwhile.
    """

    store: SqlStore
    limit: int = 10
    window: float = 60.0

    @staticmethod
    def _pair(name: str, address: str) -> str:
        return f"user:{name}\n{address}"

    def check(self, name: str | None, address: str) -> None:
        now = utcnow()
        since = now - timedelta(seconds=self.window)
        if name is not None:
            pair = accounts.count_failures(self.store, self._pair(name, address), since)
            if len(pair) >= self.limit:
                wait = (pair[0] + timedelta(seconds=self.window) - now).total_seconds()
                raise RateLimitError(
                    f"too many failed logins for {name!r} from this address; try again in "
                    f"{max(1, int(wait) + 1)} s",
                    retry_after=max(1, int(wait) + 1),
                )
        failures = accounts.count_failures(self.store, f"addr:{address}", since)
        if len(failures) >= self.limit:
            backoff = min(self.window, 2.0 ** (len(failures) - self.limit + 1))
            wait = (failures[-1] + timedelta(seconds=backoff) - now).total_seconds()
            if wait > 0:
                raise RateLimitError(
                    f"too many failed logins from this address; try again in {int(wait) + 1} s",
                    retry_after=int(wait) + 1,
                )

    def fail(self, name: str | None, address: str) -> None:
        keys = [f"addr:{address}"] + ([self._pair(name, address)] if name is not None else [])
        accounts.add_failures(
            self.store, keys, forget_before=utcnow() - timedelta(seconds=self.window)
        )

    def succeed(self, name: str, address: str) -> None:
        accounts.clear_failures(self.store, self._pair(name, address))


@dataclass
class Authenticator:
    """Issues and checks tokens for one server (one store, one secret)."""

    store: SqlStore
    secret: bytes
    ttl: int = DEFAULT_TTL
    limiter: LoginLimiter | None = None

    def __post_init__(self) -> None:
        if self.limiter is None:
            self.limiter = LoginLimiter(self.store)

    # -- logging in ------------------------------------------------------------------
    def login_password(self, name: str, password: str, address: str) -> str:
        limiter = self.limiter
        assert limiter is not None
        limiter.check(name, address)
        row = accounts.user_by_name(self.store, name)
        # an unknown name costs a hash check too, so timing does not tell who exists
        stored = (row or {}).get("password_hash") or _dummy_hash()
        if not verify_password(password, stored) or row is None or not row["password_hash"]:
            limiter.fail(name, address)
            # a name that is no user may be a password typed in the wrong field: not logged
            shown = repr(name) if row is not None else "(unknown user name)"
            logger.warning("failed login for user %s from %s", shown, address)
            raise AuthenticationError(_BAD_LOGIN)
        if not row["active"]:
            raise AuthenticationError(f"user {name!r} is deactivated")
        limiter.succeed(name, address)
        return issue(self.secret, row["id"], int(row["token_epoch"] or 0), self.ttl)

    def login_api_key(self, key: str, address: str) -> str:
        limiter = self.limiter
        assert limiter is not None
        limiter.check(None, address)
        key_hash = hash_api_key(key)
        row = accounts.api_key_by_hash(self.store, key_hash)
        if row is None:
            limiter.fail(None, address)
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

    def token_for(
        self, user_id: UUID, *, ttl: int | None = None, run_id: UUID | None = None
    ) -> str:
        """A token for a user the caller already trusts (the local `up`, first setup, a
        runner taking on `run_id` of that user)."""
        row = accounts.user_by_id(self.store, user_id)
        if row is None or not row["active"]:
            raise AuthenticationError(f"no active user with id {user_id}")
        epoch = int(row["token_epoch"] or 0)
        return issue(self.secret, user_id, epoch, ttl or self.ttl, run_id=run_id)

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
