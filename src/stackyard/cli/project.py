"""`stackyard init` and `stackyard status`: where am I, and what will runs use."""

from __future__ import annotations

from typing import Any

import click

from stackyard.cli.base import get_client, output_option
from stackyard.cli.output import details, machine, table
from stackyard.cli.sections import PROJECT


@click.command(help="Make PATH (default: here) a stackyard project with its own active stack.")
@click.argument("path", default=".", type=click.Path(file_okay=False))
def init(path: str) -> None:
    from stackyard.client import Client

    root = Client.initialize(path)
    click.echo(f"Initialized a stackyard project in {root}.")


@click.command(help="Show the store, the server (if logged in), the user and the active stack.")
@output_option(formats=("table", "json", "yaml"))
def status(output: str) -> None:
    from stackyard.config import GlobalConfig

    client = get_client()
    info = client.store.info()
    server = GlobalConfig.load().data.get("server")
    user = client.active_user
    stack = client.active_stack_model
    components = [
        {"type": ctype, "name": c.name, "flavor": c.flavor, "id": c.id}
        for ctype, group in stack.components.items()
        for c in group
    ]
    root = client.root
    data: dict[str, Any] = {
        "store": info,
        "server": server.get("url") if isinstance(server, dict) else None,
        "user": {"name": user.name, "id": user.id, "is_admin": user.is_admin},
        "project": str(root) if root else None,
        "active_stack": {"name": stack.name, "id": stack.id, "components": components},
    }
    if output != "table":
        click.echo(machine(data, output))
        return
    store_line = " ".join(str(info[k]) for k in ("type", "dialect", "url") if info.get(k))
    summary = {
        "store": store_line,
        "server": data["server"] or "not logged in (using the store directly)",
        "user": f"{user.name}{' (admin)' if user.is_admin else ''}",
        "project": data["project"] or "none (global settings)",
        "active stack": f"{stack.name} ({stack.id})",
    }
    click.echo(details(summary))
    if components:
        click.echo()
        click.echo(table(components, ("type", "name", "flavor", "id")))


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"init": PROJECT, "status": PROJECT}
