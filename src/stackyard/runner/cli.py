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
    "--url, the server there (log in with --api-key-file, STACKYARD_API_KEY or `stackyard "
    "login`); else this client's store. An admin's runner runs every user's runs; others only "
    "their own. Every run executes under the runner's own OS account: run one runner per "
    "trust domain (a user or a team).",
)
@click.option("--url", help="The stackyard server to take runs from.")
@click.option(
    "--api-key-file",
    envvar="STACKYARD_API_KEY_FILE",
    type=click.Path(exists=True, dir_okay=False, readable=True),
    help="A file holding the API key of the runner's account (keep it 0600).",
)
@click.option(
    "--api-key",
    envvar="STACKYARD_API_KEY",
    help="API key of the runner's account; on the command line `ps` shows it: prefer "
    "--api-key-file.",
)
@click.option(
    "--max-runs", type=click.IntRange(1, 256), default=2, show_default=True, help="Runs at once."
)
@click.option(
    "--poll", type=click.FloatRange(min=0.05), default=1.0, show_default=True,
    help="Seconds between looks for queued runs.",
)  # fmt: skip
def start(
    url: str | None, api_key_file: str | None, api_key: str | None, max_runs: int, poll: float
) -> None:
    import signal
    import threading

    from stackyard.cli.base import get_client, warn_if_on_command_line
    from stackyard.runner.process import Runner

    warn_if_on_command_line("api_key", "--api-key-file or STACKYARD_API_KEY")
    if api_key_file is not None:
        if api_key is not None:
            raise click.UsageError("give the API key once: --api-key-file or --api-key")
        api_key = _read_key(api_key_file)
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


def _read_key(path: str) -> str:
    """The API key in the file at `path` (surrounding whitespace dropped)."""
    from pathlib import Path

    key = Path(path).read_text().strip()
    if not key:
        raise click.UsageError(f"--api-key-file {path} is empty: put the runner's API key in it")
    return key
