"""The process that runs a pipeline started from a run template.

    python -m stackyard.pipelines.worker <directory>

The store recorded the run (with the configuration it was triggered with) and
whoever launched the worker wrote the job (the run id) into the directory: the
embedded store's `LocalWorkers`, or a runner acting for the run's owner. The worker
fetches the template's code into the directory, puts it first on `sys.path`,
imports the pipeline object, applies the template's configuration overridden by
the run's, and drives the recorded run. Anything that goes wrong before the steps
run marks the run failed, with the reason in `status_reason` and the `worker_error`
metadata. The directory is removed at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import traceback
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import RunStoppedError, StackyardError, StepFailedError
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse, SnapshotResponse
    from stackyard.pipelines.code import RecordedCode
    from stackyard.pipelines.pipeline import CompiledPipeline, Pipeline
    from stackyard.pipelines.settings import RunFileConfig
    from stackyard.store.base import Store


def import_pipeline(code: RecordedCode, code_dir: Path) -> Pipeline:
    """The pipeline object named by `code.source`, imported from `code_dir`.

    The import root also goes on PYTHONPATH, for processes the run starts itself.
    """
    from stackyard.models.recorded_code import check_source, check_source_path
    from stackyard.pipelines.pipeline import Pipeline
    from stackyard.utils.source import load_source

    if code.source is None or code.source_path is None:
        raise StackyardError("the snapshot does not say which module holds the pipeline")
    check_source(code.source)
    check_source_path(code.source_path)
    root_path = code_dir.joinpath(*code.import_root.parts).resolve()
    if not root_path.is_relative_to(code_dir.resolve()):
        raise StackyardError(f"the pipeline's import root {root_path} lies outside its code")
    root = str(root_path)
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

    from stackyard.pipelines.settings import StepFileConfig

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


def run_job(store: Store, run_id: UUID, workdir: Path) -> int:
    """Drive run `run_id`; 0 if it completed. Failures are recorded on the run.

    The run beats from the start (fetching and importing code takes time), so a
    worker killed at any point leaves a run that is failed within two intervals.
    """
    from stackyard.pipelines.code import RecordedCode
    from stackyard.pipelines.fetch import fetch_code
    from stackyard.pipelines.heartbeat import beating, interrupt
    from stackyard.pipelines.launch import drive_run
    from stackyard.pipelines.trigger import parse_run_configuration
    from stackyard.stack.stack import resolved_configuration

    run: PipelineRunResponse = store.get("pipeline_run", run_id)
    with beating(store, run.id) as beat:
        stopped = threading.Event()

        def stop() -> None:  # until the run executes, a stop ends the worker
            stopped.set()
            interrupt(threading.main_thread())

        unregister = beat.on_stop(stop)
        try:
            if run.snapshot_id is None:
                raise StackyardError(f"run {run.name!r} has no snapshot to run")
            overrides = parse_run_configuration(run.run_configuration or {})
            snapshot: SnapshotResponse = store.get("snapshot", run.snapshot_id)
            code = RecordedCode.of(snapshot)
            stack = store.get("stack", snapshot.stack_id)
            root = str(resolved_configuration(stack.artifact_store, store).get("path", ""))
            code_dir = fetch_code(store, code, workdir / "code", root)
            pipeline = import_pipeline(code, code_dir)
            compiled = configure(pipeline, snapshot, overrides, workdir)
            os.chdir(code_dir)
            unregister()  # the run's own context stops its steps from here on
            drive_run(store, compiled, run, code)
        except StepFailedError:
            return 1  # the run and the failed step are recorded already
        except RunStoppedError:
            return 130
        except KeyboardInterrupt:
            if not stopped.is_set():  # SIGTERM or Ctrl-C, not the store: say so
                _end(store, run.id, ExecutionStatus.STOPPED, "its worker was interrupted")
            return 130
        except BaseException as exc:
            _record_failure(store, run.id, exc)
            return 1
    return 0


def _record_failure(store: Store, run_id: UUID, exc: BaseException) -> None:
    """Mark the run failed (unless it already ended) and keep the reason on it."""
    detail = "".join(traceback.format_exception(exc)).strip()
    sys.stderr.write(f"stackyard worker: run {run_id} failed:\n{detail}\n")
    reason = f"{type(exc).__name__}: {exc}"
    # the reason first: whoever sees the run failed can read why at once
    store.create(
        "run_metadata",
        {
            "resource_type": "pipeline_run",
            "resource_id": run_id,
            "values": {"worker_error": reason},
        },
    )
    _end(store, run_id, ExecutionStatus.FAILED, reason)


def _end(store: Store, run_id: UUID, status: ExecutionStatus, reason: str) -> None:
    """End the run with `status` and `reason`, unless it already ended."""
    run: PipelineRunResponse = store.get("pipeline_run", run_id)
    if not run.status.is_finished:
        store.update(
            "pipeline_run",
            run_id,
            {"status": status, "end_time": utcnow(), "status_reason": reason},
        )


def main(argv: list[str] | None = None) -> int:
    from stackyard.client import Client
    from stackyard.runner.launch import JOB_FILE

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m stackyard.pipelines.worker <job directory>\n")
        return 2
    workdir = Path(args[0]).resolve()
    # SIGTERM (a runner or `stackyard down` stopping) ends the run like Ctrl-C: stopped
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        job = json.loads((workdir / JOB_FILE).read_text())
        return run_job(Client().store, UUID(job["run_id"]), workdir)
    finally:
        os.chdir(workdir.parent)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
