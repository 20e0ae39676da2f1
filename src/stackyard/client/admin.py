"""Client methods for users, secrets, code repositories, templates, schedules, builds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.client.core import ClientCore
from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from stackyard.models.automation import (
        BuildResponse,
        RunTemplateResponse,
        ScheduleResponse,
    )
    from stackyard.models.base import Page
    from stackyard.models.code import CodeRepositoryResponse
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.models.secrets import SecretResponse
    from stackyard.models.users import UserResponse


class AdminMethods(ClientCore):
    # -- users --------------------------------------------------------------------------------
    def create_user(
        self,
        name: str,
        password: str | None = None,
        is_admin: bool = False,
        full_name: str = "",
        email: str | None = None,
        is_service_account: bool = False,
    ) -> UserResponse:
        """Create a user (admins only); the password is stored as an argon2 hash."""
        result: UserResponse = self._create(
            "user",
            name=name,
            password=password,
            is_admin=is_admin,
            full_name=full_name,
            email=email,
            is_service_account=is_service_account,
        )
        return result

    def get_user(self, name_id_or_prefix: str | UUID) -> UserResponse:
        result: UserResponse = self._get("user", name_id_or_prefix)
        return result

    def list_users(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[UserResponse]:
        """Filters: name, full_name, email, is_admin, active, is_service_account, created."""
        return self._list("user", sort_by, page, size, logical_operator, filters)

    def update_user(
        self,
        name_id_or_prefix: str | UUID,
        full_name: str | None = None,
        email: str | None = None,
        is_admin: bool | None = None,
        active: bool | None = None,
        password: str | None = None,
        new_name: str | None = None,
    ) -> UserResponse:
        """Changing the password or deactivating a user revokes their tokens."""
        result: UserResponse = self._update(
            "user",
            name_id_or_prefix,
            full_name=full_name,
            email=email,
            is_admin=is_admin,
            active=active,
            password=password,
            name=new_name,
        )
        return result

    def delete_user(self, name_id_or_prefix: str | UUID) -> None:
        """Delete a user who owns nothing (else deactivate them with active=False)."""
        self._delete("user", name_id_or_prefix)

    # -- secrets --------------------------------------------------------------------------------
    def create_secret(
        self, name: str, values: dict[str, str], private: bool = False
    ) -> SecretResponse:
        """Store values encrypted; a private secret is visible to its owner only."""
        result: SecretResponse = self._create("secret", name=name, values=values, private=private)
        return result

    def get_secret(self, name_id_or_prefix: str | UUID) -> SecretResponse:
        """The secret with its values in `secret_values`."""
        result: SecretResponse = self._get("secret", name_id_or_prefix)
        return result

    def list_secrets(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[SecretResponse]:
        """Secrets without their values. Filters: name, private, user_id/user, created."""
        return self._list("secret", sort_by, page, size, logical_operator, filters)

    def update_secret(
        self,
        name_id_or_prefix: str | UUID,
        new_name: str | None = None,
        add_or_update_values: dict[str, str] | None = None,
        remove_values: list[str] | None = None,
        private: bool | None = None,
    ) -> SecretResponse:
        result: SecretResponse = self._update(
            "secret",
            name_id_or_prefix,
            name=new_name,
            private=private,
            add_or_update_values=add_or_update_values,
            remove_values=remove_values,
        )
        return result

    def delete_secret(self, name_id_or_prefix: str | UUID) -> None:
        self._delete("secret", name_id_or_prefix)

    # -- code repositories ----------------------------------------------------------------------
    def create_code_repository(
        self,
        name: str,
        config: dict[str, Any],
        source: str,
        description: str | None = None,
        logo_url: str | None = None,
    ) -> CodeRepositoryResponse:
        """`source`: "local_git", "github", "gitlab" or a flavor class path; `config` is
        validated by that flavor."""
        from stackyard.code.repositories import validate_config

        result: CodeRepositoryResponse = self._create(
            "code_repository",
            name=name,
            source=source,
            config=validate_config(source, config),
            description=description or "",
            logo_url=logo_url,
        )
        return result

    def get_code_repository(self, name_id_or_prefix: str | UUID) -> CodeRepositoryResponse:
        result: CodeRepositoryResponse = self._get("code_repository", name_id_or_prefix)
        return result

    def list_code_repositories(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[CodeRepositoryResponse]:
        return self._list("code_repository", sort_by, page, size, logical_operator, filters)

    def update_code_repository(
        self,
        name_id_or_prefix: str | UUID,
        name: str | None = None,
        config: dict[str, Any] | None = None,
        description: str | None = None,
    ) -> CodeRepositoryResponse:
        repo = self.get_code_repository(name_id_or_prefix)
        if config is not None:
            from stackyard.code.repositories import validate_config

            config = validate_config(repo.source, config)
        result: CodeRepositoryResponse = self.store.update(
            "code_repository",
            repo.id,
            {
                k: v
                for k, v in {"name": name, "config": config, "description": description}.items()
                if v is not None
            },
        )
        return result

    def delete_code_repository(self, name_id_or_prefix: str | UUID) -> None:
        self._delete("code_repository", name_id_or_prefix)

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
            run = self._get("pipeline_run", pipeline_run_id)
            if run.snapshot_id is None:
                raise InputError(f"run {run.name!r} has no snapshot to make a template from")
            snapshot_id = run.snapshot_id
        result: RunTemplateResponse = self._create(
            "run_template",
            name=name,
            snapshot_id=str(snapshot_id),
            description=description or "",
            tags=tags or [],
        )
        return result

    def get_run_template(self, name_id_or_prefix: str | UUID) -> RunTemplateResponse:
        result: RunTemplateResponse = self._get("run_template", name_id_or_prefix)
        return result

    def list_run_templates(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[RunTemplateResponse]:
        return self._list("run_template", sort_by, page, size, logical_operator, filters)

    def update_run_template(
        self,
        name_id_or_prefix: str | UUID,
        name: str | None = None,
        description: str | None = None,
        add_tags: list[str] | None = None,
        remove_tags: list[str] | None = None,
    ) -> RunTemplateResponse:
        result: RunTemplateResponse = self._update(
            "run_template",
            name_id_or_prefix,
            name=name,
            description=description,
            add_tags=add_tags,
            remove_tags=remove_tags,
        )
        return result

    def delete_run_template(self, name_id_or_prefix: str | UUID) -> None:
        self._delete("run_template", name_id_or_prefix)

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
        found: RunTemplateResponse = self._get("run_template", template_id or str(template))
        return start_template_run(self.store, found.id, run_configuration)

    # -- schedules --------------------------------------------------------------------------------
    def get_schedule(self, name_id_or_prefix: str | UUID) -> ScheduleResponse:
        result: ScheduleResponse = self._get("schedule", name_id_or_prefix)
        return result

    def list_schedules(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[ScheduleResponse]:
        """Filters: name, pipeline_id/pipeline, active, cron_expression, next_run_time."""
        return self._list("schedule", sort_by, page, size, logical_operator, filters)

    def update_schedule(
        self,
        name_id_or_prefix: str | UUID,
        active: bool | None = None,
        cron_expression: str | None = None,
        interval_second: float | None = None,
    ) -> ScheduleResponse:
        result: ScheduleResponse = self._update(
            "schedule",
            name_id_or_prefix,
            active=active,
            cron_expression=cron_expression,
            interval_second=interval_second,
        )
        return result

    def delete_schedule(self, name_id_or_prefix: str | UUID) -> None:
        self._delete("schedule", name_id_or_prefix)

    # -- builds -----------------------------------------------------------------------------------
    def get_build(self, id_or_prefix: str | UUID) -> BuildResponse:
        result: BuildResponse = self._get("build", id_or_prefix)
        return result

    def list_builds(
        self,
        sort_by: str | None = None,
        page: int = 1,
        size: int = 50,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[BuildResponse]:
        """Filters: pipeline_id/pipeline, stack_id/stack, checksum, is_local, python_version."""
        return self._list("build", sort_by, page, size, logical_operator, filters)

    def delete_build(self, id_or_prefix: str | UUID) -> None:
        self._delete("build", id_or_prefix)
