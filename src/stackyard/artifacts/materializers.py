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
    return SavedArtifact(
        uri=uri,
        materializer=source_of(materializer),
        data_type=source_of(data_type),
        artifact_type=materializer.ARTIFACT_TYPE,
        metadata=metadata,
    )


def materializer_class(path: str) -> type[BaseMaterializer]:
    """The materializer class a record names, checked before anything of it is called.

    A record is data anyone with write access to the store could have written, so
    the path must name a `BaseMaterializer` subclass; the standard library holds
    none, so its modules (`os.system`, `subprocess.run`, ...) are refused before
    they are even imported.
    """
    import sys

    from stackyard.exceptions import IllegalOperationError

    top = path.partition(".")[0]
    found: Any = None
    if top not in sys.stdlib_module_names:
        try:
            found = load_source(path)
        except ImportError as exc:
            raise ImportError(f"cannot load materializer {path!r}: {exc}") from None
    if not (isinstance(found, type) and issubclass(found, BaseMaterializer)):
        raise IllegalOperationError(
            f"refusing to load with {path!r}: it is not a materializer class "
            "(a subclass of stackyard's BaseMaterializer)"
        )
    return found


def load_value(uri: str, materializer: str, data_type: str, *, root: str) -> Any:
    """Load a value stored by `save_value` from its recorded import paths, only from
    inside the artifact store at `root` and only with a real materializer class."""
    from stackyard.exceptions import IllegalOperationError
    from stackyard.utils.uris import is_inside

    if not is_inside(uri, root):
        raise IllegalOperationError(
            f"refusing to read {uri!r}: it is not inside its artifact store ({root!r})"
        )
    materializer_cls = materializer_class(materializer)
    try:
        resolved = load_source(data_type)
    except ImportError:
        # Pickled values carry their own class (local classes are pickled by
        # value), so an unimportable recorded type does not stop them loading.
        if materializer_cls is not materializer_for(object):
            raise
        resolved = object
    return materializer_cls(uri).load(resolved)
