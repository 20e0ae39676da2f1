"""`stackyard scheduler run`: start due schedules' runs without a server, until stopped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse


@click.group("scheduler", help="Run due schedules without a server.")
def scheduler() -> None:
    """Commands of the scheduler."""


def _report(runs: list[PipelineRunResponse]) -> None:
    for run in runs:
        click.echo(f"Started run {run.name!r} ({run.id}) of schedule {run.schedule_id}.")


@scheduler.command(
    "run",
    help="Start the runs of due schedules, checking every --poll seconds until Ctrl-C "
    "(or once, with --once). Several schedulers may run at once: each slot starts once.",
)
@click.option(
    "--poll",
    type=click.FloatRange(min=0.05),
    default=1.0,
    show_default=True,
    help="Seconds between checks for due schedules.",
)
@click.option("--once", is_flag=True, help="Start what is due now, then exit.")
def run(poll: float, once: bool) -> None:
    from stackyard.cli.base import get_client
    from stackyard.scheduler.runner import loop, run_due

    store = get_client().store
    if once:
        runs = run_due(store)
        _report(runs)
        click.echo(f"{len(runs)} run(s) started.")
        return
    click.echo(f"Scheduler checking every {poll:g} s; press Ctrl-C to stop.")
    try:
        loop(store, poll_seconds=poll, on_runs=_report)
    except KeyboardInterrupt:
        click.echo("Scheduler stopped.")
