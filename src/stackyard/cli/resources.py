"""One generic list / describe / delete for every resource, derived from its spec.

`stackyard <resource> list` gets a `--<field>` option for each filter the
resource's `ResourceSpec` declares (a value may carry an operator prefix such as
`contains:` or `gte:`), plus `--sort-by`, `--page`, `--size` and `--output`.
Resource modules add their own verbs (register, update, ...) to the group built
here and plug in what really differs: extra table columns (`enrich`) and extra
describe sections (`sections`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

from stackyard.cli.base import (
    COMPONENT_TYPE,
    confirm,
    get_client,
    output_option,
    output_param,
    yes_option,
)
from stackyard.cli.output import details, machine, record, table

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.spec import ResourceSpec

Row = dict[str, Any]
Enrich = Callable[["Client", list[Any], list[Row]], None]
Sections = Callable[["Client", Any], dict[str, "Section"]]

# Table columns per resource; `id` (shortened) always comes first. A column is a
# field, a relation (shown by the related entity's name), `duration`, or a key an
# `enrich` hook adds. Machine formats ignore this and carry every field.
COLUMNS: dict[str, tuple[str, ...]] = {
    "stack": ("name", "active", "components", "user", "created"),
    "stack_component": ("name", "type", "flavor", "user", "created"),
    "flavor": ("name", "type", "integration", "is_custom", "source"),
    "service_connector": ("name", "connector_type", "auth_method", "resource_types", "expires_at"),
    "pipeline": ("name", "description", "user", "created"),
    "pipeline_run": ("name", "status", "pipeline", "stack", "start_time", "duration", "user"),
    "run_step": ("name", "status", "start_time", "duration", "attempts", "cache_key"),
    "artifact": ("name", "tags", "user", "created"),
    "artifact_version": ("name", "version", "type", "data_type", "uri", "created"),
    "run_template": ("name", "pipeline", "stack", "runnable", "created"),
    "schedule": (
        "name",
        "pipeline",
        "cron_expression",
        "interval_second",
        "active",
        "next_run_time",
    ),
    "build": ("pipeline", "stack", "python_version", "is_local", "contains_code", "created"),
    "code_repository": ("name", "source", "description", "user", "created"),
    "user": ("name", "full_name", "email", "is_admin", "active", "created"),
    "secret": ("name", "private", "keys", "user", "created"),
}
LIST_EPILOG = (
    "A filter value may carry an operator: equals:, notequals:, contains:, startswith:, "
    'endswith:, gt:, gte:, lt:, lte:, oneof:["a","b"]. Repeat a filter to match any of '
    "several values."
)
SHORT_ID = 8


@dataclass(frozen=True)
class Section:
    """A titled table shown under a describe, and nested in its JSON/YAML."""

    rows: list[Row]
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    """A resource as one CLI group sees it.

    `scope` holds filters the group implies (the component type of
    `stackyard orchestrator ...`) and `get_scope` the matching keyword for the
    Client's get/delete methods.
    """

    kind: str
    scope: dict[str, str] = field(default_factory=dict)
    get_scope: dict[str, str] = field(default_factory=dict)
    renames: dict[str, str] = field(default_factory=dict)
    typed: bool = False  # get/delete take a component type (names are unique per type)
    enrich: Enrich | None = None
    sections: Sections | None = None

    @cached_property
    def spec(self) -> ResourceSpec:
        from stackyard.models.spec import spec_for

        return spec_for(self.kind)

    @property
    def label(self) -> str:
        return self.kind.replace("_", " ")

    @property
    def plural_label(self) -> str:
        """ "stacks", or "orchestrator stack components" for a scoped group."""
        implied = " ".join(str(v).replace("_", " ") for v in self.scope.values())
        return f"{implied} {self.spec.plural.replace('_', ' ')}".strip()

    @property
    def columns(self) -> tuple[str, ...]:
        return ("id", *COLUMNS.get(self.kind, (self.spec.name_field or "created",)))

    @property
    def needs_type_option(self) -> bool:
        return self.typed and not self.get_scope

    def get(self, client: Client, ref: str | UUID, component_type: str | None = None) -> Any:
        scope = {"component_type": component_type} if component_type else self.get_scope
        return getattr(client, f"get_{self.kind}")(ref, **scope)

    def delete(self, client: Client, entity_id: UUID) -> None:
        getattr(client, f"delete_{self.kind}")(entity_id)

    def list(self, client: Client, **query: Any) -> Any:
        return getattr(client, f"list_{self.spec.plural}")(**query, **self.scope)

    def display(self, model: Any) -> str:
        name = getattr(model, self.spec.name_field or "", None)
        return f"{name!r} ({model.id})" if name else str(model.id)


# -- table rows ---------------------------------------------------------------------------
def related_names(client: Client, kind: str, ids: set[UUID]) -> dict[UUID, str]:
    """Names of the entities with these ids, in one query."""
    from stackyard.models.spec import spec_for

    spec = spec_for(kind)
    if not ids or not spec.name_field:
        return {i: str(i)[:SHORT_ID] for i in ids}
    page = getattr(client, f"list_{spec.plural}")(id=[str(i) for i in ids], size=len(ids))
    return {item.id: str(getattr(item, spec.name_field)) for item in page}


def table_rows(client: Client, res: Resource, models: list[Any]) -> list[Row]:
    """Rows for people: short ids, related names, durations, and what `enrich` adds."""
    rows: list[Row] = [
        {name: getattr(m, name, None) for name in type(m).model_fields} for m in models
    ]
    if not rows:
        return rows
    for row in rows:
        row["id"] = str(row["id"])[:SHORT_ID]
        if "start_time" in row and "end_time" in row:
            row["duration"] = duration(row["start_time"], row["end_time"])
    for column in res.columns:
        target = res.spec.relations.get(column)
        if target is None or column in rows[0]:
            continue
        ids = {r[f"{column}_id"] for r in rows if r.get(f"{column}_id")}
        names = related_names(client, target, ids)
        for row in rows:
            row[column] = names.get(row.get(f"{column}_id"))  # type: ignore[arg-type]
    if res.enrich is not None:
        res.enrich(client, models, rows)
    return rows


def duration(start: datetime | None, end: datetime | None) -> timedelta | None:
    return None if start is None or end is None else end - start


# -- list ---------------------------------------------------------------------------------
def filter_values(values: Sequence[str]) -> str | list[str] | None:
    """Option values to a filter: one value as is, several as a oneof list."""
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)


class FilterCommand(click.Command):
    """A list command that answers an unknown option with the filters it does accept."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            valid = sorted(
                opt
                for p in self.params
                if isinstance(p, click.Option)
                for opt in p.opts
                if opt.startswith("--") and opt != "--help"
            )
            raise click.UsageError(
                f"{exc.format_message()}\nValid options: {', '.join(valid)}", ctx
            ) from None


