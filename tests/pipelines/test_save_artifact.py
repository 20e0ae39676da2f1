"""save_artifact / load_artifact outside and inside steps, and version numbering races."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest
from parallel_steps import save_versions, wait_at

from stackyard import load_artifact, pipeline, save_artifact, step
from stackyard.client import Client
from stackyard.exceptions import EntityNotFoundError
from stackyard.models.artifacts import ArtifactVersionResponse


def test_save_and_load_outside_steps() -> None:
    first = save_artifact({"rows": 10}, "dataset", tags=["raw"], metadata={"source": "test"})
    second = save_artifact(np.ones(3), "dataset")
    assert (first.version, second.version) == ("1", "2")
    assert first.tags == ["raw"]
    assert first.run_metadata == {"length": 1, "source": "test"}
    assert first.producer_step_run_id is None
    assert first.uri.startswith(Client().active_stack.artifact_store.path)
    np.testing.assert_array_equal(load_artifact("dataset"), np.ones(3))
    assert load_artifact("dataset", version=1) == {"rows": 10}
    assert load_artifact(first.id) == {"rows": 10}
    with pytest.raises(EntityNotFoundError, match="no version 7; latest is 2"):
        load_artifact("dataset", version=7)


@step(enable_cache=False)
def snapshot_inside() -> int:
    save_artifact([1, 2], "side_output")
    return len(load_artifact("side_output"))


@pipeline
def saving():
    snapshot_inside()


def test_inside_a_step_the_step_is_the_producer() -> None:
    run = saving()
    version = Client().get_artifact_version("side_output")
    assert version.producer_step_run_id == run.steps["snapshot_inside"].id
    assert run.steps["snapshot_inside"].output.load() == 2


@step(enable_cache=False)
def double(values: list[int]) -> list[int]:
    return values * 2


@pipeline
def from_saved(values: ArtifactVersionResponse):
    double(values)


def test_a_saved_artifact_version_can_be_a_step_input() -> None:
    version = save_artifact([1, 2], "prepared")
    run = from_saved(version)
    assert run.steps["double"].inputs["values"].id == version.id
    assert run.steps["double"].output.load() == [1, 2, 1, 2]
    assert run.snapshot.pipeline_spec["steps"]["double"]["external_inputs"] == {
        "values": str(version.id)
    }


@step(enable_cache=False)
def reads_on_its_own(values: list[int]) -> int:
    reference = load_artifact("reference")
    again = load_artifact("reference")  # twice: still one input
    older = load_artifact("values", version=1)  # a name its own input has
    return sum(values) + sum(reference) + sum(again) + sum(older)


@pipeline
def reading(values: ArtifactVersionResponse):
    reads_on_its_own(values)


def test_load_artifact_inside_a_step_records_an_input() -> None:
    reference = save_artifact([100], "reference")
    first = save_artifact([1], "values")
    second = save_artifact([2], "values")
    run = reading(second)
    step_run = run.steps["reads_on_its_own"]
    assert step_run.output.load() == 2 + 200 + 1
    assert step_run.input_ids == {
        "values": second.id,
        "reference": reference.id,
        "values_v1": first.id,
    }
    produced_from = {v.id for v in Client().list_artifact_versions(pipeline_run_id=run.id)}
    assert reference.id in produced_from  # the run's lineage holds what the step read


def test_concurrent_saves_from_four_processes_number_without_gaps() -> None:
    spawn = multiprocessing.get_context("spawn")
    with spawn.Pool(4, initializer=wait_at, initargs=(spawn.Barrier(4),)) as pool:
        results = pool.starmap(save_versions, [("shared", 10)] * 4, chunksize=1)
    numbers = sorted(int(v) for batch in results for v in batch)
    assert numbers == list(range(1, 41))
    stored = Client().list_artifact_versions(artifact="shared", size=100)
    assert sorted(int(v.version) for v in stored) == list(range(1, 41))
    assert len({v.uri for v in stored}) == 40
