"""How resources look to people: table columns, related names, describe sections.

Lists print plain rows (no models). Machine formats (json, yaml, csv) ignore all
of this and carry every field of the response; tables pick columns, show related
entities by name instead of id, and add what a resource's `enrich` hook computes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from stackyard.cli.output import details, machine, public_fields, record, table

if TYPE_CHECKING:
    from stackyard.cli.resources import Resource
    from stackyard.client import Client
    from stackyard.store.base import RowPage

Row = dict[str, Any]
SHORT_ID = 8


def table_columns(res: Resource) -> tuple[str, ...]:
    """`id` (shortened) first, then what the resource's spec lists (`list_columns`): a
    field, a relation (shown by the related entity's name), `duration`, or a key an
    `enrich` hook adds. Machine formats ignore this and carry every field."""
    return ("id", *(res.spec.list_columns or (res.spec.name_field or "created",)))


class Section:
    """A titled table shown under a describe, and nested in its JSON/YAML."""

    __slots__ = ("columns", "rows")

    def __init__(self, rows: list[Row], columns: tuple[str, ...]) -> None:
        self.rows, self.columns = rows, columns


def related_names(client: Client, kind: str, ids: set[Any]) -> dict[str, str]:
    """Names of the entities with these ids (by `str(id)`), in one query; short ids
    for what has no name or may not be listed (names only decorate a table, they
    never fail it)."""
    from stackyard.exceptions import AuthorizationError
    from stackyard.models.spec import shape_for

    shape = shape_for(kind)
    names = {str(i): str(i)[:SHORT_ID] for i in ids}
    if not names or not shape.name_field:
        return names
    try:
        page = client.list_rows(kind, id=list(names), size=len(names))
    except AuthorizationError:
        return names
    names.update({str(row["id"]): str(row[shape.name_field]) for row in page.items})
    return names


def table_rows(client: Client, res: Resource, items: list[Row]) -> list[Row]:
    """Rows for people: short ids, related names, durations, and what `enrich` adds."""
    rows: list[Row] = [dict(item) for item in items]
    if not rows:
        return rows
    for row in rows:
        row["id"] = str(row["id"])[:SHORT_ID]
        if "start_time" in row and "end_time" in row:
            row["duration"] = duration(row["start_time"], row["end_time"])
    for column in table_columns(res):
        target = res.spec.relations.get(column)
        if target is None or column in rows[0]:
            continue
        ids = {r[f"{column}_id"] for r in rows if r.get(f"{column}_id")}
        names = related_names(client, target, ids)
        for row in rows:
            related_id = row.get(f"{column}_id")
            row[column] = names[str(related_id)] if related_id else None
    if res.enrich is not None:
        res.enrich(client, items, rows)
    return rows


def duration(start: datetime | None, end: datetime | None) -> timedelta | None:
    return None if start is None or end is None else end - start


def print_page(client: Client, res: Resource, page: RowPage, output: str) -> None:
    """A page of rows in the chosen format; tables say when more pages exist."""
    items = page.items
    plural = res.plural_label
    if output != "table":
        fields = public_fields(res.spec.fields)
        click.echo(machine([record(row) for row in items], output, fields))
        if page.total_pages > 1:
            click.echo(f"page {page.index} of {page.total_pages} ({page.total} {plural})", err=True)
        return
    if not items:
        click.echo(f"No {plural} found.")
        return
    click.echo(table(table_rows(client, res, items), table_columns(res)))
    if page.total_pages > 1:
        click.echo(
            f"Page {page.index} of {page.total_pages} ({page.total} {plural}); "
            "use --page to see more."
        )


def show(client: Client, res: Resource, model: Any, output: str) -> None:
    """One entity: its fields, then any sections (steps, components, ...)."""
    sections = res.sections(client, model) if res.sections else {}
    if output != "table":
        data = record(model)
        data.update({title: section.rows for title, section in sections.items()})
        click.echo(machine(data, output))
        return
    # a section shows a field better than one line does (a version's stage history)
    fields = {k: v for k, v in _named_fields(client, res, model).items() if k not in sections}
    click.echo(details(fields))
    for title, section in sections.items():
        click.echo(f"\n{title.replace('_', ' ').capitalize()}:")
        if section.rows:
            click.echo(table(section.rows, section.columns))
        else:
            click.echo("  (none)")


def _named_fields(client: Client, res: Resource, model: Any) -> Row:
    """Every field, with related ids shown as `name (id)` for people."""
    fields: Row = {name: getattr(model, name) for name in type(model).model_fields}
    for rel, target in res.spec.relations.items():
        related_id = fields.get(f"{rel}_id")
        if related_id is not None:
            name = related_names(client, target, {related_id})[str(related_id)]
            if name != str(related_id)[:SHORT_ID]:
                fields[f"{rel}_id"] = f"{name} ({related_id})"
    return fields
