"""Encryption of secret values at rest and hashing of passwords and keys.

Secret values are sealed with AES-GCM under a 256-bit key that comes from
`STACKYARD_SECRETS_KEY` (base64) or a key file in the config directory, created
on first use with 0600 permissions. Passwords are hashed with argon2.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets as _secrets
from functools import cache
from pathlib import Path

from stackyard.exceptions import InputError, StackyardError

KEY_ENV = "STACKYARD_SECRETS_KEY"
MIN_PASSWORD_LENGTH = 8


def key_file() -> Path:
    """Where the secrets key lives when `STACKYARD_SECRETS_KEY` does not give it."""
    from stackyard.config import config_dir

    return config_dir() / "secrets.key"


@cache
def _secrets_key() -> bytes:
    raw = os.environ.get(KEY_ENV)
    if raw:
        try:
            key = base64.b64decode(raw, validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise InputError(
                f"{KEY_ENV} must be 32 bytes in base64 (e.g. from `openssl rand -base64 32`)"
            )
        return key
    path = key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, base64.b64encode(_secrets.token_bytes(32)))
        except Exception:
            os.close(fd)
            raise
        os.close(fd)
    return base64.b64decode(path.read_bytes().strip())


def encrypt_values(values: dict[str, str]) -> str:
    """Seal a dict of secret values into one ASCII string (nonce + ciphertext)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = _secrets.token_bytes(12)
    sealed = AESGCM(_secrets_key()).encrypt(nonce, json.dumps(values).encode(), b"stackyard")
    return base64.b64encode(nonce + sealed).decode("ascii")


def decrypt_values(token: str) -> dict[str, str]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    blob = base64.b64decode(token)
    try:
        plain = AESGCM(_secrets_key()).decrypt(blob[:12], blob[12:], b"stackyard")
    except InvalidTag:
        raise StackyardError(
            f"cannot decrypt a stored secret: the secrets key differs from the one it was "
            f"written with (check {KEY_ENV} or {key_file()})"
        ) from None
    result: dict[str, str] = json.loads(plain)
    return result


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"password too short: use at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    from argon2 import PasswordHasher

    return PasswordHasher().hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    if not password_hash:
        return False
    try:
        return PasswordHasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_key() -> str:
    return "sy_" + _secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """API keys are long and random, so a plain SHA-256 is enough (and lookups stay cheap)."""
    return hashlib.sha256(key.encode()).hexdigest()
