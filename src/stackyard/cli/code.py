"""`stackyard code-repository ...`: where a run's code can be fetched by commit."""

from __future__ import annotations

import click

from stackyard.cli.base import config_options, get_client, read_config
from stackyard.cli.resources import Resource, resource_group
from stackyard.cli.sections import PIPELINES

code_repository = resource_group(
    Resource("code_repository"), "code-repository", "Manage code repositories."
)


@code_repository.command(help="Register a repository; its config is checked by the source.")
@click.argument("name")
@click.option(
    "--source",
    "-s",
    required=True,
    help="local_git, github, gitlab, or a flavor class path (module.Class).",
)
@config_options
@click.option("--description", "-d", default="", help="What it holds.")
@click.option("--logo-url", help="A logo for the dashboard.")
def register(
    name: str,
    source: str,
    config_pairs: tuple[str, ...],
    config_file: str | None,
    description: str,
    logo_url: str | None,
) -> None:
    created = get_client().create_code_repository(
        name,
        config=read_config(config_pairs, config_file) or {},
        source=source,
        description=description,
        logo_url=logo_url,
    )
    click.echo(f"Registered code repository {created.name!r} ({created.id}).")


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"code_repository": PIPELINES}
