"""`list_rows` (what the CLI prints) says exactly what `list` says, on every backend.

The SQL store builds rows without pydantic; these tests keep them field for field
equal to the response models, after both are turned into output records.
"""

from __future__ import annotations

import pytest
from support import artifact_uri
from test_contract_crud import FACTORIES, make_run, make_snapshot

from stackyard.cli.output import record
from stackyard.client import Client
from stackyard.models.spec import resource_names, shape_for
from stackyard.store.base import RowPage


def fill(client: Client) -> None:
    """At least one entity of every resource, with tags, metadata and links."""
    for kind, (create, _, _) in FACTORIES.items():
        create(client, f"{kind}-rows")
    run = make_run(client, "tagged-run", tags=["nightly", "prod"])
    client.log_metadata({"accuracy": 0.93, "nested": {"a": [1, 2]}}, run_id=run.id)
    data = client.store.create(
        "artifact_version",
        {
            "name": "data",
            "uri": artifact_uri(client.store, "1"),
            "data_type": "builtins.list",
            "materializer": "m",
        },
    )
    step = client.store.create(
        "run_step", {"name": "train", "pipeline_run_id": run.id, "inputs": {"data": data.id}}
    )
    client.store.create(
        "artifact_version",
        {
            "name": "model",
            "uri": artifact_uri(client.store, "2"),
            "data_type": "builtins.dict",
            "materializer": "m",
            "producer_step_run_id": step.id,
            "tags": ["best"],
        },
    )
    client.store.create(
        "build",
        {"checksum": "abc", "python_version": "3.11", "stack_id": client.active_stack_id},
    )
    make_snapshot(client)
    account = client.create_user("ci-bot", is_service_account=True)
    client.store.create("api_key", {"name": "ci", "service_account_id": account.id})


def test_rows_match_models_for_every_resource(client: Client) -> None:
    fill(client)
    for kind in resource_names():
        models = client.store.list(kind, size=200)
        rows = client.list_rows(kind, size=200)
        assert isinstance(rows, RowPage)
        assert (rows.total, rows.total_pages, rows.index) == (
            models.total,
            models.total_pages,
            models.index,
        )
        assert rows.total > 0, f"no {kind} to compare"
        assert [record(r) for r in rows.items] == [record(m) for m in models.items], kind
        assert all(list(r) == list(shape_for(kind).fields) for r in rows.items), kind


def test_rows_take_the_same_filters_sorting_and_errors(client: Client) -> None:
    fill(client)
    query = {"sort_by": "desc:name", "size": 2, "page": 1, "tags": "prod"}
    assert [r["name"] for r in client.list_rows("pipeline_run", **query).items] == [
        m.name for m in client.list_pipeline_runs(**query)
    ]
    by_pipeline = client.list_rows("pipeline_run", pipeline="p", sort_by="name")
    assert [r["name"] for r in by_pipeline.items] == ["pipeline_run-rows", "tagged-run"]
    with pytest.raises(Exception, match="unknown filter 'colour' for pipelines") as model_error:
        client.list_pipelines(colour="red")
    with pytest.raises(type(model_error.value), match="unknown filter 'colour' for pipelines"):
        client.list_rows("pipeline", colour="red")


def test_active_stack_id_follows_activation(client: Client) -> None:
    assert client.active_stack_id == client.get_stack("default").id
    other = client.create_stack("other", {"orchestrator": "default", "artifact_store": "default"})
    client.activate_stack("other")
    assert client.active_stack_id == other.id == client.active_stack_model.id
