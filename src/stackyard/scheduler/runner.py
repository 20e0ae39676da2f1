"""Starting the runs of due schedules, however many schedulers are running.

Each due schedule is *claimed* before anything starts: one conditional UPDATE
moves its `next_run_time` on from the due time it was read with, and only the
scheduler whose update changed the row starts the runs. So `stackyard scheduler
run` on several machines, or a server with several workers, never starts a
slot twice. Runs start through the schedule's run template, exactly as
`Client.trigger_pipeline` does, acting as the schedule's owner.

Against a stackyard server the server claims and starts the runs
(`POST /api/v1/schedules/{id}/runs`); the scheduler only asks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from stackyard.exceptions import AuthorizationError, StackyardError
from stackyard.models.binding import utcnow
from stackyard.store.sql.db import as_utc

if TYPE_CHECKING:
    from stackyard.models.automation import RunTemplateResponse, ScheduleResponse
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
    not due or another scheduler claimed it first."""
    from stackyard.pipelines.config import RunFileConfig
    from stackyard.pipelines.schedule import ensure_template
    from stackyard.pipelines.trigger import start_run
    from stackyard.scheduler.plan import plan_firing
    from stackyard.store.sql.hooks.automation import claim_schedule
    from stackyard.store.sql.store import SqlStore

    if not isinstance(store, SqlStore):
        return _fire_on_server(store, schedule_id, now)
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
    linked = ensure_template(store, schedule)
    if linked is None or linked.template_id is None:
        logger.warning("schedule %r has no snapshot to run; skipping it", schedule.name)
        return []
    claimed = claim_schedule(
        store,
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
    owner = store.as_user(store.get("user", schedule.user_id)) if schedule.user_id else store
    runs: list[PipelineRunResponse] = []
    for slot in firing.slots:
        try:
            template: RunTemplateResponse = owner.get("run_template", linked.template_id)
            runs.append(start_run(owner, template, RunFileConfig(), schedule_id=schedule.id))
        except StackyardError as exc:
            logger.warning(
                "schedule %r: not starting the run due at %s: %s", schedule.name, slot, exc
            )
    return runs


def _fire_on_server(store: Store, schedule_id: UUID, now: datetime) -> list[PipelineRunResponse]:
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.store.rest import API, RestStore

    if not isinstance(store, RestStore):
        raise StackyardError(
            f"the scheduler needs a SQL store or a stackyard server, not {type(store).__name__}"
        )
    data = store.post(f"{API}/schedules/{schedule_id}/runs", {"now": now.isoformat()})
    runs = [PipelineRunResponse.model_validate(item) for item in cast(list[Any], data["runs"])]
    for run in runs:
        run.bind(store)
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
