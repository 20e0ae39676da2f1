"""`stackyard stack ...`: compose stacks from components and pick the active one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from stackyard.cli.base import get_client, given
from stackyard.cli.resources import Resource, name_argument, resource_group
from stackyard.cli.views import Row, Section, related_names

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.stacks import StackResponse


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
