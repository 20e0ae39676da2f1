"""The `Client`: every resource of the metadata store, from Python.

    from stackyard.client import Client
    client = Client()
    for run in client.list_pipeline_runs(stack="default", size=10):
        print(run.name, run.status)

The same calls work against the embedded SQLite store, PostgreSQL, MySQL or a
stackyard server (after `stackyard login URL`).
"""

from __future__ import annotations

from stackyard.client.artifacts import ArtifactMethods
from stackyard.client.automation import AutomationMethods
from stackyard.client.code import CodeMethods
from stackyard.client.connectors import ConnectorMethods
from stackyard.client.core import UNSET, depaginate, install_default_store_provider
from stackyard.client.ml_models import ModelMethods
from stackyard.client.pipelines import PipelineMethods
from stackyard.client.secrets import SecretMethods
from stackyard.client.stacks import StackMethods
from stackyard.client.tags import TagMethods
from stackyard.client.users import UserMethods
from stackyard.store.base import Store


class Client(
    PipelineMethods,
    ArtifactMethods,
    ModelMethods,
    TagMethods,
    StackMethods,
    ConnectorMethods,
    SecretMethods,
    UserMethods,
    CodeMethods,
    AutomationMethods,
):
    """One entry point for reading and changing everything stackyard records.

    `Client()` uses the configured store (`STACKYARD_STORE_URL`, a server login,
    or the local SQLite file); `Client(store=...)` uses a given one.
    """

    def __init__(self, store: Store | None = None) -> None:
        super().__init__(store)


install_default_store_provider(Client)

__all__ = ["UNSET", "Client", "depaginate"]
