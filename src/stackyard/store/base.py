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
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from stackyard.models.base import Page
    from stackyard.models.connectors import ConnectorCredentials, ServiceConnectorResources
    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.models.users import APIKeyResponse, UserResponse

MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 50


def whole_number(value: Any, what: str) -> int:
    """`value` as an int; a float, a bool or text that is no integer is an `InputError`
    (a silent `int(2.5)` would hand back another page than the one asked for)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise InputError(f"{what} must be a whole number, got {value!r}")


def check_paging(sort_by: Any, page: Any, size: Any) -> tuple[str | None, int, int]:
    """The list parameters every store takes, checked the same way everywhere."""
    if sort_by is not None and not isinstance(sort_by, str):
        raise InputError(f'sort_by must be a string such as "desc:created", got {sort_by!r}')
    return sort_by, whole_number(page, "page"), whole_number(size, "size")


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
class RunClaim:
    """A run a runner took on, and how its worker reaches the store: `store_url`, with
    `token` (from a server: a short-lived access token acting as the run's owner;
    None from a SQL store, which the worker opens as the runner does)."""

    run: PipelineRunResponse
    store_url: str
    token: str | None = None


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
    def create(
        self, kind: str, request: BaseModel | dict[str, Any], *, respond: bool = True
    ) -> Any:
        """Create one entity and return it (`respond=False`: only its id, which spares
        reading it back; what the hot path of a run uses)."""

    @abstractmethod
    def get(self, kind: str, entity_id: UUID) -> Any: ...

    @abstractmethod
    def find(self, kind: str, name_id_or_prefix: str | UUID, /, **scope: Any) -> Any:
        """Resolve a full id, an exact name, a unique name prefix or a unique id prefix."""

    @abstractmethod
    def list(
        self,
        kind: str,
        /,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Any,
    ) -> Page[Any]: ...

    @abstractmethod
    def list_rows(self, kind: str, /, **query: Any) -> RowPage:
        """`list` as plain rows (see `RowPage`), built without pydantic or models."""

    @abstractmethod
    def update(
        self,
        kind: str,
        entity_id: UUID,
        update: BaseModel | dict[str, Any],
        *,
        respond: bool = True,
    ) -> Any:
        """Apply the fields `update` sets and return the entity (`respond=False`: None)."""

    @abstractmethod
    def delete(self, kind: str, entity_id: UUID, *, force: bool = False) -> None:
        """Delete one entity. What still depends on it is refused (IllegalOperationError),
        unless `force` and the resource allows removing those dependants with it."""

    @abstractmethod
    def current_user(self) -> UserResponse: ...

    @abstractmethod
    def rotate_api_key(self, key_id: UUID) -> APIKeyResponse:
        """Give an API key a new secret, returned once in `.key`; the old one stops
        working at once. `EntityNotFoundError` for an unknown key, `AuthorizationError`
        unless the caller is an admin or the key's own service account."""

    def page_url(self, path: str) -> str | None:
        """Where a person looks at `path` ("runs/<id>") in a browser: the dashboard of the
        server this store talks to; None for a store without one (SQL)."""
        return None

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

    # -- runs beyond CRUD --------------------------------------------------------------------
    @abstractmethod
    def start_template_run(
        self,
        template_id: UUID,
        run_configuration: dict[str, Any],
        *,
        schedule_id: UUID | None = None,
    ) -> PipelineRunResponse:
        """Record a run of a run template, still `initializing`: an embedded store starts
        a local worker for it; a server queues it for a runner. `run_configuration` was
        validated by the caller (parameters, steps, settings, enable_cache, run_name).
        With `schedule_id` the run is the schedule's, recorded as its owner.

        Raises IllegalOperationError (template not runnable, runs turned off),
        InputError (a parameter or step the pipeline does not have),
        AuthorizationError (another user's schedule), EntityNotFoundError.
        """

    @abstractmethod
    def claim_run(self) -> RunClaim | None:
        """Take the oldest queued template run the caller may execute (every user's for
        an admin, else their own); None when there is none. Exactly one caller wins each."""

    @abstractmethod
    def heartbeat(self, run_id: UUID, interval: float) -> bool:
        """Say the process running `run_id` is alive and beats again within `interval`
        seconds; False once the run is no longer running (stopped, reaped), when that
        process must stop its steps. AuthorizationError unless the caller owns the run."""

    @abstractmethod
    def release_run(self, run_id: UUID) -> None:
        """The process that executed `run_id` has let go of it (its steps have ended): a
        finished run's heartbeat deadline is cleared, which is what
        `stop_pipeline_run(wait=)` waits for; an unfinished run is left to its
        heartbeats. AuthorizationError unless the caller owns the run."""

    @abstractmethod
    def stop_run(self, run_id: UUID) -> PipelineRunResponse:
        """Stop an unfinished run: it and its unfinished steps become `stopped`, and the
        process running it stops them at its next heartbeat. IllegalOperationError when
        it has already finished."""

    @abstractmethod
    def claim_schedule(
        self,
        schedule_id: UUID,
        due: datetime,
        *,
        next_run: datetime | None,
        last_run: datetime | None,
        active: bool,
    ) -> bool:
        """Move an active schedule on from the slot `due`; True for exactly one caller per
        slot however many schedulers race. AuthorizationError unless the caller owns it."""

    @abstractmethod
    def settings(self) -> dict[str, Any]:
        """The store's settings (see `stackyard.models.settings.ServerSettings`)."""

    @abstractmethod
    def update_settings(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change settings (admins only); returns them all. InputError for unknown keys."""


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "RowPage",
    "RunClaim",
    "Store",
    "StoreHandoff",
    "check_paging",
    "whole_number",
]
