"""Materializers: how a Python value becomes files under an artifact URI and back.

The registry maps types to materializer classes. Built-in materializers are
registered lazily, package by package, the first time a type from that package is
looked up, so numpy, pandas and pydantic are only imported when a value of theirs
is actually stored. A materializer registered by the user with
`register_materializer` always wins over a built-in one for the same type; a
subclass that declares ``ASSOCIATED_TYPES`` registers itself for the types no
materializer handles yet.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import IO, Any, ClassVar, TypeAlias, get_origin

from stackyard.artifacts import fs
from stackyard.utils.source import load_source, source_of

JSONValue: TypeAlias = "bool | int | float | str | list[JSONValue] | dict[str, JSONValue] | None"


class BaseMaterializer(ABC):
    """Writes one value as files inside the directory ``uri`` and reads it back.

    Subclasses set ``ASSOCIATED_TYPES`` to the types they handle and may
    override ``extract_metadata`` to describe a value without loading it later.
    """

    ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = ()
    ARTIFACT_TYPE: ClassVar[str] = "data"
    # True for stackyard's materializers whose files the dashboard reads without
    # running code (JSON, .npy, parquet, bytes, text): they need no text preview
    READABLE_FILES: ClassVar[bool] = False
    pickled = False  # set when the value went to cloudpickle after all (`save_pickle`)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A concrete subclass that declares ``ASSOCIATED_TYPES`` is used for those of
        them no materializer handles yet (built-ins included, as in ZenML); to take a
        type over, pass the class to `register_materializer`. stackyard's own are
        loaded lazily instead, see below."""
        super().__init_subclass__(**kwargs)
        # ABCMeta computes __abstractmethods__ only after this hook: look for them here
        names = {n for base in cls.__mro__[1:] for n in getattr(base, "__abstractmethods__", ())}
        names.update(n for n, v in vars(cls).items() if getattr(v, "__isabstractmethod__", False))
        abstract = any(
            getattr(getattr(cls, name, None), "__isabstractmethod__", False) for name in names
        )
        declared = cls.__dict__.get("ASSOCIATED_TYPES")
        if declared and not abstract and not cls.__module__.startswith("stackyard."):
            _register_unclaimed(cls)

    def __init__(self, uri: str) -> None:
        self.uri = uri

    def open(self, name: str, mode: str = "rb") -> IO[Any]:
        """Open the file ``name`` inside this artifact's directory."""
        return fs.open_uri(fs.join(self.uri, name), mode)

    @abstractmethod
    def save(self, value: Any) -> None:
        """Write ``value`` into ``self.uri`` (the directory already exists)."""

    @abstractmethod
    def load(self, data_type: type) -> Any:
        """Read the value back as an instance of ``data_type``."""

    def extract_metadata(self, value: Any) -> dict[str, JSONValue]:
        """Small JSON-able facts about ``value`` (length, shape, dtype...)."""
        return {}

    def preview(self, value: Any) -> str | None:
        """Text recorded with the version (its `preview` metadata) when its files cannot
        be shown without running code: the server never unpickles nor runs a custom
        materializer. The value's repr, bounded (`previews.short_repr`); None when the
        files speak for themselves or no short repr can be made."""
        if self.READABLE_FILES and not self.pickled:
            return None
        from stackyard.artifacts.previews import short_repr

        return short_repr(value)


_BUILTIN = "stackyard.artifacts.materializers_builtin"
# Keyed by the top-level package of a class in the looked-up type's MRO.
_DEFAULT_MATERIALIZERS: dict[str, tuple[str, ...]] = {
    "builtins": (
        f"{_BUILTIN}.BuiltinMaterializer",
        f"{_BUILTIN}.BytesMaterializer",
        f"{_BUILTIN}.CloudpickleMaterializer",
    ),
    "pydantic": ("stackyard.artifacts.materializers_pydantic.PydanticMaterializer",),
    "stackyard": ("stackyard.artifacts.materializers_text.TextMaterializer",),
    "numpy": ("stackyard.artifacts.materializers_numpy.NumpyMaterializer",),
    "pandas": (
        "stackyard.artifacts.materializers_pandas.DataFrameMaterializer",
        "stackyard.artifacts.materializers_pandas.SeriesMaterializer",
    ),
}
_REGISTRY: dict[type, type[BaseMaterializer]] = {}
_LOCK = threading.RLock()


