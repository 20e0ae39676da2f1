"""The contract every metadata store keeps, whether SQL or a REST server.

`kind` is a resource name ("pipeline_run") or its plural. List calls share
these parameters everywhere (the Client, the CLI and the REST API):

- `sort_by`: "field", "asc:field" or "desc:field"; ties break on id.
- `page` (1-based) and `size` (1..10,000, default 50).
- `logical_operator`: "and" (default) or "or" between filters.
- filters: keyword arguments named after fields, values optionally prefixed
  with an operator: equals, notequals, contains, startswith, endswith,
  oneof:["a","b"], gt, gte, lt, lte. A list value means oneof.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

if TYPE_CHECKING:
    from pydantic import BaseModel

    from stackyard.models.base import Page
    from stackyard.models.connectors import ConnectorCredentials, ServiceConnectorResources
    from stackyard.models.users import UserResponse

MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 50


class RowPage:
    """One page of a list query as plain rows: field name → value, no models.

    Rows carry the response's fields in its order. Values have their Python
    types (UUID, datetime) where the store decodes them; enums stay strings and
    nested models stay dicts, which print the same way.
    """

    __slots__ = ("index", "items", "max_size", "total", "total_pages")

    def __init__(self, index: int, max_size: int, total: int, items: list[dict[str, Any]]):
        self.index, self.max_size, self.total, self.items = index, max_size, total, items
        self.total_pages = max(1, -(-total // max_size))


@dataclass(frozen=True)
class StoreHandoff:
    """What a worker process needs to open the caller's store (picklable).

    `url`: a database URL (with its credentials, as the caller has them) or a server
    URL; `token` / `api_key`: the caller's server session; `actor_id`: the user a
    SQL store acts as; `config_dir`: where a SQL store's secrets key lives.
    """

    url: str = field(repr=False)  # a database URL may carry its password
    token: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)
    actor_id: UUID | None = None
    config_dir: str | None = None

    def open(self) -> Store:
        """A store like the caller's, once per process and handoff."""
        from stackyard.store.handoff import open_handoff

        return open_handoff(self)


class Store(ABC):
    """Create, read, update and delete any resource, plus who is asking."""

    @abstractmethod
    def create(self, kind: str, request: BaseModel | dict[str, Any]) -> Any: ...

    @abstractmethod
    def get(self, kind: str, entity_id: UUID) -> Any: ...

    @abstractmethod
    def find(self, kind: str, name_id_or_prefix: str | UUID, **scope: Any) -> Any:
        """Resolve a full id, an exact name, a unique name prefix or a unique id prefix."""

    @abstractmethod
    def list(
        self,
        kind: str,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[Any]: ...

    @abstractmethod
    def list_rows(self, kind: str, **query: Any) -> RowPage:
        """`list` as plain rows (see `RowPage`), built without pydantic or models."""

    @abstractmethod
    def update(self, kind: str, entity_id: UUID, update: BaseModel | dict[str, Any]) -> Any: ...

    @abstractmethod
    def delete(self, kind: str, entity_id: UUID) -> None: ...

    @abstractmethod
    def current_user(self) -> UserResponse: ...

    @abstractmethod
    def info(self) -> dict[str, Any]:
        """What this store is: type, URL (password hidden), version."""

    # -- service connectors: only the store can unseal them ---------------------------------
    @abstractmethod
    def verify_service_connector(
        self, connector_id: UUID, resource_type: str | None = None, resource_id: str | None = None
    ) -> ServiceConnectorResources:
        """Check the connector's credentials with its provider; the resources they reach.

        Raises `ServiceConnectorError` with the provider's message when they are refused,
        `EntityNotFoundError` when the caller cannot read the connector.
        """

    @abstractmethod
    def component_credentials(self, component_id: UUID, resource_type: str) -> ConnectorCredentials:
        """Credentials of the connector linked to a component, for `resource_type` and the
        component's connector resource; short-lived where the auth method allows.

        Raises `ServiceConnectorError` when the component has no connector or its
        connector cannot serve `resource_type` or the resource.
        """

    @abstractmethod
    def handoff(self) -> StoreHandoff:
        """How another process (a worker of a distributed orchestrator) reaches this store
        as the same user: the same database, or the server with this session's token or
        API key. Never a password."""

    def close(self) -> None:  # noqa: B027 - stores without connections need nothing
        """Release connections; the store must not be used afterwards."""


__all__ = ["DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE", "RowPage", "Store", "StoreHandoff"]
