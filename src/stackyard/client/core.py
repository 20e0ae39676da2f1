"""The Client's core: which store, who is acting, which stack is active.

Resource methods live in the sibling modules and are each a line or two over
the generic `_get` / `_list` / `_create` / `_update` / `_delete` below, whose
parameters are documented once in `stackyard.store.base`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar
from uuid import UUID

from stackyard.config import PROJECT_DIR, GlobalConfig, ProjectConfig, find_project_root
from stackyard.exceptions import EntityNotFoundError, IllegalOperationError
from stackyard.models.binding import set_default_store_provider
from stackyard.store.base import DEFAULT_PAGE_SIZE, RowPage, Store

if TYPE_CHECKING:
    from stackyard.models.base import Page
    from stackyard.models.stacks import StackResponse
    from stackyard.models.users import UserResponse
    from stackyard.stack.stack import Stack

T = TypeVar("T")


class Unset(Enum):
    """ "Leave it as it is", the default of every update parameter: None there means
    "clear this field" (allowed where the field may be null)."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET


class Kind(Generic[T]):
    """A resource's name, typed with its response model: `client._get(PIPELINE_RUN, ...)`
    is a `PipelineRunResponse` to the type checker; at run time it is only the name.
    The handles of every resource are generated in `stackyard.client.filters`."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"


_STORES: dict[str, Store] = {}
_STORES_LOCK = threading.Lock()


def open_store(url: str) -> Store:
    """One store per URL per process: connections and the schema check are shared."""
    with _STORES_LOCK:
        store = _STORES.get(url)
        if store is None:
            from stackyard.runner.launch import LocalWorkers
            from stackyard.store import open_store as open_at

            # an embedded store runs template runs in local worker processes
            store = open_at(url, launcher=LocalWorkers())
            _STORES[url] = store
        return store


def reset_stores() -> None:
    """Forget open stores (after the config changed, or between tests)."""
    with _STORES_LOCK:
        for store in _STORES.values():
            store.close()
        _STORES.clear()


class ClientCore:
    """Holds the store and the active stack; see the resource mixins for the rest."""

    def __init__(self, store: Store | None = None) -> None:
        self._config = GlobalConfig.load()
        self._store = store

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self._config.store_url)
        return self._store

    @property
    def store_url(self) -> str:
        return self._config.store_url

    # -- who --------------------------------------------------------------------------------
    @property
    def active_user(self) -> UserResponse:
        return self.store.current_user()

    # -- project ----------------------------------------------------------------------------
    @property
    def root(self) -> Path | None:
        """The project root found from the working directory upwards, or None."""
        return find_project_root()

    @staticmethod
    def initialize(path: str | Path = ".") -> Path:
        """Mark `path` as a stackyard project (a `.stackyard/` folder); twice is an error."""
        root = Path(path).resolve()
        marker = root / PROJECT_DIR
        if marker.exists():
            raise IllegalOperationError(f"{root} is already a stackyard project ({marker} exists)")
        marker.mkdir(parents=True)
        ProjectConfig(root).save()
        return root

    # -- active stack -------------------------------------------------------------------------
    def _project(self) -> ProjectConfig | None:
        root = self.root
        return ProjectConfig.load(root) if root else None

    @property
    def active_stack_id(self) -> UUID:
        """The active stack's id: the project's choice, else the global one, else the
        stack named `default`. Reads rows only, so it costs no models."""
        project = self._project()
        stack_id = (project.data.get("active_stack_id") if project else None) or (
            self._config.active_stack_id(self.store_url)
        )
        if stack_id and self.store.list_rows("stack", id=str(stack_id), size=1).items:
            return UUID(str(stack_id))
        found = self.store.list_rows("stack", name="default", size=1).items
        if not found:
            raise EntityNotFoundError(
                "no stack is active and there is no stack named 'default'; "
                "activate one with `stackyard stack set NAME`"
            )
        return UUID(str(found[0]["id"]))

    @property
    def active_stack_model(self) -> StackResponse:
        stack: StackResponse = self.store.get("stack", self.active_stack_id)
        return stack

    @property
    def active_stack(self) -> Stack:
        """The live stack: component objects built from the active stack's models."""
        from stackyard.stack.stack import Stack

        return Stack.from_model(self.active_stack_model)

    def activate_stack(self, name_id_or_prefix: str | UUID) -> StackResponse:
        """Make a stack active: for the current project if inside one, else globally."""
        stack: StackResponse = self.store.find("stack", name_id_or_prefix)
        project = self._project()
        if project is not None:
            project.data["active_stack_id"] = str(stack.id)
            project.save()
        else:
            self._config.set_active_stack_id(self.store_url, str(stack.id))
        return stack

    # -- the generic path: typed by the resource handle, documented in store.base ------------
    def _get(self, kind: Kind[T], name_id_or_prefix: str | UUID, **scope: Any) -> T:
        found: T = self.store.find(kind.name, name_id_or_prefix, **scope)
        return found

    def _by_id(self, kind: Kind[T], entity_id: str | UUID) -> T:
        found: T = self.store.get(kind.name, entity_id)  # type: ignore[arg-type]
        return found

    def _list(
        self,
        kind: Kind[T],
        sort_by: str | None,
        page: int,
        size: int,
        logical_operator: str,
        filters: Mapping[str, Any],
    ) -> Page[T]:
        found: Page[T] = self.store.list(
            kind.name, **_query(sort_by, page, size, logical_operator, filters)
        )
        return found

    def list_rows(
        self,
        kind: str,
        *,
        sort_by: str | None = None,
        page: int = 1,
        size: int = DEFAULT_PAGE_SIZE,
        logical_operator: str = "and",
        **filters: Any,
    ) -> RowPage:
        """Any resource's list as plain rows (dicts) instead of response models: the
        same filters, sorting and paging as `list_<resources>`, without importing
        pydantic or building models (the CLI lists this way)."""
        return self.store.list_rows(kind, **_query(sort_by, page, size, logical_operator, filters))

    def _create(self, kind: Kind[T], **values: Any) -> T:
        created: T = self.store.create(kind.name, values)
        return created

    def _update(
        self,
        kind: Kind[T],
        name_id_or_prefix: str | UUID,
        changes: Mapping[str, Any],
        **scope: Any,
    ) -> T:
        """Apply the `changes` given (UNSET ones are left alone; None clears a field)."""
        entity = self.store.find(kind.name, name_id_or_prefix, **scope)
        return self._update_entity(kind, entity.id, changes)

    def _update_entity(self, kind: Kind[T], entity_id: UUID, changes: Mapping[str, Any]) -> T:
        given = {k: v for k, v in changes.items() if v is not UNSET}
        updated: T = self.store.update(kind.name, entity_id, given)
        return updated

    def _delete(
        self, kind: Kind[Any], name_id_or_prefix: str | UUID, *, force: bool = False, **scope: Any
    ) -> None:
        entity = self.store.find(kind.name, name_id_or_prefix, **scope)
        self.store.delete(kind.name, entity.id, force=force)

    # -- settings ---------------------------------------------------------------------------
    def get_settings(self) -> dict[str, Any]:
        """The store's settings: `allow_runs` (whether templates and schedules start runs)."""
        return self.store.settings()

    def update_settings(self, *, allow_runs: bool | Unset = UNSET) -> dict[str, Any]:
        """Change the store's settings (admins only); returns them all."""
        changes = {k: v for k, v in {"allow_runs": allow_runs}.items() if v is not UNSET}
        return self.store.update_settings(changes)


def _query(
    sort_by: str | None,
    page: int,
    size: int,
    logical_operator: str,
    filters: Mapping[str, Any],
) -> dict[str, Any]:
    """A store list query from a Client call; filters left at None are not filters."""
    return {
        "sort_by": sort_by,
        "page": page,
        "size": size,
        "logical_operator": logical_operator,
        **{k: v for k, v in filters.items() if v is not None},
    }


def depaginate(list_method: Callable[..., Page[T]], **kwargs: Any) -> Iterator[T]:
    """Yield every item of a Client list method, one page at a time.

    >>> for run in depaginate(client.list_pipeline_runs, stack="default"): ...
    """
    kwargs.setdefault("size", 1000)
    page_number = 1
    while True:
        page = list_method(page=page_number, **kwargs)
        yield from page.items
        if page_number >= page.total_pages:
            return
        page_number += 1


def install_default_store_provider(client_factory: Callable[[], ClientCore]) -> None:
    set_default_store_provider(lambda: client_factory().store)


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "UNSET",
    "ClientCore",
    "Kind",
    "Unset",
    "depaginate",
    "open_store",
    "reset_stores",
]
