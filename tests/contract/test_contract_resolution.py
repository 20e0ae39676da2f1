"""get_<x>: full id, exact name, unique name prefix, unique id prefix, in that order."""

from __future__ import annotations

import pytest

from stackyard.client import Client
from stackyard.exceptions import AmbiguousMatchError, EntityNotFoundError


@pytest.fixture
def pipelines(client: Client) -> list:
    return [
        client.store.create("pipeline", {"name": n}) for n in ("training", "training_v2", "scoring")
    ]


def test_by_id_string_uuid_name_and_prefix(client: Client, pipelines: list) -> None:
    training = pipelines[0]
    assert client.get_pipeline(training.id).name == "training"
    assert client.get_pipeline(str(training.id)).name == "training"
    assert client.get_pipeline("training").name == "training"  # exact beats prefix
    assert client.get_pipeline("training_").name == "training_v2"
    assert client.get_pipeline("sco").name == "scoring"
    assert client.get_pipeline(str(pipelines[2].id)[:6]).name == "scoring"


def test_ambiguous_prefix_lists_candidates(client: Client, pipelines: list) -> None:
    with pytest.raises(AmbiguousMatchError) as info:
        client.get_pipeline("train")
    message = str(info.value)
    assert "training" in message and "training_v2" in message
    assert str(pipelines[0].id) in message
    assert isinstance(info.value, ValueError)


def test_not_found_is_a_key_error_naming_the_value(client: Client, pipelines: list) -> None:
    with pytest.raises(KeyError) as info:
        client.get_pipeline("nothing-like-this")
    assert isinstance(info.value, EntityNotFoundError)
    assert "nothing-like-this" in str(info.value) and "existing: " in str(info.value)
    with pytest.raises(EntityNotFoundError, match="no pipeline with id"):
        client.get_pipeline("00000000-0000-4000-8000-000000000000")


def test_component_names_are_unique_per_type(client: Client) -> None:
    with pytest.raises(AmbiguousMatchError, match="default"):
        client.get_stack_component("default")
    assert client.get_stack_component("default", "orchestrator").flavor == "local"
    client.create_stack_component("shared", "local", "orchestrator")
    client.create_stack_component("shared", "local", "artifact_store", {"path": "/tmp/s"})
    assert client.get_stack_component("shared", "artifact_store").configuration == {
        "path": "/tmp/s"
    }
