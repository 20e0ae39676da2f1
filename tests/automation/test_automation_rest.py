"""Templates and schedules through a stackyard server: the server starts the runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from automation_flows import make
from automation_support import Project, wait_for_run
from serving import ADMIN, Running, running_runner
from serving import logged_in_server as logged_in

from stackyard import Schedule, pipeline
from stackyard.client import Client
from stackyard.exceptions import IllegalOperationError, InputError
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus
from stackyard.scheduler import run_due
from stackyard.store.rest import RestStore


@pytest.fixture(params=[False])
def server(request: pytest.FixtureRequest, migrated_db: Path) -> Iterator[Running]:
    """A server with the template routes, and this machine logged in to it as admin."""
    with (
        logged_in(migrated_db, run_scheduler=request.param) as running,
        running_runner(running.url, running.token_for(ADMIN)),
    ):
        yield running


def test_trigger_and_schedules_run_on_the_server(
    server: Running, make_project: Callable[..., Project]
) -> None:
    client = Client()
    assert isinstance(client.store, RestStore)
    project = make_project(git_repo=False)
    template = client.create_run_template(
        "doubling", pipeline_run_id=project.module.doubling(value=3).id
    )

    started = client.trigger_pipeline(template.id, run_configuration={"parameters": {"value": 4}})

    assert started.template_id == template.id
    run = wait_for_run(started.id)
    assert run.status == ExecutionStatus.COMPLETED, run.run_metadata
    assert run.steps["double"].output.load() == 8
    with pytest.raises(InputError, match="no parameter"):
        client.trigger_pipeline(template.id, run_configuration={"parameters": {"nope": 1}})

    t0 = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    rule = Schedule(name="remote", interval_second=60, start_time=t0)
    schedule = project.module.doubling.with_options(schedule=rule)()
    (fired,) = run_due(client.store, t0 + timedelta(seconds=1))
    assert fired.schedule_id == schedule.id
    assert run_due(client.store, t0 + timedelta(seconds=2)) == []


def test_a_template_that_cannot_run_is_refused_by_the_server(server: Running) -> None:
    @pipeline
    def in_a_function() -> None:
        make(1)

    client = Client()
    template = client.create_run_template("stuck", pipeline_run_id=in_a_function().id)

    with pytest.raises(IllegalOperationError, match="not runnable"):
        client.trigger_pipeline(template.id)


@pytest.mark.parametrize("server", [True], indirect=True)
def test_the_servers_own_scheduler_starts_due_runs(
    server: Running, make_project: Callable[..., Project]
) -> None:
    client = Client()
    project = make_project(git_repo=False)
    rule = Schedule(name="by-server", interval_second=1, start_time=utcnow())
    schedule = project.module.doubling.with_options(schedule=rule)()
    deadline = time.monotonic() + 30
    while not client.list_pipeline_runs(schedule_id=schedule.id).total:
        assert time.monotonic() < deadline, "the server's scheduler started no run"
        time.sleep(0.2)
    client.update_schedule(schedule.id, active=False)
    runs = client.list_pipeline_runs(schedule_id=schedule.id, size=100)
    assert all(r.template_id is not None for r in runs)
    assert len({r.name for r in runs}) == runs.total  # each slot started once
