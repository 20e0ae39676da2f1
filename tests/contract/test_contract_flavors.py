"""Custom flavors: registered by import path, their schema enforced on components."""

from __future__ import annotations

import pytest

from stackyard.client import Client
from stackyard.exceptions import EntityExistsError, IllegalOperationError, InputError


def test_register_custom_flavor_and_use_its_schema(client: Client) -> None:
    flavor = client.create_flavor("custom_flavors.ClusterOrchestratorFlavor")
    assert (flavor.name, flavor.type.value, flavor.is_custom) == (
        "my_cluster",
        "orchestrator",
        True,
    )
    assert flavor.config_schema["required"] == ["endpoint"]
    assert client.list_flavors(is_custom=True).total == 1
    assert client.get_flavor("my_cluster").source == "custom_flavors.ClusterOrchestratorFlavor"

    component = client.create_stack_component(
        "c", "my_cluster", "orchestrator", {"endpoint": "http://cluster:8265"}
    )
    assert component.configuration == {"endpoint": "http://cluster:8265"}
    with pytest.raises(InputError, match="workers.*must be integer"):
        client.create_stack_component(
            "c2", "my_cluster", "orchestrator", {"endpoint": "x", "workers": "four"}
        )
    with pytest.raises(IllegalOperationError, match="used by component"):
        client.delete_flavor("my_cluster")
    client.delete_stack_component("c", "orchestrator")
    client.delete_flavor("my_cluster")
    assert client.list_flavors(is_custom=True).total == 0


def test_bad_flavor_sources_are_refused(client: Client) -> None:
    with pytest.raises(InputError, match="cannot import flavor 'custom_flavors.Missing'"):
        client.create_flavor("custom_flavors.Missing")
    with pytest.raises(InputError, match="is not a flavor class"):
        client.create_flavor("custom_flavors.NotAFlavor")
    with pytest.raises(InputError, match="makes orchestrator components, not artifact_store"):
        client.create_flavor("custom_flavors.ClusterOrchestratorFlavor", "artifact_store")
    client.create_flavor("custom_flavors.ClusterOrchestratorFlavor")
    with pytest.raises(EntityExistsError, match="my_cluster"):
        client.create_flavor("custom_flavors.ClusterOrchestratorFlavor")


@pytest.mark.parametrize(
    "source, name",
    [
        ("custom_flavors.ZenStyleOrchestratorFlavor", "zen_style"),
        ("custom_flavors.ZenStyleFromScratchFlavor", "zen_scratch"),
    ],
)
def test_flavors_written_with_properties_register_and_build(
    client: Client, source: str, name: str
) -> None:
    from stackyard.stack.stack import Stack

    flavor = client.create_flavor(source, component_type="orchestrator")
    assert (flavor.name, flavor.type.value) == (name, "orchestrator")
    assert flavor.config_schema["properties"]["greeting"]["default"] == "hello"
    client.create_stack_component("echo", name, "orchestrator", {"greeting": "hi"})
    with pytest.raises(InputError, match="unknown configuration key"):
        client.create_stack_component("echo-2", name, "orchestrator", {"greting": "hi"})
    stack = client.create_stack("echo", {"orchestrator": "echo", "artifact_store": "default"})
    orchestrator = Stack.from_model(stack).orchestrator
    assert type(orchestrator).__name__ == "EchoOrchestrator"
    assert orchestrator.config.greeting == "hi"  # type: ignore[attr-defined]


def test_a_property_flavor_with_a_wrong_type_says_so(client: Client) -> None:
    with pytest.raises(InputError, match="type 'orchestra' is not a component type"):
        client.create_flavor("custom_flavors.ZenStyleBadTypeFlavor")
