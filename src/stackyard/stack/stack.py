"""The live stack: component objects built from a stored stack and its flavors.

A `StackResponse` only names components; running a pipeline needs objects that
do things (an orchestrator that runs steps, an artifact store that hands out
URIs). `Stack.from_model` builds them from each component's flavor class,
resolving `{{secret.key}}` references (see `stackyard.utils.secret_refs`) and
validating the configuration on the way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import EntityNotFoundError, InputError
from stackyard.models.enums import StackComponentType
from stackyard.stack.flavor import Flavor, StackComponent
from stackyard.store.base import Store

if TYPE_CHECKING:
    from stackyard.artifact_stores.base import BaseArtifactStore
    from stackyard.models.secrets import SecretResponse
    from stackyard.models.stacks import StackComponentResponse, StackResponse
    from stackyard.orchestrators.base import BaseOrchestrator
    from stackyard.store.base import Store


def flavor_class(source: str, what: str) -> type[Flavor]:
    """The flavor class at `source`; `what` names it in errors ("flavor 's3' of ...")."""
    from stackyard.utils.source import load_source

    try:
        flavor = load_source(source)
    except ImportError as exc:
        raise InputError(f"cannot load {what} from {source!r}: {exc}") from None
    if not (isinstance(flavor, type) and issubclass(flavor, Flavor)):
        raise InputError(f"{source!r} ({what}) is not a Flavor class")
    return flavor


def resolved_configuration(
    component: StackComponentResponse,
    store: Store,
    secrets: dict[str, dict[str, str]] | None = None,
) -> dict[str, Any]:
    """The component's configuration with each `{{secret.key}}` replaced by its value,
    read through `store` as the running user (so a secret they may not read stays
    closed); `secrets` caches values across the components of one stack."""
    from stackyard.utils.secret_refs import SecretReference, resolve_references

    what = f"{component.type.value} {component.name!r}"
    secrets = {} if secrets is None else secrets

    def lookup(reference: SecretReference) -> str:
        values = secrets.get(reference.secret)
        if values is None:
            try:
                secret: SecretResponse | None = store.find("secret", reference.secret)
            except EntityNotFoundError:
                secret = None
            if secret is None or secret.name != reference.secret:  # find also takes prefixes
                raise InputError(
                    f"{what}: {reference.path} refers to {reference}, but there is no secret "
                    f"named {reference.secret!r} that user {store.current_user().name!r} can read"
                )
            values = secrets[reference.secret] = dict(secret.secret_values or {})
        if reference.key not in values:
            raise InputError(
                f"{what}: {reference.path} refers to {reference}, but secret "
                f"{reference.secret!r} has no key {reference.key!r}; its keys: "
                + (", ".join(sorted(values)) or "none")
            )
        return values[reference.key]

    resolved: dict[str, Any] = resolve_references(component.configuration, lookup)
    return resolved


def build_component(
    component: StackComponentResponse, source: str, configuration: dict[str, Any]
) -> StackComponent:
    """The live component of a stored one, from its flavor class at `source`, with
    `configuration` (its own, secret references resolved)."""
    what = f"flavor {component.flavor!r} of {component.type.value} {component.name!r}"
    flavor = flavor_class(source, what)
    implementation: Callable[..., StackComponent] = flavor.parts().implementation_class
    return implementation(
        name=component.name,
        id=component.id,
        config=flavor.validate_config(configuration),
        flavor=component.flavor,
        connector_id=component.connector_id,
        connector_resource_id=component.connector_resource_id,
    )


class Stack:
    """One object per component type, configured and ready to use."""

    def __init__(
        self, model: StackResponse, components: dict[StackComponentType, StackComponent]
    ) -> None:
        self.model = model
        self.components = components

    @property
    def id(self) -> UUID:
        return self.model.id

    @property
    def name(self) -> str:
        return self.model.name

    @classmethod
    def from_model(cls, model: StackResponse) -> Stack:
        """Build every component of `model` from its flavor (two store queries in all,
        plus one per secret its configurations refer to)."""
        store = model.store
        if not isinstance(store, Store):
            raise TypeError(f"stack {model.name!r} is not bound to a store but to {store!r}")
        components = {t: group[0] for t, group in model.components.items() if group}
        names = sorted({c.flavor for c in components.values()})
        flavors = (
            {(f.name, f.type): f for f in store.list("flavor", name=names, size=1000)}
            if names
            else {}
        )
        built: dict[StackComponentType, StackComponent] = {}
        secrets: dict[str, dict[str, str]] = {}
        for ctype, component in components.items():
            record = flavors.get((component.flavor, ctype))
            if record is None:
                raise EntityNotFoundError(
                    f"{ctype.value} {component.name!r} of stack {model.name!r} uses flavor "
                    f"{component.flavor!r}, which is not registered for {ctype.value}"
                )
            built[ctype] = build_component(
                component, record.source, resolved_configuration(component, store, secrets)
            )
        return cls(model, built)

    def connect(self, store: Store, *, for_steps: bool = False) -> None:
        """Let each component reach what it needs (credentials from its connector, a
        check that its bucket or cluster answers), before anything is recorded.
        `for_steps`: only what steps use, in a worker (not the orchestrator)."""
        for ctype, component in self.components.items():
            if not (for_steps and ctype == StackComponentType.ORCHESTRATOR):
                component.connect(store)

    def _component(self, ctype: StackComponentType) -> StackComponent:
        try:
            return self.components[ctype]
        except KeyError:
            raise EntityNotFoundError(
                f"stack {self.name!r} has no {ctype.value}; it has: "
                + (", ".join(t.value for t in self.components) or "no components")
            ) from None

    @property
    def orchestrator(self) -> BaseOrchestrator:
        from stackyard.orchestrators.base import BaseOrchestrator

        component = self._component(StackComponentType.ORCHESTRATOR)
        if not isinstance(component, BaseOrchestrator):
            raise InputError(f"orchestrator {component.name!r} is not a BaseOrchestrator")
        return component

    @property
    def artifact_store(self) -> BaseArtifactStore:
        from stackyard.artifact_stores.base import BaseArtifactStore

        component = self._component(StackComponentType.ARTIFACT_STORE)
        if not isinstance(component, BaseArtifactStore):
            raise InputError(f"artifact store {component.name!r} is not a BaseArtifactStore")
        return component

    def __repr__(self) -> str:
        parts = ", ".join(f"{t.value}={c.name!r}" for t, c in self.components.items())
        return f"Stack({self.name!r}: {parts})"
