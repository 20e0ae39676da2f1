"""Updates: a parameter left out (UNSET) changes nothing, None clears a field that may
be empty, and None on a field that may not is refused, on every store."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from test_contract_crud import FACTORIES

from stackyard.client import UNSET, Client
from stackyard.exceptions import InputError
from stackyard.models.binding import utcnow
from stackyard.models.spec import spec_for


def test_none_clears_what_may_be_empty_and_unset_leaves_it(client: Client) -> None:
    client.create_user("ann", email="ann@example.com", full_name="Ann")

    kept = client.update_user("ann", full_name="Ann Example")
    assert (kept.email, kept.full_name) == ("ann@example.com", "Ann Example")
    cleared = client.update_user("ann", email=None, is_admin=UNSET)
    assert (cleared.email, cleared.full_name, cleared.is_admin) == (None, "Ann Example", False)
    with pytest.raises(InputError, match="full_name of a user cannot be null"):
        client.update_user("ann", full_name=None)  # type: ignore[arg-type]
    assert client.get_user("ann").full_name == "Ann Example"

    end = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    client.store.create("schedule", {"name": "nightly", "interval_second": 60, "end_time": end})
    assert client.update_schedule("nightly", active=False).end_time == end
    opened = client.update_schedule("nightly", end_time=None)
    assert opened.end_time is None and opened.active is False


UPDATABLE = sorted(kind for kind in FACTORIES if spec_for(kind).update is not None)


def _fields(entity: Any, *skip: str) -> dict[str, Any]:
    return {k: v for k, v in entity.model_dump().items() if k not in ("updated", *skip)}


@pytest.mark.parametrize("kind", UPDATABLE)
def test_every_updatable_field_takes_none_exactly_where_it_may_be_empty(
    client: Client, kind: str
) -> None:
    """For every resource, from its spec: an empty update changes nothing; None clears
    each field that may be empty (and only it) unless a rule of the resource needs it,
    and is refused, naming the field, for each one that may not."""
    spec = spec_for(kind)
    assert spec.update is not None
    entity = client.store.get(kind, FACTORIES[kind][0](client, f"{kind}-nulls").id)
    client.store.update(kind, entity.id, {})  # writes answer like lists (no secret values)
    assert _fields(client.store.get(kind, entity.id)) == _fields(entity)
    columns = [f for f in spec.update.model_fields if f in spec.columns]
    assert columns or kind in ("artifact_version",), f"{kind} updates no column"
    for field in columns:
        before = client.store.get(kind, entity.id)
        if field in spec.nullable:
            try:
                client.store.update(kind, entity.id, {field: None})
            except InputError as refused:  # a rule of the resource needs it (a schedule's
                assert field in str(refused)  # timing): refused, naming it, nothing changed
                assert _fields(client.store.get(kind, entity.id)) == _fields(before)
                continue
            cleared = client.store.get(kind, entity.id)
            assert getattr(cleared, field) is None, field
            assert _fields(cleared, field) == _fields(before, field), field
        else:
            with pytest.raises(InputError, match=f"{field} of a {spec.name.replace('_', ' ')}"):
                client.store.update(kind, entity.id, {field: None})
            assert _fields(client.store.get(kind, entity.id)) == _fields(before)
