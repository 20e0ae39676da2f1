"""Signed access tokens: who, until when, and which revocation epoch.

A token is `sy1.<claims>.<signature>`: base64url JSON claims signed with
HMAC-SHA256 under the server secret. It carries the user's `token_epoch`, so
bumping the epoch (logout, password change, deactivation) revokes every token
of that user at once, in every worker, without a token table. A token from an
API key also carries the key's id and a fingerprint of its hash, so rotating,
deactivating or deleting the key revokes it too. A token a runner is handed for a
run names that run, so only that run's heartbeats renew it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from stackyard.exceptions import AuthenticationError

SECRET_ENV = "STACKYARD_SERVER_SECRET"
DEFAULT_TTL = 3600
_PREFIX = "sy1"


@dataclass(frozen=True)
class Claims:
    """What a valid token says about its bearer."""

    sub: str  # user id
    ep: int  # the user's token_epoch when issued
    exp: int  # expiry, seconds since the epoch
    jti: str  # token id, for logs and tests
    kid: str | None = None  # API key id, for tokens from a key
    kfp: str | None = None  # fingerprint of that key's hash
    rid: str | None = None  # the run a runner's token was handed out for

    @property
    def user_id(self) -> UUID:
        return UUID(self.sub)


def secret_file() -> Path:
    from stackyard.config import config_dir

    return config_dir() / "server.secret"


def server_secret() -> bytes:
    """`STACKYARD_SERVER_SECRET`, else a random secret kept in the config dir (0600).

    Several workers (or `stackyard up` and its server) share the file; the
    first one to start creates it and the others read it.
    """
    raw = os.environ.get(SECRET_ENV)
    if raw:
        return raw.encode()
    path = secret_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    for _ in range(50):  # another process may be between creating and writing it
        value = path.read_bytes().strip()
        if value:
            return value
        time.sleep(0.01)
    raise AuthenticationError(f"the server secret file {path} is empty; delete it and restart")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, f"{_PREFIX}.{body}".encode(), hashlib.sha256).digest())


def issue(
    secret: bytes,
    user_id: UUID,
    epoch: int,
    ttl: int = DEFAULT_TTL,
    *,
    key_id: UUID | None = None,
    key_fingerprint: str | None = None,
    run_id: UUID | None = None,
) -> str:
    claims = Claims(
        sub=str(user_id),
        ep=epoch,
        exp=int(time.time()) + ttl,
        jti=secrets.token_hex(8),
        kid=str(key_id) if key_id else None,
        kfp=key_fingerprint,
        rid=str(run_id) if run_id else None,
    )
    payload = {k: v for k, v in asdict(claims).items() if v is not None}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{_PREFIX}.{body}.{_sign(secret, body)}"


def _decode(token: str) -> tuple[str, str, dict[str, Any]]:
    prefix, body, signature = token.split(".")
    if prefix != _PREFIX:
        raise ValueError(prefix)
    data = json.loads(_unb64(body))
    if not isinstance(data, dict):
        raise ValueError(body)
    return body, signature, data


def verify(secret: bytes, token: str) -> Claims:
    """The claims of a well-signed, unexpired token (the epoch is checked by the caller)."""
    try:
        body, signature, data = _decode(token)
        if not hmac.compare_digest(signature, _sign(secret, body)):
            raise ValueError("signature")
        claims = Claims(**data)
        UUID(claims.sub)
    except (ValueError, TypeError):
        raise AuthenticationError("invalid access token: log in again") from None
    if claims.exp < time.time():
        raise AuthenticationError("the access token has expired: log in again")
    return claims


def peek(token: str) -> dict[str, Any] | None:
    """Unverified claims, for showing a login's expiry; never for trusting it."""
    try:
        return _decode(token)[2]
    except (ValueError, TypeError):
        return None


def key_fingerprint(key_hash: str) -> str:
    return key_hash[:16]
