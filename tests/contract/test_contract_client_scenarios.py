"""What users coming from ZenML expect of the Client, on every backend."""

from __future__ import annotations

from typing import Any

import pytest
from support import artifact_uri
from test_contract_crud import FACTORIES, make_run

from stackyard.client import Client
from stackyard.exceptions import (
    AmbiguousMatchError,
    EntityNotFoundError,
    InputError,
)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"sort_by": 1}, "sort_by must be a string"),
        ({"sort_by": ["name"]}, "sort_by must be a string"),
        ({"size": 2.5}, "size must be a whole number, got 2.5"),
        ({"page": 1.7}, "page must be a whole number, got 1.7"),
        ({"page": True}, "page must be a whole number, got True"),
        ({"size": "many"}, "size must be a whole number, got 'many'"),
    ],
)
def test_page_size_and_sort_types_are_input_errors(
    client: Client, query: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        client.list_pipeline_runs(**query)
    with pytest.raises(InputError, match=message):
        client.list_rows("stack", **query)


def test_get_run_metadata_by_id(client: Client) -> None:
    run = make_run(client)
    client.log_metadata({"accuracy": 0.9}, run_id=run.id)
    listed = client.list_run_metadata(resource_id=str(run.id))
    assert listed.total == 1
    found = client.get_run_metadata(listed[0].id)
    assert (found.key, found.value, found.resource_id) == ("accuracy", 0.9, run.id)
    assert client.get_run_metadata(str(listed[0].id)[:8]).id == listed[0].id
    with pytest.raises(EntityNotFoundError):
        client.get_run_metadata("00000000-0000-0000-0000-000000000000")


def test_log_metadata_targets_by_name_id_or_prefix(client: Client) -> None:
    run = make_run(client, "nightly-run-2026_01_01")
    step = client.store.create("run_step", {"name": "train", "pipeline_run_id": run.id})
    version = client.store.create(
        "artifact_version",
        {
            "name": "model",
            "uri": artifact_uri(client.store, "m"),
            "data_type": "builtins.int",
            "materializer": "m",
        },
    )
    client.log_metadata({"by_name": 1}, run_id="nightly-run-2026_01_01")
    client.log_metadata({"by_prefix": 2}, run_id="nightly-run")
    client.log_metadata({"by_step_prefix": 3}, step_id=str(step.id)[:8])
    client.log_metadata({"by_version_id": 4}, artifact_version_id=str(version.id))
    latest = client.store.create(
        "artifact_version",
        {
            "name": "model",
            "uri": artifact_uri(client.store, "m2"),
            "data_type": "builtins.int",
            "materializer": "m",
        },
    )
    client.log_metadata({"by_artifact_name": 5}, artifact_version_id="model")  # the latest
    assert client.get_pipeline_run(run.id).run_metadata == {"by_name": 1, "by_prefix": 2}
    assert client.get_run_step(step.id).run_metadata == {"by_step_prefix": 3}
    assert client.get_artifact_version(version.id).run_metadata == {"by_version_id": 4}
    assert client.get_artifact_version(latest.id).run_metadata == {"by_artifact_name": 5}
    with pytest.raises(
        EntityNotFoundError,
        match="no artifact matches 'modl' by id, name or prefix; existing: model; no artifact "
        "version matches 'modl' by id or prefix either",
    ):
        client.log_metadata({"x": 1}, artifact_version_id="modl")
    with pytest.raises(EntityNotFoundError, match="no pipeline run matches 'no-such-run'"):
        client.log_metadata({"x": 1}, run_id="no-such-run")
    make_run(client, "nightly-run-2026_01_02")
    with pytest.raises(AmbiguousMatchError, match="'nightly-run' matches several"):
        client.log_metadata({"x": 1}, run_id="nightly-run")


def test_step_output_with_several_outputs_names_them(client: Client) -> None:
    run = make_run(client)
    step = client.store.create("run_step", {"name": "split", "pipeline_run_id": run.id})
    versions = {
        name: client.store.create(
            "artifact_version",
            {
                "name": name,
                "uri": artifact_uri(client.store, name),
                "data_type": "builtins.int",
                "materializer": "m",
            },
        ).id
        for name in ("train", "test")
    }
    step = client.store.update("run_step", step.id, {"outputs": versions})
    with pytest.raises(InputError, match=r"step 'split' has 2 outputs \(test, train\)"):
        _ = step.output


def test_service_accounts_and_api_keys(client: Client) -> None:
    robot = client.create_service_account("robot", description="nightly jobs")
    assert robot.is_service_account and robot.full_name == "nightly jobs"
    client.create_user("person", password="long enough 1")
    assert [u.name for u in client.list_service_accounts()] == ["robot"]
    assert client.get_service_account("rob").id == robot.id
    with pytest.raises(EntityNotFoundError, match="no service account matches 'person'"):
        client.get_service_account("person")

    key = client.create_api_key("robot", "ci", description="for CI")
    assert key.key and key.service_account_id == robot.id and key.active
    assert client.get_api_key("robot", "ci").key is None  # shown once
    assert [k.name for k in client.list_api_keys("robot")] == ["ci"]

    rotated = client.rotate_api_key("robot", "ci")
    assert rotated.key and rotated.key != key.key and rotated.id == key.id
    assert client.get_api_key("robot", key.id).key is None

    assert not client.deactivate_api_key("robot", "ci").active
    updated = client.update_api_key("robot", "ci", name="ci-2", description="renamed")
    assert (updated.name, updated.description) == ("ci-2", "renamed")
    client.delete_api_key("robot", "ci-2")
    assert client.list_api_keys("robot").total == 0
    with pytest.raises(EntityNotFoundError):
        client.get_api_key("robot", "ci-2")

    assert client.update_service_account("robot", active=False).active is False
    client.delete_service_account("robot")
    assert client.list_service_accounts().total == 0


ONE_ARGUMENT = {"api_key", "service_account", "settings"}  # take more (or no) arguments


@pytest.mark.parametrize(
    "kind",
    sorted(k for k in FACTORIES if k not in ONE_ARGUMENT and hasattr(Client, f"get_{k}")),
)
def test_the_clients_get_and_delete_of_every_resource(client: Client, kind: str) -> None:
    """The typed Client's own `get_<x>` / `delete_<x>` reach every resource they name."""
    created = FACTORIES[kind][0](client, f"{kind}-client")
    assert getattr(client, f"get_{kind}")(created.id).id == created.id
    delete = getattr(client, f"delete_{kind}", None)
    if delete is None:
        return
    delete(created.id)
    with pytest.raises(EntityNotFoundError):
        client.store.get(kind, created.id)


def test_the_clients_updates_change_what_they_name(client: Client) -> None:
    version = FACTORIES["artifact_version"][0](client, "ranked")
    assert client.update_artifact("ranked", new_name="ranked-2", add_tags=["a"]).name == "ranked-2"
    assert client.update_artifact_version("ranked-2", add_tags=["gold"]).tags == ["gold"]
    assert client.get_artifact_version(version.id).tags == ["gold"]
    template = FACTORIES["run_template"][0](client, "tpl")
    assert client.update_run_template(template.id, description="nightly").description == "nightly"
    FACTORIES["code_repository"][0](client, "repo")
    assert client.update_code_repository("repo", description="ml").description == "ml"
    pipeline = FACTORIES["pipeline"][0](client, "pipe")
    assert client.update_pipeline(pipeline.id, description="etl").description == "etl"
    client.create_tag("blue")
    assert client.update_tag("blue", color="purple").color == "purple"
    component = client.get_stack_component("default", component_type="artifact_store")
    assert component.flavor_model.name == "local"
