"""Pipelines, their runs and step runs, and the logs steps wrote."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

from stackyard.cli.base import get_client, output_option
from stackyard.cli.output import machine, table
from stackyard.cli.resources import Resource, list_command, name_argument, resource_group
from stackyard.cli.sections import PIPELINES
from stackyard.cli.views import Row, Section, duration, show

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.pipelines import PipelineRunResponse, RunStepResponse


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


class RunsGroup(click.Group):
    """`pipeline runs [PIPELINE]` lists runs, and `pipeline runs list|describe|delete ...`
    (ZenML's spelling) does what `pipeline run ...` does."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["of", *args]  # `runs [PIPELINE] [filters]` is `runs of ...`
        return super().parse_args(ctx, args)


pipeline = resource_group(PIPELINE, "pipeline", "Inspect pipelines and their runs.")
run = resource_group(RUN, "run", "Inspect and delete pipeline runs.")
pipeline.add_command(run)
runs = RunsGroup(
    "runs", help="List pipeline runs (of PIPELINE, if given); also `runs list|describe|delete`."
)
runs_of = list_command(
    RUN, name="of", argument="pipeline", help="List pipeline runs (of PIPELINE, if given)."
)
runs_of.hidden = True
runs.add_command(runs_of)
for verb in ("list", "describe", "delete"):
    runs.add_command(run.commands[verb])
pipeline.add_command(runs)

step = resource_group(STEP, "step", "Inspect the step runs of pipeline runs.", verbs=("list",))


@run.command("stop", help="Stop an unfinished run: it and its running steps end `stopped`.")
@name_argument(RUN, "run_ref")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds to wait until the process running it has ended its steps' work.",
)
def stop(run_ref: str, wait: float) -> None:
    stopped = get_client().stop_pipeline_run(run_ref, wait=wait)
    click.echo(f"Stopped run {stopped.name!r} ({stopped.id}).")
    if not stopped.released:
        click.echo(
            f"The process running it has not let go after {wait:g} s; it ends its steps' "
            "work at its next heartbeat."
        )


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


def _step_of(client: Client, run_ref: str, step_name: str) -> RunStepResponse:
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


def _load_pipeline(source: str) -> Any:
    """`module.attr` or `module:attr` of a pipeline object, importable from here (the
    project root and the working directory are searched too, see `load_source`)."""
    from stackyard.pipelines.pipeline import Pipeline
    from stackyard.utils.source import load_source

    try:
        found = load_source(source.replace(":", "."))
    except ImportError as exc:
        raise click.UsageError(f"cannot import pipeline {source!r}: {exc}") from None
    if not isinstance(found, Pipeline):
        raise click.UsageError(f"{source!r} is not a pipeline (decorate it with @pipeline)")
    return found


@pipeline.command("build", help="Compute (and with Docker, build) the images of PIPELINE.")
@click.argument("source", metavar="PIPELINE")
@click.option(
    "--code-root",
    type=click.Path(exists=True, file_okay=False),
    help="Directory whose files are copied into the images (default: the checkout "
    "or directory holding the pipeline's module).",
)
@click.option("--force", is_flag=True, help="Build again even if an equal build exists.")
@output_option()
def build(source: str, code_root: str | None, force: bool, output: str) -> None:
    """PIPELINE is an import path such as `my_project.pipelines.training`."""
    import inspect
    from pathlib import Path

    from stackyard.builds.build import build_pipeline
    from stackyard.code.git import find_checkout

    found = _load_pipeline(source)
    if code_root is None:
        module_file = Path(inspect.getfile(found.entrypoint)).resolve()
        checkout = find_checkout(module_file.parent)
        root = checkout.root if checkout is not None else module_file.parent
    else:
        root = Path(code_root).resolve()
    result = build_pipeline(found.compile(), get_client(), code_root=root, force=force)
    if result.reused:
        click.echo(
            f"Reusing build {result.build.id} (checksum {result.build.checksum[:12]}).", err=True
        )
    elif result.built:
        click.echo(
            f"Built {len(result.build.images)} image(s) as build {result.build.id}.", err=True
        )
    else:
        click.echo(
            f"Recorded build {result.build.id} without building images: "
            f"{result.not_built_reason}. Build contexts:",
            err=True,
        )
        for key, context in result.contexts.items():
            click.echo(f"  {key}: {context}", err=True)
    rows: list[Row] = [
        {
            "image": image["image"],
            "steps": ", ".join(image["steps"]),
            "base_image": image["base_image"],
            "requirements": len(image["requirements"]),
            "built": image["built"],
        }
        for image in result.build.images.values()
    ]
    columns = ("image", "steps", "base_image", "requirements", "built")
    if output == "table":
        click.echo(table(rows, columns))
    else:
        click.echo(machine(rows, output, columns))


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"pipeline": PIPELINES, "step": PIPELINES, "logs": PIPELINES}
