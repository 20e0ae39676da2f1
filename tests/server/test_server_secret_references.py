"""Secret references over REST: checked as the registering user, resolved in the
client process as the running user, and never sent resolved."""

from __future__ import annotations

import httpx
import pytest
from serving import Running, Users

from stackyard.client import Client
from stackyard.exceptions import InputError
from stackyard.stack.stack import Stack


def test_references_follow_secret_permissions(
    server: Running, users: Users, http: httpx.Client
) -> None:
    alice = Client(store=server.rest(users.alice))
    bob = Client(store=server.rest(users.bob))
    alice.create_secret("alice-vault", {"path": "/alice/only"}, private=True)
    alice.create_secret("team-vault", {"path": "/team/shared"})

    with pytest.raises(InputError, match="no secret named 'alice-vault' that user 'bob' can read"):
        bob.create_stack_component(
            "bob-store", "local", "artifact_store", {"path": "{{alice-vault.path}}"}
        )
    bob.create_stack_component(
        "bob-store", "local", "artifact_store", {"path": "{{team-vault.path}}"}
    )
    component = alice.create_stack_component(
        "alice-store", "local", "artifact_store", {"path": "{{alice-vault.path}}"}
    )
    stack = alice.create_stack(
        "alice-stack", {"orchestrator": "default", "artifact_store": "alice-store"}
    )

    for path in (
        f"/api/v1/stack_components/{component.id}",
        "/api/v1/stack_components?name=alice-store",
    ):
        body = http.get(path, headers=users.headers("bob")).text
        assert "{{alice-vault.path}}" in body and "/alice/only" not in body

    assert Stack.from_model(alice.get_stack(stack.id)).artifact_store.path == "/alice/only"
    with pytest.raises(InputError, match="no secret named 'alice-vault' that user 'bob' can read"):
        Stack.from_model(bob.get_stack(stack.id))
    bob_stack = bob.create_stack(
        "bob-stack", {"orchestrator": "default", "artifact_store": "bob-store"}
    )
    assert Stack.from_model(bob.get_stack(bob_stack.id)).artifact_store.path == "/team/shared"
