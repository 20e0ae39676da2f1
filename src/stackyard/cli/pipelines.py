"""Pipelines, their runs and step runs, and the logs steps wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

from stackyard.cli.base import get_client, output_option
from stackyard.cli.resources import Resource, list_command, name_argument, resource_group
from stackyard.cli.views import Row, Section, duration, show

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.pipelines import PipelineRunResponse, StepRunResponse


def _run_sections(client: Client, run: PipelineRunResponse) -> dict[str, Section]:
    """The run's steps in execution order, and every output they produced."""
    steps = list(run.steps.values())
    outputs = {i for s in steps for i in s.output_ids.values()}
    versions: dict[UUID, Any] = {}
    if outputs:
        page = client.list_artifact_versions(id=[str(i) for i in outputs], size=len(outputs))
        versions = {v.id: v for v in page}
    step_rows: list[Row] = [
        {
            "name": s.name,
            "status": s.status,
            "start_time": s.start_time,
            "end_time": s.end_time,
            "duration": duration(s.start_time, s.end_time),
            "id": s.id,
        }
        for s in steps
    ]
    output_rows: list[Row] = []
    for s in steps:
        for output, version_id in s.output_ids.items():
            version = versions.get(version_id)
            output_rows.append(
                {
                    "step": s.name,
                    "output": output,
                    "artifact": version.name if version else None,
                    "version": version.version if version else None,
                    "data_type": version.data_type if version else None,
                    "id": version_id,
                }
            )
    return {
        "steps": Section(step_rows, ("name", "status", "start_time", "duration", "id")),
        "outputs": Section(output_rows, ("step", "output", "artifact", "version", "data_type")),
    }


RUN = Resource("pipeline_run", sections=_run_sections)
PIPELINE = Resource("pipeline")
STEP = Resource("run_step", renames={"pipeline_run": "run"})

pipeline = resource_group(PIPELINE, "pipeline", "Inspect pipelines and their runs.")
pipeline.add_command(
    list_command(
        RUN, name="runs", argument="pipeline", help="List pipeline runs (of PIPELINE, if given)."
    )
)
run = resource_group(RUN, "run", "Inspect and delete pipeline runs.")
pipeline.add_command(run)

step = resource_group(STEP, "step", "Inspect the step runs of pipeline runs.", verbs=("list",))


@step.command("describe", help="Show a step run: by id or id prefix, or by name with --run.")
@click.argument("step_ref", metavar="STEP")
@click.option("--run", "run_ref", help="The pipeline run (name, id or prefix) holding STEP.")
@output_option(formats=("table", "json", "yaml"))
def describe_step(step_ref: str, run_ref: str | None, output: str) -> None:
    client = get_client()
    found = (
        _step_of(client, run_ref, step_ref) if run_ref else client.store.find("run_step", step_ref)
    )
    show(client, STEP, found, output)


def _step_of(client: Client, run_ref: str, step_name: str) -> StepRunResponse:
    pipeline_run = client.get_pipeline_run(run_ref)
    steps = pipeline_run.steps
    if step_name not in steps:
        from stackyard.exceptions import EntityNotFoundError

        raise EntityNotFoundError(
            f"run {pipeline_run.name!r} has no step {step_name!r}; "
            f"steps: {', '.join(steps) or 'none'}"
        )
    return steps[step_name]


@click.command(help="Print what the steps of RUN logged (only STEP's, if given).")
@name_argument(RUN, "run_ref")
@click.argument("step_name", metavar="[STEP]", required=False)
def logs(run_ref: str, step_name: str | None) -> None:
    client = get_client()
    if step_name:
        click.echo(_step_of(client, run_ref, step_name).logs, nl=False)
        return
    pipeline_run = client.get_pipeline_run(run_ref)
    steps = pipeline_run.steps
    if not steps:
        click.echo(f"Run {pipeline_run.name!r} has no steps yet.")
    for s in steps.values():
        click.secho(f"== {s.name} ({s.status.value}) ==", bold=True)
        click.echo(s.logs.rstrip("\n") or "(no logs)")
