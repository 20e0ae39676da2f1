"""What lands on disk: sealed secrets, hashed passwords, a private key file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stackyard.client import Client
from stackyard.exceptions import AuthorizationError, EntityNotFoundError
from stackyard.store.sql.store import SqlStore


def _raw_column(store: SqlStore, table: str, column: str, name: str) -> str:
    with store.db.transaction(write=False) as tx:
        return str(tx.scalar(f"SELECT {column} FROM {table} WHERE name = ?", [name]))


def test_secret_values_are_encrypted_and_key_file_is_private(isolated_config: Path) -> None:
    client = Client()
    client.create_secret("db", {"password": "hunter2-plaintext"})
    store = client.store
    assert isinstance(store, SqlStore)
    sealed = _raw_column(store, "secrets", "values_encrypted", "db")
    assert "hunter2" not in sealed and len(sealed) > 20
    key_file = isolated_config / "secrets.key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    db_bytes = Path(store.url.path).read_bytes()
    assert b"hunter2-plaintext" not in db_bytes


def test_secrets_key_from_environment(
    monkeypatch: pytest.MonkeyPatch, isolated_config: Path
) -> None:
    import base64

    from stackyard.exceptions import InputError, StackyardError
    from stackyard.security import _secrets_key

    monkeypatch.setenv("STACKYARD_SECRETS_KEY", base64.b64encode(b"k" * 32).decode())
    _secrets_key.cache_clear()
    client = Client()
    client.create_secret("s", {"a": "b"})
    assert not (isolated_config / "secrets.key").exists()
    monkeypatch.setenv("STACKYARD_SECRETS_KEY", base64.b64encode(b"x" * 32).decode())
    _secrets_key.cache_clear()
    with pytest.raises(StackyardError, match="secrets key differs"):
        client.get_secret("s")
    monkeypatch.setenv("STACKYARD_SECRETS_KEY", "too-short")
    _secrets_key.cache_clear()
    with pytest.raises(InputError, match="32 bytes in base64"):
        client.get_secret("s")


def test_passwords_are_argon2_hashes() -> None:
    from stackyard.security import verify_password

    client = Client()
    client.create_user("ana", password="correct horse")
    stored = _raw_column(client.store, "users", "password_hash", "ana")  # type: ignore[arg-type]
    assert stored.startswith("$argon2") and "correct horse" not in stored
    assert verify_password("correct horse", stored) and not verify_password("wrong", stored)
    assert "password" not in client.get_user("ana").model_dump()


def test_private_secrets_and_ownership_between_users() -> None:
    admin = Client()
    base = admin.store
    assert isinstance(base, SqlStore)
    ana = admin.create_user("ana", password="password-ana")
    ben = admin.create_user("ben", password="password-ben")
    as_ana, as_ben = Client(store=base.as_user(ana)), Client(store=base.as_user(ben))

    as_ana.create_secret("ana-private", {"token": "t1"}, private=True)
    as_ana.create_secret("team", {"token": "t2"})
    assert {s.name for s in as_ben.list_secrets()} == {"team"}
    with pytest.raises(EntityNotFoundError):
        as_ben.get_secret("ana-private")
    assert as_ana.get_secret("ana-private").secret_values == {"token": "t1"}
    assert "ana-private" not in {s.name for s in admin.list_secrets()}

    with pytest.raises(AuthorizationError, match="belongs to someone else"):
        as_ben.delete_secret("team")
    with pytest.raises(AuthorizationError, match="not an admin"):
        as_ben.create_user("mallory")
    with pytest.raises(AuthorizationError, match="only admins may change is_admin"):
        as_ben.update_user("ben", is_admin=True)
    assert as_ben.update_user("ben", full_name="Ben B").full_name == "Ben B"
    with pytest.raises(AuthorizationError):
        as_ben.update_user("ana", full_name="hacked")
    admin.delete_secret("team")  # admins may delete what others own