def _sort_choices(spec: ResourceSpec) -> list[str]:
    return [f"{d}{f}" for f in spec.sort_fields for d in ("", "asc:", "desc:")]


def _check_sort(res: Resource) -> Callable[[click.Context, click.Parameter, str | None], Any]:
    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is None:
            return None
        direction, _, name = value.rpartition(":")
        if direction not in ("", "asc", "desc") or name not in res.spec.sort_fields:
            raise click.BadParameter(
                f"{value!r}: use FIELD, asc:FIELD or desc:FIELD with FIELD one of "
                + ", ".join(res.spec.sort_fields)
            )
        return value

    return check


KIND_HINTS = {
    "uuid": "an id",
    "str": "text",
    "text": "text",
    "int": "a number",
    "float": "a number",
    "bool": "true or false",
    "datetime": "a date/time, e.g. gte:2026-01-01",
}


def _filter_help(spec: ResourceSpec, name: str) -> tuple[str, bool]:
    """Help text for a filter option, and whether to hide it from --help."""
    if name in spec.relations:
        return "Name, id or prefix.", False
    if name.endswith("_id") and name[:-3] in spec.relations:
        return "", True  # `--<rel>` takes ids too
    if name.endswith("_name") and name[:-5] in spec.relations:
        return f"The {name[:-5].replace('_', ' ')}'s name.", False
    column = spec.columns.get(name)
    kind = column.kind if column else ("uuid" if name.endswith("_id") else "")
    return KIND_HINTS.get(kind, "a value").capitalize() + ".", False


def list_command(
    res: Resource, name: str = "list", argument: str | None = None, help: str | None = None
) -> click.Command:
    """`list` with one option per filter of the spec; `argument` makes one positional."""
    spec = res.spec
    params: list[click.Parameter] = []
    if argument is not None:
        params.append(click.Argument([argument], required=False))
    for field_name in spec.filter_fields:
        if field_name in res.scope or field_name == argument:
            continue
        text, hidden = _filter_help(spec, field_name)
        option = res.renames.get(field_name, field_name).replace("_", "-")
        params.append(
            click.Option(
                [f"--{option}", field_name],
                multiple=True,
                help=text,
                hidden=hidden,
                metavar="VALUE",
            )
        )
    params += [
        click.Option(
            ["--sort-by"],
            callback=_check_sort(res),
            help=f"FIELD, asc:FIELD or desc:FIELD (default {spec.default_sort}).",
            shell_complete=lambda ctx, param, incomplete: [
                c for c in _sort_choices(spec) if c.startswith(incomplete)
            ],
        ),
        click.Option(["--page"], type=click.IntRange(min=1), default=1, show_default=True),
        click.Option(["--size"], type=click.IntRange(1, 10_000), default=50, show_default=True),
        click.Option(
            ["--logical-operator"],
            type=click.Choice(["and", "or"]),
            default="and",
            help="Join the filters with AND or OR.",
        ),
    ]

    params.append(output_param())

    def run(
        output: str, sort_by: str | None, page: int, size: int, logical_operator: str, **raw: Any
    ) -> None:
        filters: dict[str, Any] = {}
        for key, value in raw.items():
            values = (value,) if key == argument else value
            joined = filter_values([v for v in values if v is not None])
            if joined is not None:
                filters[key] = joined
        client = get_client()
        result = res.list(
            client,
            sort_by=sort_by,
            page=page,
            size=size,
            logical_operator=logical_operator,
            **filters,
        )
        print_page(client, res, result, output)

    return FilterCommand(
        name,
        params=params,
        callback=run,
        help=help or f"List {res.plural_label}, filtered, sorted and paged.",
        epilog=LIST_EPILOG,
    )


