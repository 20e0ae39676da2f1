"""When a due schedule fires and what it looks like afterwards: timing rules only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from stackyard.models.automation import ScheduleResponse
from stackyard.scheduler.plan import MAX_CATCHUP_RUNS, plan_firing

DUE = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def schedule(**fields: Any) -> ScheduleResponse:
    return ScheduleResponse.model_construct(
        **{"name": "s", "active": True, "next_run_time": DUE, **fields}
    )


def at(minutes: float) -> datetime:
    return DUE + timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("catchup", "slots"), [(False, [at(15)]), (True, [at(0), at(5), at(10), at(15)])]
)
def test_cron_missed_slots(catchup: bool, slots: list[datetime]) -> None:
    firing = plan_firing(schedule(cron_expression="*/5 * * * *", catchup=catchup), at(17))

    assert firing is not None
    assert firing.slots == slots
    assert firing.next_run_time == at(20) and firing.active


def test_not_due_inactive_and_run_once() -> None:
    assert plan_firing(schedule(interval_second=60), at(-1)) is None
    assert plan_firing(schedule(interval_second=60, active=False), at(1)) is None
    once = plan_firing(schedule(run_once_start_time=DUE), at(1))
    assert once is not None and once.slots == [DUE]
    assert once.next_run_time is None and not once.active
    late = plan_firing(schedule(run_once_start_time=DUE, end_time=at(-1)), at(1))
    assert late is not None and late.slots == [] and not late.active


def test_catchup_is_bounded_per_check_and_resumes() -> None:
    firing = plan_firing(schedule(interval_second=1, catchup=True), at(60))

    assert firing is not None and len(firing.slots) == MAX_CATCHUP_RUNS
    assert firing.next_run_time == DUE + timedelta(seconds=MAX_CATCHUP_RUNS)
    assert firing.active  # still due: the next check starts the next missed slots
