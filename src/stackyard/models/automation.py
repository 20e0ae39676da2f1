"""What starts runs without a user calling a pipeline: templates, schedules, builds."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import Field

from stackyard.models.base import OwnedResponse, Request, Update
from stackyard.models.spec import ResourceSpec, register


class RunTemplateRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    description: str = ""
    snapshot_id: UUID
    tags: list[str] = []


class RunTemplateUpdate(Update):
    name: str | None = None
    description: str | None = None
    add_tags: list[str] | None = None
    remove_tags: list[str] | None = None


class RunTemplateResponse(OwnedResponse):
    name: str
    description: str = ""
    snapshot_id: UUID
    pipeline_id: UUID | None = None
    stack_id: UUID | None = None
    build_id: UUID | None = None
    code_repository_id: UUID | None = None
    runnable: bool = False
    not_runnable_reason: str | None = None
    tags: list[str] = []


# from a second to ten years: longer overflows date arithmetic, shorter would busy-loop
INTERVAL = Field(default=None, ge=1, le=10 * 366 * 24 * 3600)


class ScheduleRequest(Request):
    name: str = Field(min_length=1, max_length=255)
    pipeline_id: UUID | None = None
    template_id: UUID | None = None
    cron_expression: str | None = None
    interval_second: float | None = INTERVAL
    start_time: datetime | None = None
    end_time: datetime | None = None
    run_once_start_time: datetime | None = None
    catchup: bool = False
    active: bool = True


class ScheduleUpdate(Update):
    name: str | None = None
    cron_expression: str | None = None
    interval_second: float | None = INTERVAL
    end_time: datetime | None = None
    catchup: bool | None = None
    active: bool | None = None
    template_id: UUID | None = None


class ScheduleResponse(OwnedResponse):
    name: str
    pipeline_id: UUID | None = None
    template_id: UUID | None = None
    cron_expression: str | None = None
    interval_second: float | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    run_once_start_time: datetime | None = None
    catchup: bool = False
    active: bool = True
    next_run_time: datetime | None = None
    last_run_time: datetime | None = None


class BuildRequest(Request):
    pipeline_id: UUID | None = None
    stack_id: UUID | None = None
    checksum: str
    images: dict[str, Any] = {}
    is_local: bool = True
    contains_code: bool = False
    python_version: str
    stackyard_version: str = ""
    dockerfile: str | None = None


class BuildResponse(OwnedResponse):
    pipeline_id: UUID | None = None
    stack_id: UUID | None = None
    checksum: str
    images: dict[str, Any] = {}
    is_local: bool = True
    contains_code: bool = False
    python_version: str
    stackyard_version: str = ""
    dockerfile: str | None = None


register(
    ResourceSpec(
        name="run_template",
        plural="run_templates",
        response=RunTemplateResponse,
        request=RunTemplateRequest,
        update=RunTemplateUpdate,
        unique=(("name",),),
        computed=frozenset({"tags"}),
        text=frozenset({"description", "not_runnable_reason"}),
        taggable=True,
        hooks="automation",
        list_columns=("name", "pipeline", "stack", "runnable", "created"),
    )
)
register(
    ResourceSpec(
        name="schedule",
        plural="schedules",
        response=ScheduleResponse,
        request=ScheduleRequest,
        update=ScheduleUpdate,
        unique=(("name",),),
        indexes=(("active", "next_run_time"),),
        hooks="automation",
        relation_aliases={"template": "run_template"},
        list_columns=(
            "name",
            "pipeline",
            "cron_expression",
            "interval_second",
            "active",
            "next_run_time",
        ),
    )
)
register(
    ResourceSpec(
        name="build",
        plural="builds",
        response=BuildResponse,
        request=BuildRequest,
        name_field=None,
        text=frozenset({"dockerfile"}),
        list_columns=(
            "pipeline",
            "stack",
            "python_version",
            "is_local",
            "contains_code",
            "created",
        ),
    )
)
