"""What starts runs without a person: schedules, run templates, and builds."""

from __future__ import annotations

from typing import Any

import click

from stackyard.cli.base import get_client, given
from stackyard.cli.resources import Resource, name_argument, resource_group
from stackyard.cli.sections import PIPELINES

SCHEDULE = Resource("schedule")
schedule = resource_group(SCHEDULE, "schedule", "Inspect, pause and change schedules.")
build = resource_group(Resource("build"), "build", "Inspect and delete pipeline builds.")
run_template = resource_group(
    Resource("run_template"), "run-template", "Manage run templates (re-runnable pipelines)."
)


@schedule.command(help="Pause or resume a schedule, or change when it fires.")
@name_argument(SCHEDULE)
@click.option("--active/--inactive", default=None, help="Resume or pause it.")
@click.option("--cron", "cron_expression", help='A cron expression, e.g. "*/5 * * * *".')
@click.option(
    "--interval",
    "interval_second",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds between runs.",
)
def update(
    name_id_or_prefix: str,
    active: bool | None,
    cron_expression: str | None,
    interval_second: float | None,
) -> None:
    if active is None and cron_expression is None and interval_second is None:
        raise click.UsageError("nothing to change: give --active/--inactive, --cron or --interval")
    updated = get_client().update_schedule(
        name_id_or_prefix,
        active=given(active),
        cron_expression=given(cron_expression),
        interval_second=given(interval_second),
    )
    state = "active" if updated.active else "paused"
    click.echo(f"Updated schedule {updated.name!r} ({state}).")


@run_template.command(help="Make a template from a pipeline run (--run) or a snapshot id.")
@click.argument("name")
@click.option("--run", "run_ref", help="The pipeline run (name, id or prefix) to re-run.")
@click.option("--snapshot", "snapshot_id", help="The snapshot id to re-run.")
@click.option("--description", "-d", default="", help="What it does.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
def create(
    name: str,
    run_ref: str | None,
    snapshot_id: str | None,
    description: str,
    tags: tuple[str, ...],
) -> None:
    if (run_ref is None) == (snapshot_id is None):
        raise click.UsageError("give exactly one of --run or --snapshot")
    client = get_client()
    run_id = client.get_pipeline_run(run_ref).id if run_ref else None
    created = client.create_run_template(
        name,
        snapshot_id=snapshot_id,
        pipeline_run_id=run_id,
        description=description,
        tags=list(tags),
    )
    click.echo(f"Created run template {created.name!r} ({created.id}).")


@run_template.command(help="Start a new run from TEMPLATE; prints the run (it may still run).")
@click.argument("template")
@click.option(
    "--parameter",
    "-p",
    "parameters",
    multiple=True,
    metavar="KEY=VALUE",
    help="A pipeline parameter to change; repeat for more.",
)
@click.option(
    "--config-file",
    "-c",
    type=click.Path(exists=True, dir_okay=False),
    help="A YAML/JSON run configuration (parameters, steps, settings, run_name).",
)
@click.option("--wait", is_flag=True, help="Wait until the run has finished.")
def trigger(
    template: str, parameters: tuple[str, ...], config_file: str | None, wait: bool
) -> None:
    import time

    from stackyard.cli.base import parse_pairs, read_mapping

    configuration: dict[str, Any] = dict(read_mapping(config_file)) if config_file else {}
    if parameters:
        configuration.setdefault("parameters", {}).update(parse_pairs(parameters, "--parameter"))
    client = get_client()
    run = client.trigger_pipeline(template=template, run_configuration=configuration)
    click.echo(f"Started run {run.name!r} ({run.id}).", err=True)
    while wait and not run.status.is_finished:
        time.sleep(0.5)
        run = client.get_pipeline_run(run.id)
    click.echo(f"{run.name} {run.status.value}")
    if wait and not run.status.is_successful:
        raise SystemExit(1)


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"schedule": PIPELINES, "run_template": PIPELINES, "build": PIPELINES}
