"""Stacks, their components and the components' flavors: `stackyard stack ...`,
`stackyard stack-component ...`, one group per component type and `stackyard flavor ...`.

`stackyard stack-component register NAME --type orchestrator --flavor local`
and `stackyard orchestrator register NAME --flavor local` are the same command:
the per-type groups are built by `type_group` with the type implied.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from stackyard.cli.base import (
    COMPONENT_TYPE,
    FREE_OPTIONS,
    config_options,
    get_client,
    given,
    read_config,
)
from stackyard.cli.resources import Resource, name_argument, resource_group
from stackyard.cli.sections import STACKS
from stackyard.cli.views import Row, Section, related_names

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.stacks import FlavorResponse, StackResponse


def _enrich(client: Client, stacks: list[Row], rows: list[Row]) -> None:
    """Mark the active stack and name each stack's components, in one query."""
    active = str(client.active_stack_id)
    ids = {str(i) for s in stacks for group in s["component_ids"].values() for i in group}
    names = related_names(client, "stack_component", ids)
    for stack, row in zip(stacks, rows, strict=True):
        row["active"] = str(stack["id"]) == active
        components = {getattr(t, "value", t): group for t, group in stack["component_ids"].items()}
        row["components"] = ", ".join(
            f"{ctype}={names[str(i)]}" for ctype, group in sorted(components.items()) for i in group
        )


def _sections(client: Client, stack: StackResponse) -> dict[str, Section]:
    rows = [
        {"type": ctype, "name": c.name, "flavor": c.flavor, "id": c.id}
        for ctype, group in sorted(stack.components.items())
        for c in group
    ]
    return {"components": Section(rows, ("type", "name", "flavor", "id"))}


STACK = Resource("stack", enrich=_enrich, sections=_sections)
stack = resource_group(STACK, "stack", "Register, inspect and activate stacks.")


def _components(
    orchestrator: str | None, artifact_store: str | None, others: tuple[str, ...]
) -> dict[str, Any]:
    """`-o`, `-a` and `--component TYPE=NAME` options as the Client's component mapping."""
    components: dict[str, Any] = {}
    for pair in others:
        ctype, sep, ref = pair.partition("=")
        if not sep or not ctype or not ref:
            raise click.BadParameter(f"{pair!r} is not TYPE=NAME", param_hint="--component")
        components[ctype.strip().replace("-", "_")] = ref.strip()
    if orchestrator:
        components["orchestrator"] = orchestrator
    if artifact_store:
        components["artifact_store"] = artifact_store
    return components


def component_options(func: Any) -> Any:
    """`-o`, `-a` and `--component`, shared by register and update."""
    for option in reversed(
        (
            click.option("--orchestrator", "-o", help="Orchestrator (name, id or prefix)."),
            click.option("--artifact-store", "-a", help="Artifact store (name, id or prefix)."),
            click.option(
                "--component",
                "others",
                multiple=True,
                metavar="TYPE=NAME",
                help="A component of another type, e.g. container_registry=my-registry.",
            ),
        )
    ):
        func = option(func)
    return func


@stack.command(help="Register a stack from existing components.")
@click.argument("name")
@component_options
@click.option("--description", "-d", default="", help="What the stack is for.")
@click.option("--set", "activate", is_flag=True, help="Make it the active stack.")
def register(
    name: str,
    orchestrator: str | None,
    artifact_store: str | None,
    others: tuple[str, ...],
    description: str,
    activate: bool,
) -> None:
    if not orchestrator or not artifact_store:
        raise click.UsageError("a stack needs an orchestrator (-o) and an artifact store (-a)")
    client = get_client()
    created = client.create_stack(
        name, _components(orchestrator, artifact_store, others), description=description
    )
    click.echo(f"Registered stack {created.name!r} ({created.id}).")
    if activate:
        client.activate_stack(created.id)
        click.echo(f"Active stack: {created.name!r}.")


