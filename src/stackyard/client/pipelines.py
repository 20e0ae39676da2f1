"""Client methods for pipelines, their snapshots, runs and step runs."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Unpack
from uuid import UUID

from stackyard.client.core import DEFAULT_PAGE_SIZE, UNSET, ClientCore, Unset
from stackyard.client.kinds import PIPELINE, PIPELINE_RUN, RUN_STEP, SNAPSHOT

if TYPE_CHECKING:
    from stackyard.client.filters import (
        PipelineFilters,
        PipelineRunFilters,
        RunStepFilters,
        SnapshotFilters,
    )
    from stackyard.models.base import Page
    from stackyard.models.enums import ExecutionStatus
    from stackyard.models.pipelines import (
        PipelineResponse,
        PipelineRunResponse,
        RunStepResponse,
        SnapshotResponse,
    )


class PipelineMethods(ClientCore):
    # -- pipelines ------------------------------------------------------------------------
    def get_pipeline(self, name_id_or_prefix: str | UUID) -> PipelineResponse:
        return self._get(PIPELINE, name_id_or_prefix)

    def list_pipelines(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[PipelineFilters],
    ) -> Page[PipelineResponse]:
        return self._list(PIPELINE, sort_by, page, size, logical_operator, filters)

    def update_pipeline(
        self, name_id_or_prefix: str | UUID, *, description: str | Unset = UNSET
    ) -> PipelineResponse:
        return self._update(PIPELINE, name_id_or_prefix, {"description": description})

    def delete_pipeline(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a pipeline; its runs stay, without a pipeline."""
        self._delete(PIPELINE, name_id_or_prefix)

    # -- snapshots -------------------------------------------------------------------------
    def get_snapshot(self, id_or_prefix: str | UUID) -> SnapshotResponse:
        return self._get(SNAPSHOT, id_or_prefix)

    def list_snapshots(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[SnapshotFilters],
    ) -> Page[SnapshotResponse]:
        return self._list(SNAPSHOT, sort_by, page, size, logical_operator, filters)

    # -- runs ---------------------------------------------------------------------------------
    def get_pipeline_run(self, name_id_or_prefix: str | UUID) -> PipelineRunResponse:
        """By id, name, unique name prefix or unique id prefix."""
        return self._get(PIPELINE_RUN, name_id_or_prefix)

    def list_pipeline_runs(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[PipelineRunFilters],
    ) -> Page[PipelineRunResponse]:
        """Runs, newest first by default (`sort_by="desc:created"`)."""
        return self._list(PIPELINE_RUN, sort_by, page, size, logical_operator, filters)

    def update_pipeline_run(
        self,
        name_id_or_prefix: str | UUID,
        *,
        status: ExecutionStatus | str | Unset = UNSET,
        add_tags: list[str] | Unset = UNSET,
        remove_tags: list[str] | Unset = UNSET,
    ) -> PipelineRunResponse:
        """Tag a run, or mark a stuck (unfinished) run as failed or stopped (stopping
        a run is `stop_pipeline_run`)."""
        changes = {"status": status, "add_tags": add_tags, "remove_tags": remove_tags}
        return self._update(PIPELINE_RUN, name_id_or_prefix, changes)

    def stop_pipeline_run(
        self, name_id_or_prefix: str | UUID, *, wait: float = 0.0
    ) -> PipelineRunResponse:
        """Stop an unfinished run: it and its unfinished steps become `stopped` now, and
        the process running it ends their work at its next heartbeat. With `wait`,
        wait up to that many seconds until that process has let go of it (its steps'
        work ended, or it died): `.released` of the run returned says whether it did."""
        run = self.get_pipeline_run(name_id_or_prefix)
        stopped = self.store.stop_run(run.id)
        deadline = time.monotonic() + wait
        while not stopped.released and time.monotonic() < deadline:
            time.sleep(0.1)
            stopped = self._by_id(PIPELINE_RUN, run.id)
        return stopped

    def delete_pipeline_run(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a run with its step runs; artifacts it produced stay."""
        self._delete(PIPELINE_RUN, name_id_or_prefix)

    # -- step runs --------------------------------------------------------------------------
    def get_run_step(self, step_run_id: str | UUID) -> RunStepResponse:
        """By id (step names repeat across runs: `run.steps[name]` finds one by name)."""
        return self._by_id(RUN_STEP, step_run_id)

    def list_run_steps(
        self,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Unpack[RunStepFilters],
    ) -> Page[RunStepResponse]:
        return self._list(RUN_STEP, sort_by, page, size, logical_operator, filters)
