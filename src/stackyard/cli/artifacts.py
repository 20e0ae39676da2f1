"""Artifacts, their versions, and pruning the versions no run produced or used."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import click

from stackyard.cli.base import confirm, get_client, yes_option
from stackyard.cli.output import table
from stackyard.cli.resources import Resource, list_command, resource_group
from stackyard.cli.sections import PIPELINES
from stackyard.cli.views import Section

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.artifacts import ArtifactResponse, ArtifactVersionResponse

VERSION_COLUMNS = ("version", "type", "data_type", "uri", "created", "id")


def _versions_section(client: Client, artifact: ArtifactResponse) -> dict[str, Section]:
    rows = [{c: getattr(v, c) for c in VERSION_COLUMNS} for v in artifact.versions]
    return {"versions": Section(rows, VERSION_COLUMNS)}


ARTIFACT = Resource("artifact", sections=_versions_section)
VERSION = Resource("artifact_version")

artifact = resource_group(ARTIFACT, "artifact", "Inspect and prune artifacts.")
artifact.add_command(
    list_command(
        VERSION,
        name="versions",
        argument="artifact",
        help="List artifact versions (of ARTIFACT, if given).",
    )
)


def unused_versions(client: Client) -> list[ArtifactVersionResponse]:
    """Versions that no existing step run produced or took as input: the caller's own
    (every user's, for an admin)."""
    from stackyard.client import depaginate

    mine = {} if client.active_user.is_admin else {"user_id": client.active_user.id}
    used: set[UUID] = set()
    step_ids: set[UUID] = set()
    for step in depaginate(client.list_run_steps):
        step_ids.add(step.id)
        used.update(step.input_ids.values(), step.output_ids.values())
    return [
        v
        for v in depaginate(client.list_artifact_versions, **mine)
        if v.id not in used and v.producer_step_run_id not in step_ids
    ]


def _remove_data(uris: dict[str, str]) -> tuple[int, list[str]]:
    """Delete stored files (uri → root of the artifact store holding it), never outside
    that store; failures are reported, not fatal (the records are gone)."""
    from stackyard.artifacts.fs import exists, remove
    from stackyard.utils.uris import is_inside

    removed, failures = 0, []
    for uri, root in sorted(uris.items()):
        if not is_inside(uri, root):
            failures.append(f"{uri}: not inside its artifact store {root}, left alone")
            continue
        try:
            if exists(uri):
                remove(uri)
                removed += 1
        except OSError as exc:
            failures.append(f"{uri}: {exc}")
    return removed, failures


@artifact.command(help="Delete artifact versions that no pipeline run produced or used.")
@click.option("--only-metadata", is_flag=True, help="Keep the stored data, delete only records.")
@yes_option
def prune(only_metadata: bool, yes: bool) -> None:
    from stackyard.client import depaginate

    client = get_client()
    doomed = unused_versions(client)
    if not doomed:
        click.echo("No unused artifact versions.")
        return
    click.echo(table([_summary(v) for v in doomed], ("name", "version", "data_type", "uri")))
    confirm(f"Delete these {len(doomed)} artifact versions?", yes)
    artifact_ids = {v.artifact_id for v in doomed}
    # stored data is removed only for the caller's own versions
    roots = _roots([v for v in doomed if v.user_id == client.active_user.id])
    for version in doomed:
        client.delete_artifact_version(version.id)
    emptied = 0
    for artifact_id in artifact_ids:
        if not client.list_artifact_versions(artifact_id=artifact_id, size=1).total:
            client.delete_artifact(artifact_id)
            emptied += 1
    message = f"Deleted {len(doomed)} artifact versions and {emptied} emptied artifacts."
    if not only_metadata:
        kept = {v.uri for v in depaginate(client.list_artifact_versions)}
        removed, failures = _remove_data({u: r for u, r in roots.items() if u not in kept})
        message += f" Removed {removed} stored files."
        for failure in failures:
            click.echo(f"Warning: could not remove {failure}", err=True)
    click.echo(message)


def _roots(versions: list[ArtifactVersionResponse]) -> dict[str, str]:
    """uri → the root of the artifact store holding it (unknown stores: nothing)."""
    from stackyard.exceptions import StackyardError

    roots = {}
    for version in versions:
        try:
            roots[version.uri] = version.artifact_store_root
        except StackyardError:
            roots[version.uri] = ""  # inside no store: `_remove_data` leaves it alone
    return roots


def _summary(version: ArtifactVersionResponse) -> dict[str, Any]:
    return {c: getattr(version, c) for c in ("name", "version", "data_type", "uri")}


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"artifact": PIPELINES}
