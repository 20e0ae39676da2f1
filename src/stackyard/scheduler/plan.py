"""When a due schedule runs, and what it looks like afterwards: pure timing rules.

A schedule is due when it is active and its `next_run_time` has passed. Firing
it starts one run for the latest due slot, or, with `catchup`, one run for every
slot missed since `next_run_time` (at most `MAX_CATCHUP_RUNS` at a time; the
rest follow on the next check). Slots after `end_time` never run, and the
schedule is deactivated once none are left; `run_once_start_time` fires once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from stackyard.store.sql.db import as_utc
from stackyard.store.sql.hooks.automation import next_run_time

if TYPE_CHECKING:
    from stackyard.models.automation import ScheduleResponse

MAX_CATCHUP_RUNS = 100


@dataclass(frozen=True)
class Firing:
    """The slots to start runs for now, and the schedule's state once they are claimed."""

    due: datetime
    slots: list[datetime]
    next_run_time: datetime | None
    active: bool


def plan_firing(schedule: ScheduleResponse, now: datetime) -> Firing | None:
    """What firing `schedule` at `now` does; None when it is not due."""
    due = as_utc(schedule.next_run_time) if schedule.next_run_time else None
    now = as_utc(now)
    if not schedule.active or due is None or due > now:
        return None
    end = as_utc(schedule.end_time) if schedule.end_time else None
    if schedule.run_once_start_time is not None:
        return Firing(due, [due] if end is None or due <= end else [], None, False)
    upto = min(now, end) if end else now
    slots: list[datetime] = []
    following: datetime | None
    if due > upto:
        following = None
    elif schedule.catchup:
        following = due
        while following is not None and following <= upto and len(slots) < MAX_CATCHUP_RUNS:
            slots.append(following)
            following = _after(schedule, following, due)
    else:
        slots.append(_latest(schedule, due, upto))
        following = _after(schedule, now, due)
    if following is not None and end is not None and following > end:
        following = None
    return Firing(due, slots, following, following is not None)


def _after(schedule: ScheduleResponse, moment: datetime, due: datetime) -> datetime | None:
    """The first slot strictly after `moment`; slots of an interval without a
    `start_time` count from the current due time."""
    return next_run_time(
        schedule.cron_expression,
        schedule.interval_second,
        schedule.start_time or due,
        moment,
        schedule.catchup,
    )


def _latest(schedule: ScheduleResponse, due: datetime, upto: datetime) -> datetime:
    """The last slot at or before `upto` (and not before `due`)."""
    if schedule.cron_expression:
        from croniter import croniter

        base = upto + timedelta(microseconds=1)
        latest = as_utc(croniter(schedule.cron_expression, base).get_prev(datetime))
    else:
        following = _after(schedule, upto, due)
        assert following is not None and schedule.interval_second is not None
        latest = following - timedelta(seconds=schedule.interval_second)
    return max(latest, due)
