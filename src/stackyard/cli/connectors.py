"""`stackyard service-connector ...`: how components reach cloud resources.

Secret fields of a connector's configuration are stored sealed and shown masked.
"""

from __future__ import annotations

from datetime import UTC, datetime

import click

from stackyard.cli.base import config_options, get_client, output_option, read_config
from stackyard.cli.output import machine, table
from stackyard.cli.resources import Resource, name_argument, resource_group
from stackyard.cli.sections import STACKS

CONNECTOR = Resource("service_connector")
service_connector = resource_group(
    CONNECTOR, "service-connector", "Manage service connectors (secret fields are masked)."
)


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601; a time without a zone is taken as UTC."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO date/time, e.g. 2026-12-31T23:00:00+00:00",
            param_hint="--expires-at",
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


expires_option = click.option("--expires-at", help="When the credentials expire (ISO 8601).")


@service_connector.command(help="Register a connector (see `service-connector types`).")
@click.argument("name")
@click.option("--type", "-t", "connector_type", required=True, help="Connector type, e.g. aws.")
@click.option("--auth-method", "-m", required=True, help="Auth method, e.g. secret-key.")
@config_options
@click.option("--resource-type", help="Serve only this resource type, e.g. s3-bucket.")
@click.option("--resource-id", help="Serve only this resource, e.g. a bucket name.")
@expires_option
@click.option("--description", "-d", default="", help="What it is for.")
def register(
    name: str,
    connector_type: str,
    auth_method: str,
    config_pairs: tuple[str, ...],
    config_file: str | None,
    resource_type: str | None,
    resource_id: str | None,
    expires_at: str | None,
    description: str,
) -> None:
    created = get_client().create_service_connector(
        name,
        connector_type=connector_type,
        auth_method=auth_method,
        configuration=read_config(config_pairs, config_file) or {},
        resource_type=resource_type,
        resource_id=resource_id,
        expires_at=parse_time(expires_at),
        description=description,
    )
    click.echo(f"Registered service connector {created.name!r} ({created.id}).")


@service_connector.command(help="Change a connector; configuration is merged key by key.")
@name_argument(CONNECTOR)
@click.option("--name", "new_name", help="A new name.")
@click.option("--auth-method", "-m", help="A new auth method.")
@config_options
@click.option("--resource-type", help="Serve only this resource type.")
@click.option("--resource-id", help="Serve only this resource.")
@expires_option
@click.option("--description", "-d", help="A new description.")
def update(
    name_id_or_prefix: str,
    new_name: str | None,
    auth_method: str | None,
    config_pairs: tuple[str, ...],
    config_file: str | None,
    resource_type: str | None,
    resource_id: str | None,
    expires_at: str | None,
    description: str | None,
) -> None:
    client = get_client()
    current = client.get_service_connector(name_id_or_prefix)
    changes = read_config(config_pairs, config_file)
    # Masked values sent back unchanged keep their stored secret.
    configuration = {**current.configuration, **changes} if changes is not None else None
    changes = {
        "name": new_name,
        "auth_method": auth_method,
        "configuration": configuration,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "expires_at": parse_time(expires_at),
        "description": description,
    }
    updated = client.update_service_connector(
        current.id, **{k: v for k, v in changes.items() if v is not None}
    )
    click.echo(f"Updated service connector {updated.name!r} ({updated.id}).")


@service_connector.command(help="List connector types, their auth methods and resource types.")
@output_option()
def types(output: str) -> None:
    from stackyard.models.connector_types import CONNECTOR_TYPES

    rows = [
        {
            "type": t.name,
            "auth_methods": list(t.auth_methods),
            "resource_types": list(t.resource_types),
        }
        for t in CONNECTOR_TYPES.values()
    ]
    if output == "table":
        click.echo(table(rows, ("type", "auth_methods", "resource_types")))
    else:
        click.echo(machine(rows, output))


@service_connector.command(
    help="Check a connector's credentials with its provider; list what they reach."
)
@name_argument(CONNECTOR)
@click.option("--resource-type", help="Check only this resource type, e.g. s3-bucket.")
@click.option("--resource-id", help="Check only this resource, e.g. s3://bucket.")
@output_option()
def verify(
    name_id_or_prefix: str, resource_type: str | None, resource_id: str | None, output: str
) -> None:
    found = get_client().verify_service_connector(name_id_or_prefix, resource_type, resource_id)
    rows = [
        {"resource_type": kind, "resource_id": resource}
        for kind, resources in found.resources.items()
        for resource in resources
    ]
    if output != "table":
        click.echo(machine(rows, output, ("resource_type", "resource_id")))
        return
    click.echo(f"Service connector {found.name!r} ({found.connector_type}) is valid.")
    click.echo(
        table(rows, ("resource_type", "resource_id")) if rows else "It reaches no resources."
    )


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"service_connector": STACKS}
