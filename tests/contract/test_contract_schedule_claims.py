"""A due schedule slot is claimed by exactly one of many racing schedulers."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from stackyard.models.binding import utcnow
from stackyard.store.base import Store


def test_one_winner_per_due_slot(store_backend: Store) -> None:
    due = (utcnow() + timedelta(hours=1)).replace(microsecond=123456)
    schedule = store_backend.create(
        "schedule", {"name": "raced", "interval_second": 60, "start_time": due}
    )
    assert schedule.next_run_time == due
    barrier = threading.Barrier(6)

    def claim(_: int) -> bool:
        barrier.wait()
        return store_backend.claim_schedule(
            schedule.id,
            due,
            next_run=due + timedelta(seconds=60),
            last_run=due,
            active=True,
        )

    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(claim, range(6)))
    assert results.count(True) == 1
    after = store_backend.get("schedule", schedule.id)
    assert after.next_run_time == due + timedelta(seconds=60) and after.last_run_time == due
