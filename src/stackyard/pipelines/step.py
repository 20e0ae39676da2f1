"""The `@step` decorator: a plain Python function becomes a pipeline step.

A step's inputs are its parameters; its outputs come from its return
annotation: `-> int` is one output named "output", `-> Annotated[int, "n"]`
is one named "n", `-> tuple[A, B]` is two (`output_0`, `output_1`, or the
`Annotated` names), `-> None` is none. Called inside a `@pipeline` function a
step records an invocation and returns placeholders; called anywhere else it
is just the function, so steps stay easy to unit-test.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Union, overload

from stackyard.exceptions import InputError
from stackyard.pipelines.config import normalize_settings

if TYPE_CHECKING:
    from stackyard.pipelines.ml_models import ArtifactConfig, Model
    from stackyard.pipelines.settings import RetryPolicy

DEFAULT_OUTPUT = "output"
Hook = Callable[..., Any]


@dataclass(frozen=True)
class OutputSpec:
    """One declared output: its name, annotation and the classes a value must match."""

    name: str
    annotation: Any
    classes: tuple[type, ...] | None  # None: not checked (Any, TypeVar, Literal, ...)
    custom_name: bool = False  # named with Annotated: the artifact gets that name
    config: ArtifactConfig | None = None  # from Annotated[X, ArtifactConfig(...)]

    @property
    def data_type(self) -> type | None:
        """The type recorded for the stored value, when the annotation names exactly one."""
        return self.classes[0] if self.classes and len(self.classes) == 1 else None

    def check(self, value: Any, step_name: str) -> Any:
        """Return `value` (an int widened to float if so declared) or raise a TypeError."""
        if self.classes is None or isinstance(value, self.classes):
            return value
        if float in self.classes and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        shown = repr(value)
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise TypeError(
            f"step {step_name!r} returned {type(value).__module__}.{type(value).__qualname__} "
            f"for output {self.name!r}, but its return annotation says "
            f"{_describe(self.annotation)}: {shown}"
        )


def _is_model(value: Any) -> bool:
    from stackyard.pipelines.ml_models import Model

    return isinstance(value, Model)


def _describe(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation).replace("typing.", "")


def _classes(annotation: Any) -> tuple[type, ...] | None:
    """Classes for an isinstance check of `annotation`, or None when it can't be checked."""
    if annotation is Any or annotation is object:
        return None
    if annotation is None or annotation is type(None):
        return (type(None),)
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _classes(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found: list[type] = []
        for arg in typing.get_args(annotation):
            classes = _classes(arg)
            if classes is None:
                return None
            found += [c for c in classes if c not in found]
        return tuple(found)
    if origin is not None:
        annotation = origin
    return (annotation,) if isinstance(annotation, type) else None


def _output(annotation: Any, default_name: str) -> OutputSpec:
    names: list[str] = []
    config = None
    if typing.get_origin(annotation) is Annotated:
        annotation, *extras = typing.get_args(annotation)
        names = [e for e in extras if isinstance(e, str)]
        # not imported yet: nothing can be an ArtifactConfig (defining steps stays light)
        models = sys.modules.get("stackyard.pipelines.ml_models")
        configs = [e for e in extras if models and isinstance(e, models.ArtifactConfig)]
        config = configs[0] if configs else None
        if config is not None and config.name is not None:
            names.insert(0, config.name)
    return OutputSpec(
        names[0] if names else default_name,
        annotation,
        _classes(annotation),
        custom_name=bool(names),
        config=config,
    )


def parse_outputs(annotation: Any, step_name: str) -> list[OutputSpec]:
    """The outputs a return annotation declares (see the module docstring)."""
    if annotation is inspect.Signature.empty:
        return [OutputSpec(DEFAULT_OUTPUT, Any, None)]
    if annotation is None or annotation is type(None):
        return []
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is tuple and len(args) >= 2 and Ellipsis not in args:
        outputs = [_output(arg, f"output_{i}") for i, arg in enumerate(args)]
    else:
        outputs = [_output(annotation, DEFAULT_OUTPUT)]
    names = [o.name for o in outputs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"step {step_name!r} declares output name(s) twice: {duplicates}")
    return outputs


def _return_annotation(func: Callable[..., Any]) -> Any:
    """The evaluated return annotation, also for `from __future__ import annotations`."""
    raw = inspect.signature(func).return_annotation
    if not isinstance(raw, str):
        return raw
    namespace = dict(func.__globals__)
    for name, cell in zip(func.__code__.co_freevars, func.__closure__ or (), strict=False):
        with contextlib.suppress(ValueError):  # a cell not yet assigned
            namespace[name] = cell.cell_contents
    try:
        return eval(raw, namespace)  # the same evaluation typing.get_type_hints performs
    except Exception as exc:
        raise InputError(
            f"cannot resolve the return annotation {raw!r} of step {func.__qualname__!r}: "
            f"{exc}; define the types it uses at module level"
        ) from None


class Step:
    """A function plus how to run it: caching, settings, retries, hooks."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        enable_cache: bool | None = None,
        settings: Mapping[str, Any] | None = None,
        retry: RetryPolicy | None = None,
        on_failure: Hook | None = None,
        on_success: Hook | None = None,
        output_materializers: Mapping[str, type] | None = None,
        model: Model | None = None,
        experiment_tracker: str | bool | None = None,
    ) -> None:
        if not callable(func):
            raise InputError(f"@step decorates a function, not {func!r}")
        self.entrypoint = func
        self.name = name or func.__name__
        self.enable_cache = enable_cache
        self.settings = normalize_settings(settings, f"step {self.name!r}")
        if retry is not None:
            from stackyard.pipelines.settings import RetryPolicy

            if not isinstance(retry, RetryPolicy):
                raise InputError(f"retry of step {self.name!r} must be a RetryPolicy: {retry!r}")
        self.retry = retry
        self.on_failure = on_failure
        self.on_success = on_success
        self.output_materializers = dict(output_materializers or {})
        if model is not None and not _is_model(model):
            raise InputError(
                f"model of step {self.name!r} must be a stackyard Model, got {model!r}"
            )
        self.model = model
        self.experiment_tracker = _tracker_name(experiment_tracker, self.name)
        self.signature = inspect.signature(func)
        variadic = [
            p.name
            for p in self.signature.parameters.values()
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if variadic:
            raise InputError(
                f"step {self.name!r} takes *{variadic[0]}: steps need named parameters, "
                "because each input is recorded by name"
            )
        self.__doc__ = func.__doc__
        self.__wrapped__ = func

    @cached_property
    def outputs(self) -> list[OutputSpec]:
        """Parsed on first use, so annotations may name classes defined later."""
        outputs = parse_outputs(_return_annotation(self.entrypoint), self.name)
        unknown = set(self.output_materializers) - {o.name for o in outputs}
        if unknown:
            raise InputError(
                f"output_materializers of step {self.name!r} name unknown output(s) "
                f"{sorted(unknown)}; outputs: {[o.name for o in outputs]}"
            )
        return outputs

    @cached_property
    def source(self) -> str:
        """Import path of the function ("module.name"), recorded on each step run."""
        from stackyard.utils.source import source_of

        return source_of(self.entrypoint)

    @cached_property
    def code_hash(self) -> str:
        """Hash of the function's source text: editing the step invalidates its cache."""
        try:
            text = inspect.getsource(self.entrypoint).encode()
        except (OSError, TypeError):  # no source file (REPL, exec): hash the bytecode
            code = self.entrypoint.__code__
            text = code.co_code + repr(code.co_consts).encode()
        import hashlib

        return hashlib.sha256(text).hexdigest()

    def split_outputs(self, result: Any) -> dict[str, Any]:
        """Map a return value onto the declared outputs, checking each value's type."""
        outputs = self.outputs
        if not outputs:
            if result is not None:
                raise TypeError(
                    f"step {self.name!r} is annotated to return None, "
                    f"but returned {type(result).__qualname__}"
                )
            return {}
        if len(outputs) == 1:
            return {outputs[0].name: outputs[0].check(result, self.name)}
        if not isinstance(result, tuple | list) or len(result) != len(outputs):
            got = f"{len(result)} values" if isinstance(result, tuple | list) else "one value"
            raise TypeError(
                f"step {self.name!r} declares {len(outputs)} outputs "
                f"({', '.join(o.name for o in outputs)}) but returned {got}"
            )
        return {o.name: o.check(v, self.name) for o, v in zip(outputs, result, strict=True)}

    def after(self, *upstream: Step | Any) -> Step:
        """Inside a pipeline: the next call of this step waits for `upstream` steps too.

        `upstream` are steps already called in the pipeline (their latest call) or
        the placeholders their calls returned.
        """
        from stackyard.pipelines.dag import current_tracer

        tracer = current_tracer()
        if tracer is None:
            raise InputError(f"{self.name}.after(...) only works inside a @pipeline function")
        tracer.add_after(self, upstream)
        return self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from stackyard.pipelines.dag import current_tracer

        tracer = current_tracer()
        if tracer is None:
            return self.entrypoint(*args, **kwargs)
        return tracer.invoke(self, args, kwargs)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickled as its import path when its module holds it (the receiving process
        imports it, module state and all); otherwise, as for a step defined in a
        script, a notebook or a function, by value (cloudpickle sends the code)."""
        module = sys.modules.get(self.entrypoint.__module__)
        if module is not None and self.entrypoint.__module__ != "__main__":
            found: Any = module
            for attribute in self.entrypoint.__qualname__.split("."):
                found = getattr(found, attribute, None)
            if found is self:
                return (_step_at, (f"{self.entrypoint.__module__}.{self.entrypoint.__qualname__}",))
        return super().__reduce_ex__(protocol)

    def __repr__(self) -> str:
        return f"<step {self.name!r} ({self.entrypoint.__module__})>"


def _tracker_name(value: str | bool | None, step_name: str) -> str | bool | None:
    """`experiment_tracker=` as given: a component name, True (the stack's), or None."""
    if value is None or value is False:
        return None
    if value is True or (isinstance(value, str) and value.strip()):
        return value
    raise InputError(
        f"experiment_tracker of step {step_name!r} must be the name of an experiment tracker "
        f"component (or True for the stack's), got {value!r}"
    )


def _step_at(path: str) -> Step:
    """The step a module holds at `path` (how an importable step is unpickled)."""
    from stackyard.utils.source import load_source

    found = load_source(path)
    if not isinstance(found, Step):
        raise ImportError(f"{path!r} is {type(found).__name__}, not a @step")
    return found


@overload
def step(func: Callable[..., Any], /) -> Step: ...


@overload
def step(
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    settings: Mapping[str, Any] | None = None,
    retry: RetryPolicy | None = None,
    on_failure: Hook | None = None,
    on_success: Hook | None = None,
    output_materializers: Mapping[str, type] | None = None,
    model: Model | None = None,
    experiment_tracker: str | bool | None = None,
) -> Callable[[Callable[..., Any]], Step]: ...


def step(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    settings: Mapping[str, Any] | None = None,
    retry: RetryPolicy | None = None,
    on_failure: Hook | None = None,
    on_success: Hook | None = None,
    output_materializers: Mapping[str, type] | None = None,
    model: Model | None = None,
    experiment_tracker: str | bool | None = None,
) -> Step | Callable[[Callable[..., Any]], Step]:
    """Make a function a step: `@step` or `@step(enable_cache=False, retry=...)`.

    `on_failure(exception)` / `on_success()` run after the step, inside its
    context (`get_step_context()` works); `output_materializers` maps output
    names to materializer classes; `model` links what the step produces to a
    model version (see `stackyard.pipelines.ml_models`); `experiment_tracker` names
    the stack's experiment tracker component (or True: whichever the stack has) that
    records the step as a run of its own (see `stackyard.experiment_trackers`).
    """

    def decorate(function: Callable[..., Any]) -> Step:
        return Step(
            function,
            name=name,
            enable_cache=enable_cache,
            settings=settings,
            retry=retry,
            on_failure=on_failure,
            on_success=on_success,
            output_materializers=output_materializers,
            model=model,
            experiment_tracker=experiment_tracker,
        )

    return decorate if func is None else decorate(func)
