"""Runs that create, attach to and use model versions, end to end."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from pathlib import Path

import pytest
from model_flows import (
    cached_models,
    inference,
    run_racing,
    step_level,
    training,
    without_model,
)
from serving import logged_in_server as logged_in

from stackyard import Model, pipeline
from stackyard.client import Client
from stackyard.exceptions import (
    AuthorizationError,
    EntityNotFoundError,
    IllegalOperationError,
    InputError,
    StepFailedError,
)


def test_train_twice_promote_and_serve_the_production_model() -> None:
    first, second = training(rows=3), training(rows=5)
    client = Client()
    v1, v2 = client.get_model_version("iris", 1), client.get_model_version("iris", 2)
    assert list(v1.pipeline_runs) == [first.name] and list(v2.pipeline_runs) == [second.name]
    assert v2.run_metadata == {"accuracy": 0.55}
    assert v2.tags == ["flowers"] and client.get_model("iris").license == "Apache-2.0"
    assert set(v2.model_artifacts) == {"clf"}
    assert set(v2.deployment_artifacts) == {"service"}
    assert set(v2.data_artifacts) == {"iris_data"}
    assert v2.get_artifact("clf").load() == {"weight": 10.0}
    assert v1.load_artifact("clf") == {"weight": 3.0}
    links = client.list_model_version_artifact_links(model_version_id=v2.id, is_model_artifact=True)
    assert [link.artifact_version_id for link in links] == [v2.get_artifact("clf").id]

    v2.set_stage("production")
    served = inference()
    assert served.status == "completed"
    assert served.steps["predict"].output.load() == 20.0
    # the serving run joined version 2: no new version, and its read shows in lineage
    assert [v.number for v in client.get_model("iris").versions] == [1, 2]
    assert served.name in client.get_model_version("iris", "production").pipeline_runs
    inputs = served.steps["predict"].inputs
    assert [a.id for a in inputs.values()] == [v2.get_artifact("clf").id]

    listed = subprocess.run(
        [sys.executable, "-m", "stackyard.cli", "model", "version", "list", "iris"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = [line.split() for line in listed.splitlines()[1:]]
    assert [(r[1], r[2]) for r in rows] == [("iris", "1"), ("iris", "2")]
    assert "production" in listed.splitlines()[2]


def test_a_version_that_does_not_exist_fails_before_anything_is_recorded() -> None:
    training()
    client = Client()
    runs_before = client.list_pipeline_runs().total
    for version, message in (
        (7, "model 'iris' has no version '7'.*versions 1 to 1"),
        ("staging", "no version of model 'iris' is in stage 'staging'"),
    ):
        attached = inference.with_options(model=Model(name="iris", version=version))
        with pytest.raises(EntityNotFoundError, match=message):
            attached()
    with pytest.raises(EntityNotFoundError, match="no model named 'unknown' yet"):
        inference.with_options(model=Model(name="unknown", version="production"))()
    assert client.list_pipeline_runs().total == runs_before
    assert [v.number for v in client.get_model("iris").versions] == [1]


def test_a_new_version_name_creates_it_and_then_reuses_it() -> None:
    named = training.with_options(model=Model(name="iris", version="experiment-a"))
    first = named()
    second = named()
    version = Client().get_model_version("iris", "experiment-a")
    assert version.number == 1
    assert set(version.pipeline_runs) == {first.name, second.name}


def test_cached_outputs_and_step_models_are_linked() -> None:
    cached_models()
    second = cached_models()
    assert second.status == "cached"
    client = Client()
    v2 = client.get_model_version("cached", 2)
    assert (
        v2.get_artifact("cached_clf").id
        == client.get_model_version("cached", 1).get_artifact("cached_clf").id
    )
    assert set(v2.model_artifacts) == {"cached_clf"}

    run = step_level()
    version = client.get_model_version("step-model")
    assert run.steps["uses_step_model"].output.load() == 7 + version.number
    assert set(version.data_artifacts) == {"scored"}  # only the step with the model
    assert list(version.pipeline_runs) == [run.name]


def test_the_model_in_a_step_without_one_is_a_clear_error() -> None:
    with pytest.raises(StepFailedError, match="has no model: give it or its pipeline model="):
        without_model()


def test_models_are_checked_when_declared() -> None:
    with pytest.raises(InputError, match="needs a name"):
        Model(name="")
    with pytest.raises(InputError, match="must be 1 or more"):
        Model(name="m", version=0)
    with pytest.raises(InputError, match="must be None"):
        Model(name="m", version=True)
    with pytest.raises(InputError, match="must be a stackyard Model"):
        pipeline(model="iris")(lambda: None)  # type: ignore[arg-type]


def test_eight_concurrent_runs_get_versions_one_to_eight() -> None:
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(8) as pool:
        barrier = spawn.Manager().Barrier(8)
        run_ids = pool.map(run_racing, [barrier] * 8, chunksize=1)
    client = Client()
    versions = client.get_model("race").versions
    assert [v.number for v in versions] == list(range(1, 9))
    linked = {
        str(link.pipeline_run_id)
        for link in client.list_model_version_pipeline_run_links(model="race", size=100)
    }
    assert linked == set(run_ids)
    assert all(len(v.pipeline_runs) == 1 for v in versions)


def test_someone_elses_model_is_refused_before_the_run_is_recorded() -> None:
    training()
    client = Client()
    client.create_user("bob", password="a-good-password")
    store = client.store
    store.actor = store.find("user", "bob")  # type: ignore[attr-defined]
    try:
        runs_before = client.list_pipeline_runs().total
        with pytest.raises(AuthorizationError, match="may not add runs or artifacts to model"):
            training()
        with pytest.raises(AuthorizationError, match="version 1 of model 'iris'"):
            inference.with_options(model=Model(name="iris", version=1))()
        assert client.list_pipeline_runs().total == runs_before
    finally:
        store.actor = None  # type: ignore[attr-defined]


def test_runs_with_models_over_a_server(migrated_db: Path) -> None:
    """The same links, numbering and stage rules through the REST API (a real server)."""
    with logged_in(migrated_db):
        training(), training()
        client = Client()
        assert client.store.info()["type"] == "rest"
        client.update_model_version("iris", 2, stage="production")
        served = inference()
        assert served.steps["predict"].output.load() == 12.0
        version = client.get_model_version("iris", "production")
        assert set(version.model_artifacts) == {"clf"}
        assert [h.to_stage for h in version.stage_history] == ["production"]
        assert set(version.pipeline_runs) >= {served.name}
        with pytest.raises(IllegalOperationError, match="has 2 version"):
            client.delete_model("iris")
        client.delete_model("iris", force=True)
        assert client.list_model_versions().total == 0
