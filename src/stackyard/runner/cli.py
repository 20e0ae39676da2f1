"""`stackyard runner start`: execute the runs a server (or store) queued, until stopped."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from stackyard.store.base import Store


@click.group("runner", help="Execute runs of templates and schedules as the users who asked.")
def runner() -> None:
    """Commands of the runner."""


@runner.command(
    "start",
    help="Claim runs queued on the store and execute them, until Ctrl-C or SIGTERM. With "
    "--url, the server there (log in with --api-key, STACKYARD_API_KEY or `stackyard login`); "
    "else this client's store. An admin's runner runs every user's runs; others only their own.",
)
@click.option("--url", help="The stackyard server to take runs from.")
@click.option("--api-key", envvar="STACKYARD_API_KEY", help="API key of the runner's account.")
@click.option(
    "--max-runs", type=click.IntRange(1, 256), default=2, show_default=True, help="Runs at once."
)
@click.option(
    "--poll", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
    help="Seconds between looks for queued runs.",
)  # fmt: skip
def start(url: str | None, api_key: str | None, max_runs: int, poll: float) -> None:
    import signal
    import threading

    from stackyard.cli.base import get_client
    from stackyard.runner.process import Runner

    store: Store
    if url is not None:
        from stackyard.store.rest import RestStore

        store = RestStore(url, api_key=api_key) if api_key else RestStore(url)
    else:
        store = get_client().store
    user = store.current_user()  # fails now, with the reason, if the login does not work
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scope = "every user's runs" if user.is_admin else f"the runs of {user.name!r}"
    click.echo(f"Runner taking {scope} (up to {max_runs} at once); Ctrl-C stops it.", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        Runner(store, max_runs=max_runs, poll_seconds=poll).run(stop)
    click.echo("Runner stopped.", err=True)