def register_materializer(
    materializer_cls: type[BaseMaterializer], *types: type
) -> type[BaseMaterializer]:
    """Use ``materializer_cls`` for ``types`` (default: its ``ASSOCIATED_TYPES``).

    Returns the class so this also works as a class decorator.
    """
    if not (isinstance(materializer_cls, type) and issubclass(materializer_cls, BaseMaterializer)):
        raise TypeError(f"{materializer_cls!r} is not a BaseMaterializer subclass")
    targets = types or materializer_cls.ASSOCIATED_TYPES
    if not targets:
        raise ValueError(f"{source_of(materializer_cls)} names no types to register for")
    with _LOCK:
        for target in targets:
            _REGISTRY[target] = materializer_cls
    return materializer_cls


def user_registrations() -> list[tuple[type, type[BaseMaterializer]]]:
    """The (type, materializer) pairs registered by the user's code, not stackyard's."""
    with _LOCK:
        return [(t, m) for t, m in _REGISTRY.items() if not m.__module__.startswith("stackyard.")]


def _register_unclaimed(materializer_cls: type[BaseMaterializer]) -> None:
    """Register ``materializer_cls`` for each of its types that has no materializer."""
    with _LOCK:
        for target in materializer_cls.ASSOCIATED_TYPES:
            package = target.__module__.partition(".")[0]
            if package in _DEFAULT_MATERIALIZERS:
                _load_defaults(package)
            _REGISTRY.setdefault(target, materializer_cls)


def _load_defaults(package: str) -> None:
    """Register the built-in materializers for ``package`` once, keeping user ones."""
    with _LOCK:
        for path in _DEFAULT_MATERIALIZERS.get(package, ()):
            materializer_cls = load_source(path)
            for target in materializer_cls.ASSOCIATED_TYPES:
                _REGISTRY.setdefault(target, materializer_cls)
        # Popped only now so a concurrent lookup waits instead of skipping them.
        _DEFAULT_MATERIALIZERS.pop(package, None)


def _lookup(data_type: type) -> tuple[type, type[BaseMaterializer]]:
    """The most specific registered class in ``data_type``'s MRO and its materializer."""
    for klass in data_type.__mro__:
        package = klass.__module__.partition(".")[0]
        if package in _DEFAULT_MATERIALIZERS:
            _load_defaults(package)
        if klass in _REGISTRY:
            return klass, _REGISTRY[klass]
    raise LookupError(f"no materializer for {source_of(data_type)}")  # object is always registered


def materializer_for(data_type: type) -> type[BaseMaterializer]:
    """Materializer class for ``data_type``; falls back to cloudpickle."""
    return _lookup(data_type)[1]


@dataclass(frozen=True)
class SavedArtifact:
    """What the pipeline engine records about a stored value to load it later."""

    uri: str
    materializer: str
    data_type: str
    artifact_type: str
    metadata: dict[str, JSONValue]


def _resolve(
    value: Any, data_type: type | None, materializer: type[BaseMaterializer] | None
) -> tuple[type, type[BaseMaterializer]]:
    """Pick the recorded data type and materializer for ``value``."""
    concrete = type(value)
    if data_type is None or data_type is Any:
        data_type = concrete
    declared = get_origin(data_type) or data_type  # list[int] -> list
    if not isinstance(declared, type) or not isinstance(value, declared):
        raise TypeError(
            f"value of type {source_of(concrete)} is not an instance of data_type {data_type!r}"
        )
    if materializer is not None:
        return declared, materializer
    matched, found = _lookup(declared)
    if matched is object and declared is not concrete:
        # Abstract annotations (object, Sequence, Mapping...) have no materializer
        # of their own; the value's concrete type usually has a better one.
        return concrete, materializer_for(concrete)
    return declared, found


def save_value(
    value: Any,
    uri: str,
    data_type: type | None = None,
    materializer: type[BaseMaterializer] | None = None,
) -> SavedArtifact:
    """Store ``value`` in the directory ``uri`` (created here) and describe it.

    ``data_type`` defaults to ``type(value)``; when given, ``value`` must be an
    instance of it, and it selects the materializer and is recorded for loading.
    """
    data_type, materializer = _resolve(value, data_type, materializer)
    fs.makedirs(uri)
    instance = materializer(uri)
    instance.save(value)
    metadata = instance.extract_metadata(value)
    preview = instance.preview(value)
    if preview:
        metadata = {**metadata, "preview": preview}
    if instance.pickled:
        # recorded as what it is: only a version recorded as a pickle is ever unpickled,
        # so a pickle planted beside another format's file is never read
        from stackyard.artifacts.materializers_builtin import CloudpickleMaterializer

        materializer = CloudpickleMaterializer
    return SavedArtifact(
        uri=uri,
        materializer=source_of(materializer),
        data_type=source_of(data_type),
        artifact_type=materializer.ARTIFACT_TYPE,
        metadata=metadata,
    )


