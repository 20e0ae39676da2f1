"""The scheduler: due schedules start runs through their template, each slot once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from automation_support import Project, completed
from click.testing import CliRunner

from stackyard import Schedule
from stackyard.client import Client
from stackyard.models.automation import ScheduleResponse
from stackyard.models.binding import utcnow
from stackyard.models.pipelines import PipelineRunResponse
from stackyard.runner.launch import LocalWorkers
from stackyard.scheduler import run_due, start_background_scheduler
from stackyard.scheduler.cli import scheduler
from stackyard.store.sql.store import SqlStore


@pytest.fixture
def t0() -> datetime:
    """A start time in the future, so the first slot is the start itself."""
    return (utcnow() + timedelta(hours=1)).replace(microsecond=0)


@pytest.fixture
def project(make_project: Callable[..., Project]) -> Project:
    return make_project(git_repo=False)


def schedule_doubling(project: Project, **rule: Any) -> ScheduleResponse:
    result: ScheduleResponse = project.module.doubling.with_options(schedule=Schedule(**rule))(
        value=2
    )
    return result


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


def test_a_scheduled_pipeline_runs_through_its_own_template(project: Project, t0: datetime) -> None:
    schedule = schedule_doubling(project, name="hourly", interval_second=3600, start_time=t0)
    client = Client()
    template = client.get_run_template("hourly-template")

    assert schedule.template_id == template.id and template.runnable
    assert client.get_snapshot(template.snapshot_id).schedule_id == schedule.id
    assert run_due(client.store, t0 - seconds(1)) == []
    (started,) = run_due(client.store, t0 + seconds(1))
    assert started.schedule_id == schedule.id and started.template_id == template.id
    assert completed(started).steps["double"].output.load() == 4
    assert run_due(client.store, t0 + seconds(2)) == []
    after = client.get_schedule(schedule.id)
    assert after.last_run_time == t0 and after.next_run_time == t0 + seconds(3600)


@pytest.mark.parametrize(("catchup", "slots"), [(False, [20]), (True, [0, 10, 20])])
def test_missed_slots_run_once_or_each_with_catchup(
    project: Project, t0: datetime, catchup: bool, slots: list[int]
) -> None:
    schedule = schedule_doubling(
        project, name="every-10s", interval_second=10, start_time=t0, catchup=catchup
    )
    client = Client()

    runs = run_due(client.store, t0 + seconds(25))

    assert len(runs) == len(slots)
    assert {r.schedule_id for r in runs} == {schedule.id}
    after = client.get_schedule(schedule.id)
    assert after.last_run_time == t0 + seconds(slots[-1])
    assert after.next_run_time == t0 + seconds(30) and after.active


def test_no_runs_after_end_time_and_the_schedule_is_deactivated(
    project: Project, t0: datetime
) -> None:
    schedule = schedule_doubling(
        project,
        name="ending",
        interval_second=10,
        start_time=t0,
        end_time=t0 + seconds(15),
        catchup=True,
    )
    client = Client()

    assert len(run_due(client.store, t0 + seconds(100))) == 2  # t0 and t0 + 10 s

    after = client.get_schedule(schedule.id)
    assert not after.active and after.next_run_time is None
    assert run_due(client.store, t0 + seconds(200)) == []


def test_racing_schedulers_start_every_slot_exactly_once(project: Project, t0: datetime) -> None:
    schedule = schedule_doubling(project, name="raced", interval_second=10, start_time=t0)
    url = Client().store.url.raw  # type: ignore[attr-defined]
    # two schedulers with their own connections, launching workers as the Client's store does
    stores = [SqlStore(url, launcher=LocalWorkers()), SqlStore(url, launcher=LocalWorkers())]
    barrier = threading.Barrier(2)

    def scheduler_loop(store: SqlStore) -> list[PipelineRunResponse]:
        barrier.wait()
        started: list[PipelineRunResponse] = []
        for slot in range(4):
            for _ in range(3):  # check each moment several times, as a poll loop would
                started += run_due(store, t0 + seconds(10 * slot + 1))
        return started

    with ThreadPoolExecutor(2) as pool:
        first, second = pool.map(scheduler_loop, stores)

    ids = [run.id for run in first + second]
    assert len(ids) == len(set(ids)) == 4
    assert Client().list_pipeline_runs(schedule_id=schedule.id).total == 4
    assert Client().get_schedule(schedule.id).next_run_time == t0 + seconds(40)
    for store in stores:
        store.close()


def test_background_scheduler_and_cli_start_due_runs(project: Project) -> None:
    client = Client()
    soon = schedule_doubling(project, name="soon", run_once_start_time=utcnow() + seconds(0.3))
    stop = start_background_scheduler(client.store, poll_seconds=0.1)
    try:
        deadline = time.monotonic() + 15
        while not client.list_pipeline_runs(schedule_id=soon.id).total:
            assert time.monotonic() < deadline, "the background scheduler started nothing"
            time.sleep(0.05)
    finally:
        stop()
    assert not client.get_schedule(soon.id).active

    due = schedule_doubling(project, name="due", run_once_start_time=utcnow() - seconds(1))
    result = CliRunner().invoke(scheduler, ["run", "--once"])

    assert result.exit_code == 0, result.output
    assert "1 run(s) started." in result.output and "Started run" in result.output
    (run,) = client.list_pipeline_runs(schedule_id=due.id)
    assert completed(run).steps["double"].output.load() == 4
    again = CliRunner().invoke(scheduler, ["run", "--once"])
    assert again.exit_code == 0 and "0 run(s) started." in again.output


def test_cli_run_template_trigger_waits_for_the_run(make_project) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from stackyard.cli.main import cli

    project = make_project(git_repo=False)
    client = Client()
    client.create_run_template("again", pipeline_run_id=project.module.doubling(value=2).id)
    result = CliRunner().invoke(
        cli, ["run-template", "trigger", "again", "-p", "value=5", "--wait"]
    )
    assert result.exit_code == 0, result.output
    name, status = result.stdout.split()
    assert status == "completed"
    assert client.get_pipeline_run(name).steps["double"].output.load() == 10
    bad = CliRunner().invoke(cli, ["run-template", "trigger", "again", "-p", "nope=1"])
    assert bad.exit_code == 1 and "no parameter" in bad.stderr
