"""`stackyard user ...`: accounts of the people (and service accounts) using a store."""

from __future__ import annotations

import click

from stackyard.cli.base import get_client, given
from stackyard.cli.resources import Resource, name_argument, resource_group

USER = Resource("user")
user = resource_group(USER, "user", "Manage users.")


@user.command(help="Create a user (admins only); the password is stored hashed.")
@click.argument("name")
@click.option("--password", help="Password for logging in to a server.")
@click.option("--admin", "is_admin", is_flag=True, help="Give admin rights.")
@click.option("--full-name", default="", help="Full name.")
@click.option("--email", help="E-mail address.")
@click.option("--service-account", is_flag=True, help="A machine account (uses API keys).")
def create(
    name: str,
    password: str | None,
    is_admin: bool,
    full_name: str,
    email: str | None,
    service_account: bool,
) -> None:
    created = get_client().create_user(
        name,
        password=password,
        is_admin=is_admin,
        full_name=full_name,
        email=email,
        is_service_account=service_account,
    )
    click.echo(f"Created user {created.name!r} ({created.id}).")


@user.command(help="Change a user; deactivating or a new password revokes their sessions.")
@name_argument(USER)
@click.option("--name", "new_name", help="A new user name.")
@click.option("--full-name", help="Full name.")
@click.option("--email", help="E-mail address.")
@click.option("--admin/--no-admin", "is_admin", default=None, help="Grant or revoke admin.")
@click.option("--active/--inactive", default=None, help="Allow or block logging in.")
@click.option("--password", help="A new password.")
def update(
    name_id_or_prefix: str,
    new_name: str | None,
    full_name: str | None,
    email: str | None,
    is_admin: bool | None,
    active: bool | None,
    password: str | None,
) -> None:
    updated = get_client().update_user(
        name_id_or_prefix,
        full_name=given(full_name),
        email=given(email),
        is_admin=given(is_admin),
        active=given(active),
        password=given(password),
        new_name=given(new_name),
    )
    click.echo(f"Updated user {updated.name!r} ({updated.id}).")


@click.group("settings", help="Show and change the store's settings (changes: admins only).")
def settings() -> None:
    """Commands of the store's settings."""


@settings.command("show", help="Print the store's settings.")
def show_settings() -> None:
    for key, value in get_client().get_settings().items():
        click.echo(f"{key}: {str(value).lower() if isinstance(value, bool) else value}")


@settings.command("update", help="Change the store's settings (admins only).")
@click.option(
    "--allow-runs/--forbid-runs",
    default=None,
    help="Whether run templates and schedules may start runs (on a server: for runners).",
)
def update_settings(allow_runs: bool | None) -> None:
    if allow_runs is None:
        raise click.UsageError("nothing to change: give --allow-runs or --forbid-runs")
    changed = get_client().update_settings(allow_runs=allow_runs)
    click.echo(
        "Runs from templates and schedules are "
        + ("allowed." if changed["allow_runs"] else "forbidden.")
    )
