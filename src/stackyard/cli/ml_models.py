"""`stackyard model ...` and `stackyard model version ...`: the model control plane."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from stackyard.cli.base import confirm, get_client, output_option, yes_option
from stackyard.cli.resources import Resource, list_command, name_argument, resource_group
from stackyard.cli.sections import PIPELINES
from stackyard.cli.views import Section, show
from stackyard.models.enums import ModelStage

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.ml_models import ModelResponse, ModelVersionResponse

VERSION_COLUMNS = ("number", "name", "stage", "tags", "created", "id")


def _versions_section(client: Client, model: ModelResponse) -> dict[str, Section]:
    rows = [{c: getattr(v, c) for c in VERSION_COLUMNS} for v in model.versions]
    return {"versions": Section(rows, VERSION_COLUMNS)}


def _links_sections(client: Client, version: ModelVersionResponse) -> dict[str, Section]:
    from stackyard.client import depaginate

    artifacts = [
        {
            "artifact": link.artifact_name,
            "kind": "model"
            if link.is_model_artifact
            else "deployment"
            if link.is_deployment_artifact
            else "data",
            "artifact_version_id": link.artifact_version_id,
        }
        for link in depaginate(
            client.list_model_version_artifact_links, model_version_id=version.id
        )
    ]
    runs = [
        {"pipeline_run_id": link.pipeline_run_id, "linked": link.created}
        for link in depaginate(
            client.list_model_version_pipeline_run_links, model_version_id=version.id
        )
    ]
    history = [
        {
            "from": change.from_stage,
            "to": change.to_stage,
            "time": change.time,
            "user_id": change.user_id,
            "displaced_by": change.displaced_by,
        }
        for change in version.stage_history
    ]
    return {
        "artifacts": Section(artifacts, ("artifact", "kind", "artifact_version_id")),
        "pipeline_runs": Section(runs, ("pipeline_run_id", "linked")),
        "stage_history": Section(history, ("from", "to", "time", "user_id", "displaced_by")),
    }


MODEL = Resource("model", sections=_versions_section)
VERSION = Resource("model_version", sections=_links_sections)

model = resource_group(
    MODEL, "model", "Register models; inspect and promote their versions.", ("list", "describe")
)


@model.command(help="Register a model (runs with Model(name=...) register theirs themselves).")
@click.argument("name")
@click.option("--description", "-d", help="What the model does.")
@click.option("--license", help="Its license, e.g. Apache-2.0.")
@click.option("--audience", help="Who it is for.")
@click.option("--use-cases", help="What it should be used for.")
@click.option("--limitations", help="What it should not be used for.")
@click.option("--trade-offs", help="Known trade-offs.")
@click.option("--ethics", help="Ethical considerations.")
@click.option("--tag", "-t", "tags", multiple=True, help="A tag (repeatable).")
def register(name: str, tags: tuple[str, ...], **fields: Any) -> None:
    created = get_client().create_model(name, tags=list(tags), **fields)
    click.echo(f"Registered model {created.name!r} ({created.id}).")


@model.command(help="Delete a model; --force also deletes its versions and their links.")
@name_argument(MODEL)
@click.option("--force", is_flag=True, help="Delete the model's versions too.")
@yes_option
def delete(name_id_or_prefix: str, force: bool, yes: bool) -> None:
    client = get_client()
    found = client.get_model(name_id_or_prefix)
    what = f"model {found.name!r} ({found.id})" + (" and all its versions" if force else "")
    confirm(f"Delete {what}?", yes)
    client.delete_model(found.id, force=force)
    click.echo(f"Deleted {what}.")


@model.group(help="List, inspect, promote and delete model versions.")
def version() -> None:
    pass


version.add_command(
    list_command(VERSION, argument="model", help="List model versions (of MODEL, if given).")
)


def _version_arguments(func: Any) -> Any:
    func = click.argument("version", required=False)(func)
    return click.argument("model_name")(func)


@version.command(help="Show a version: by number, name, stage (production, latest...) or id.")
@_version_arguments
@output_option(formats=("table", "json", "yaml"))
def describe(model_name: str, version: str | None, output: str) -> None:
    client = get_client()
    show(client, VERSION, client.get_model_version(model_name, version), output)


@version.command(help="Rename, describe, tag or move a version to a stage.")
@_version_arguments
@click.option(
    "--stage",
    type=click.Choice([*(s.value for s in ModelStage), "none"]),
    help="The stage to move it to (none: out of its stage).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Move the stage's current holder to archived, or bring back an archived version.",
)
@click.option("--name", "new_name", help="A new name.")
@click.option("--description", "-d", help="A new description.")
@click.option("--add-tag", "add_tags", multiple=True, help="A tag to add (repeatable).")
@click.option("--remove-tag", "remove_tags", multiple=True, help="A tag to remove (repeatable).")
def update(
    model_name: str,
    version: str | None,
    stage: str | None,
    force: bool,
    new_name: str | None,
    description: str | None,
    add_tags: tuple[str, ...],
    remove_tags: tuple[str, ...],
) -> None:
    from stackyard.client import UNSET

    updated = get_client().update_model_version(
        model_name,
        version,
        stage=UNSET if stage is None else (None if stage == "none" else stage),
        force=force,
        name=UNSET if new_name is None else new_name,
        description=UNSET if description is None else description,
        add_tags=list(add_tags) or UNSET,
        remove_tags=list(remove_tags) or UNSET,
    )
    stage_text = updated.stage.value if updated.stage else "no stage"
    click.echo(f"Version {updated.name} of model {model_name!r} is now in {stage_text}.")


@version.command("delete", help="Delete a version and its links (runs and artifacts stay).")
@_version_arguments
@yes_option
def delete_version(model_name: str, version: str | None, yes: bool) -> None:
    client = get_client()
    found = client.get_model_version(model_name, version)
    confirm(f"Delete version {found.name} of model {model_name!r}?", yes)
    client.delete_model_version(found.id)
    click.echo(f"Deleted version {found.name} of model {model_name!r}.")


# the commands this module adds to `stackyard` (module attribute -> help section)
TOP_LEVEL = {"model": PIPELINES}
