"""Create, get, list, update and delete for every resource, on every backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import artifact_uri

from stackyard.client import Client
from stackyard.exceptions import EntityExistsError, EntityNotFoundError
from stackyard.models.binding import utcnow
from stackyard.models.spec import discover, spec_for


def pipeline_named(client: Client, name: str) -> Any:
    found = client.list_pipelines(name=name).items
    return found[0] if found else client.store.create("pipeline", {"name": name})


def make_run(client: Client, name: str = "p-run-1", **extra: Any) -> Any:
    pipeline = pipeline_named(client, "p")
    return client.store.create(
        "pipeline_run",
        {
            "name": name,
            "pipeline_id": pipeline.id,
            "stack_id": client.active_stack_model.id,
            "start_time": utcnow(),
            **extra,
        },
    )


def make_snapshot(client: Client) -> Any:
    pipeline = pipeline_named(client, "snap-p")
    return client.store.create(
        "snapshot",
        {
            "pipeline_id": pipeline.id,
            "stack_id": client.active_stack_model.id,
            "code_path": artifact_uri(client.store, "code", "0" * 64 + ".tar.gz"),
        },
    )


def run_to_attach_to(client: Client, name: str) -> Any:
    """A run of its own pipeline, for the factories of what belongs to a run."""
    pipeline = pipeline_named(client, "attached-to")
    return client.store.create(
        "pipeline_run", {"name": name, "pipeline_id": pipeline.id, "start_time": utcnow()}
    )


def service_account(client: Client, name: str) -> Any:
    found = client.list_users(name=f"equals:{name}").items
    return found[0] if found else client.create_user(name, is_service_account=True)


def model_version(client: Client, name: str) -> Any:
    """A new version of model `name` (registered on first use)."""
    found = client.list_models(name=f"equals:{name}").items
    model = found[0] if found else client.create_model(name)
    return client.create_model_version(model.id)


def version_and_output(client: Client, name: str) -> tuple[Any, Any]:
    """A model version and an artifact version to link to it."""
    version = model_version(client, f"{name}-model")
    artifact = client.store.create(
        "artifact_version",
        {
            "name": name,
            "uri": artifact_uri(client.store, name),
            "data_type": "builtins.int",
            "materializer": "m",
        },
    )
    return version, artifact


# kind → (create one named `name`, field to update, new value); every registered
# resource has one (test_every_resource_has_a_factory), None where it has no update
FACTORIES: dict[str, tuple[Callable[[Client, str], Any], str | None, Any]] = {
    "stack": (
        lambda c, n: c.create_stack(n, {"orchestrator": "default", "artifact_store": "default"}),
        "description",
        "changed",
    ),
    "stack_component": (
        lambda c, n: c.create_stack_component(n, "local", "artifact_store", {"path": "/tmp/x"}),
        "configuration",
        {"path": "/tmp/y"},
    ),
    "user": (lambda c, n: c.create_user(n, password="password123"), "full_name", "Ann Example"),
    "secret": (lambda c, n: c.create_secret(n, {"k": "v"}), "private", True),
    "service_connector": (
        lambda c, n: c.create_service_connector(
            n, "docker", "password", {"username": "u", "password": "p"}
        ),
        "description",
        "d",
    ),
    "code_repository": (
        lambda c, n: c.create_code_repository(n, {"owner": "acme", "repository": "ml"}, "github"),
        "description",
        "d",
    ),
    "pipeline": (lambda c, n: c.store.create("pipeline", {"name": n}), "description", "d"),
    "pipeline_run": (lambda c, n: make_run(c, n), "status", "failed"),
    "run_template": (
        lambda c, n: c.create_run_template(n, snapshot_id=make_snapshot(c).id),
        "description",
        "d",
    ),
    "schedule": (
        lambda c, n: c.store.create("schedule", {"name": n, "cron_expression": "*/5 * * * *"}),
        "active",
        False,
    ),
    "tag": (lambda c, n: c.create_tag(n), "color", "red"),
    "artifact": (
        lambda c, n: (
            c.store.create(
                "artifact_version",
                {
                    "name": n,
                    "uri": artifact_uri(c.store, "a"),
                    "data_type": "builtins.int",
                    "materializer": "m",
                },
            ).artifact
        ),
        "name",
        "renamed",
    ),
    "artifact_version": (
        lambda c, n: c.store.create(
            "artifact_version",
            {
                "name": n,
                "uri": artifact_uri(c.store, n),
                "data_type": "builtins.int",
                "materializer": "m",
            },
        ),
        None,
        None,
    ),
    "flavor": (
        lambda c, n: c.store.create(
            "flavor",
            {"name": n, "type": "orchestrator", "source": "custom_flavors.Custom"},
        ),
        "config_schema",
        {"type": "object"},
    ),
    "api_key": (
        lambda c, n: c.store.create(
            "api_key", {"name": n, "service_account_id": service_account(c, "robot").id}
        ),
        "description",
        "d",
    ),
    "snapshot": (lambda c, n: make_snapshot(c), None, None),
    "model": (lambda c, n: c.create_model(n, license="MIT"), "description", "d"),
    "model_version": (lambda c, n: model_version(c, n), "description", "d"),
    "model_version_artifact_link": (
        lambda c, n: c.store.create(
            "model_version_artifact_link",
            dict(
                zip(
                    ("model_version_id", "artifact_version_id"),
                    (e.id for e in version_and_output(c, n)),
                    strict=True,
                ),
                is_model_artifact=True,
            ),
        ),
        None,
        None,
    ),
    "model_version_pipeline_run_link": (
        lambda c, n: c.store.create(
            "model_version_pipeline_run_link",
            {
                "model_version_id": model_version(c, f"{n}-model").id,
                "pipeline_run_id": run_to_attach_to(c, f"{n}-run").id,
            },
        ),
        None,
        None,
    ),
    "run_step": (
        lambda c, n: c.store.create(
            "run_step", {"name": n, "pipeline_run_id": run_to_attach_to(c, f"{n}-run").id}
        ),
        "status",
        "completed",
    ),
    "build": (
        lambda c, n: c.store.create("build", {"checksum": n, "python_version": "3.11"}),
        None,
        None,
    ),
    "run_metadata": (
        lambda c, n: c.store.create(
            "run_metadata",
            {
                "resource_type": "pipeline_run",
                "resource_id": run_to_attach_to(c, f"{n}-run").id,
                "values": {n: 1},
            },
        ),
        None,
        None,
    ),
}
NAMED = {kind for kind in FACTORIES if spec_for(kind).name_field == "name"}


def test_every_resource_has_a_factory() -> None:
    """A resource left out of FACTORIES would escape this whole suite (registered ones,
    found in the models themselves: a resource not yet in the manifest counts too)."""
    assert sorted(FACTORIES) == sorted(spec.name for spec in discover())


@pytest.mark.parametrize("kind", sorted(FACTORIES))
def test_crud_round_trip(client: Client, kind: str) -> None:
    create, field, new_value = FACTORIES[kind]
    created = create(client, f"{kind}-one")
    assert created.created.tzinfo is not None and created.updated >= created.created

    fetched = client.store.get(kind, created.id)
    assert fetched.id == created.id
    key = {"name": f"{kind}-one"} if kind in NAMED else {"id": str(created.id)}
    assert client.store.find(kind, next(iter(key.values()))).id == created.id
    listed = client.store.list(kind, **key)
    assert [e.id for e in listed] == [created.id]

    if field is not None:
        updated = client.store.update(kind, created.id, {field: new_value})
        assert getattr(updated, field) == new_value
        assert updated.updated >= created.updated

    client.store.delete(kind, created.id)
    with pytest.raises(EntityNotFoundError):
        client.store.get(kind, created.id)
    assert client.store.list(kind, **key).total == 0


@pytest.mark.parametrize(
    "kind", sorted(k for k in NAMED if k not in ("artifact", "artifact_version", "api_key"))
)
def test_duplicate_name_is_refused(client: Client, kind: str) -> None:
    create = FACTORIES[kind][0]
    create(client, "dupe")
    with pytest.raises(EntityExistsError, match="dupe"):
        create(client, "dupe")


def test_fresh_store_holds_default_user_and_stack(client: Client) -> None:
    assert [u.name for u in client.list_users()] == ["default"]
    stack = client.get_stack("default")
    components = stack.components
    assert {t.value for t in components} == {"orchestrator", "artifact_store"}
    assert all(group[0].name == "default" for group in components.values())
    flavors = {(f.name, f.type.value) for f in client.list_flavors()}
    assert {
        ("local", "orchestrator"),
        ("local", "artifact_store"),
        ("local_parallel", "orchestrator"),
    } <= flavors


def test_builds_and_snapshots_resolve_by_id_prefix(client: Client) -> None:
    build = client.store.create(
        "build",
        {"checksum": "abc", "python_version": "3.11", "stack_id": client.active_stack_model.id},
    )
    assert client.get_build(str(build.id)[:8]).id == build.id
    assert client.list_builds(checksum="abc").total == 1
    client.delete_build(build.id)
    assert client.list_builds().total == 0
    snapshot = make_snapshot(client)
    assert client.get_snapshot(str(snapshot.id)).pipeline_id == snapshot.pipeline_id


def test_step_runs_link_artifacts_both_ways(client: Client) -> None:
    run = make_run(client)
    v1 = client.store.create(
        "artifact_version",
        {
            "name": "data",
            "uri": artifact_uri(client.store, "1"),
            "data_type": "builtins.list",
            "materializer": "m",
        },
    )
    step = client.store.create(
        "run_step", {"name": "train", "pipeline_run_id": run.id, "inputs": {"data": v1.id}}
    )
    v2 = client.store.create(
        "artifact_version",
        {
            "name": "model",
            "uri": artifact_uri(client.store, "2"),
            "data_type": "builtins.dict",
            "materializer": "m",
            "producer_step_run_id": step.id,
        },
    )
    step = client.store.update(
        "run_step", step.id, {"status": "completed", "outputs": {"model": v2.id}}
    )
    assert step.input_ids == {"data": v1.id} and step.output_ids == {"model": v2.id}
    assert step.output.id == v2.id and step.inputs["data"].id == v1.id
    assert {v.id for v in client.list_artifact_versions(pipeline_run_id=run.id)} == {v1.id, v2.id}
    assert v2.producer_step_run.id == step.id
    assert list(client.get_pipeline_run(run.id).steps) == ["train"]


def test_artifact_versions_number_per_name(client: Client) -> None:
    for _ in range(3):
        client.store.create(
            "artifact_version",
            {
                "name": "a",
                "uri": artifact_uri(client.store, "a"),
                "data_type": "builtins.int",
                "materializer": "m",
            },
        )
    client.store.create(
        "artifact_version",
        {
            "name": "b",
            "uri": artifact_uri(client.store, "b"),
            "data_type": "builtins.int",
            "materializer": "m",
        },
    )
    assert [v.version for v in client.get_artifact("a").versions] == ["1", "2", "3"]
    assert client.get_artifact_version("a").version == "3"
    assert client.get_artifact_version("a", version=2).version == "2"
    assert client.get_artifact_version("b").version == "1"
    with pytest.raises(EntityNotFoundError, match="no version '7'"):
        client.get_artifact_version("a", version="7")


def test_metadata_and_tags_attach_to_runs(client: Client) -> None:
    run = make_run(client, tags=["nightly"])
    client.log_metadata({"accuracy": 0.93, "epochs": 3}, run_id=run.id)
    run = client.update_pipeline_run(run.id, add_tags=["prod"], remove_tags=["nightly"])
    assert run.run_metadata == {"accuracy": 0.93, "epochs": 3}
    assert run.tags == ["prod"]
    assert client.list_pipeline_runs(tags="prod").total == 1
    assert client.list_pipeline_runs(tags="nightly").total == 0


def test_concurrent_versions_of_one_artifact_number_without_gaps(client: Client) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def save(worker: int) -> list[str]:
        return [
            client.store.create(
                "artifact_version",
                {
                    "name": "shared",
                    "uri": artifact_uri(client.store, str(worker), str(i)),
                    "data_type": "builtins.int",
                    "materializer": "m",
                },
            ).version
            for i in range(8)
        ]

    with ThreadPoolExecutor(6) as pool:
        versions = [v for batch in pool.map(save, range(6)) for v in batch]
    assert sorted(versions, key=int) == [str(n) for n in range(1, 49)]
    assert [v.version for v in client.get_artifact("shared").versions] == [
        str(n) for n in range(1, 49)
    ]
