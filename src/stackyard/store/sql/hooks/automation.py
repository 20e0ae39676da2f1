"""Run templates and schedules: derived fields and validation of timing rules (the
atomic claim of a due schedule is `stackyard.store.sql.runs.claim_schedule`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from stackyard.exceptions import InputError
from stackyard.models.binding import utcnow
from stackyard.store.sql.db import Transaction, as_utc
from stackyard.store.sql.hooks.base import Hooks, Row
from stackyard.store.sql.store import SqlStore

if TYPE_CHECKING:
    from pydantic import BaseModel


class RunTemplateHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        snapshot = store.get("snapshot", values["snapshot_id"])
        values.update(
            pipeline_id=snapshot.pipeline_id,
            stack_id=snapshot.stack_id,
            build_id=snapshot.build_id,
            code_repository_id=snapshot.code_repository_id,
        )
        if snapshot.code_reference is not None or snapshot.code_path:
            values["runnable"], values["not_runnable_reason"] = True, None
        else:
            values["runnable"] = False
            values["not_runnable_reason"] = (
                "the run's code was neither in a registered code repository nor archived, "
                "so it cannot be fetched to run again"
            )


def next_run_time(
    cron: str | None,
    interval: float | None,
    start: datetime | None,
    after: datetime,
    catchup: bool,
) -> datetime | None:
    """The first due time strictly after `after` (or the first missed one, with catchup)."""
    start = as_utc(start) if start else None
    after = as_utc(after)
    if cron:
        from croniter import croniter

        base = start - timedelta(microseconds=1) if start and start > after else after
        return as_utc(croniter(cron, base).get_next(datetime))
    if interval:
        if start is None or start > after:
            return start or after + timedelta(seconds=interval)
        steps = int((after - start).total_seconds() // interval) + 1
        return start + timedelta(seconds=interval * steps)
    return None


def _check_timing(cron: str | None, interval: float | None, run_once: datetime | None) -> None:
    given = [
        n
        for n, v in (
            ("cron_expression", cron),
            ("interval_second", interval),
            ("run_once_start_time", run_once),
        )
        if v
    ]
    if len(given) != 1:
        raise InputError(
            "a schedule needs exactly one of cron_expression, interval_second or "
            f"run_once_start_time; got {', '.join(given) or 'none'}"
        )
    if cron:
        from croniter import croniter

        if not croniter.is_valid(cron):
            raise InputError(
                f"invalid cron expression {cron!r}: use five fields, e.g. '*/5 * * * *'"
            )


class ScheduleHooks(Hooks):
    def before_create(
        self, store: SqlStore, tx: Transaction, values: Row, request: BaseModel
    ) -> None:
        cron, interval = values.get("cron_expression"), values.get("interval_second")
        once = values.get("run_once_start_time")
        _check_timing(cron, interval, once)
        if once:
            values["next_run_time"] = as_utc(once)
        else:
            values["next_run_time"] = next_run_time(
                cron, interval, values.get("start_time"), utcnow(), values.get("catchup", False)
            )

    def before_update(
        self, store: SqlStore, tx: Transaction, row: Row, changes: Row, update: BaseModel
    ) -> None:
        if changes.get("cron_expression"):
            changes.setdefault("interval_second", None)
        if changes.get("interval_second"):
            changes.setdefault("cron_expression", None)
        merged = {**row, **changes}
        if {"cron_expression", "interval_second", "active"} & changes.keys():
            _check_timing(
                merged["cron_expression"], merged["interval_second"], merged["run_once_start_time"]
            )
            if merged["run_once_start_time"] is None:
                changes["next_run_time"] = next_run_time(
                    merged["cron_expression"],
                    merged["interval_second"],
                    merged["start_time"],
                    utcnow(),
                    merged["catchup"],
                )


HOOKS = {"run_template": RunTemplateHooks(), "schedule": ScheduleHooks()}
