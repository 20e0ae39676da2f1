"""Recording a pipeline run before it runs: its pipeline, its snapshot (the compiled,
re-runnable form) and the run itself, then handing it to a `RunContext`.

`launch` runs what a pipeline call compiled on the active stack; `drive_run` runs a
run recorded earlier (a template's or a schedule's). Everything that can be refused
(run name, stack, models, experiment tracker) is checked before anything is recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from stackyard.exceptions import EntityExistsError, StackyardError
from stackyard.experiment_trackers.base import pipeline_tracker
from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus, StackComponentType
from stackyard.models.pipelines import DEFAULT_RUN_NAME, render_run_name
from stackyard.pipelines.config import jsonable
from stackyard.pipelines.heartbeat import beating
from stackyard.pipelines.ml_models import plan_models
from stackyard.pipelines.run import RunContext

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.automation import ScheduleResponse
    from stackyard.models.pipelines import PipelineResponse, PipelineRunResponse, SnapshotResponse
    from stackyard.pipelines.code import RecordedCode
    from stackyard.pipelines.pipeline import CompiledPipeline
    from stackyard.stack.stack import Stack
    from stackyard.store.base import Store


def pipeline_record(store: Store, name: str) -> PipelineResponse:
    """The pipeline named `name`, created on its first run (race-safe)."""
    for _ in range(2):
        page = store.list("pipeline", name=f"equals:{name}", size=1)
        if page.items:
            found: PipelineResponse = page.items[0]
            return found
        try:
            created: PipelineResponse = store.create("pipeline", {"name": name})
            return created
        except EntityExistsError:
            continue  # created by another process meanwhile
    raise AssertionError("unreachable")


def record_snapshot(
    store: Store,
    compiled: CompiledPipeline,
    pipeline_id: UUID,
    stack_id: UUID,
    run_name_template: str,
    schedule_id: UUID | None = None,
    code: RecordedCode | None = None,
    build_id: UUID | None = None,
) -> SnapshotResponse:
    """Store the compiled pipeline and its configuration, and where its code is (see
    `stackyard.pipelines.code`): enough to run it again."""
    spec = compiled.spec()
    if code is not None and code.source_path is not None:
        spec["source_path"] = code.source_path
    snapshot: SnapshotResponse = store.create(
        "snapshot",
        {
            "pipeline_id": pipeline_id,
            "stack_id": stack_id,
            "schedule_id": schedule_id,
            "build_id": build_id,
            "run_name_template": run_name_template,
            "pipeline_configuration": compiled.run_config(),
            "step_configurations": {
                inv.id: {
                    **compiled.step_config(inv),
                    "parameters": jsonable(inv.parameters, f"parameters of step {inv.id!r}"),
                }
                for inv in compiled.invocations.values()
            },
            "pipeline_spec": spec,
            "source": code.source if code is not None else None,
            "code_reference": code.code_reference if code is not None else None,
            "code_path": code.code_path if code is not None else None,
        },
    )
    return snapshot


def launch(compiled: CompiledPipeline) -> PipelineRunResponse | ScheduleResponse:
    """Record and run a compiled pipeline on the active stack (or only schedule it).

    Everything that can be refused (run name, stack) is checked before anything
    is recorded.
    """
    from stackyard.client import Client
    from stackyard.pipelines.code import record_code
    from stackyard.stack.stack import Stack

    client = Client()
    store = client.store
    stack_model = client.active_stack_model
    now = utcnow()
    template = compiled.run_name or DEFAULT_RUN_NAME
    run_name = render_run_name(template, compiled.name, now)
    stack = Stack.from_model(stack_model)
    pipeline_tracker(compiled, stack)  # a step asking for a tracker the stack lacks
    stack.connect(store)
    stack.orchestrator.check_pipeline(compiled)
    models = plan_models(store, compiled)
    code = record_code(store, compiled.pipeline, stack.artifact_store)
    pipeline = pipeline_record(store, compiled.name)
    if compiled.schedule is not None:
        from stackyard.pipelines.schedule import create_schedule, link_template

        default_name = render_run_name("{pipeline}-schedule-{date}-{time}", compiled.name, now)
        schedule = create_schedule(store, compiled.schedule, pipeline.id, default_name)
        snapshot = record_snapshot(
            store, compiled, pipeline.id, stack_model.id, template, schedule.id, code
        )
        return link_template(store, schedule, snapshot)
    build_id = stack_build(client, compiled, stack)
    snapshot = record_snapshot(
        store, compiled, pipeline.id, stack_model.id, template, code=code, build_id=build_id
    )
    run: PipelineRunResponse = store.create(
        "pipeline_run",
        {
            "name": run_name,
            "status": ExecutionStatus.INITIALIZING,
            "start_time": now,
            "pipeline_id": pipeline.id,
            "stack_id": stack_model.id,
            "snapshot_id": snapshot.id,
            "build_id": build_id,
            "code_reference": code.code_reference,
            "code_path": code.code_path,
            "config": snapshot.pipeline_configuration,
        },
    )
    with beating(store, run.id):  # at once: a process killed from here on fails the run
        return RunContext(store, compiled, stack, run, models).execute()


def stack_build(client: Client, compiled: CompiledPipeline, stack: Stack) -> UUID | None:
    """On a stack with an image builder a run uses a build: the existing one with the
    same checksum, or a new one (see `stackyard.builds`). Other stacks need none."""
    if StackComponentType.IMAGE_BUILDER not in stack.components:
        return None
    from stackyard.builds.build import build_pipeline
    from stackyard.pipelines.code import import_root, locate

    located = locate(compiled.pipeline)
    root = import_root(located[0].partition(":")[0], located[1]) if located else None
    return build_pipeline(compiled, client, code_root=root).build.id


def drive_run(
    store: Store, compiled: CompiledPipeline, run: PipelineRunResponse, code: RecordedCode
) -> PipelineRunResponse:
    """Execute a run recorded before its pipeline was compiled (started from a template).

    The run keeps its name, stack, template and schedule; it gets the snapshot of
    what was compiled now, with the template's `code`, which is where it came from.
    """
    from stackyard.stack.stack import Stack

    if run.pipeline_id is None or run.stack_id is None:
        raise StackyardError(f"run {run.name!r} has no pipeline or stack to run with")
    stack = Stack.from_model(store.get("stack", run.stack_id))
    pipeline_tracker(compiled, stack)
    stack.connect(store)
    stack.orchestrator.check_pipeline(compiled)
    models = plan_models(store, compiled)
    template = compiled.run_name or DEFAULT_RUN_NAME
    snapshot = record_snapshot(store, compiled, run.pipeline_id, run.stack_id, template, code=code)
    run = store.update(
        "pipeline_run",
        run.id,
        {"snapshot_id": snapshot.id, "config": snapshot.pipeline_configuration},
    )
    return RunContext(store, compiled, stack, run, models).execute()
