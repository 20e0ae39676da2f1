"""The SQL side of what runs do beyond CRUD: start from a template, wait for a runner,
beat, stop, be reaped when their process died; schedule slots; store settings.

A run is alive while the process executing it keeps its `heartbeat_deadline` in
the future. Whoever next reads a run past its deadline (any client, or the
server's reaper thread) marks it `failed` with the reason, in one conditional
UPDATE, so a killed process never leaves a run `running` forever.

A template run on a server waits, `initializing` and unclaimed, until a runner
claims it (`claim_run`): a conditional UPDATE of `claimed_at`, so one runner wins.
An embedded store launches a local worker for it at once instead.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import AuthorizationError, IllegalOperationError, InputError
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus
from stackyard.store.base import RunClaim

if TYPE_CHECKING:
    from stackyard.models.automation import RunTemplateResponse
    from stackyard.models.pipelines import PipelineRunResponse, SnapshotResponse
    from stackyard.store.sql.store import SqlStore

UNFINISHED = (ExecutionStatus.INITIALIZING.value, ExecutionStatus.RUNNING.value)
# a run created (or claimed) by a process that will beat has this long for its first
# beat: the process creating a run beats at once, so this covers a worker's start
START_GRACE = timedelta(seconds=10)
FORBIDDEN = (
    "runs from templates and schedules were turned off in this store's settings before a "
    "runner claimed it (stackyard settings update --allow-runs turns them back on)"
)
# a beat promises the next within `interval`; the run is reaped this many intervals later
# (a server's reaper looks 4 times a second: a dead process is noticed within two
# intervals, and a beat may come 0.75 intervals late, as on a loaded machine or server)
DEADLINE_INTERVALS = 1.75
MIN_INTERVAL, MAX_INTERVAL = 0.1, 600.0


def deadline_after(interval: float, now: datetime | None = None) -> datetime:
    return (now or utcnow()) + timedelta(seconds=DEADLINE_INTERVALS * interval)


# -- starting from templates -----------------------------------------------------------------
def _check_names(
    template: RunTemplateResponse, snapshot: SnapshotResponse, config: dict[str, Any]
) -> None:
    """Unknown parameters and steps are refused now, not in a worker later."""
    declared = snapshot.pipeline_configuration.get("parameters", {})
    for what, given, known in (
        ("parameter", config.get("parameters") or {}, declared),
        ("step", config.get("steps") or {}, snapshot.step_configurations),
    ):
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise InputError(
                f"the pipeline of run template {template.name!r} has no {what}(s) "
                f"{', '.join(unknown)}; its {what}s: {', '.join(known) or 'none'}"
            )


def start_template_run(
    store: SqlStore,
    template_id: UUID,
    run_configuration: dict[str, Any],
    schedule_id: UUID | None,
) -> PipelineRunResponse:
    from stackyard.models.pipelines import DEFAULT_RUN_NAME, render_run_name

    if not settings(store)["allow_runs"]:
        raise IllegalOperationError(
            "runs from templates and schedules are turned off in this store's settings; an "
            "admin can allow them (stackyard settings update --allow-runs)"
        )
    owner = store
    if schedule_id is not None:
        schedule = store.get("schedule", schedule_id)
        actor = store.current_user()
        if not actor.is_admin and schedule.user_id != actor.id:
            raise AuthorizationError(
                f"user {actor.name!r} may not start runs of schedule {schedule.name!r}: it "
                "belongs to another user"
            )
        if schedule.template_id != template_id:
            raise InputError(f"schedule {schedule.name!r} does not run template {template_id}")
        if schedule.user_id is not None and schedule.user_id != actor.id:
            owner = store.as_user(store.get("user", schedule.user_id))
    template: RunTemplateResponse = store.get("run_template", template_id)
    if not template.runnable:
        raise IllegalOperationError(
            f"run template {template.name!r} is not runnable: {template.not_runnable_reason}"
        )
    snapshot: SnapshotResponse = store.get("snapshot", template.snapshot_id)
    _check_names(template, snapshot, run_configuration)
    launcher = store.launcher
    if launcher is not None:
        try:
            launcher.check(store, snapshot)
        except IllegalOperationError as exc:
            raise IllegalOperationError(f"cannot run template {template.name!r}: {exc}") from None
    pipeline = store.get("pipeline", snapshot.pipeline_id)
    now = utcnow()
    name_template = (
        run_configuration.get("run_name")
        or snapshot.pipeline_configuration.get("run_name")
        or DEFAULT_RUN_NAME
    )
    run: PipelineRunResponse = owner.create(
        "pipeline_run",
        {
            "name": render_run_name(name_template, pipeline.name, now),
            "status": ExecutionStatus.INITIALIZING,
            "start_time": now,
            "pipeline_id": snapshot.pipeline_id,
            "stack_id": snapshot.stack_id,
            "build_id": snapshot.build_id,
            "template_id": template.id,
            "schedule_id": schedule_id,
            "snapshot_id": snapshot.id,
            "code_reference": snapshot.code_reference,
            "code_path": snapshot.code_path,
            "config": snapshot.pipeline_configuration,
            "run_configuration": run_configuration,
        },
    )
    if launcher is None:  # queued until a runner claims it
        _set_claim(store, run.id, claimed=None, deadline=None)
        return run
    _set_claim(store, run.id, claimed=now, deadline=now + START_GRACE)
    try:
        launcher.start(store, run)
    except OSError as exc:
        fail(store, run.id, f"no local worker could be started for it: {exc}")
        raise IllegalOperationError(f"cannot start a worker for run {run.name!r}: {exc}") from exc
    return run


def _set_claim(
    store: SqlStore, run_id: UUID, *, claimed: datetime | None, deadline: datetime | None
) -> None:
    q, db = store.db.q, store.db
    with db.transaction() as tx:
        tx.execute(
            f"UPDATE {q('pipeline_runs')} SET {q('claimed_at')} = ?, "
            f"{q('heartbeat_deadline')} = ? WHERE {q('id')} = ?",
            [db.encode("datetime", claimed), db.encode("datetime", deadline), str(run_id)],
        )


def fail_queued(store: SqlStore, reason: str) -> list[UUID]:
    """Fail every template run still waiting for a runner, with `reason`: what was
    queued before runs were turned off is never claimed later."""
    q, db = store.db.q, store.db
    waiting = f"{q('status')} = ? AND {q('template_id')} IS NOT NULL AND {q('claimed_at')} IS NULL"
    failed = []
    with db.transaction() as tx:
        queued = tx.fetchall(
            f"SELECT {q('id')} FROM {q('pipeline_runs')} WHERE {waiting}",
            [ExecutionStatus.INITIALIZING.value],
        )
        now = db.encode("datetime", utcnow())
        for (run_id,) in queued:
            if tx.execute(
                f"UPDATE {q('pipeline_runs')} SET {q('status')} = ?, {q('end_time')} = ?, "
                f"{q('status_reason')} = ?, {q('updated')} = ? WHERE {q('id')} = ? AND {waiting}",
                [ExecutionStatus.FAILED.value, now, reason, now, str(run_id),
                 ExecutionStatus.INITIALIZING.value],
            ):  # fmt: skip
                failed.append(UUID(str(run_id)))
    return failed


def claim_run(store: SqlStore) -> RunClaim | None:
    q, db = store.db.q, store.db
    if not settings(store)["allow_runs"]:  # also what was queued while they were turned off
        fail_queued(store, FORBIDDEN)
        return None
    actor = store.current_user()
    mine = "" if actor.is_admin else f" AND {q('user_id')} = ?"
    for _ in range(3):
        now = utcnow()
        with db.transaction(write=False) as tx:
            candidates = [
                str(r[0])
                for r in tx.fetchall(
                    f"SELECT {q('id')} FROM {q('pipeline_runs')} WHERE {q('status')} = ? "
                    f"AND {q('template_id')} IS NOT NULL AND {q('claimed_at')} IS NULL{mine} "
                    f"ORDER BY {q('created')}, {q('id')} LIMIT 5",
                    [ExecutionStatus.INITIALIZING.value, *([] if mine == "" else [str(actor.id)])],
                )
            ]
        if not candidates:
            return None
        for run_id in candidates:
            with db.transaction() as tx:
                won = tx.execute(
                    f"UPDATE {q('pipeline_runs')} SET {q('claimed_at')} = ?, "
                    f"{q('heartbeat_deadline')} = ? WHERE {q('id')} = ? "
                    f"AND {q('claimed_at')} IS NULL AND {q('status')} = ?",
                    [
                        db.encode("datetime", now),
                        db.encode("datetime", now + START_GRACE),
                        run_id,
                        ExecutionStatus.INITIALIZING.value,
                    ],
                )
            if won == 1:
                return RunClaim(store.get("pipeline_run", UUID(run_id)), store.url.absolute)
    return None


# -- alive, stopped, dead --------------------------------------------------------------------
def heartbeat(store: SqlStore, run_id: UUID, interval: float) -> bool:
    if not MIN_INTERVAL <= interval <= MAX_INTERVAL:
        raise InputError(
            f"heartbeat interval {interval} s is out of range: use {MIN_INTERVAL} to {MAX_INTERVAL}"
        )
    q, db = store.db.q, store.db
    with db.transaction() as tx:
        store.check_writable(tx, "pipeline_run", run_id, "send heartbeats for")
        beat = tx.execute(
            f"UPDATE {q('pipeline_runs')} SET {q('heartbeat_deadline')} = ? "
            f"WHERE {q('id')} = ? AND {q('status')} IN (?, ?)",
            [db.encode("datetime", deadline_after(interval)), str(run_id), *UNFINISHED],
        )
    return beat == 1


def release(store: SqlStore, run_id: UUID) -> None:
    """The process that ran `run_id` let go of it: a finished run's deadline is cleared
    (an unfinished one stays with its heartbeats and the reaper)."""
    q, db = store.db.q, store.db
    with db.transaction() as tx:
        store.check_writable(tx, "pipeline_run", run_id, "release")
        tx.execute(
            f"UPDATE {q('pipeline_runs')} SET {q('heartbeat_deadline')} = NULL "
            f"WHERE {q('id')} = ? AND {q('status')} NOT IN (?, ?)",
            [str(run_id), *UNFINISHED],
        )


def stop_run(store: SqlStore, run_id: UUID) -> PipelineRunResponse:
    run: PipelineRunResponse = store.get("pipeline_run", run_id)
    if run.status.value not in UNFINISHED:
        raise IllegalOperationError(
            f"run {run.name!r} has already finished ({run.status.value}); only initializing or "
            "running runs can be stopped"
        )
    stopped: PipelineRunResponse = store.update(
        "pipeline_run", run.id, {"status": ExecutionStatus.STOPPED}
    )
    return stopped


def end_steps(store: SqlStore, tx: Any, run_id: Any, status: ExecutionStatus, error: str) -> None:
    """Unfinished steps of a run that ended without them: `status`, with `error`."""
    q, db = store.db.q, store.db
    tx.execute(
        f"UPDATE {q('run_steps')} SET {q('status')} = ?, {q('end_time')} = ?, "
        f"{q('error')} = COALESCE({q('error')}, ?), {q('updated')} = ? "
        f"WHERE {q('pipeline_run_id')} = ? AND {q('status')} IN (?, ?)",
        [
            status.value,
            db.encode("datetime", utcnow()),
            error,
            db.encode("datetime", utcnow()),
            str(run_id),
            *UNFINISHED,
        ],
    )


def fail(store: SqlStore, run_id: UUID, reason: str) -> None:
    """Mark an unfinished run (and its unfinished steps) failed, with the reason."""
    q, db = store.db.q, store.db
    now = db.encode("datetime", utcnow())
    with db.transaction() as tx:
        changed = tx.execute(
            f"UPDATE {q('pipeline_runs')} SET {q('status')} = ?, {q('end_time')} = ?, "
            f"{q('status_reason')} = ?, {q('updated')} = ? WHERE {q('id')} = ? "
            f"AND {q('status')} IN (?, ?)",
            [ExecutionStatus.FAILED.value, now, reason, now, str(run_id), *UNFINISHED],
        )
        if changed:
            end_steps(store, tx, run_id, ExecutionStatus.FAILED, f"the run failed: {reason}")


def reap(store: SqlStore) -> list[UUID]:
    """Fail every unfinished run whose process missed its heartbeat deadline."""
    q, db = store.db.q, store.db
    now = utcnow()
    with db.transaction(write=False) as tx:
        stale = tx.fetchall(
            f"SELECT {q('id')}, {q('heartbeat_deadline')} FROM {q('pipeline_runs')} "
            f"WHERE {q('status')} IN (?, ?) AND {q('heartbeat_deadline')} < ?",
            [*UNFINISHED, db.encode("datetime", now)],
        )
    reaped = []
    for run_id, deadline in stale:
        when = db.decode("datetime", deadline)
        reason = (
            "the process running it stopped sending heartbeats (one was due by "
            f"{when:%Y-%m-%d %H:%M:%S} UTC): it was killed, crashed or lost the store"
        )
        with db.transaction() as tx:
            changed = tx.execute(
                f"UPDATE {q('pipeline_runs')} SET {q('status')} = ?, {q('end_time')} = ?, "
                f"{q('status_reason')} = ?, {q('updated')} = ? WHERE {q('id')} = ? "
                f"AND {q('status')} IN (?, ?) AND {q('heartbeat_deadline')} < ?",
                [
                    ExecutionStatus.FAILED.value,
                    db.encode("datetime", now),
                    reason,
                    db.encode("datetime", now),
                    str(run_id),
                    *UNFINISHED,
                    db.encode("datetime", now),
                ],
            )
            if changed:
                end_steps(store, tx, run_id, ExecutionStatus.FAILED, f"the run failed: {reason}")
                reaped.append(UUID(str(run_id)))
    return reaped


def is_stale(row: dict[str, Any], now: datetime) -> bool:
    deadline = row.get("heartbeat_deadline")
    status = row.get("status")
    status = getattr(status, "value", status)
    return status in UNFINISHED and deadline is not None and deadline < now


# -- schedules -------------------------------------------------------------------------------
def claim_schedule(
    store: SqlStore,
    schedule_id: UUID,
    due: datetime,
    *,
    next_run: datetime | None,
    last_run: datetime | None,
    active: bool,
) -> bool:
    """One conditional UPDATE moves the schedule on from `due`: the other racing
    schedulers find `next_run_time` already moved and change nothing."""
    db = store.db
    q = db.q
    changes: list[tuple[str, str, object]] = [
        ("next_run_time", "datetime", next_run),
        ("active", "bool", active),
        ("updated", "datetime", utcnow()),
    ]
    if last_run is not None:
        changes.append(("last_run_time", "datetime", last_run))
    assign = ", ".join(f"{q(name)} = ?" for name, _, _ in changes)
    with db.transaction() as tx:
        store.check_writable(tx, "schedule", schedule_id, "run")
        claimed = tx.execute(
            f"UPDATE {q('schedules')} SET {assign} "
            f"WHERE {q('id')} = ? AND {q('active')} = ? AND {q('next_run_time')} = ?",
            [
                *(db.encode(kind, value) for _, kind, value in changes),
                str(schedule_id),
                db.encode("bool", True),
                db.encode("datetime", due),
            ],
        )
    return claimed == 1


# -- settings --------------------------------------------------------------------------------
def settings(store: SqlStore) -> dict[str, Any]:
    from stackyard.models.settings import ServerSettings

    q = store.db.q
    with store.db.transaction(write=False) as tx:
        rows = tx.fetchall(f"SELECT {q('key')}, {q('value')} FROM {q('settings')}")
    known = ServerSettings.model_fields
    stored = {k: json.loads(v) for k, v in rows if k in known}
    return ServerSettings.model_validate(stored).model_dump()


def update_settings(store: SqlStore, changes: dict[str, Any]) -> dict[str, Any]:
    from pydantic import ValidationError

    from stackyard.models.settings import ServerSettings

    actor = store.current_user()
    if not actor.is_admin:
        raise AuthorizationError(f"user {actor.name!r} is not an admin and may not change settings")
    try:
        merged = ServerSettings.model_validate({**settings(store), **changes})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(
            f"invalid settings: {problems} (settings: {', '.join(ServerSettings.model_fields)})"
        ) from None
    q = store.db.q
    with store.db.transaction() as tx:
        for key in changes:
            value = json.dumps(getattr(merged, key))
            if not tx.execute(
                f"UPDATE {q('settings')} SET {q('value')} = ? WHERE {q('key')} = ?", [value, key]
            ):
                tx.execute(
                    f"INSERT INTO {q('settings')} ({q('key')}, {q('value')}) VALUES (?, ?)",
                    [key, value],
                )
    if not merged.allow_runs:
        fail_queued(store, FORBIDDEN)
    return merged.model_dump()
