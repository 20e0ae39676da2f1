"""Refused operations leave everything as it was, with a clear reason."""

from __future__ import annotations

import pytest

from stackyard.client import Client
from stackyard.exceptions import (
    EntityNotFoundError,
    IllegalOperationError,
    InputError,
)


def test_component_in_a_stack_cannot_be_deleted(client: Client) -> None:
    client.create_stack_component("store2", "local", "artifact_store", {"path": "/tmp/s2"})
    client.create_stack("s2", {"orchestrator": "default", "artifact_store": "store2"})
    with pytest.raises(IllegalOperationError, match="used by stack.*s2"):
        client.delete_stack_component("store2", "artifact_store")
    assert client.get_stack_component("store2", "artifact_store")
    client.delete_stack("s2")
    client.delete_stack_component("store2", "artifact_store")


def test_active_stack_cannot_be_deleted(client: Client) -> None:
    with pytest.raises(IllegalOperationError, match="active stack"):
        client.delete_stack("default")
    assert client.get_stack("default")


def test_stack_needs_valid_components(client: Client) -> None:
    with pytest.raises(EntityNotFoundError, match="'missing'"):
        client.create_stack("s", {"orchestrator": "missing", "artifact_store": "default"})
    with pytest.raises(InputError, match="missing artifact_store"):
        client.create_stack("s", {"orchestrator": "default"})
    with pytest.raises(InputError, match="unknown component type 'bogus'"):
        client.create_stack("s", {"orchestrator": "default", "bogus": "default"})
    assert client.list_stacks(name="s").total == 0


def test_component_configuration_is_checked_against_its_flavor(client: Client) -> None:
    with pytest.raises(InputError, match="unknown configuration key.*'pth'.*accepted: path"):
        client.create_stack_component("a", "local", "artifact_store", {"pth": "/x"})
    with pytest.raises(InputError, match="missing configuration key.*path"):
        client.create_stack_component("a", "local", "artifact_store", {})
    with pytest.raises(InputError, match="max_workers.*must be integer"):
        client.create_stack_component(
            "p", "local_parallel", "orchestrator", {"max_workers": "many"}
        )
    with pytest.raises(EntityNotFoundError, match="no orchestrator flavor named 'kubeflow'"):
        client.create_stack_component("k", "kubeflow", "orchestrator")
    component = client.create_stack_component(
        "p", "local_parallel", "orchestrator", {"max_workers": 4}
    )
    with pytest.raises(InputError):
        client.update_stack_component(component.id, configuration={"max_workers": "x"})
    assert client.get_stack_component("p").configuration == {"max_workers": 4}
    assert client.list_stack_components(name="a").total == 0


def test_builtin_flavor_cannot_be_deleted(client: Client) -> None:
    with pytest.raises(IllegalOperationError, match="built in"):
        client.delete_flavor("local", "orchestrator")


def test_user_with_resources_cannot_be_deleted(client: Client) -> None:
    with pytest.raises(IllegalOperationError, match="cannot delete themselves"):
        client.delete_user("default")
    client.create_user("idle", password="password123")
    client.delete_user("idle")
    with pytest.raises(EntityNotFoundError):
        client.get_user("idle")


def test_password_rules(client: Client) -> None:
    with pytest.raises(InputError, match="at least 8"):
        client.create_user("weak", password="short")
    assert client.list_users(name="weak").total == 0


def test_service_connector_validation_and_masking(client: Client) -> None:
    with pytest.raises(InputError, match="unknown connector type 'ftp'; choose one of: aws"):
        client.create_service_connector("c", "ftp", "password", {})
    with pytest.raises(InputError, match="missing aws_secret_access_key"):
        client.create_service_connector("c", "aws", "secret-key", {"aws_access_key_id": "A"})
    with pytest.raises(InputError, match="no resource type 'gcs-bucket'"):
        client.create_service_connector(
            "c",
            "aws",
            "secret-key",
            {"aws_access_key_id": "A", "aws_secret_access_key": "S"},
            resource_type="gcs-bucket",
        )
    connector = client.create_service_connector(
        "c",
        "aws",
        "secret-key",
        {"aws_access_key_id": "A", "aws_secret_access_key": "S3CR3T"},
        resource_type="s3-bucket",
        resource_id="s3://bucket",
    )
    assert connector.configuration["aws_secret_access_key"] == "********"
    assert connector.resource_types == ["s3-bucket"]
    assert "S3CR3T" not in client.list_service_connectors().model_dump_json()
    updated = client.update_service_connector(
        "c", configuration={**connector.configuration, "region": "eu-west-1"}
    )
    assert updated.configuration["region"] == "eu-west-1"


def test_schedule_validation(client: Client) -> None:
    with pytest.raises(InputError, match="invalid cron expression 'every minute'"):
        client.store.create("schedule", {"name": "s", "cron_expression": "every minute"})
    with pytest.raises(InputError, match="exactly one of cron_expression"):
        client.store.create("schedule", {"name": "s"})
    schedule = client.store.create("schedule", {"name": "s", "cron_expression": "0 * * * *"})
    assert schedule.next_run_time is not None and schedule.next_run_time.minute == 0
    updated = client.update_schedule("s", active=False, cron_expression="*/5 * * * *")
    assert not updated.active and updated.next_run_time.minute % 5 == 0


def test_run_template_needs_recoverable_code(client: Client) -> None:
    pipeline = client.store.create("pipeline", {"name": "p"})
    snapshot = client.store.create(
        "snapshot", {"pipeline_id": pipeline.id, "stack_id": client.active_stack_model.id}
    )
    template = client.create_run_template("t", snapshot_id=snapshot.id)
    assert not template.runnable and "cannot be fetched" in template.not_runnable_reason
    with pytest.raises(InputError, match="exactly one of snapshot_id or pipeline_run_id"):
        client.create_run_template("t2")
