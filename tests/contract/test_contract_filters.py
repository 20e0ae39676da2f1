"""Every filter operator on each column kind, relations by name, and bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import artifact_uri

from stackyard.client import Client
from stackyard.exceptions import EntityNotFoundError, InputError
from stackyard.models.binding import utcnow


@pytest.fixture
def runs(client: Client) -> list:
    pipeline = client.store.create("pipeline", {"name": "train_pipeline"})
    other = client.store.create("pipeline", {"name": "etl"})
    base = utcnow() - timedelta(days=10)
    made = []
    for i, (name, status) in enumerate(
        [
            ("train-a", "completed"),
            ("train-b", "failed"),
            ("TRAIN-c", "completed"),
            ("etl-a", "running"),
        ]
    ):
        made.append(
            client.store.create(
                "pipeline_run",
                {
                    "name": name,
                    "status": status,
                    "pipeline_id": (other if name.startswith("etl") else pipeline).id,
                    "stack_id": client.active_stack_model.id,
                    "start_time": base + timedelta(days=i),
                },
            )
        )
    return made


def names(page: object) -> set[str]:
    return {r.name for r in page}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("train-a", {"train-a"}),
        ("equals:train-a", {"train-a"}),
        ("notequals:train-a", {"train-b", "TRAIN-c", "etl-a"}),
        ("contains:rain", {"train-a", "train-b", "TRAIN-c"}),
        ("contains:RAIN", {"train-a", "train-b", "TRAIN-c"}),
        ("startswith:train", {"train-a", "train-b", "TRAIN-c"}),
        ("endswith:-a", {"train-a", "etl-a"}),
        ('oneof:["train-a","etl-a"]', {"train-a", "etl-a"}),
        (["train-b", "nope"], {"train-b"}),
        ("gt:train-a", {"train-b"}),
        ("lte:etl-a", {"TRAIN-c", "etl-a"}),  # byte order everywhere
        ("contains:%", set()),
        ("contains:_", set()),
    ],
)
def test_string_operators(client: Client, runs: list, value: object, expected: set) -> None:
    assert names(client.list_pipeline_runs(name=value)) == expected


def test_datetime_operators(client: Client, runs: list) -> None:
    third = runs[2].start_time
    assert names(client.list_pipeline_runs(start_time=f"gte:{third.isoformat()}")) == {
        "TRAIN-c",
        "etl-a",
    }
    assert names(client.list_pipeline_runs(start_time=f"lt:{third.isoformat()}")) == {
        "train-a",
        "train-b",
    }
    day = (third - timedelta(days=1)).date().isoformat()
    assert names(client.list_pipeline_runs(start_time=f"gt:{day}")) >= {"TRAIN-c", "etl-a"}
    assert client.list_pipeline_runs(created="gte:2000-01-01").total == 4
    assert (
        client.list_pipeline_runs(created=f"lt:{(utcnow() - timedelta(days=1)).isoformat()}").total
        == 0
    )


def test_uuid_bool_int_float_operators(client: Client, runs: list) -> None:
    assert names(client.list_pipeline_runs(id=runs[0].id)) == {"train-a"}
    assert names(client.list_pipeline_runs(id=f"notequals:{runs[0].id}")) == {
        "train-b",
        "TRAIN-c",
        "etl-a",
    }
    assert names(client.list_pipeline_runs(id=[runs[1].id, runs[2].id])) == {"train-b", "TRAIN-c"}
    assert names(client.list_pipeline_runs(id=f"startswith:{str(runs[3].id)[:8]}")) == {"etl-a"}
    client.create_user("admin2", is_admin=True)
    assert {u.name for u in client.list_users(is_admin=True)} == {"default", "admin2"}
    assert {u.name for u in client.list_users(is_admin="false")} == set()
    for _ in range(3):
        client.store.create(
            "artifact_version",
            {
                "name": "n",
                "uri": artifact_uri(client.store, "u"),
                "data_type": "d",
                "materializer": "m",
            },
        )
    assert [v.version for v in client.list_artifact_versions(number="gte:2")] == ["2", "3"]
    client.store.create("schedule", {"name": "fast", "interval_second": 5})
    client.store.create("schedule", {"name": "slow", "interval_second": 3600})
    assert [s.name for s in client.list_schedules(interval_second="lt:10")] == ["fast"]


def test_status_and_logical_or(client: Client, runs: list) -> None:
    assert names(client.list_pipeline_runs(status="completed")) == {"train-a", "TRAIN-c"}
    assert names(
        client.list_pipeline_runs(status="failed", name="etl-a", logical_operator="or")
    ) == {"train-b", "etl-a"}
    assert names(client.list_pipeline_runs(status="failed", name="etl-a")) == set()


def test_relations_by_id_name_and_prefix(client: Client, runs: list) -> None:
    stack = client.active_stack_model
    assert client.list_pipeline_runs(stack_id=stack.id).total == 4
    assert client.list_pipeline_runs(stack="default").total == 4
    assert client.list_pipeline_runs(user="default").total == 4
    assert client.list_pipeline_runs(user_id=client.active_user.id).total == 4
    assert names(client.list_pipeline_runs(pipeline="etl")) == {"etl-a"}
    assert names(client.list_pipeline_runs(pipeline="train_pip")) == {
        "train-a",
        "train-b",
        "TRAIN-c",
    }
    assert names(client.list_pipeline_runs(pipeline_name="contains:ET")) == {"etl-a"}
    with pytest.raises(EntityNotFoundError, match="no-such-stack"):
        client.list_pipeline_runs(stack="no-such-stack")


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"colour": "red"}, "unknown filter 'colour'.*valid filters: id, created"),
        ({"stack_id": "not-a-uuid"}, "invalid value 'not-a-uuid' for filter 'stack_id'"),
        ({"start_time": "gte:yesterday"}, "invalid value 'yesterday' for filter 'start_time'"),
        ({"name": "oneof:train"}, "oneof filter on 'name' needs a JSON list"),
        ({"status": "gt:x", "id": "contains:1"}, "operator 'contains' does not apply to filter"),
    ],
)
def test_bad_filters_are_clear_value_errors(client: Client, filters: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        client.list_pipeline_runs(**filters)
    assert isinstance(info.value, InputError)


def test_secrets_never_carry_values_in_lists(client: Client) -> None:
    client.create_secret("db", {"password": "hunter22"})
    listed = client.list_secrets()
    assert listed[0].secret_values is None and listed[0].keys == ["password"]
    assert "hunter22" not in listed.model_dump_json()
    assert client.get_secret("db").secret_values == {"password": "hunter22"}
