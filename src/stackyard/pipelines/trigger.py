"""Starting runs from run templates: validate what changes, let the store record the run.

`start_template_run` checks the run configuration here, where its model lives,
then hands it to the store, which refuses what cannot run (a template that is not
runnable, a parameter or step the pipeline does not have, runs turned off) before
recording anything. An embedded store then starts a local worker for the run; a
server queues it for a runner (`stackyard runner start`), which executes it as the
user who triggered it. Either way the call returns at once, with the run still
`initializing`: neither a caller nor a server ever waits for a pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import ValidationError

from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.pipelines.settings import RunFileConfig
    from stackyard.store.base import Store

RUN_CONFIGURATION_KEYS = ("parameters", "steps", "settings", "enable_cache", "run_name")


def start_template_run(
    store: Store,
    template_id: UUID,
    run_configuration: Mapping[str, Any] | None = None,
    *,
    schedule_id: UUID | None = None,
) -> PipelineRunResponse:
    """Start a run of a template, its configuration overridden by `run_configuration`
    (keys: parameters, steps, settings, enable_cache, run_name); returns the run,
    still initializing."""
    config = parse_run_configuration(run_configuration)
    return store.start_template_run(
        template_id, config.model_dump(mode="json", exclude_unset=True), schedule_id=schedule_id
    )


def parse_run_configuration(value: Mapping[str, Any] | None) -> RunFileConfig:
    """Validate a run configuration; errors name the key and the accepted ones."""
    from stackyard.pipelines.settings import RunFileConfig

    try:
        return RunFileConfig.model_validate(dict(value or {}))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'run_configuration'}: {e['msg']}"
            for e in exc.errors()
        )
        raise InputError(
            f"invalid run_configuration: {problems} "
            f"(accepted keys: {', '.join(RUN_CONFIGURATION_KEYS)})"
        ) from None
