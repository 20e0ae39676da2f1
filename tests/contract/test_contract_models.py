"""Models and model versions on every backend: numbering, stages, links and deletes."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from support import artifact_uri
from test_contract_crud import run_to_attach_to

from stackyard.client import Client
from stackyard.exceptions import (
    EntityExistsError,
    EntityNotFoundError,
    IllegalOperationError,
    InputError,
)


def versions(client: Client, model: str) -> list[tuple[int, str | None]]:
    found = client.list_model_versions(model=model, sort_by="number", size=100)
    return [(v.number, v.stage.value if v.stage else None) for v in found]


def test_versions_number_without_gaps_under_concurrent_creates(client: Client) -> None:
    model = client.create_model("race")

    def create(worker: int) -> list[int]:
        return [client.create_model_version(model.id).number for _ in range(5)]

    with ThreadPoolExecutor(8) as pool:
        numbers = [n for batch in pool.map(create, range(8)) for n in batch]
    assert sorted(numbers) == list(range(1, 41))
    assert [v.name for v in client.get_model("race").versions] == [str(n) for n in range(1, 41)]


def test_a_version_resolves_by_number_name_stage_latest_and_id(client: Client) -> None:
    client.create_model("iris")
    first = client.create_model_version("iris")
    named = client.create_model_version("iris", name="candidate")
    third = client.create_model_version("iris")
    client.update_model_version("iris", 1, stage="production")
    assert client.get_model_version("iris", 1).id == first.id
    assert client.get_model_version("iris", "1").id == first.id
    assert client.get_model_version("iris", "candidate").id == named.id
    assert client.get_model_version("iris", "production").id == first.id
    assert client.get_model_version("iris", "latest").id == third.id
    assert client.get_model_version("iris").id == third.id
    assert client.get_model_version("iris", named.id).id == named.id
    assert client.get_model_version(str(named.id)).id == named.id  # an id alone
    with pytest.raises(EntityNotFoundError, match=r"no version '7'.*versions 1 to 3"):
        client.get_model_version("iris", 7)
    with pytest.raises(EntityNotFoundError, match=r"stage 'staging'.*production: version 1"):
        client.get_model_version("iris", "staging")
    with pytest.raises(EntityNotFoundError, match="no-such-model"):
        client.get_model_version("no-such-model", 1)


def test_stages_are_held_by_one_version_and_promotions_are_recorded(client: Client) -> None:
    client.create_model("clf")
    one, two = client.create_model_version("clf"), client.create_model_version("clf")
    promoted = one.set_stage("production")
    assert promoted.stage is not None and promoted.stage.value == "production"
    with pytest.raises(IllegalOperationError, match="version 1 holds production.*force=True"):
        client.update_model_version("clf", 2, stage="production")
    assert versions(client, "clf") == [(1, "production"), (2, None)]  # nothing half-done

    client.update_model_version("clf", 2, stage="production", force=True)
    assert versions(client, "clf") == [(1, "archived"), (2, "production")]
    history = client.get_model_version("clf", 1).stage_history
    assert [(h.from_stage, h.to_stage) for h in history] == [
        (None, "production"),
        ("production", "archived"),
    ]
    assert history[1].displaced_by == "2" and history[1].user_id == client.active_user.id
    assert history[0].time <= history[1].time

    with pytest.raises(IllegalOperationError, match="archived; bring it back.*force=True"):
        client.update_model_version("clf", 1, stage="staging")
    client.update_model_version("clf", 1, stage="staging", force=True)
    client.update_model_version("clf", 2, stage="archived")
    client.update_model_version("clf", 1, stage="archived")
    assert versions(client, "clf") == [(1, "archived"), (2, "archived")]  # many archived
    client.update_model_version("clf", 1, stage=None)
    assert versions(client, "clf") == [(1, None), (2, "archived")]
    assert len(client.get_model_version("clf", 1).stage_history) == 5
    assert two.id == client.get_model_version("clf", "archived").id


def test_bad_stages_and_names_are_refused(client: Client) -> None:
    client.create_model("m")
    client.create_model_version("m")
    with pytest.raises(InputError, match="'latest' is not a stage to set"):
        client.update_model_version("m", 1, stage="latest")
    with pytest.raises(InputError, match="stage"):
        client.update_model_version("m", 1, stage="prod")
    with pytest.raises(InputError, match="stage name"):
        client.create_model_version("m", name="production")
    with pytest.raises(InputError, match="number other than"):
        client.create_model_version("m", name="9")
    client.create_model_version("m", name="alpha")
    with pytest.raises(EntityExistsError, match="alpha"):
        client.create_model_version("m", name="alpha")
    assert versions(client, "m") == [(1, None), (2, None)]


def test_a_version_created_for_a_run_is_linked_to_it_in_one_write(client: Client) -> None:
    model = client.create_model("linked")
    run = run_to_attach_to(client, "linked-run")
    version = client.store.create(
        "model_version", {"model_id": model.id, "pipeline_run_id": run.id}
    )
    links = client.list_model_version_pipeline_run_links(model_version_id=version.id)
    assert [(link.pipeline_run_id, link.model_id) for link in links] == [(run.id, model.id)]
    assert list(version.pipeline_runs) == ["linked-run"]
    with pytest.raises(EntityNotFoundError):  # a run that doesn't exist: no version either
        client.store.create(
            "model_version",
            {"model_id": model.id, "pipeline_run_id": "00000000-0000-4000-8000-000000000000"},
        )
    assert [v.number for v in client.get_model("linked").versions] == [1]


def artifact(client: Client, name: str) -> Any:
    return client.store.create(
        "artifact_version",
        {
            "name": name,
            "uri": artifact_uri(client.store, name),
            "data_type": "builtins.int",
            "materializer": "m",
        },
    )


def test_artifact_links_name_their_artifact_and_filter_by_kind(client: Client) -> None:
    client.create_model("kinds")
    version = client.create_model_version("kinds")
    clf, data = artifact(client, "clf"), artifact(client, "train-data")
    for av, is_model in ((clf, True), (data, False)):
        client.store.create(
            "model_version_artifact_link",
            {
                "model_version_id": version.id,
                "artifact_version_id": av.id,
                "is_model_artifact": is_model,
            },
        )
    with pytest.raises(EntityExistsError):
        client.store.create(
            "model_version_artifact_link",
            {"model_version_id": version.id, "artifact_version_id": clf.id},
        )
    models = client.list_model_version_artifact_links(
        model_version_id=version.id, is_model_artifact=True
    )
    assert [link.artifact_name for link in models] == ["clf"]
    assert client.list_model_version_artifact_links(model="kinds").total == 2
    assert version.get_artifact("clf").id == clf.id
    assert set(version.data_artifacts) == {"train-data"}
    with pytest.raises(EntityNotFoundError, match="no artifact 'nope'; linked: clf, train-data"):
        version.get_artifact("nope")


def test_version_metadata_and_tags(client: Client) -> None:
    client.create_model("meta", tags=["team-a"])
    version = client.create_model_version("meta", tags=["candidate"])
    version.log_metadata({"accuracy": 0.93, "f1": 0.9})
    fetched = client.get_model_version("meta", 1)
    assert fetched.run_metadata == {"accuracy": 0.93, "f1": 0.9}
    assert fetched.tags == ["candidate"]
    assert client.list_model_versions(tags="candidate").total == 1
    assert client.list_models(tags="team-a").total == 1
    client.update_model_version("meta", 1, add_tags=["best"], remove_tags=["candidate"])
    assert client.get_model_version("meta", 1).tags == ["best"]
    client.update_model("meta", description="iris classifier", license=None)
    assert client.get_model("meta").description == "iris classifier"


def test_a_model_with_versions_is_deleted_only_with_force(client: Client) -> None:
    client.create_model("doomed")
    version = client.create_model_version("doomed", tags=["x"])
    version.log_metadata({"k": 1})
    av = artifact(client, "doomed-artifact")
    client.store.create(
        "model_version_artifact_link",
        {"model_version_id": version.id, "artifact_version_id": av.id},
    )
    with pytest.raises(IllegalOperationError, match=r"has 1 version\(s\) \(1\).*force=True"):
        client.delete_model("doomed")
    assert client.get_model_version("doomed", 1).id == version.id
    client.delete_model("doomed", force=True)
    with pytest.raises(EntityNotFoundError):
        client.get_model("doomed")
    assert client.list_model_versions(id=version.id).total == 0
    assert client.list_model_version_artifact_links(model_version_id=version.id).total == 0
    assert client.list_run_metadata(resource_id=version.id).total == 0
    assert client.get_artifact_version(av.id).id == av.id  # the artifact stays


def test_deleting_a_version_keeps_the_run_and_the_artifact(client: Client) -> None:
    model = client.create_model("keep")
    run = run_to_attach_to(client, "keep-run")
    version = client.store.create(
        "model_version", {"model_id": model.id, "pipeline_run_id": run.id}
    )
    av = artifact(client, "keep-artifact")
    client.store.create(
        "model_version_artifact_link",
        {"model_version_id": version.id, "artifact_version_id": av.id},
    )
    client.delete_model_version("keep", 1)
    assert client.list_model_version_pipeline_run_links(pipeline_run_id=run.id).total == 0
    assert client.get_pipeline_run(run.id).id == run.id
    assert client.get_artifact_version(av.id).id == av.id
