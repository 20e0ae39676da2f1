"""Updates: a parameter left out (UNSET) changes nothing, None clears a field that may
be empty, and None on a field that may not is refused, on every store."""

from __future__ import annotations

from datetime import timedelta

import pytest

from stackyard.client import UNSET, Client
from stackyard.exceptions import InputError
from stackyard.models.binding import utcnow


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
