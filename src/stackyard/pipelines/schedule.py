"""Schedules: when a pipeline should run again without anyone calling it.

Calling a pipeline configured with `with_options(schedule=Schedule(...))` does
not run it: it compiles the pipeline, stores a snapshot (what to run) and a
`schedule` record (when), and returns the `ScheduleResponse`. The scheduler
(`stackyard scheduler run` or the server) starts the runs when they are due.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from stackyard.models.automation import ScheduleResponse
    from stackyard.store.base import Store


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
