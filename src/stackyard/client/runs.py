"""Client methods for pipelines, runs, step runs, artifacts, snapshots and metadata."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.client.core import ClientCore
from stackyard.exceptions import InputError
from stackyard.models.enums import ExecutionStatus

if TYPE_CHECKING:
    from stackyard.models.artifacts import ArtifactResponse, ArtifactVersionResponse
    from stackyard.models.base import Page
    from stackyard.models.pipelines import (
        PipelineResponse,
        PipelineRunResponse,
        SnapshotResponse,
        StepRunResponse,
    )
    from stackyard.models.tags import RunMetadataResponse, TagResponse


class RunMethods(ClientCore):
    # -- pipelines ------------------------------------------------------------------------
    def get_pipeline(self, name_id_or_prefix: str | UUID) -> PipelineResponse:
        result: PipelineResponse = self._get("pipeline", name_id_or_prefix)
        return result

    def list_pipelines(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[PipelineResponse]:
        """Filters: name, user_id/user, tags, created, updated."""
        return self._list("pipeline", sort_by, page, size, logical_operator, filters)

    def delete_pipeline(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a pipeline; its runs stay, without a pipeline."""
        self._delete("pipeline", name_id_or_prefix)

    # -- runs ---------------------------------------------------------------------------------
    def get_pipeline_run(self, name_id_or_prefix: str | UUID) -> PipelineRunResponse:
        """By id, name, unique name prefix or unique id prefix."""
        result: PipelineRunResponse = self._get("pipeline_run", name_id_or_prefix)
        return result

    def list_pipeline_runs(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        *,
        name: str | None = None,
        pipeline_id: str | UUID | None = None,
        pipeline: str | UUID | None = None,
        pipeline_name: str | None = None,
        stack_id: str | UUID | None = None,
        stack: str | UUID | None = None,
        user_id: str | UUID | None = None,
        user: str | UUID | None = None,
        status: str | ExecutionStatus | None = None,
        schedule_id: str | UUID | None = None,
        build_id: str | UUID | None = None,
        template_id: str | UUID | None = None,
        code_repository_id: str | UUID | None = None,
        start_time: Any = None,
        end_time: Any = None,
        created: Any = None,
        updated: Any = None,
        tags: str | list[str] | None = None,
        **filters: Any,
    ) -> Page[PipelineRunResponse]:
        """Runs, newest first by default (`sort_by="desc:created"`)."""
        filters.update(
            {
                k: v
                for k, v in locals().items()
                if k not in ("self", "sort_by", "page", "size", "logical_operator", "filters")
                and v is not None
            }
        )
        return self._list("pipeline_run", sort_by, page, size, logical_operator, filters)

    def update_pipeline_run(
        self,
        name_id_or_prefix: str | UUID,
        status: str | ExecutionStatus | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
    ) -> PipelineRunResponse:
        """Tag a run, or mark a stuck (unfinished) run as failed or stopped."""
        result: PipelineRunResponse = self._update(
            "pipeline_run",
            name_id_or_prefix,
            status=status,
            add_tags=add_tags,
            remove_tags=remove_tags,
        )
        return result

    def stop_pipeline_run(
        self, name_id_or_prefix: str | UUID, *, wait: float = 0.0
    ) -> PipelineRunResponse:
        """Stop an unfinished run: it and its unfinished steps become `stopped` now, and
        the process running it ends their work at its next heartbeat. With `wait`,
        wait up to that many seconds for that process to let go (no step `running`)."""
        import time

        run = self.get_pipeline_run(name_id_or_prefix)
        stopped = self.store.stop_run(run.id)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not self.store.list_rows(
                "run_step", pipeline_run_id=run.id, status="running", size=1
            ).total:
                break
            time.sleep(0.1)
        return stopped

    def delete_pipeline_run(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a run with its step runs; artifacts it produced stay."""
        self._delete("pipeline_run", name_id_or_prefix)

    # -- step runs --------------------------------------------------------------------------
    def get_run_step(self, step_run_id: str | UUID) -> StepRunResponse:
        result: StepRunResponse = self.store.get("run_step", UUID(str(step_run_id)))
        return result

    def list_run_steps(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[StepRunResponse]:
        """Filters: name, pipeline_run_id, status, cache_key, original_step_run_id,
        start_time, end_time, user_id/user, created, updated."""
        return self._list("run_step", sort_by, page, size, logical_operator, filters)

    # -- artifacts --------------------------------------------------------------------------
    def get_artifact(self, name_id_or_prefix: str | UUID) -> ArtifactResponse:
        result: ArtifactResponse = self._get("artifact", name_id_or_prefix)
        return result

    def list_artifacts(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[ArtifactResponse]:
        """Filters: name, has_custom_name, tags, user_id/user, created, updated."""
        return self._list("artifact", sort_by, page, size, logical_operator, filters)

    def update_artifact(
        self,
        name_id_or_prefix: str | UUID,
        new_name: str | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
    ) -> ArtifactResponse:
        result: ArtifactResponse = self._update(
            "artifact", name_id_or_prefix, name=new_name, add_tags=add_tags, remove_tags=remove_tags
        )
        return result

    def delete_artifact(self, name_id_or_prefix: str | UUID) -> None:
        """Delete an artifact and all its versions' records (stored data stays)."""
        self._delete("artifact", name_id_or_prefix)

    def get_artifact_version(
        self, name_id_or_prefix: str | UUID, version: str | int | None = None
    ) -> ArtifactVersionResponse:
        """`("name", version="3")` picks a version; without `version`, the latest.
        An artifact version's id (or unique id prefix) also works."""
        try:
            artifact = self.get_artifact(name_id_or_prefix)
        except KeyError:
            if version is not None:
                raise
            result: ArtifactVersionResponse = self._get("artifact_version", name_id_or_prefix)
            return result
        if version is None:
            return artifact.latest_version
        page = self.store.list("artifact_version", artifact_id=artifact.id, version=str(version))
        if not page.items:
            from stackyard.exceptions import EntityNotFoundError

            raise EntityNotFoundError(
                f"artifact {artifact.name!r} has no version {version!r}; latest is "
                f"{artifact.latest_version.version}"
            )
        found: ArtifactVersionResponse = page.items[0]
        return found

    def list_artifact_versions(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[ArtifactVersionResponse]:
        """Filters: artifact_id/artifact, name, version, type, data_type, materializer, uri,
        pipeline_run_id, producer_step_run_id, tags, user_id/user, created, updated."""
        return self._list("artifact_version", sort_by, page, size, logical_operator, filters)

    def update_artifact_version(
        self,
        name_id_or_prefix: str | UUID,
        version: str | int | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
    ) -> ArtifactVersionResponse:
        target = self.get_artifact_version(name_id_or_prefix, version)
        result: ArtifactVersionResponse = self.store.update(
            "artifact_version",
            target.id,
            {k: v for k, v in {"add_tags": add_tags, "remove_tags": remove_tags}.items() if v},
        )
        return result

    def delete_artifact_version(
        self, name_id_or_prefix: str | UUID, version: str | int | None = None
    ) -> None:
        self.store.delete(
            "artifact_version", self.get_artifact_version(name_id_or_prefix, version).id
        )

    # -- snapshots, tags, metadata ------------------------------------------------------------
    def get_snapshot(self, id_or_prefix: str | UUID) -> SnapshotResponse:
        result: SnapshotResponse = self._get("snapshot", id_or_prefix)
        return result

    def list_snapshots(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[SnapshotResponse]:
        return self._list("snapshot", sort_by, page, size, logical_operator, filters)

    def get_tag(self, name_id_or_prefix: str | UUID) -> TagResponse:
        result: TagResponse = self._get("tag", name_id_or_prefix)
        return result

    def list_tags(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[TagResponse]:
        return self._list("tag", sort_by, page, size, logical_operator, filters)

    def create_tag(self, name: str, color: str = "grey") -> TagResponse:
        result: TagResponse = self._create("tag", name=name, color=color)
        return result

    def delete_tag(self, name_id_or_prefix: str | UUID) -> None:
        self._delete("tag", name_id_or_prefix)

    def log_metadata(
        self,
        metadata: dict[str, Any],
        *,
        run_id: str | UUID | None = None,
        step_id: str | UUID | None = None,
        artifact_version_id: str | UUID | None = None,
    ) -> None:
        """Attach metadata to one run, step run or artifact version: exactly one of them,
        each given by id, name or unique prefix like everywhere else."""
        targets = {
            "pipeline_run": run_id,
            "run_step": step_id,
            "artifact_version": artifact_version_id,
        }
        given = [(kind, value) for kind, value in targets.items() if value is not None]
        if len(given) != 1:
            raise InputError(
                "log_metadata needs exactly one of run_id, step_id or artifact_version_id"
            )
        kind, value = given[0]
        target = self._get(kind, value).id
        self.store.create(
            "run_metadata", {"resource_type": kind, "resource_id": str(target), "values": metadata}
        )

    def get_run_metadata(self, id_or_prefix: str | UUID) -> RunMetadataResponse:
        """One metadata entry (one key of one entity) by id, unique id prefix or key."""
        result: RunMetadataResponse = self._get("run_metadata", id_or_prefix)
        return result

    def list_run_metadata(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[RunMetadataResponse]:
        """Filters: resource_type, resource_id, key, user_id/user, created."""
        return self._list("run_metadata", sort_by, page, size, logical_operator, filters)
