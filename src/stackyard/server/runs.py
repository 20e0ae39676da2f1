"""Routes for what runs do beyond CRUD: start from a template, be claimed by a runner,
beat, stop; schedule slots; the store's settings.

    app.include_router(stackyard.server.runs.router)

Starting a run only records it: the server never imports or runs user code. A run
waits, `initializing`, until a runner (`stackyard runner start`) claims it; the
claim hands the runner a short-lived access token of the run's owner, renewed by
the run's heartbeats while it lives, so the worker acts as that user and nothing
more. Auth is the gate's; the store acts as the caller (`ServerContext.store_for`).
"""

# No `from __future__ import annotations`: FastAPI reads the body types from the annotations.

import time
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi import Response as HTTPResponse
from pydantic import BaseModel, ConfigDict, Field

from stackyard.models.pipelines import PipelineRunResponse
from stackyard.models.settings import ServerSettings
from stackyard.pipelines.settings import RunFileConfig
from stackyard.server.context import ServerContext
from stackyard.server.routes import json_response
from stackyard.store.sql.store import SqlStore

router = APIRouter()

# how long a runner's token for a run's owner lives; heartbeats renew it
RUN_TOKEN_TTL = 15 * 60


class TemplateRunRequest(RunFileConfig):
    """What to change for this run: parameters, steps, settings, enable_cache, run_name."""

    model_config = ConfigDict(extra="forbid", defer_build=False)


class ClaimedRun(BaseModel):
    run: PipelineRunResponse
    token: str = Field(description="an access token acting as the run's owner")


class HeartbeatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    interval: float = Field(ge=0.1, le=600, description="seconds until the next beat")


class HeartbeatResponse(BaseModel):
    running: bool = Field(description="false: the run was stopped; stop its steps")
    token: str | None = Field(default=None, description="a renewed token for the run")


class ScheduleClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    due: datetime
    next_run: datetime | None
    last_run: datetime | None = None
    active: bool


class ScheduleClaim(BaseModel):
    claimed: bool


def _context(request: Request) -> ServerContext:
    context: ServerContext = request.app.state.context
    return context


def _store(request: Request) -> SqlStore:
    return _context(request).store_for(request)


@router.post(
    "/api/v1/run_templates/{template_id}/runs",
    tags=["run_templates"],
    status_code=201,
    response_model=PipelineRunResponse,
    summary="Start a run of a run template (a runner executes it)",
)
def start_template_run(
    request: Request,
    template_id: UUID,
    body: TemplateRunRequest,
    schedule_id: UUID | None = None,
) -> HTTPResponse:
    """Refused with 409 when the template is not runnable or runs are turned off, 422
    for an unknown parameter or step; else the new run, `initializing` until a runner
    claims it. With `schedule_id`, a run of that schedule, recorded as its owner's."""
    run = _store(request).start_template_run(
        template_id, body.model_dump(mode="json", exclude_unset=True), schedule_id=schedule_id
    )
    return json_response(run, 201)


@router.post(
    "/api/v1/pipeline_runs/claim",
    tags=["pipeline_runs"],
    response_model=ClaimedRun,
    responses={204: {"description": "no run is waiting for a runner"}},
    summary="Take the oldest run waiting for a runner (runners call this)",
)
def claim_run(request: Request) -> HTTPResponse:
    """Admins take any user's runs, other users their own. The token acts as the run's
    owner for 15 minutes, renewed by the run's heartbeats."""
    context = _context(request)
    claim = context.store_for(request).claim_run()
    if claim is None:
        return HTTPResponse(status_code=204)
    owner = claim.run.user_id
    assert owner is not None  # runs from templates always have an owner
    token = context.auth.token_for(owner, ttl=RUN_TOKEN_TTL, run_id=claim.run.id)
    return json_response(ClaimedRun(run=claim.run, token=token))


@router.post(
    "/api/v1/pipeline_runs/{run_id}/heartbeat",
    tags=["pipeline_runs"],
    response_model=HeartbeatResponse,
    summary="The process running a run is alive (the next beat comes within `interval`)",
)
def heartbeat(request: Request, run_id: UUID, body: HeartbeatRequest) -> HTTPResponse:
    context = _context(request)
    running = context.store_for(request).heartbeat(run_id, body.interval)
    claims = context.claims(request)
    token = None
    if running and claims.rid == str(run_id) and claims.exp - time.time() < RUN_TOKEN_TTL / 2:
        token = context.auth.token_for(claims.user_id, ttl=RUN_TOKEN_TTL, run_id=run_id)
    return json_response(HeartbeatResponse(running=running, token=token))


@router.post(
    "/api/v1/pipeline_runs/{run_id}/release",
    tags=["pipeline_runs"],
    status_code=204,
    summary="The process that ran a run let go of it (its steps have ended)",
)
def release_run(request: Request, run_id: UUID) -> HTTPResponse:
    _store(request).release_run(run_id)
    return HTTPResponse(status_code=204)


@router.post(
    "/api/v1/pipeline_runs/{run_id}/stop",
    tags=["pipeline_runs"],
    response_model=PipelineRunResponse,
    summary="Stop an unfinished run and its steps",
)
def stop_run(request: Request, run_id: UUID) -> HTTPResponse:
    return json_response(_store(request).stop_run(run_id))


@router.post(
    "/api/v1/schedules/{schedule_id}/claim",
    tags=["schedules"],
    response_model=ScheduleClaim,
    summary="Claim a schedule's due slot (schedulers call this); one caller wins",
)
def claim_schedule(request: Request, schedule_id: UUID, body: ScheduleClaimRequest) -> HTTPResponse:
    claimed = _store(request).claim_schedule(
        schedule_id,
        body.due,
        next_run=body.next_run,
        last_run=body.last_run,
        active=body.active,
    )
    return json_response(ScheduleClaim(claimed=claimed))


@router.get(
    "/api/v1/settings", tags=["settings"], response_model=ServerSettings, summary="Settings"
)
def get_settings(request: Request) -> HTTPResponse:
    return json_response(ServerSettings.model_validate(_store(request).settings()))


class SettingsUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow_runs: bool | None = None


@router.put(
    "/api/v1/settings",
    tags=["settings"],
    response_model=ServerSettings,
    summary="Change settings (admins only)",
)
def update_settings(request: Request, body: SettingsUpdate) -> HTTPResponse:
    changes: dict[str, Any] = body.model_dump(exclude_none=True)
    return json_response(ServerSettings.model_validate(_store(request).update_settings(changes)))
