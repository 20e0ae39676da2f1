"""`Store.handoff()`: a worker process opens the caller's store as the same user, with
a session token or an API key over REST, never a password."""

from __future__ import annotations

import uuid

from serving import Running, Users

from stackyard.client import Client
from stackyard.store.rest import RestStore


def test_a_sql_store_hands_over_its_database_and_config_dir(tmp_path: object) -> None:
    store = Client().store
    handoff = store.handoff()
    assert handoff.url.startswith("sqlite:////") and handoff.token is None
    assert handoff.config_dir is not None
    created = store.create("pipeline", {"name": "seen-by-the-worker"})
    opened = handoff.open()
    assert opened is handoff.open()  # once per process
    assert opened.get("pipeline", created.id).name == "seen-by-the-worker"
    assert "sqlite" not in repr(handoff)


def test_a_rest_store_hands_over_its_token_or_its_api_key(server: Running, users: Users) -> None:
    alice = RestStore(server.url, token=users.alice)
    handoff = alice.handoff()
    assert handoff.token == users.alice and handoff.api_key is None
    assert handoff.open().current_user().name == "alice"
    assert users.alice not in repr(handoff)

    admin = Client(store=server.rest(users.admin))
    account = admin.create_user(f"svc-{uuid.uuid4().hex[:6]}", is_service_account=True)
    key = admin.store.create("api_key", {"name": "k", "service_account_id": account.id}).key
    by_key = RestStore(server.url, api_key=key).handoff()
    assert by_key.api_key == key and by_key.token is None
    assert by_key.open().current_user().id == account.id
