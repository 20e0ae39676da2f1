"""`stackyard secret ...`: values go in as `--KEY=VALUE`, a file or a hidden prompt,
and come out only through `secret get` (lists and describe show key names only)."""

from __future__ import annotations

import json
from typing import Any

import click

from stackyard.cli.base import (
    FREE_OPTIONS,
    get_client,
    given,
    output_option,
    parse_free_options,
    read_mapping,
    stdin_is_terminal,
)
from stackyard.cli.output import details, machine, record
from stackyard.cli.resources import Resource, name_argument, resource_group
from stackyard.cli.sections import ADMIN

SECRET = Resource("secret")
secret = resource_group(SECRET, "secret", "Store and read secrets (values are encrypted).")


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def collect_values(args: list[str], values_file: str | None) -> dict[str, str]:
    """Values from a file, then `--KEY=VALUE` arguments (which win)."""
    values = {
        k: _as_text(v)
        for k, v in (read_mapping(values_file, "--values-file") if values_file else {}).items()
    }
    values.update(parse_free_options(args))
    return values


def prompt_values() -> dict[str, str]:
    """Ask key by key in a terminal, hiding what is typed."""
    values: dict[str, str] = {}
    while True:
        key = click.prompt("Key (empty to finish)", default="", show_default=False).strip()
        if not key:
            return values
        values[key] = click.prompt(f"Value for {key}", hide_input=True)


values_file_option = click.option(
    "--values-file",
    type=click.Path(dir_okay=False),
    help="A YAML or JSON file of keys and values.",
)


@secret.command(
    context_settings=FREE_OPTIONS,
    help="Create secret NAME from --KEY=VALUE options, a --values-file, or a hidden prompt.",
)
@click.argument("name")
@values_file_option
@click.option("--private", is_flag=True, help="Visible to you only.")
@click.pass_context
def create(ctx: click.Context, name: str, values_file: str | None, private: bool) -> None:
    values = collect_values(ctx.args, values_file)
    if not values:
        if not stdin_is_terminal():
            raise click.UsageError(
                "no values: give them as --KEY=VALUE, with --values-file, or type them at a prompt"
            )
        values = prompt_values()
        if not values:
            raise click.UsageError("a secret needs at least one value")
    created = get_client().create_secret(name, values, private=private)
    click.echo(f"Created secret {created.name!r} ({created.id}) with keys: {', '.join(values)}.")


@secret.command(help="Print a secret's values (the only command that shows them).")
@name_argument(SECRET)
@click.option("--key", help="Print only this key's value, raw.")
@output_option(formats=("table", "json", "yaml"))
def get(name_id_or_prefix: str, key: str | None, output: str) -> None:
    found = get_client().get_secret(name_id_or_prefix)
    values = found.values
    click.secho(f"Warning: showing the values of secret {found.name!r}.", err=True, fg="yellow")
    if key is not None:
        if key not in values:
            raise click.BadParameter(
                f"secret {found.name!r} has no key {key!r}; keys: {', '.join(values) or 'none'}",
                param_hint="--key",
            )
        click.echo(values[key])
    elif output == "table":
        click.echo(details(values) if values else "(no values)")
    else:
        click.echo(machine({**record(found), "values": values}, output))


@secret.command(
    context_settings=FREE_OPTIONS, help="Add or change values (--KEY=VALUE), or remove keys."
)
@name_argument(SECRET)
@values_file_option
@click.option("--remove-key", multiple=True, metavar="KEY", help="Remove a key.")
@click.option("--new-name", help="Rename the secret.")
@click.option("--private/--public", default=None, help="Change who can see it.")
@click.pass_context
def update(
    ctx: click.Context,
    name_id_or_prefix: str,
    values_file: str | None,
    remove_key: tuple[str, ...],
    new_name: str | None,
    private: bool | None,
) -> None:
    values = collect_values(ctx.args, values_file)
    updated = get_client().update_secret(
        name_id_or_prefix,
        new_name=given(new_name),
        add_or_update_values=given(values or None),
        remove_values=given(list(remove_key) or None),
        private=given(private),
    )
    click.echo(f"Updated secret {updated.name!r}; keys: {', '.join(updated.keys) or 'none'}.")


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"secret": ADMIN}
