"""Starting the runs of due schedules, however many schedulers are running.

Each due schedule is *claimed* before anything starts (`Store.claim_schedule`):
one conditional UPDATE moves its `next_run_time` on from the due time it was read
with, and only the scheduler whose update changed the row starts the runs. So
`stackyard scheduler run` on several machines, or a server with several workers,
never starts a slot twice. Runs start through the schedule's run template, as
`Client.trigger_pipeline` does, and are recorded as the schedule owner's. The
same code runs over any store: a server's scheduler acts as the system (not as
any user, whatever users call themselves).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import AuthorizationError, StackyardError
from stackyard.models.binding import utcnow
from stackyard.store.sql.db import as_utc

if TYPE_CHECKING:
    from stackyard.models.automation import ScheduleResponse
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.store.base import Store

logger = logging.getLogger(__name__)


def run_due(store: Store, now: datetime | None = None) -> list[PipelineRunResponse]:
    """Start the runs of every schedule due at `now` (default: the current time) that
    the store's user may run (all of them for an admin); returns the runs started."""
    from stackyard.models.paging import depaginate_store

    now = as_utc(now or utcnow())
    filters: dict[str, Any] = {"active": True, "next_run_time": f"lte:{now.isoformat()}"}
    user = store.current_user()
    if not user.is_admin:
        filters["user_id"] = user.id
    runs: list[PipelineRunResponse] = []
    for schedule in list(depaginate_store(store, "schedule", sort_by="next_run_time", **filters)):
        try:
            runs += fire_schedule(store, schedule.id, now)
        except Exception:
            logger.exception("schedule %r: starting its due runs failed", schedule.name)
    return runs


def fire_schedule(store: Store, schedule_id: UUID, now: datetime) -> list[PipelineRunResponse]:
    """Claim schedule `schedule_id` if it is due at `now` and start its runs; [] when it is
    not due or another scheduler claimed it first. The runs are the schedule owner's."""
    from stackyard.pipelines.schedule import ensure_template
    from stackyard.scheduler.plan import plan_firing

    schedule: ScheduleResponse = store.get("schedule", schedule_id)
    actor = store.current_user()
    if not actor.is_admin and schedule.user_id != actor.id:
        raise AuthorizationError(
            f"user {actor.name!r} may not run schedule {schedule.name!r}: it belongs to someone "
            "else"
        )
    firing = plan_firing(schedule, now)
    if firing is None:
        return []
    linked = schedule if schedule.template_id is not None else None
    if linked is None and schedule.user_id == actor.id:
        linked = ensure_template(store, schedule)  # recorded before schedules had templates
    if linked is None or linked.template_id is None:
        logger.warning("schedule %r has no run template to run; skipping it", schedule.name)
        return []
    claimed = store.claim_schedule(
        schedule.id,
        firing.due,
        next_run=firing.next_run_time,
        last_run=firing.slots[-1] if firing.slots else None,
        active=firing.active,
    )
    if not claimed:
        return []
    if not firing.active:
        logger.info("schedule %r has no runs left and is now inactive", schedule.name)
    runs: list[PipelineRunResponse] = []
    for slot in firing.slots:
        try:
            runs.append(store.start_template_run(linked.template_id, {}, schedule_id=schedule.id))
        except StackyardError as exc:
            logger.warning(
                "schedule %r: not starting the run due at %s: %s", schedule.name, slot, exc
            )
    return runs


def loop(
    store: Store,
    poll_seconds: float = 1.0,
    stop_event: threading.Event | None = None,
    on_runs: Callable[[list[PipelineRunResponse]], None] | None = None,
) -> None:
    """Check for due schedules every `poll_seconds` until `stop_event` is set; a failed
    check is logged and retried, so one bad schedule or a store hiccup never stops it."""
    stop = stop_event or threading.Event()
    while not stop.is_set():
        try:
            runs = run_due(store)
        except Exception:
            logger.exception("checking for due schedules failed; retrying in %s s", poll_seconds)
        else:
            if runs and on_runs is not None:
                on_runs(runs)
        stop.wait(poll_seconds)


def start_background_scheduler(store: Store, poll_seconds: float = 1.0) -> Callable[[], None]:
    """Run `loop` in a daemon thread (as a server does); returns the function that stops it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=loop,
        args=(store, poll_seconds, stop),
        name="stackyard-scheduler",
        daemon=True,
    )
    thread.start()

    def stop_scheduler() -> None:
        stop.set()
        thread.join(timeout=max(5.0, 2 * poll_seconds))

    return stop_scheduler
