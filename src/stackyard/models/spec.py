"""The one declaration each resource makes, and everything derived from it.

A `ResourceSpec` is the registry: it names the resource and its plural, points at
its pydantic models, and says which fields are unique, long text or filled in by
hooks, which `<rel>_id` columns name another resource (`relation_aliases`), which
module of `stackyard.store.sql.hooks` holds its rules (`hooks`) and which columns a
table of it shows (`list_columns`). Columns, filters, sort fields, SQL tables,
REST routes, the Client's filter types and the CLI's tables all derive from it.

What reading needs is a `Shape`. `scripts/generate_manifest.py` writes every spec's
shape, and where each model class lives, to `stackyard.models.manifest` as plain
data: `shape_for` and the resource catalog read it there, so the CLI lists and
resolves names without importing pydantic or any model, and a spec's own module is
imported only when the resource is first used. A test keeps manifest and specs equal.
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
    response's field order, with defaults for fields no column holds; plus where its
    spec and rules live and how a table of it looks."""

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
        relations: dict[str, str],
        named_relations: frozenset[str],
        module: str,
        hooks: str | None,
        list_columns: tuple[str, ...],
    ) -> None:
        self.name, self.plural, self.table = name, plural, plural
        self.columns, self.private_columns = columns, private_columns
        self.fields, self.defaults = fields, defaults
        self.name_field, self.default_sort = name_field, default_sort
        self.private_flag, self.taggable, self.has_metadata = private_flag, taggable, has_metadata
        self.extra_filters = extra_filters
        self.relations, self.named_relations = relations, named_relations
        self.module, self.hooks, self.list_columns = module, hooks, list_columns

    @property
    def owned(self) -> bool:
        return "user_id" in self.fields

    @cached_property
    def filter_fields(self) -> list[str]:
        """Every filter a list call accepts, for validation and error messages."""
        names = [c for c, col in self.columns.items() if col.filterable]
        names = [n for n in names if n not in self.private_columns]
        for rel in self.relations:
            names.append(rel)
            if rel in self.named_relations:
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
            "module": self.module,
            "hooks": self.hooks,
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
            "relations": self.relations,
            "named_relations": sorted(self.named_relations),
            "list_columns": list(self.list_columns),
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
            relations=dict(data["relations"]),
            named_relations=frozenset(data["named_relations"]),
            module=data["module"],
            hooks=data["hooks"],
            list_columns=tuple(data["list_columns"]),
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
    # the relation whose owner alone (or an admin) may add entities to it: a run's steps
    parent: str | None = None
    # `<rel>_id` columns whose relation is not named after its resource: rel -> resource
    relation_aliases: dict[str, str] = field(default_factory=dict)
    # the module of `stackyard.store.sql.hooks` whose HOOKS hold this resource's rules
    hooks: str | None = None
    # what a table of it shows after the (short) id; a relation shows the related name
    list_columns: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return self.plural

    @property
    def module(self) -> str:
        """Its module in `stackyard.models`, where the spec is registered."""
        return self.response.__module__.rpartition(".")[2]

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
    def nullable(self) -> frozenset[str]:
        """Response fields that may be None: the only ones an update may set to null."""
        return frozenset(
            name
            for name, info in self.response.model_fields.items()
            if column_kind(info.annotation)[1]
        )

    def derive_shape(self, known: dict[str, str | None]) -> Shape:
        """The shape, given every resource's name field (`known`: name -> name_field)."""
        relations: dict[str, str] = {}
        for col, c in self.columns.items():
            if c.kind != "uuid" or not col.endswith("_id") or col in self.private_columns:
                continue
            rel = col[:-3]
            target = self.relation_aliases.get(rel, rel)
            if target in known:
                relations[rel] = target
        unknown = set(self.relation_aliases.values()) - set(known)
        if unknown:
            shown = ", ".join(sorted(unknown))
            raise ValueError(f"resource {self.name!r} relates to unknown resource(s) {shown}")
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
            relations=relations,
            named_relations=frozenset(r for r, t in relations.items() if known[t]),
            module=self.module,
            hooks=self.hooks,
            list_columns=self.list_columns,
        )

    @cached_property
    def shape(self) -> Shape:
        """What reading needs, derived from the models (the manifest holds a copy)."""
        return self.derive_shape(name_fields())

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


def register(spec: ResourceSpec) -> ResourceSpec:
    """Add a resource; its name and plural must be new."""
    taken = {s.plural: s.name for s in REGISTRY.values()}
    if spec.name in REGISTRY or spec.plural in taken:
        raise ValueError(f"resource {spec.name!r} (plural {spec.plural!r}) is registered twice")
    REGISTRY[spec.name] = spec
    return spec


def _catalog() -> dict[str, dict[str, Any]]:
    from stackyard.models.manifest import SHAPES

    return SHAPES


def resource_names() -> list[str]:
    """Every registered resource, in the manifest's (stable) order."""
    return list(_catalog())


def name_fields() -> dict[str, str | None]:
    """Resource name -> the field that names it (None: known by id only)."""
    return {name: data["name_field"] for name, data in _catalog().items()}


def resource_name(kind: str) -> str:
    """The singular name for a singular or plural one, with the choices on a miss."""
    catalog = _catalog()
    if kind in catalog:
        return kind
    name = next((n for n, data in catalog.items() if data["plural"] == kind), None)
    if name is None:
        raise KeyError(f"unknown resource {kind!r}; known: {', '.join(sorted(catalog))}")
    return name


def spec_for(kind: str) -> ResourceSpec:
    """Look a resource up by singular or plural name, with the choices on a miss; its
    models module is imported on first use."""
    name = resource_name(kind)
    if name not in REGISTRY:
        importlib.import_module(f"stackyard.models.{_catalog()[name]['module']}")
    return REGISTRY[name]


def all_specs() -> list[ResourceSpec]:
    """Every resource, in the manifest's order."""
    return [spec_for(name) for name in _catalog()]


def discover() -> list[ResourceSpec]:
    """Import every module of `stackyard.models` and return every spec registered, in
    module order (what the manifest is generated from; no manifest needed)."""
    import pkgutil

    import stackyard.models as package

    for found in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if found.name not in ("manifest",):
            importlib.import_module(f"stackyard.models.{found.name}")
    return list(REGISTRY.values())


_SHAPES: dict[str, Shape] = {}


def shape_for(kind: str) -> Shape:
    """A resource's shape from the generated manifest: no models are imported."""
    name = resource_name(kind)
    shape = _SHAPES.get(name)
    if shape is None:
        shape = _SHAPES[name] = Shape.from_data(name, _catalog()[name])
    return shape
