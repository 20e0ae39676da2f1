"""CLI commands for servers: `up`, `down`, `login`, `logout` and `server` (deployment).

The CLI registers them with `cli.add_command(...)`. They import the server
machinery only when run, so `stackyard --help` stays fast.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from stackyard.cli.base import warn_if_on_command_line
from stackyard.exceptions import StackyardError
from stackyard.store import is_server_url

F = TypeVar("F", bound=Callable[..., Any])
ENV = "STACKYARD_SERVER_"


def _friendly(func: F) -> F:
    """Errors as one clear line, never a stack trace."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StackyardError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper  # type: ignore[return-value]


@click.command("up")
@click.option(
    "--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 (default: a free one)."
)
@click.option("--blocking", is_flag=True, help="Stay in the foreground until Ctrl-C.")
@click.option(
    "--open", "open_browser", is_flag=True, help="Open the dashboard in the browser, signed in."
)
@click.option(
    "--artifact-root",
    "artifact_roots",
    multiple=True,
    help="Another path or URL under which the dashboard may read artifact files and logs "
    "(repeatable; the default artifact store's always).",
)
@_friendly
def up(
    port: int | None, blocking: bool, open_browser: bool, artifact_roots: tuple[str, ...]
) -> None:
    """Start a local server over this machine's store and log in to it; the dashboard
    is at its address (`--open` opens it in the browser, signed in)."""
    from stackyard.server import local

    def announce(url: str) -> None:
        click.echo(f"The local stackyard server runs at {url}.")
        click.echo(f"Dashboard: {url}/  (API docs: {url}/docs)")
        if open_browser:
            import webbrowser

            webbrowser.open(local.dashboard_sign_in_link(url))

    if blocking:
        click.echo("Starting the local stackyard server; Ctrl-C stops it.")
        local.up(port=port, blocking=True, on_start=announce, artifact_roots=artifact_roots)
        return
    local.up(port=port, on_start=announce, artifact_roots=artifact_roots)
    click.echo("This machine's Client now uses it; `stackyard down` stops it.")


@click.command("down")
@_friendly
def down() -> None:
    """Stop the local server and go back to the local store."""
    from stackyard.server import local

    if local.down():
        click.echo("Stopped the local stackyard server.")
    else:
        click.echo("No local stackyard server is running.")


@click.command("login")
@click.argument("url")
@click.option("--username", "-u", envvar="STACKYARD_USERNAME", help="User name.")
@click.option("--password", envvar="STACKYARD_PASSWORD", help="Password (prompted if not given).")
@click.option("--api-key", envvar="STACKYARD_API_KEY", help="API key of a service account.")
@_friendly
def login(url: str, username: str | None, password: str | None, api_key: str | None) -> None:
    """Log in to the stackyard server at URL; the Client then uses it."""
    from stackyard.server import local

    warn_if_on_command_line("password", "STACKYARD_PASSWORD or the prompt")
    warn_if_on_command_line("api_key", "STACKYARD_API_KEY")
    if api_key is None:
        username = username or click.prompt("User name")
        if password is None:
            password = click.prompt("Password", hide_input=True)
    user = local.login(url, username, password, api_key=api_key)
    click.echo(f"Logged in to {url.rstrip('/')} as {user.name!r}.")


@click.command("logout")
@_friendly
def logout() -> None:
    """Revoke this machine's token and go back to the local store."""
    from stackyard.server import local

    if local.logout():
        click.echo("Logged out.")
    else:
        click.echo("Not logged in to any server.")


@click.command("server")
@click.option(
    "--store-url",
    envvar=ENV + "STORE_URL",
    help="Metadata store URL (default: the local SQLite store).",
)
@click.option(
    "--host",
    envvar=ENV + "HOST",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on (0.0.0.0 for all).",
)
@click.option(
    "--port", envvar=ENV + "PORT", type=click.IntRange(1, 65535), default=8237, show_default=True
)
@click.option(
    "--workers", envvar=ENV + "WORKERS", type=click.IntRange(1, 64), default=1, show_default=True
)
@click.option(
    "--admin-user",
    envvar=ENV + "ADMIN_USER",
    help="First admin, created if the store has no users.",
)
@click.option(
    "--admin-password",
    envvar=ENV + "ADMIN_PASSWORD",
    help="Password of --admin-user; prompted for when not given. On the command line it is "
    "visible in `ps`: prefer STACKYARD_SERVER_ADMIN_PASSWORD or the prompt.",
)
@click.option(
    "--token-ttl",
    envvar=ENV + "TOKEN_TTL",
    type=click.IntRange(60),
    default=3600,
    show_default=True,
    help="Access token lifetime in seconds.",
)
@click.option(
    "--max-body",
    envvar=ENV + "MAX_BODY",
    type=click.IntRange(1024),
    default=10 * 1024 * 1024,
    show_default=True,
    help="Largest request body in bytes.",
)
@click.option(
    "--access-log/--no-access-log", envvar=ENV + "ACCESS_LOG", default=True, show_default=True
)
@click.option(
    "--artifact-root",
    "artifact_roots",
    envvar=ENV + "ARTIFACT_ROOTS",
    multiple=True,
    help="A path or URL under which the dashboard may read artifact files and step logs "
    "for users (repeatable; the variable takes several separated by spaces). Default: the "
    "store's default artifact store. Never a root holding the server's own files.",
)
@_friendly
def server(
    store_url: str | None,
    host: str,
    port: int,
    workers: int,
    admin_user: str | None,
    admin_password: str | None,
    token_ttl: int,
    max_body: int,
    access_log: bool,
    artifact_roots: tuple[str, ...],
) -> None:
    """Run a stackyard server for deployment (applies pending migrations first).

    Every option also reads STACKYARD_SERVER_<OPTION> (e.g. STACKYARD_SERVER_WORKERS).
    """
    import logging.config

    from stackyard.config import GlobalConfig
    from stackyard.server import local, runner

    if admin_user and admin_password is None:
        admin_password = click.prompt(f"Password of {admin_user!r}", hide_input=True)
    if admin_password and not admin_user:
        raise click.UsageError("--admin-password needs --admin-user")
    warn_if_on_command_line("admin_password", "STACKYARD_SERVER_ADMIN_PASSWORD or the prompt")
    url = store_url or local.local_store_url(GlobalConfig.load())
    if is_server_url(url):
        raise click.UsageError(f"--store-url must name a database, not a server: {url}")
    logging.config.dictConfig(runner.log_config())
    runner.prepare_store(url, admin_user, admin_password)
    runner.serve(
        url,
        host=host,
        port=port,
        workers=workers,
        token_ttl=token_ttl,
        max_body=max_body,
        access_log=access_log,
        artifact_roots=artifact_roots or None,
    )


__all__ = ["down", "login", "logout", "server", "up"]
