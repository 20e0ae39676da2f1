"""Starting runs from run templates: record the run now, run it in a worker process.

`start_template_run` refuses what cannot run (a template that is not runnable,
code that cannot be fetched, a parameter or step the pipeline does not have)
before recording anything. It then records the run (status `initializing`,
`template_id` set) and spawns `python -m stackyard.pipelines.worker`, which
fetches the code, imports the pipeline and drives that very run. It returns at
once, so neither a caller nor a server ever waits for a pipeline to finish.

Against a stackyard server the server does all of this, on its own machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from pydantic import ValidationError

from stackyard.exceptions import IllegalOperationError, InputError, StackyardError
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus

if TYPE_CHECKING:
    from stackyard.models.automation import RunTemplateResponse
    from stackyard.models.pipelines import PipelineRunResponse, SnapshotResponse
    from stackyard.pipelines.config import RunFileConfig
    from stackyard.store.base import Store
    from stackyard.store.sql.store import SqlStore

RUN_CONFIGURATION_KEYS = ("parameters", "steps", "settings", "enable_cache", "run_name")
JOB_FILE = "job.json"


def start_template_run(
    store: Store,
    template_id: UUID | str,
    run_configuration: Mapping[str, Any] | None = None,
) -> PipelineRunResponse:
    """Start a run of a template, its configuration overridden by `run_configuration`
    (keys: parameters, steps, settings, enable_cache, run_name); returns the run,
    still initializing."""
    config = parse_run_configuration(run_configuration)
    if _is_rest(store):
        return _start_on_server(store, template_id, config)
    template: RunTemplateResponse = store.get("run_template", UUID(str(template_id)))
    return start_run(store, template, config)


def parse_run_configuration(value: Mapping[str, Any] | None) -> RunFileConfig:
    """Validate a run configuration; errors name the key and the accepted ones."""
    from stackyard.pipelines.config import RunFileConfig

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


def start_run(
    store: Store,
    template: RunTemplateResponse,
    config: RunFileConfig,
    schedule_id: UUID | None = None,
) -> PipelineRunResponse:
    """Check, record and spawn a run of `template` on a SQL store (see the module doc)."""
    from stackyard.pipelines.code import RecordedCode
    from stackyard.pipelines.fetch import check_fetchable
    from stackyard.pipelines.run import DEFAULT_RUN_NAME, render_run_name

    sql = _sql_store(store)
    if not template.runnable:
        raise IllegalOperationError(
            f"run template {template.name!r} is not runnable: {template.not_runnable_reason}"
        )
    snapshot: SnapshotResponse = sql.get("snapshot", template.snapshot_id)
    _check_names(template, snapshot, config)
    code = RecordedCode.of(snapshot)
    try:
        check_fetchable(sql, code)
    except IllegalOperationError as exc:
        raise IllegalOperationError(f"cannot run template {template.name!r}: {exc}") from None
    pipeline = sql.get("pipeline", snapshot.pipeline_id)
    now = utcnow()
    name_template = (
        config.run_name or snapshot.pipeline_configuration.get("run_name") or DEFAULT_RUN_NAME
    )
    run: PipelineRunResponse = sql.create(
        "pipeline_run",
        {
            "name": render_run_name(name_template, pipeline.name, now),
            "status": ExecutionStatus.INITIALIZING,
            "start_time": now,
            "pipeline_id": snapshot.pipeline_id,
            "stack_id": snapshot.stack_id,
            "build_id": snapshot.build_id,
            "template_id": template.id,
            "schedule_id": schedule_id,
            "snapshot_id": snapshot.id,
            "code_reference": code.code_reference,
            "code_path": code.code_path,
            "config": snapshot.pipeline_configuration,
        },
    )
    try:
        spawn_worker(sql, run.id, config)
    except OSError as exc:
        sql.update("pipeline_run", run.id, {"status": ExecutionStatus.FAILED, "end_time": utcnow()})
        raise StackyardError(f"cannot start a worker for run {run.name!r}: {exc}") from exc
    return run


def _check_names(
    template: RunTemplateResponse, snapshot: SnapshotResponse, config: RunFileConfig
) -> None:
    """Unknown parameters and steps are refused now, not in a worker later."""
    for what, given, known in (
        ("parameter", config.parameters, snapshot.pipeline_configuration.get("parameters", {})),
        ("step", config.steps, snapshot.step_configurations),
    ):
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise InputError(
                f"the pipeline of run template {template.name!r} has no {what}(s) "
                f"{', '.join(unknown)}; its {what}s: {', '.join(known) or 'none'}"
            )


def spawn_worker(store: SqlStore, run_id: UUID, config: RunFileConfig) -> None:
    """Start `python -m stackyard.pipelines.worker <dir>` and return without waiting.

    The directory holds the job (run id and configuration); the worker fetches
    the code into it and removes it when done. Its own session keeps it alive
    when this process ends or is interrupted; a thread reaps it when it exits.
    """
    import stackyard

    workdir = Path(tempfile.mkdtemp(prefix="stackyard-run-"))
    job = {
        "run_id": str(run_id),
        "run_configuration": config.model_dump(mode="json", exclude_unset=True),
    }
    (workdir / JOB_FILE).write_text(json.dumps(job))
    url = store.url
    # absolute, since the worker starts in another directory
    store_url = f"sqlite:///{Path(url.path).resolve()}" if url.dialect == "sqlite" else url.raw
    package_root = str(Path(stackyard.__file__).resolve().parent.parent)
    python_path = os.environ.get("PYTHONPATH")
    env = {
        **os.environ,
        "STACKYARD_STORE_URL": store_url,
        "PYTHONPATH": os.pathsep.join(p for p in (package_root, python_path) if p),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "stackyard.pipelines.worker", str(workdir)],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    threading.Thread(target=process.wait, name=f"reap-run-{run_id}", daemon=True).start()


def _is_rest(store: Store) -> bool:
    from stackyard.store.rest import RestStore

    return isinstance(store, RestStore)


def _sql_store(store: Store) -> SqlStore:
    from stackyard.store.sql.store import SqlStore

    if not isinstance(store, SqlStore):
        raise StackyardError(
            f"starting runs needs a SQL store or a stackyard server, not {type(store).__name__}"
        )
    return store


def _start_on_server(
    store: Store, template_id: UUID | str, config: RunFileConfig
) -> PipelineRunResponse:
    """POST /api/v1/run_templates/{id}/runs: the server records and runs it."""
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.store.rest import API, RestStore

    rest = cast(RestStore, store)
    body = config.model_dump(mode="json", exclude_unset=True)
    data = rest.post(f"{API}/run_templates/{template_id}/runs", body)
    run = PipelineRunResponse.model_validate(data)
    run.bind(rest)
    return run
