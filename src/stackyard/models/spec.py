"""The one declaration each resource makes, and what is derived from it.

A `ResourceSpec` names the resource, points at its pydantic models and says
which fields are unique, long text, or filled in by hooks. Columns, filters,
sort fields, tables, routes and Client calls are all derived from it, so adding
a resource is one models module plus one `register(...)` call.

What reading needs (columns, filters, sort fields, field order) is a `Shape`.
Each spec derives its shape from its models; `shape_for` loads the same shape
from `stackyard.models.manifest`, generated from the specs, so the CLI can list
without importing pydantic or any models. A test keeps the two equal.
"""

from __future__ import annotations

import importlib
import types
import typing
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Union
from uuid import UUID

if TYPE_CHECKING:
    from stackyard.models.base import Request, Response, Update

ColumnKind = Literal["uuid", "str", "text", "int", "float", "bool", "datetime", "json"]
FILTERABLE_KINDS: frozenset[str] = frozenset(
    {"uuid", "str", "text", "int", "float", "bool", "datetime"}
)
BASE_FIELDS = ("id", "created", "updated")


@dataclass(frozen=True)
class Column:
    """One stored field: its name, storage kind and whether it may be null."""

    name: str
    kind: ColumnKind
    nullable: bool

    @property
    def filterable(self) -> bool:
        return self.kind in FILTERABLE_KINDS


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """Strip `Annotated` and `| None`, returning the core type and nullability."""
    nullable = False
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            nullable = nullable or len(args) < len(typing.get_args(annotation))
            if len(args) != 1:
                return annotation, nullable
            annotation = args[0]
        else:
            return annotation, nullable


def column_kind(annotation: Any) -> tuple[ColumnKind, bool]:
    """Map a model field's type to how it is stored."""
    core, nullable = _unwrap(annotation)
    if core is UUID:
        return "uuid", nullable
    if core is bool:
        return "bool", nullable
    if core is int:
        return "int", nullable
    if core is float:
        return "float", nullable
    if core is datetime:
        return "datetime", nullable
    if core is str or (isinstance(core, type) and issubclass(core, Enum)):
        return "str", nullable
    if typing.get_origin(core) is Literal:
        return "str", nullable
    return "json", nullable  # lists, dicts and nested models


class Shape:
    """A resource as reading sees it: table, columns, filters, sort fields and the
    response's field order, with defaults for fields no column holds."""

    def __init__(
        self,
        name: str,
        plural: str,
        *,
        columns: dict[str, Column],
        private_columns: dict[str, ColumnKind],
        fields: tuple[str, ...],
        defaults: dict[str, Any],
        name_field: str | None,
        default_sort: str,
        private_flag: str | None,
        taggable: bool,
        has_metadata: bool,
        extra_filters: frozenset[str],
    ) -> None:
        self.name, self.plural, self.table = name, plural, plural
        self.columns, self.private_columns = columns, private_columns
        self.fields, self.defaults = fields, defaults
        self.name_field, self.default_sort = name_field, default_sort
        self.private_flag, self.taggable, self.has_metadata = private_flag, taggable, has_metadata
        self.extra_filters = extra_filters

    @property
    def owned(self) -> bool:
        return "user_id" in self.fields

    @cached_property
    def relations(self) -> dict[str, str]:
        """`<rel>` → related resource name, for every `<rel>_id` column naming a resource."""
        found: dict[str, str] = {}
        for col, c in self.columns.items():
            if c.kind != "uuid" or not col.endswith("_id") or col in self.private_columns:
                continue
            rel = col[:-3]
            target = RELATION_ALIASES.get(rel, rel)
            if target in MODULES:
                found[rel] = target
        return found

    @cached_property
    def filter_fields(self) -> list[str]:
        """Every filter a list call accepts, for validation and error messages."""
        names = [c for c, col in self.columns.items() if col.filterable]
        names = [n for n in names if n not in self.private_columns]
        for rel, target in self.relations.items():
            names.append(rel)
            if target in NAMED:
                names.append(f"{rel}_name")
        if self.taggable:
            names.append("tags")
        names += sorted(self.extra_filters)
        return names

    @cached_property
    def sort_fields(self) -> list[str]:
        return [
            c
            for c, col in self.columns.items()
            if col.filterable and c not in self.private_columns and col.kind != "bool"
        ]

    def to_data(self) -> dict[str, Any]:
        """The manifest entry: plain data that `from_data` turns back into this shape."""
        return {
            "plural": self.plural,
            "columns": [[c.name, c.kind, c.nullable] for c in self.columns.values()],
            "private_columns": sorted(self.private_columns),
            "fields": list(self.fields),
            "defaults": self.defaults,
            "name_field": self.name_field,
            "default_sort": self.default_sort,
            "private_flag": self.private_flag,
            "taggable": self.taggable,
            "has_metadata": self.has_metadata,
            "extra_filters": sorted(self.extra_filters),
        }

    @classmethod
    def from_data(cls, name: str, data: dict[str, Any]) -> Shape:
        columns = {c[0]: Column(c[0], c[1], c[2]) for c in data["columns"]}
        return cls(
            name,
            data["plural"],
            columns=columns,
            private_columns={c: columns[c].kind for c in data["private_columns"]},
            fields=tuple(data["fields"]),
            defaults=data["defaults"],
            name_field=data["name_field"],
            default_sort=data["default_sort"],
            private_flag=data["private_flag"],
            taggable=data["taggable"],
            has_metadata=data["has_metadata"],
            extra_filters=frozenset(data["extra_filters"]),
        )