@stack.command(help="Rename a stack, change its description or swap its components.")
@name_argument(STACK)
@component_options
@click.option(
    "--remove-component", multiple=True, metavar="TYPE", help="Drop the component of this type."
)
@click.option("--name", "new_name", help="A new name.")
@click.option("--description", "-d", help="A new description.")
def update(
    name_id_or_prefix: str,
    orchestrator: str | None,
    artifact_store: str | None,
    others: tuple[str, ...],
    remove_component: tuple[str, ...],
    new_name: str | None,
    description: str | None,
) -> None:
    components = _components(orchestrator, artifact_store, others)
    components.update({t.replace("-", "_"): [] for t in remove_component})
    updated = get_client().update_stack(
        name_id_or_prefix,
        name=given(new_name),
        components=given(components or None),
        description=given(description),
    )
    click.echo(f"Updated stack {updated.name!r} ({updated.id}).")


@stack.command("set", help="Make a stack the active one (for this project, if inside one).")
@name_argument(STACK)
def set_active(name_id_or_prefix: str) -> None:
    client = get_client()
    active = client.activate_stack(name_id_or_prefix)
    where = f"project {client.root}" if client.root else "global settings"
    click.echo(f"Active stack: {active.name!r} ({where}).")


@stack.command(help="Register a new stack with the same components as SOURCE.")
@name_argument(STACK, "source")
@click.argument("target")
def copy(source: str, target: str) -> None:
    client = get_client()
    original = client.get_stack(source)
    components: dict[str, Any] = {
        ctype.value: [str(i) for i in ids] for ctype, ids in original.component_ids.items()
    }
    created = client.create_stack(target, components, description=original.description)
    click.echo(f"Copied stack {original.name!r} to {created.name!r} ({created.id}).")


# -- components and flavors -------------------------------------------------------------
def register_command(fixed_type: str | None) -> click.Command:
    """`register NAME [--type TYPE] --flavor FLAVOR [--config k=v ...] [-c file]`."""

    @click.command(
        context_settings=FREE_OPTIONS,
        help="Register a component; configuration as --KEY=VALUE (or --config KEY=VALUE, "
        "--config-file), checked by the flavor.",
    )
    @click.argument("name")
    @click.option("--flavor", "-f", required=True, help="Flavor name, e.g. local.")
    @config_options
    @click.option("--connector", help="Service connector (name, id or prefix) to reach it.")
    @click.option("--resource-id", help="The connector's resource to reach, e.g. s3://bucket.")
    @click.pass_context
    def register(
        ctx: click.Context,
        name: str,
        flavor: str,
        config_pairs: tuple[str, ...],
        config_file: str | None,
        connector: str | None,
        resource_id: str | None,
        component_type: str | None = None,
    ) -> None:
        created = get_client().create_stack_component(
            name,
            flavor=flavor,
            component_type=component_type or str(fixed_type),
            configuration=read_config(config_pairs, config_file, ctx.args) or {},
            connector=connector,
            connector_resource_id=resource_id,
        )
        click.echo(f"Registered {created.type.value} {created.name!r} ({created.id}).")

    if fixed_type is None:
        register.params.insert(
            1, click.Option(["--type", "-t", "component_type"], type=COMPONENT_TYPE, required=True)
        )
    return register


