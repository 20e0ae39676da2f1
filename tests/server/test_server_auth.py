"""Authentication and authorization over HTTP: tokens, revocation, API keys, limits."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest
from serving import SECRET, Running, Users, running_server

from stackyard.exceptions import RateLimitError
from stackyard.server.auth import LoginLimiter
from stackyard.server.tokens import issue

PASSWORD = "a-good-password"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_user(http: httpx.Client, users: Users, **extra: object) -> str:
    """A fresh user (unique name) with PASSWORD; returns the name."""
    name = f"u-{uuid.uuid4().hex[:8]}"
    body = {"name": name, "password": PASSWORD, **extra}
    response = http.post("/api/v1/users", json=body, headers=users.headers("admin"))
    assert response.status_code == 201, response.text
    return name


def login(http: httpx.Client, name: str, password: str = PASSWORD) -> httpx.Response:
    return http.post("/api/v1/login", json={"username": name, "password": password})


def me(http: httpx.Client, token: str) -> httpx.Response:
    return http.get("/api/v1/current-user", headers=bearer(token))


# -- tokens ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Basic YWRtaW46YWRtaW4=", "Bearer sy1.e30.AAAA"],
)
def test_requests_without_a_valid_token_are_401(
    http: httpx.Client, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = http.get("/api/v1/pipelines", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "AuthenticationError"
    assert response.headers["www-authenticate"] == "Bearer"


def test_expired_and_foreign_tokens_are_refused(
    http: httpx.Client, server: Running, users: Users
) -> None:
    admin = server.ctx.store.find("user", "admin")
    expired = issue(SECRET, admin.id, 0, ttl=-5)
    response = http.get("/api/v1/pipelines", headers=bearer(expired))
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    foreign = issue(b"another-server-secret", admin.id, 0)
    assert http.get("/api/v1/pipelines", headers=bearer(foreign)).status_code == 401


def test_password_login_json_and_form(http: httpx.Client, users: Users) -> None:
    name = new_user(http, users)
    token = login(http, name).json()["access_token"]
    assert me(http, token).json()["name"] == name
    form = http.post("/api/v1/login", data={"username": name, "password": PASSWORD})
    assert form.status_code == 200 and form.json()["token_type"] == "bearer"
    assert form.json()["expires_in"] == 3600


def test_wrong_password_is_401_and_never_echoed(http: httpx.Client, users: Users) -> None:
    name = new_user(http, users)
    wrong = login(http, name, "WrongPassword-xyz")
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "AuthenticationError", "detail": "wrong user name or password"}
    unknown = login(http, "nobody-" + name, "WrongPassword-xyz")
    assert unknown.json() == wrong.json()  # no hint whether the user exists
    missing = http.post("/api/v1/login", json={"username": name})
    assert missing.status_code == 422


def test_logout_revokes_at_once(http: httpx.Client, users: Users) -> None:
    name = new_user(http, users)
    token = login(http, name).json()["access_token"]
    assert http.post("/api/v1/logout", headers=bearer(token)).status_code == 204
    after = me(http, token)
    assert after.status_code == 401 and "revoked" in after.json()["detail"]
    assert http.post("/api/v1/logout", headers=bearer(token)).status_code == 401
    assert me(http, login(http, name).json()["access_token"]).status_code == 200


def test_password_change_revokes_and_swaps_passwords(http: httpx.Client, users: Users) -> None:
    name = new_user(http, users)
    token = login(http, name).json()["access_token"]
    user_id = me(http, token).json()["id"]
    changed = http.put(
        f"/api/v1/users/{user_id}", json={"password": "the-new-password"}, headers=bearer(token)
    )
    assert changed.status_code == 200, changed.text
    assert me(http, token).status_code == 401
    assert login(http, name).status_code == 401
    assert login(http, name, "the-new-password").status_code == 200


def test_deactivation_revokes_and_blocks_login(http: httpx.Client, users: Users) -> None:
    name = new_user(http, users)
    token = login(http, name).json()["access_token"]
    user_id = me(http, token).json()["id"]
    off = http.put(
        f"/api/v1/users/{user_id}", json={"active": False}, headers=users.headers("admin")
    )
    assert off.status_code == 200
    assert me(http, token).status_code == 401
    refused = login(http, name)
    assert refused.status_code == 401 and "deactivated" in refused.json()["detail"]


# -- API keys -------------------------------------------------------------------------
def test_api_key_login_rotation_and_revocation(http: httpx.Client, users: Users) -> None:
    account = new_user(http, users, is_service_account=True)
    account_id = http.get(
        "/api/v1/users/find", params={"q": account}, headers=users.headers("admin")
    ).json()["id"]
    created = http.post(
        "/api/v1/api_keys",
        json={"name": "ci", "service_account_id": account_id},
        headers=users.headers("admin"),
    )
    assert created.status_code == 201, created.text
    key, key_id = created.json()["key"], created.json()["id"]
    assert key.startswith("sy_")
    listed = http.get("/api/v1/api_keys", headers=users.headers("admin")).text
    assert key not in listed  # shown once, at creation

    token = http.post("/api/v1/login", json={"api_key": key}).json()["access_token"]
    assert me(http, token).json()["name"] == account

    rotated = http.post(f"/api/v1/api_keys/{key_id}/rotate", headers=users.headers("admin"))
    assert rotated.status_code == 200
    new_key = rotated.json()["key"]
    assert new_key != key
    assert me(http, token).status_code == 401  # tokens from the old key die at once
    assert http.post("/api/v1/login", json={"api_key": key}).status_code == 401
    token = http.post("/api/v1/login", json={"api_key": new_key}).json()["access_token"]
    assert me(http, token).status_code == 200

    off = http.put(
        f"/api/v1/api_keys/{key_id}", json={"active": False}, headers=users.headers("admin")
    )
    assert off.status_code == 200
    assert me(http, token).status_code == 401
    assert http.post("/api/v1/login", json={"api_key": new_key}).status_code == 401


def test_plain_users_cannot_mint_keys_for_others(http: httpx.Client, users: Users) -> None:
    account = new_user(http, users, is_service_account=True, is_admin=True)
    account_id = http.get(
        "/api/v1/users/find", params={"q": account}, headers=users.headers("admin")
    ).json()["id"]
    stolen = http.post(
        "/api/v1/api_keys",
        json={"name": "steal", "service_account_id": account_id},
        headers=users.headers("bob"),
    )
    assert stolen.status_code == 403 and stolen.json()["error"] == "AuthorizationError"
    key_id = http.post(
        "/api/v1/api_keys",
        json={"name": "legit", "service_account_id": account_id},
        headers=users.headers("admin"),
    ).json()["id"]
    for response in (
        http.post(f"/api/v1/api_keys/{key_id}/rotate", headers=users.headers("bob")),
        http.put(
            f"/api/v1/api_keys/{key_id}", json={"active": False}, headers=users.headers("bob")
        ),
        http.delete(f"/api/v1/api_keys/{key_id}", headers=users.headers("bob")),
    ):
        assert response.status_code == 403, response.text


# -- who may do what -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("actor", "read", "write"),
    [("alice", 200, 200), ("bob", 200, 403), ("admin", 200, 200)],
)
def test_permission_matrix_on_owned_resources(
    http: httpx.Client, users: Users, actor: str, read: int, write: int
) -> None:
    name = f"owned-{actor}-{uuid.uuid4().hex[:6]}"
    pid = http.post("/api/v1/pipelines", json={"name": name}, headers=users.headers("alice"))
    pid = pid.json()["id"]
    h = users.headers(actor)
    assert http.get(f"/api/v1/pipelines/{pid}", headers=h).status_code == read
    update = http.put(f"/api/v1/pipelines/{pid}", json={"description": "x"}, headers=h)
    assert update.status_code == write
    if write == 403:
        assert "belongs to someone else" in update.json()["detail"]
    assert http.delete(f"/api/v1/pipelines/{pid}", headers=h).status_code == (
        204 if write == 200 else 403
    )


def test_plain_users_cannot_manage_users(http: httpx.Client, users: Users) -> None:
    alice_id = http.get("/api/v1/current-user", headers=users.headers("alice")).json()["id"]
    bob = users.headers("bob")
    assert http.post("/api/v1/users", json={"name": "x-new"}, headers=bob).status_code == 403
    assert (
        http.put(f"/api/v1/users/{alice_id}", json={"full_name": "X"}, headers=bob).status_code
        == 403
    )
    assert http.delete(f"/api/v1/users/{alice_id}", headers=bob).status_code == 403
    bob_id = http.get("/api/v1/current-user", headers=bob).json()["id"]
    promote = http.put(f"/api/v1/users/{bob_id}", json={"is_admin": True}, headers=bob)
    assert promote.status_code == 403


def test_private_secrets_stay_with_their_owner(http: httpx.Client, users: Users) -> None:
    alice = users.headers("alice")
    private = http.post(
        "/api/v1/secrets",
        json={"name": "alice-private", "private": True, "values": {"token": "PRIVATE-VALUE-1"}},
        headers=alice,
    ).json()
    shared = http.post(
        "/api/v1/secrets", json={"name": "alice-shared", "values": {"k": "v"}}, headers=alice
    ).json()
    assert http.get(f"/api/v1/secrets/{private['id']}", headers=alice).json()["secret_values"] == {
        "token": "PRIVATE-VALUE-1"
    }
    for who in ("bob", "admin"):
        h = users.headers(who)
        names = [s["name"] for s in http.get("/api/v1/secrets", headers=h).json()["items"]]
        assert "alice-private" not in names and "alice-shared" in names
        assert http.get(f"/api/v1/secrets/{private['id']}", headers=h).status_code == 404
        found = http.get("/api/v1/secrets/find", params={"q": "alice-priv"}, headers=h)
        assert found.status_code == 404
        assert "PRIVATE-VALUE-1" not in found.text
        by_id = http.get("/api/v1/secrets/find", params={"q": private["id"][:8]}, headers=h)
        assert by_id.status_code == 404
    listed = http.get("/api/v1/secrets", headers=alice).text
    assert "PRIVATE-VALUE-1" not in listed  # values only from a single get
    assert (
        http.get(f"/api/v1/secrets/{shared['id']}", headers=users.headers("bob")).status_code == 200
    )


# -- first setup and rate limits (servers of their own) ----------------------------------
def test_setup_works_once_on_an_empty_server(tmp_path: Path, server: Running) -> None:
    with (
        running_server(f"sqlite:///{tmp_path / 'empty.db'}") as fresh,
        httpx.Client(base_url=fresh.url) as http,
    ):
        assert (
            http.post("/api/v1/login", json={"username": "default", "password": ""}).status_code
            == 401
        )
        weak = http.post("/api/v1/setup", json={"username": "root", "password": "short"})
        assert weak.status_code == 422 and "at least 8" in weak.json()["detail"]
        first = http.post("/api/v1/setup", json={"username": "root", "password": PASSWORD})
        assert first.status_code == 201, first.text
        assert first.json()["user"]["is_admin"] is True
        assert me(http, first.json()["access_token"]).json()["name"] == "root"
        again = http.post("/api/v1/setup", json={"username": "evil", "password": PASSWORD})
        assert again.status_code == 409 and again.json()["error"] == "IllegalOperationError"
        assert login(http, "root").status_code == 200
    taken = httpx.post(f"{server.url}/api/v1/setup", json={"username": "x", "password": PASSWORD})
    assert taken.status_code == 409


def test_login_rate_limit_answers_429(tmp_path: Path) -> None:
    with (
        running_server(f"sqlite:///{tmp_path / 'rl.db'}") as fresh,
        httpx.Client(base_url=fresh.url) as http,
    ):
        http.post("/api/v1/setup", json={"username": "root", "password": PASSWORD})
        for _ in range(10):
            assert login(http, "root", "wrong-password").status_code == 401
        limited = login(http, "root")  # even the right password, for a while
        assert limited.status_code == 429
        assert limited.json()["error"] == "RateLimitError"
        assert limited.headers["retry-after"]


def test_limiter_locks_a_name_per_address_and_slows_a_failing_address(tmp_path: Path) -> None:
    """A locked-out pair never locks the real user out elsewhere; failures are shared
    through the store (a second limiter on the same store sees them)."""
    from stackyard.store.sql.store import SqlStore

    store = SqlStore(f"sqlite:///{tmp_path / 'limits.db'}")
    limiter = LoginLimiter(store, limit=3, window=0.5)
    for _ in range(3):
        limiter.fail("a", "1.1.1.1")
    other_worker = LoginLimiter(store, limit=3, window=0.5)
    with pytest.raises(RateLimitError, match="for 'a' from this address"):
        other_worker.check("a", "1.1.1.1")
    other_worker.check("a", "2.2.2.2")  # the right password from a clean address works
    with pytest.raises(RateLimitError, match="from this address"):
        other_worker.check("b", "1.1.1.1")  # the failing address is slowed down
    time.sleep(0.55)
    limiter.check("a", "1.1.1.1")
    store.close()