def print_page(client: Client, res: Resource, page: Any, output: str) -> None:
    """A page of models in the chosen format; tables say when more pages exist."""
    models = list(page.items)
    plural = res.plural_label
    if output != "table":
        click.echo(machine([record(m) for m in models], output))
        if page.total_pages > 1:
            click.echo(f"page {page.index} of {page.total_pages} ({page.total} {plural})", err=True)
        return
    if not models:
        click.echo(f"No {plural} found.")
        return
    click.echo(table(table_rows(client, res, models), res.columns))
    if page.total_pages > 1:
        click.echo(
            f"Page {page.index} of {page.total_pages} ({page.total} {plural}); "
            "use --page to see more."
        )


# -- describe and delete ------------------------------------------------------------------
def complete_names(res: Resource) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """Shell completion of names from the store; silent if the store can't answer."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        field_name = res.spec.name_field
        if not field_name:
            return []
        try:
            from stackyard.client import Client

            query = {field_name: f"startswith:{incomplete}"} if incomplete else {}
            page = res.list(Client(), size=50, **query)
            return [str(getattr(m, field_name)) for m in page]
        except Exception:
            return []

    return complete


def name_argument(res: Resource, name: str = "name_id_or_prefix") -> Callable[[Any], Any]:
    return click.argument(name, metavar=name.upper(), shell_complete=complete_names(res))


def show(client: Client, res: Resource, model: Any, output: str) -> None:
    """One entity: its fields, then any sections (steps, components, ...)."""
    sections = res.sections(client, model) if res.sections else {}
    if output != "table":
        data = record(model)
        data.update({title: section.rows for title, section in sections.items()})
        click.echo(machine(data, output))
        return
    click.echo(details({name: getattr(model, name) for name in type(model).model_fields}))
    for title, section in sections.items():
        click.echo(f"\n{title.replace('_', ' ').capitalize()}:")
        if section.rows:
            click.echo(table(section.rows, section.columns))
        else:
            click.echo("  (none)")


def _with_type_option(res: Resource, command: click.Command) -> click.Command:
    """Add `--type` where names are unique only per component type."""
    if res.needs_type_option:
        command.params.insert(
            1,
            click.Option(
                ["--type", "component_type"],
                type=COMPONENT_TYPE,
                help="The component type, when several types share the name.",
            ),
        )
    return command


def describe_command(res: Resource) -> click.Command:
    @click.command("describe", help=f"Show one {res.label} by name, id or prefix.")
    @name_argument(res)
    @output_option(formats=("table", "json", "yaml"))
    def describe(name_id_or_prefix: str, output: str, component_type: str | None = None) -> None:
        client = get_client()
        show(client, res, res.get(client, name_id_or_prefix, component_type), output)

    return _with_type_option(res, describe)


def delete_command(res: Resource) -> click.Command:
    @click.command("delete", help=f"Delete a {res.label} (asks first unless --yes).")
    @name_argument(res)
    @yes_option
    def delete(name_id_or_prefix: str, yes: bool, component_type: str | None = None) -> None:
        client = get_client()
        model = res.get(client, name_id_or_prefix, component_type)
        confirm(f"Delete {res.label} {res.display(model)}?", yes)
        res.delete(client, model.id)
        click.echo(f"Deleted {res.label} {res.display(model)}.")

    return _with_type_option(res, delete)


GENERIC: dict[str, Callable[[Resource], click.Command]] = {
    "list": list_command,
    "describe": describe_command,
    "delete": delete_command,
}


def resource_group(
    res: Resource, name: str, help: str, verbs: Sequence[str] = ("list", "describe", "delete")
) -> click.Group:
    """A group holding the generic `verbs`; callers add their own commands to it."""
    group = click.Group(name, help=help)
    for verb in verbs:
        group.add_command(GENERIC[verb](res))
    return group