@dataclass(eq=False)
class ResourceSpec:
    """Everything the generic layers need to know about one resource."""

    name: str
    plural: str
    response: type[Response]
    request: type[Request] | None = None
    update: type[Update] | None = None
    unique: tuple[tuple[str, ...], ...] = ()
    name_field: str | None = "name"
    default_sort: str = "created"
    computed: frozenset[str] = frozenset()
    text: frozenset[str] = frozenset()
    private_columns: dict[str, ColumnKind] = field(default_factory=dict)
    indexes: tuple[tuple[str, ...], ...] = ()
    taggable: bool = False
    has_metadata: bool = False
    private_flag: str | None = None
    extra_filters: frozenset[str] = frozenset()
    # relations kept as filters but without a foreign key (to break FK cycles)
    soft_relations: frozenset[str] = frozenset()

    @property
    def table(self) -> str:
        return self.plural

    @cached_property
    def columns(self) -> dict[str, Column]:
        """Stored columns in declaration order: response fields minus computed ones."""
        result: dict[str, Column] = {}
        for fname, finfo in self.response.model_fields.items():
            if fname in self.computed:
                continue
            kind, nullable = column_kind(finfo.annotation)
            if fname in self.text:
                kind = "text"
            result[fname] = Column(fname, kind, nullable or not finfo.is_required())
        for fname, kind in self.private_columns.items():
            result[fname] = Column(fname, kind, True)
        return result

    @cached_property
    def shape(self) -> Shape:
        """What reading needs, derived from the models (the manifest holds a copy)."""
        fields = self.response.model_fields
        return Shape(
            self.name,
            self.plural,
            columns=self.columns,
            private_columns=self.private_columns,
            fields=tuple(fields),
            defaults={
                n: f.get_default(call_default_factory=True)
                for n, f in fields.items()
                if n not in self.columns
            },
            name_field=self.name_field,
            default_sort=self.default_sort,
            private_flag=self.private_flag,
            taggable=self.taggable,
            has_metadata=self.has_metadata,
            extra_filters=self.extra_filters,
        )

    @property
    def owned(self) -> bool:
        return self.shape.owned

    @property
    def relations(self) -> dict[str, str]:
        return self.shape.relations

    @property
    def filter_fields(self) -> list[str]:
        return self.shape.filter_fields

    @property
    def sort_fields(self) -> list[str]:
        return self.shape.sort_fields


REGISTRY: dict[str, ResourceSpec] = {}

# Where each resource is declared: imported on first use, so a command that
# touches stacks never pays for building the pipeline-run models.
MODULES: dict[str, str] = {
    "user": "users",
    "api_key": "users",
    "flavor": "stacks",
    "stack_component": "stacks",
    "stack": "stacks",
    "service_connector": "connectors",
    "secret": "secrets",
    "pipeline": "pipelines",
    "snapshot": "pipelines",
    "pipeline_run": "pipelines",
    "run_step": "pipelines",
    "artifact": "artifacts",
    "artifact_version": "artifacts",
    "run_template": "automation",
    "schedule": "automation",
    "build": "automation",
    "code_repository": "code",
    "tag": "tags",
    "run_metadata": "tags",
}
PLURALS: dict[str, str] = {
    "code_repository": "code_repositories",
    "run_metadata": "run_metadata",
}
NAMED: frozenset[str] = frozenset(MODULES) - {"snapshot", "build", "artifact_version"}
# `<rel>_id` columns whose relation is not named after the resource.
RELATION_ALIASES: dict[str, str] = {
    "template": "run_template",
    "producer_step_run": "run_step",
    "original_step_run": "run_step",
    "service_account": "user",
    "connector": "service_connector",
    "artifact_store": "stack_component",
}


def plural_of(name: str) -> str:
    return PLURALS.get(name, name + "s")


def register(spec: ResourceSpec) -> ResourceSpec:
    """Add a resource; its name and plural must be new."""
    if spec.name in REGISTRY:
        raise ValueError(f"resource {spec.name!r} is registered twice")
    REGISTRY[spec.name] = spec
    return spec


def resource_name(kind: str) -> str:
    """The singular name for a singular or plural one, with the choices on a miss."""
    name = kind if kind in MODULES else next((n for n in MODULES if plural_of(n) == kind), None)
    if name is None:
        raise KeyError(f"unknown resource {kind!r}; known: {', '.join(sorted(MODULES))}")
    return name


def spec_for(kind: str) -> ResourceSpec:
    """Look a resource up by singular or plural name, with the choices on a miss."""
    name = resource_name(kind)
    if name not in REGISTRY:
        importlib.import_module(f"stackyard.models.{MODULES[name]}")
    return REGISTRY[name]


def all_specs() -> list[ResourceSpec]:
    """Every resource, in a stable order (the order of MODULES)."""
    return [spec_for(name) for name in MODULES]


_SHAPES: dict[str, Shape] = {}


def shape_for(kind: str) -> Shape:
    """A resource's shape from the generated manifest: no models are imported."""
    name = resource_name(kind)
    shape = _SHAPES.get(name)
    if shape is None:
        from stackyard.models.manifest import SHAPES

        shape = _SHAPES[name] = Shape.from_data(name, SHAPES[name])
    return shape
