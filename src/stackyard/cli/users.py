"""Users, service accounts and their API keys, and the store's settings:
`stackyard user ...`, `stackyard service-account ...`, `stackyard api-key ...` and
`stackyard settings ...`. An API key is printed once, when it is created or rotated
(`stackyard login URL --api-key KEY` logs in with it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from stackyard.cli.base import confirm, get_client, given, output_option, yes_option
from stackyard.cli.resources import Resource, list_command, name_argument, resource_group
from stackyard.cli.sections import ADMIN
from stackyard.cli.views import print_page, show

if TYPE_CHECKING:
    from stackyard.models.users import APIKeyResponse

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


# -- service accounts and API keys -------------------------------------------------------
SERVICE_ACCOUNT = Resource("user", scope={"is_service_account": "true"})
API_KEY = Resource("api_key")

service_account = click.Group(
    "service-account", help="Manage service accounts (users that log in with API keys)."
)
service_account.add_command(
    list_command(SERVICE_ACCOUNT, help="List service accounts, filtered, sorted and paged.")
)


@service_account.command("create", help="Create a service account (admins only).")
@click.argument("name")
@click.option("--description", "-d", default="", help="What the account is for.")
def create_account(name: str, description: str) -> None:
    created = get_client().create_service_account(name, description=description)
    click.echo(f"Created service account {created.name!r} ({created.id}).")
    click.echo(f"Give it a key: stackyard api-key create {created.name} NAME")


@service_account.command("describe", help="Show a service account by name, id or prefix.")
@click.argument("name_id_or_prefix", metavar="NAME_ID_OR_PREFIX")
@output_option(formats=("table", "json", "yaml"))
def describe_account(name_id_or_prefix: str, output: str) -> None:
    client = get_client()
    show(client, SERVICE_ACCOUNT, client.get_service_account(name_id_or_prefix), output)


@service_account.command("update", help="Rename, redescribe, deactivate or reactivate an account.")
@click.argument("name_id_or_prefix", metavar="NAME_ID_OR_PREFIX")
@click.option("--name", "new_name", help="A new name.")
@click.option("--description", "-d", help="A new description.")
@click.option("--active/--inactive", default=None, help="Allow or block its keys.")
def update_account(
    name_id_or_prefix: str, new_name: str | None, description: str | None, active: bool | None
) -> None:
    updated = get_client().update_service_account(
        name_id_or_prefix,
        new_name=given(new_name),
        description=given(description),
        active=given(active),
    )
    state = "active" if updated.active else "inactive"
    click.echo(f"Updated service account {updated.name!r} ({state}).")


@service_account.command("delete", help="Delete a service account and its API keys.")
@click.argument("name_id_or_prefix", metavar="NAME_ID_OR_PREFIX")
@yes_option
def delete_account(name_id_or_prefix: str, yes: bool) -> None:
    client = get_client()
    account = client.get_service_account(name_id_or_prefix)
    confirm(f"Delete service account {account.name!r} and its API keys?", yes)
    client.delete_service_account(account.id)
    click.echo(f"Deleted service account {account.name!r}.")


api_key = click.Group("api-key", help="Create, list, rotate and revoke API keys.")
account_argument = click.argument("service_account_ref", metavar="SERVICE_ACCOUNT")
key_argument = click.argument("key_ref", metavar="KEY")


def _print_key(verb: str, key: APIKeyResponse) -> None:
    click.echo(f"{verb} API key {key.name!r} ({key.id}). The key, shown this once:")
    click.echo(key.key)


@api_key.command("create", help="Give SERVICE_ACCOUNT a new key named NAME; prints the key.")
@account_argument
@click.argument("name")
@click.option("--description", "-d", default="", help="What the key is for.")
def create_key(service_account_ref: str, name: str, description: str) -> None:
    _print_key("Created", get_client().create_api_key(service_account_ref, name, description))


@api_key.command("list", help="List the keys of SERVICE_ACCOUNT (never the keys themselves).")
@account_argument
@click.option("--size", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--page", type=click.IntRange(min=1), default=1, show_default=True)
@output_option()
def list_keys(service_account_ref: str, size: int, page: int, output: str) -> None:
    client = get_client()
    account = client.get_service_account(service_account_ref)
    rows = client.list_rows("api_key", service_account_id=str(account.id), size=size, page=page)
    print_page(client, API_KEY, rows, output)


@api_key.command("describe", help="Show one key of SERVICE_ACCOUNT.")
@account_argument
@key_argument
@output_option(formats=("table", "json", "yaml"))
def describe_key(service_account_ref: str, key_ref: str, output: str) -> None:
    client = get_client()
    show(client, API_KEY, client.get_api_key(service_account_ref, key_ref), output)


@api_key.command("rotate", help="Give a key a new secret (printed once); the old one stops.")
@account_argument
@key_argument
def rotate_key(service_account_ref: str, key_ref: str) -> None:
    _print_key("Rotated", get_client().rotate_api_key(service_account_ref, key_ref))


@api_key.command("deactivate", help="Revoke a key (and its sessions) but keep its record.")
@account_argument
@key_argument
def deactivate_key(service_account_ref: str, key_ref: str) -> None:
    key = get_client().deactivate_api_key(service_account_ref, key_ref)
    click.echo(f"Deactivated API key {key.name!r}; logins with it are refused.")


@api_key.command("delete", help="Delete a key.")
@account_argument
@key_argument
@yes_option
def delete_key(service_account_ref: str, key_ref: str, yes: bool) -> None:
    client = get_client()
    key = client.get_api_key(service_account_ref, key_ref)
    confirm(f"Delete API key {key.name!r}?", yes)
    client.delete_api_key(service_account_ref, key.id)
    click.echo(f"Deleted API key {key.name!r}.")


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"user": ADMIN, "settings": ADMIN, "service_account": ADMIN, "api_key": ADMIN}
