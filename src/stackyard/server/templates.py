"""Routes that start runs on the server: from a run template, and for a due schedule.

    app.include_router(stackyard.server.templates.router)

Both record the runs and spawn their worker processes, then answer at once:
the API never waits for a pipeline. Auth is the gate's; the store acts as the
caller, like the generic routes' (`ServerContext.store_for`).
"""

# No `from __future__ import annotations`: FastAPI reads the body types from the annotations.

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi import Response as HTTPResponse
from pydantic import BaseModel, ConfigDict

from stackyard.models.pipelines import PipelineRunResponse
from stackyard.pipelines.config import RunFileConfig
from stackyard.server.context import ServerContext
from stackyard.server.routes import json_response
from stackyard.store.sql.store import SqlStore

router = APIRouter()


class TemplateRunRequest(RunFileConfig):
    """What to change for this run: parameters, steps, settings, enable_cache, run_name."""

    model_config = ConfigDict(extra="forbid", defer_build=False)


class ScheduleFireRequest(BaseModel):
    """`now`: the time to fire at (default: the server's clock)."""

    model_config = ConfigDict(extra="forbid")

    now: datetime | None = None


class StartedRuns(BaseModel):
    runs: list[PipelineRunResponse]


def _store(request: Request) -> SqlStore:
    context: ServerContext = request.app.state.context
    return context.store_for(request)


@router.post(
    "/api/v1/run_templates/{template_id}/runs",
    tags=["run_templates"],
    status_code=201,
    response_model=PipelineRunResponse,
    summary="Start a run of a run template",
)
def start_template_run(
    request: Request, template_id: UUID, body: TemplateRunRequest
) -> HTTPResponse:
    """Refused with 409 when the template is not runnable, 422 for an unknown parameter
    or step; else the new run, still initializing."""
    from stackyard.pipelines.trigger import start_template_run as start

    run = start(_store(request), template_id, body.model_dump(exclude_unset=True))
    return json_response(run, 201)


@router.post(
    "/api/v1/schedules/{schedule_id}/runs",
    tags=["schedules"],
    response_model=StartedRuns,
    summary="Start the runs of a schedule if it is due",
)
def fire_schedule(request: Request, schedule_id: UUID, body: ScheduleFireRequest) -> HTTPResponse:
    """Claims the schedule atomically, so racing schedulers start each slot once; an
    empty list when it was not due or another scheduler claimed it first."""
    from stackyard.models.binding import utcnow
    from stackyard.scheduler.runner import fire_schedule as fire

    runs = fire(_store(request), schedule_id, body.now or utcnow())
    return json_response(StartedRuns(runs=runs))
