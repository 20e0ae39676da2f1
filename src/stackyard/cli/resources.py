"""One generic list / describe / delete for every resource, derived from its spec.

`stackyard <resource> list` gets a `--<field>` option for each filter the
resource's `ResourceSpec` declares (a value may carry an operator prefix such as
`contains:` or `gte:`), plus `--sort-by`, `--page`, `--size` and `--output`.
Resource modules add their own verbs (register, update, ...) to the group built
here and plug in what really differs: extra table columns (`enrich`) and extra
describe sections (`sections`); how results look is in `stackyard.cli.views`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from stackyard.cli.views import Row, Section, print_page, show

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.spec import Shape
    from stackyard.store.base import RowPage

# (client, the page's rows, the table rows to add columns to)
Enrich = Callable[["Client", list[Row], list[Row]], None]
Sections = Callable[["Client", Any], dict[str, Section]]
LIST_EPILOG = (
    "A filter value may carry an operator: equals:, notequals:, contains:, startswith:, "
    'endswith:, gt:, gte:, lt:, lte:, oneof:["a","b"]. Repeat a filter to match any of '
    "several values."
)


class Resource:
    """A resource as one CLI group sees it.

    `scope` holds filters the group implies (the component type of
    `stackyard orchestrator ...`) and `get_scope` the matching keyword for the
    Client's get/delete methods; `typed` says names are unique only per component
    type, so get/delete may need `--type`; `renames` maps a filter to its option
    name. Lists read plain rows through the resource's `Shape`, never importing
    pydantic or the models. (A plain class, not a dataclass: command modules load
    on every run.)
    """

    def __init__(
        self,
        kind: str,
        *,
        scope: dict[str, str] | None = None,
        get_scope: dict[str, str] | None = None,
        renames: dict[str, str] | None = None,
        typed: bool = False,
        enrich: Enrich | None = None,
        sections: Sections | None = None,
    ) -> None:
        self.kind = kind
        self.scope = scope or {}
        self.get_scope = get_scope or {}
        self.renames = renames or {}
        self.typed = typed
        self.enrich = enrich
        self.sections = sections

    @cached_property
    def spec(self) -> Shape:
        from stackyard.models.spec import shape_for

        return shape_for(self.kind)

    @property
    def label(self) -> str:
        return self.kind.replace("_", " ")

    @property
    def plural_label(self) -> str:
        """Plural for messages, with what the group implies: "orchestrator stack components"."""
        implied = " ".join(str(v).replace("_", " ") for v in self.scope.values())
        return f"{implied} {self.spec.plural.replace('_', ' ')}".strip()

    @property
    def needs_type_option(self) -> bool:
        return self.typed and not self.get_scope

    def get(self, client: Client, ref: str | UUID, component_type: str | None = None) -> Any:
        scope = {"component_type": component_type} if component_type else self.get_scope
        return getattr(client, f"get_{self.kind}")(ref, **scope)

    def delete(self, client: Client, entity_id: UUID) -> None:
        getattr(client, f"delete_{self.kind}")(entity_id)

    def list(self, client: Client, **query: Any) -> RowPage:
        return client.list_rows(self.kind, **{**query, **self.scope})

    def display(self, model: Any) -> str:
        name = getattr(model, self.spec.name_field or "", None)
        return f"{name!r} ({model.id})" if name else str(model.id)


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


def _sort_choices(spec: Shape) -> list[str]:
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


def _filter_help(spec: Shape, name: str) -> tuple[str, bool]:
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
            return [str(row[field_name]) for row in page.items]
        except Exception:
            return []

    return complete


def name_argument(res: Resource, name: str = "name_id_or_prefix") -> Callable[[Any], Any]:
    return click.argument(name, metavar=name.upper(), shell_complete=complete_names(res))


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
