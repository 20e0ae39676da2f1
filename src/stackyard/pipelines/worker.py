"""The process that runs a pipeline started from a run template.

    python -m stackyard.pipelines.worker <directory>

`stackyard.pipelines.trigger` recorded the run and wrote the job (run id and
run configuration) into the directory. The worker fetches the template's code
into it, puts the code first on `sys.path`, imports the pipeline object,
applies the template's configuration overridden by the job's, and drives the
recorded run. Anything that goes wrong before the steps run marks the run
failed, with the reason in its `worker_error` metadata. The directory is
removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import StackyardError, StepFailedError
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse, SnapshotResponse
    from stackyard.pipelines.code import RecordedCode
    from stackyard.pipelines.config import RunFileConfig
    from stackyard.pipelines.pipeline import CompiledPipeline, Pipeline
    from stackyard.store.base import Store


def import_pipeline(code: RecordedCode, code_dir: Path) -> Pipeline:
    """The pipeline object named by `code.source`, imported from `code_dir`.

    The import root also goes on PYTHONPATH, for processes the run starts itself.
    """
    from stackyard.pipelines.pipeline import Pipeline
    from stackyard.utils.source import load_source

    if code.source is None:
        raise StackyardError("the snapshot does not say which module holds the pipeline")
    root = str(code_dir.joinpath(*code.import_root.parts))
    sys.path.insert(0, root)
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    module, _, attribute = code.source.partition(":")
    found = load_source(f"{module}.{attribute}")
    if not isinstance(found, Pipeline):
        raise StackyardError(f"{code.source} is {type(found).__name__}, not a @pipeline object")
    return found


def configure(
    pipeline: Pipeline, snapshot: SnapshotResponse, overrides: RunFileConfig, workdir: Path
) -> CompiledPipeline:
    """Compile `pipeline` as the snapshot was, with `overrides` on top.

    Parameters go in as call arguments and the rest through `with_options`, which
    take precedence over options the imported object may carry; per-step
    configuration can only come from a run file, so it is written to one.
    """
    import yaml

    from stackyard.pipelines.config import StepFileConfig

    base = snapshot.pipeline_configuration
    steps: dict[str, Any] = {}
    for name in sorted({*base.get("steps", {}), *overrides.steps}):
        old = StepFileConfig.model_validate(base.get("steps", {}).get(name, {}))
        new = overrides.steps.get(name, StepFileConfig())
        steps[name] = {
            "parameters": {**old.parameters, **new.parameters},
            "enable_cache": new.enable_cache if new.enable_cache is not None else old.enable_cache,
            "settings": {**old.settings, **new.settings},
        }
    config_path = None
    if steps:
        config_path = workdir / "run.yaml"
        config_path.write_text(yaml.safe_dump({"steps": steps}))
    enable_cache = overrides.enable_cache
    configured = pipeline.with_options(
        run_name=overrides.run_name or base.get("run_name"),
        enable_cache=enable_cache if enable_cache is not None else base.get("enable_cache"),
        settings={**base.get("settings", {}), **overrides.settings},
        config_path=config_path,
    )
    compiled = configured.compile(**{**base.get("parameters", {}), **overrides.parameters})
    # the run file is ours, and a template run is never scheduled again from here
    return replace(compiled, schedule=None, config_path=None)


def run_job(store: Store, run_id: UUID, overrides: RunFileConfig, workdir: Path) -> int:
    """Drive run `run_id`; 0 if it completed. Failures are recorded on the run."""
    from stackyard.pipelines.code import RecordedCode
    from stackyard.pipelines.fetch import fetch_code
    from stackyard.pipelines.run import drive_run

    run: PipelineRunResponse = store.get("pipeline_run", run_id)
    store = _as_owner(store, run)
    try:
        if run.snapshot_id is None:
            raise StackyardError(f"run {run.name!r} has no snapshot to run")
        snapshot: SnapshotResponse = store.get("snapshot", run.snapshot_id)
        code = RecordedCode.of(snapshot)
        code_dir = fetch_code(store, code, workdir / "code")
        pipeline = import_pipeline(code, code_dir)
        compiled = configure(pipeline, snapshot, overrides, workdir)
        os.chdir(code_dir)
        drive_run(store, compiled, run, code)
    except StepFailedError:
        return 1  # the run and the failed step are recorded already
    except BaseException as exc:
        _record_failure(store, run.id, exc)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    return 0


def _as_owner(store: Store, run: PipelineRunResponse) -> Store:
    """Record as the user who started the run, as the server would have."""
    from stackyard.store.sql.store import SqlStore

    if isinstance(store, SqlStore) and run.user_id is not None:
        return store.as_user(store.get("user", run.user_id))
    return store


def _record_failure(store: Store, run_id: UUID, exc: BaseException) -> None:
    """Mark the run failed (unless it already ended) and keep the reason on it."""
    detail = "".join(traceback.format_exception(exc)).strip()
    sys.stderr.write(f"stackyard worker: run {run_id} failed:\n{detail}\n")
    # the reason first: whoever sees the run failed can read why at once
    store.create(
        "run_metadata",
        {
            "resource_type": "pipeline_run",
            "resource_id": run_id,
            "values": {"worker_error": f"{type(exc).__name__}: {exc}"},
        },
    )
    run: PipelineRunResponse = store.get("pipeline_run", run_id)
    if run.status in (ExecutionStatus.INITIALIZING, ExecutionStatus.RUNNING):
        store.update(
            "pipeline_run", run_id, {"status": ExecutionStatus.FAILED, "end_time": utcnow()}
        )


def main(argv: list[str] | None = None) -> int:
    from stackyard.client import Client
    from stackyard.pipelines.trigger import JOB_FILE, parse_run_configuration

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m stackyard.pipelines.worker <job directory>\n")
        return 2
    workdir = Path(args[0]).resolve()
    try:
        job = json.loads((workdir / JOB_FILE).read_text())
        overrides = parse_run_configuration(job["run_configuration"])
        return run_job(Client().store, UUID(job["run_id"]), overrides, workdir)
    finally:
        os.chdir(workdir.parent)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