def update_command(res: Resource) -> click.Command:
    @click.command(
        context_settings=FREE_OPTIONS,
        help="Rename a component or change its configuration (--KEY=VALUE, merged key by key).",
    )
    @name_argument(res)
    @config_options
    @click.option("--remove-config", multiple=True, metavar="KEY", help="Drop a config key.")
    @click.option("--name", "new_name", help="A new name.")
    @click.pass_context
    def update(
        ctx: click.Context,
        name_id_or_prefix: str,
        config_pairs: tuple[str, ...],
        config_file: str | None,
        remove_config: tuple[str, ...],
        new_name: str | None,
        component_type: str | None = None,
    ) -> None:
        client = get_client()
        current = res.get(client, name_id_or_prefix, component_type)
        changes = read_config(config_pairs, config_file, ctx.args)
        configuration = None
        if changes is not None or remove_config:
            configuration = {**current.configuration, **(changes or {})}
            for key in remove_config:
                configuration.pop(key, None)
        updated = client.update_stack_component(
            current.id, name=given(new_name), configuration=given(configuration)
        )
        click.echo(f"Updated {updated.type.value} {updated.name!r} ({updated.id}).")

    if res.needs_type_option:
        update.params.insert(
            1, click.Option(["--type", "-t", "component_type"], type=COMPONENT_TYPE)
        )
    return update


def connect_command(res: Resource) -> click.Command:
    @click.command(help="Link a service connector that hands the component its credentials.")
    @name_argument(res)
    @click.option("--connector", "-c", required=True, help="Connector name, id or prefix.")
    @click.option("--resource-id", "-r", help="The resource to reach, e.g. s3://bucket.")
    def connect(
        name_id_or_prefix: str,
        connector: str,
        resource_id: str | None,
        component_type: str | None = None,
    ) -> None:
        client = get_client()
        current = res.get(client, name_id_or_prefix, component_type)
        updated = client.update_stack_component(
            current.id, connector=connector, connector_resource_id=given(resource_id)
        )
        target = f" for {updated.connector_resource_id}" if updated.connector_resource_id else ""
        click.echo(
            f"Connected {updated.type.value} {updated.name!r} to service connector "
            f"{connector!r}{target}."
        )

    if res.needs_type_option:
        connect.params.insert(
            1, click.Option(["--type", "-t", "component_type"], type=COMPONENT_TYPE)
        )
    return connect


def _group(res: Resource, name: str, help: str, component_type: str | None) -> click.Group:
    group = resource_group(res, name, help)
    group.add_command(register_command(component_type))
    group.add_command(update_command(res))
    group.add_command(connect_command(res))
    return group


stack_component = _group(
    Resource("stack_component", typed=True),
    "stack-component",
    "Manage stack components of any type.",
    None,
)


def type_group(component_type: str) -> click.Group:
    """The group of one component type, e.g. `stackyard orchestrator ...`."""
    res = Resource(
        "stack_component",
        scope={"type": component_type},
        get_scope={"component_type": component_type},
        typed=True,
    )
    label = component_type.replace("_", " ")
    return _group(
        res, component_type.replace("_", "-"), f"Manage {label} components.", component_type
    )


# -- flavors ----------------------------------------------------------------------------------
def _config_fields(client: Client, flavor: FlavorResponse) -> dict[str, Section]:
    """The configuration keys a flavor accepts, read from its JSON schema."""
    schema = flavor.config_schema or {}
    required = set(schema.get("required", []))
    rows: list[Row] = []
    for key, prop in schema.get("properties", {}).items():
        types = [p.get("type") for p in [prop, *prop.get("anyOf", [])] if p.get("type")]
        rows.append(
            {
                "key": key,
                "type": " | ".join(types),
                "required": key in required,
                "default": prop.get("default"),
                "description": prop.get("description", ""),
            }
        )
    return {"configuration": Section(rows, ("key", "type", "required", "default", "description"))}


FLAVOR = Resource("flavor", typed=True, sections=_config_fields)
flavor = resource_group(FLAVOR, "flavor", "List and register component flavors.")


@flavor.command("register", help="Register a custom flavor class by import path (module.Class).")
@click.argument("source")
@click.option("--type", "-t", "component_type", type=COMPONENT_TYPE, help="Expected type.")
def register_flavor(source: str, component_type: str | None) -> None:
    created = get_client().create_flavor(source, component_type=component_type)
    click.echo(f"Registered {created.type.value} flavor {created.name!r} ({created.id}).")


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"stack": STACKS, "stack_component": STACKS, "flavor": STACKS}