def materializer_class(path: str) -> type[BaseMaterializer]:
    """The materializer class a record names, checked before any of its code runs.

    A record is data anyone with write access to the store could have written. So the
    path must name a `BaseMaterializer` subclass: one already loaded, or one whose
    module's source (read, not run) defines it as a class deriving from a
    materializer; only then is the module imported (see `stackyard.artifacts.recorded`).
    The standard library holds none and is never imported for a record.
    """
    from stackyard.artifacts.recorded import resolve
    from stackyard.exceptions import IllegalOperationError

    refusal = (
        f"refusing to load with {path!r}: it is not a materializer class "
        "(a subclass of stackyard's BaseMaterializer)"
    )
    try:
        found = resolve(path, lambda name: name.endswith("Materializer"), "a materializer class")
    except IllegalOperationError as exc:
        raise IllegalOperationError(f"{refusal}: {exc}") from None
    except ImportError as exc:
        raise ImportError(f"cannot load materializer {path!r}: {exc}") from None
    if not (isinstance(found, type) and issubclass(found, BaseMaterializer)):
        raise IllegalOperationError(refusal)
    return found


def handled_types(materializer_cls: type[BaseMaterializer]) -> tuple[type, ...]:
    """The types `materializer_cls` loads: its `ASSOCIATED_TYPES` and those it was
    registered for in this process."""
    with _LOCK:
        registered = [t for t, m in _REGISTRY.items() if m is materializer_cls]
    return tuple(dict.fromkeys([*materializer_cls.ASSOCIATED_TYPES, *registered]))


def data_type_class(path: str, materializer_cls: type[BaseMaterializer]) -> type:
    """The data type a record names, as a class `materializer_cls` handles, checked
    before anything of it is called: exactly one of its types, or a subclass of one (any
    class for a materializer of `object` or of no declared type, which is passed the
    value's type explicitly). A function or other callable is refused, and so is a class
    of the standard library outside `builtins` unless it subclasses one of the
    materializer's types (an `OrderedDict` for a `dict` materializer)."""
    from stackyard.artifacts.recorded import is_stdlib, resolve
    from stackyard.exceptions import IllegalOperationError

    handled = handled_types(materializer_cls)
    for known in handled:
        if source_of(known) == path:
            return known
    specific = [t for t in handled if t is not object]
    any_class = len(specific) < len(handled) or not handled
    accepted = ", ".join(source_of(t) for t in specific) or "any class"
    what = f"data type {path!r} of a {source_of(materializer_cls)} artifact"
    names = {t.__name__ for t in specific}
    try:
        found = resolve(path, None if any_class else names.__contains__, f"one of {accepted}")
    except IllegalOperationError as exc:
        raise IllegalOperationError(f"refusing to load {what}: {exc}") from None
    if not isinstance(found, type):
        raise IllegalOperationError(
            f"refusing to load {what}: it is not a class (a data type is the class of the "
            f"stored value; this materializer loads {accepted})"
        )
    foreign = found.__module__ == "builtins" or not is_stdlib(found.__module__)
    if not (any(issubclass(found, t) for t in specific) or (any_class and foreign)):
        raise IllegalOperationError(
            f"refusing to load {what}: that materializer does not handle it; it loads "
            f"{accepted}"
            + (" and their subclasses" if specific else " outside the standard library")
        )
    return found


def load_value(uri: str, materializer: str, data_type: str, *, root: str) -> Any:
    """Load a value stored by `save_value` from its recorded import paths, only from
    inside the artifact store at `root`, only with a real materializer class and a data
    type it handles."""
    from stackyard.artifacts.materializers_builtin import CloudpickleMaterializer
    from stackyard.exceptions import IllegalOperationError
    from stackyard.utils.uris import is_inside

    if not is_inside(uri, root):
        raise IllegalOperationError(
            f"refusing to read {uri!r}: it is not inside its artifact store ({root!r})"
        )
    materializer_cls = materializer_class(materializer)
    if materializer_cls is CloudpickleMaterializer:
        # a pickle carries its own classes (local ones by value): the recorded type is
        # neither needed nor imported
        return materializer_cls(uri).load(object)
    return materializer_cls(uri).load(data_type_class(data_type, materializer_cls))
