"""Schedules: when a pipeline should run again without anyone calling it.

Calling a pipeline configured with `with_options(schedule=Schedule(...))` does
not run it: it compiles the pipeline, stores a snapshot (what to run), a
`schedule` record (when) and a run template `<schedule name>-template` made
from the snapshot, and returns the `ScheduleResponse`. The scheduler
(`stackyard scheduler run` or the server) starts the runs when they are due,
through that template, as `Client.trigger_pipeline` would.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from stackyard.models.automation import RunTemplateResponse, ScheduleResponse
    from stackyard.models.pipelines import SnapshotResponse
    from stackyard.store.base import Store

logger = logging.getLogger(__name__)


class Schedule(BaseModel):
    """Exactly one of `cron_expression` ("*/5 * * * *"), `interval_second` (seconds or a
    timedelta) or `run_once_start_time`; `start_time`/`end_time` bound the runs and
    `catchup=True` also starts runs missed while no scheduler was running."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, min_length=1, max_length=255)
    cron_expression: str | None = None
    interval_second: float | None = Field(default=None, gt=0)
    start_time: datetime | None = None
    end_time: datetime | None = None
    catchup: bool = False
    run_once_start_time: datetime | None = None

    @field_validator("interval_second", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        return value.total_seconds() if isinstance(value, timedelta) else value

    @model_validator(mode="after")
    def _one_rule(self) -> Schedule:
        given = [
            name
            for name in ("cron_expression", "interval_second", "run_once_start_time")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "a schedule needs exactly one of cron_expression, interval_second or "
                f"run_once_start_time; got {', '.join(given) or 'none'}"
            )
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValueError(f"end_time {self.end_time} is not after start_time {self.start_time}")
        return self


def create_schedule(
    store: Store, schedule: Schedule, pipeline_id: UUID, default_name: str
) -> ScheduleResponse:
    """Record `schedule` for a pipeline; the store validates the cron expression."""
    result: ScheduleResponse = store.create(
        "schedule",
        {
            **schedule.model_dump(exclude={"name"}),
            "name": schedule.name or default_name,
            "pipeline_id": pipeline_id,
        },
    )
    return result


def link_template(
    store: Store, schedule: ScheduleResponse, snapshot: SnapshotResponse
) -> ScheduleResponse:
    """Make the run template a schedule runs through, named `<schedule name>-template`
    (plus the snapshot's id when a template already has that name), and link it."""
    from stackyard.exceptions import EntityExistsError

    def create(name: str) -> RunTemplateResponse:
        description = f"What schedule {schedule.name!r} runs."
        template: RunTemplateResponse = store.create(
            "run_template", {"name": name, "snapshot_id": snapshot.id, "description": description}
        )
        return template

    try:
        template = create(f"{schedule.name}-template")
    except EntityExistsError:
        template = create(f"{schedule.name}-template-{snapshot.id.hex[:8]}")
    if not template.runnable:
        logger.warning(
            "schedule %r cannot start runs: %s", schedule.name, template.not_runnable_reason
        )
    linked: ScheduleResponse = store.update("schedule", schedule.id, {"template_id": template.id})
    return linked


def ensure_template(store: Store, schedule: ScheduleResponse) -> ScheduleResponse | None:
    """The schedule linked to a template, made now from its newest snapshot if it has
    none (a schedule recorded without one); None if there is no snapshot either."""
    if schedule.template_id is not None:
        return schedule
    snapshots = store.list("snapshot", schedule_id=schedule.id, sort_by="desc:created", size=1)
    if not snapshots.items:
        return None
    return link_template(store, schedule, snapshots.items[0])
