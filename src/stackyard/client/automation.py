"""Client methods for what starts runs without a user calling a pipeline: run
templates, schedules, and the builds runs use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import BUILD, PIPELINE_RUN, RUN_TEMPLATE, SCHEDULE
from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from stackyard.client.filters import BuildFilters, RunTemplateFilters, ScheduleFilters
    from stackyard.models.automation import BuildResponse, RunTemplateResponse, ScheduleResponse
    from stackyard.models.base import Page
    from stackyard.models.pipelines import PipelineRunResponse


class AutomationMethods(ClientCore):
    # -- run templates --------------------------------------------------------------------------
    def create_run_template(
        self,
        name: str,
        snapshot_id: str | UUID | None = None,
        pipeline_run_id: str | UUID | None = None,
        description: str | None = None,
        tags: list[str] | None = None,
    ) -> RunTemplateResponse:
        """A re-runnable pipeline from a snapshot or from the snapshot of a run."""
        if (snapshot_id is None) == (pipeline_run_id is None):
            raise InputError(
                "create_run_template needs exactly one of snapshot_id or pipeline_run_id"
            )
        if pipeline_run_id is not None:
            run = self._get(PIPELINE_RUN, pipeline_run_id)
            if run.snapshot_id is None:
                raise InputError(f"run {run.name!r} has no snapshot to make a template from")
            snapshot_id = run.snapshot_id
        return self._create(
            RUN_TEMPLATE,
            name=name,
            snapshot_id=str(snapshot_id),
            description=description or "",
            tags=tags or [],
        )

    def get_run_template(self, name_id_or_prefix: str | UUID) -> RunTemplateResponse:
        return self._get(RUN_TEMPLATE, name_id_or_prefix)

    def list_run_templates(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[RunTemplateFilters],
    ) -> Page[RunTemplateResponse]:
        return self._list(RUN_TEMPLATE, sort_by, page, size, logical_operator, filters)

    def update_run_template(
        self,
        name_id_or_prefix: str | UUID,
        *,
        name: str | Unset = UNSET,
        description: str | Unset = UNSET,
        add_tags: list[str] | Unset = UNSET,
        remove_tags: list[str] | Unset = UNSET,
    ) -> RunTemplateResponse:
        changes = {
            "name": name,
            "description": description,
            "add_tags": add_tags,
            "remove_tags": remove_tags,
        }
        return self._update(RUN_TEMPLATE, name_id_or_prefix, changes)

    def delete_run_template(self, name_id_or_prefix: str | UUID) -> None:
        self._delete(RUN_TEMPLATE, name_id_or_prefix)

    def trigger_pipeline(
        self,
        template_id: str | UUID | None = None,
        *,
        template: str | None = None,
        run_configuration: Mapping[str, Any] | None = None,
    ) -> PipelineRunResponse:
        """Run a template again, in a separate process; returns the run at once.

        `template_id`, or `template` (a name, id or prefix), picks the template;
        `run_configuration` overrides its `parameters`, `steps`, `settings`,
        `enable_cache` and `run_name`. The local store runs it in a worker process; a
        server queues it for a runner (`stackyard runner start`), which runs it as you.

        >>> run = client.trigger_pipeline(template_id, run_configuration={"parameters": {"n": 3}})
        """
        from stackyard.pipelines.trigger import start_template_run

        if (template_id is None) == (template is None):
            raise InputError("trigger_pipeline needs exactly one of template_id or template")
        found = self._get(RUN_TEMPLATE, template_id or str(template))
        return start_template_run(self.store, found.id, run_configuration)

    # -- schedules --------------------------------------------------------------------------------
    def get_schedule(self, name_id_or_prefix: str | UUID) -> ScheduleResponse:
        return self._get(SCHEDULE, name_id_or_prefix)

    def list_schedules(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[ScheduleFilters],
    ) -> Page[ScheduleResponse]:
        return self._list(SCHEDULE, sort_by, page, size, logical_operator, filters)

    def update_schedule(
        self,
        name_id_or_prefix: str | UUID,
        *,
        active: bool | Unset = UNSET,
        cron_expression: str | Unset | None = UNSET,
        interval_second: float | Unset | None = UNSET,
        end_time: Any = UNSET,
        catchup: bool | Unset = UNSET,
    ) -> ScheduleResponse:
        """Pause (`active=False`) or resume a schedule, change when it fires (one of
        `cron_expression` or `interval_second`), or clear its `end_time` with None."""
        changes = {
            "active": active,
            "cron_expression": cron_expression,
            "interval_second": interval_second,
            "end_time": end_time,
            "catchup": catchup,
        }
        return self._update(SCHEDULE, name_id_or_prefix, changes)

    def delete_schedule(self, name_id_or_prefix: str | UUID) -> None:
        self._delete(SCHEDULE, name_id_or_prefix)

    # -- builds -----------------------------------------------------------------------------------
    def get_build(self, id_or_prefix: str | UUID) -> BuildResponse:
        return self._get(BUILD, id_or_prefix)

    def list_builds(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[BuildFilters],
    ) -> Page[BuildResponse]:
        return self._list(BUILD, sort_by, page, size, logical_operator, filters)

    def delete_build(self, id_or_prefix: str | UUID) -> None:
        self._delete(BUILD, id_or_prefix)
