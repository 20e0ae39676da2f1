"""Compiling a pipeline: run its function once, recording step calls as a DAG.

While a `@pipeline` function is traced, each step call is recorded as an
`Invocation` and returns `StepOutput` placeholders instead of values; passing a
placeholder to another step makes a data dependency, `.after()` an ordering
one. Calls are recorded in order, so the invocation order is already a
topological order. A step called twice gets ids `name`, `name_2`, ...
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from stackyard.exceptions import InputError
from stackyard.pipelines.config import jsonable

if TYPE_CHECKING:
    from stackyard.models.artifacts import ArtifactVersionResponse
    from stackyard.pipelines.step import Step

_TRACER: ContextVar[Tracer | None] = ContextVar("stackyard_tracer", default=None)


def current_tracer() -> Tracer | None:
    """The tracer of the pipeline being compiled in this context, if any."""
    return _TRACER.get()


class StepOutput:
    """Stands for one output of a step call while a pipeline is being defined."""

    __slots__ = ("_tracer", "invocation_id", "output_name")

    def __init__(self, tracer: Tracer, invocation_id: str, output_name: str) -> None:
        self._tracer = tracer
        self.invocation_id = invocation_id
        self.output_name = output_name

    def __repr__(self) -> str:
        return f"<output {self.output_name!r} of step {self.invocation_id!r}>"

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self!r} has no value while the pipeline is being defined: pass it to another "
            "step, and branch inside steps rather than in the pipeline function"
        )

    def __iter__(self) -> Any:
        raise TypeError(
            f"step {self.invocation_id!r} has a single output; only steps annotated "
            "`-> tuple[A, B]` return several outputs to unpack"
        )


@dataclass
class Invocation:
    """One call of a step inside a pipeline: its id, inputs and configuration."""

    id: str
    step: Step
    parameters: dict[str, Any]
    artifacts: dict[str, tuple[str, str]]  # argument → (upstream invocation id, output name)
    external: dict[str, ArtifactVersionResponse]  # argument → an existing artifact version
    upstream: list[str]  # invocations that must finish first (data and .after())
    enable_cache: bool | None = None  # from a run configuration file
    settings: dict[str, Any] = field(default_factory=dict)  # from a run configuration file


def _is_artifact_version(value: Any) -> bool:
    from stackyard.models.artifacts import ArtifactVersionResponse

    return isinstance(value, ArtifactVersionResponse)


class Tracer:
    """Collects the invocations of one pipeline function call."""

    def __init__(self) -> None:
        self.invocations: dict[str, Invocation] = {}
        self._after: dict[int, tuple[Step, list[str]]] = {}
        self._calls: dict[str, int] = {}  # step name -> the next suffix number to try

    def _new_id(self, name: str) -> str:
        """`name`, then `name_2`, `name_3` ...: constant time per call, since the search
        for a free suffix resumes where the last call of this name stopped."""
        number = self._calls.get(name, 1)  # 1 stands for the bare name
        while True:
            candidate = name if number == 1 else f"{name}_{number}"
            if candidate not in self.invocations:
                break
            number += 1
        self._calls[name] = number + 1
        return candidate

    def _own(self, output: StepOutput, what: str) -> StepOutput:
        if output._tracer is not self:
            raise InputError(f"{what} gets {output!r} from another pipeline definition")
        return output

    def invoke(self, step: Step, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Record a call of `step`; return its placeholder output(s)."""
        try:
            bound = step.signature.bind(*args, **kwargs)
        except TypeError as exc:
            accepted = ", ".join(step.signature.parameters) or "none"
            raise InputError(
                f"calling step {step.name!r}: {exc} (its parameters: {accepted})"
            ) from None
        bound.apply_defaults()
        invocation_id = self._new_id(step.name)
        parameters: dict[str, Any] = {}
        artifacts: dict[str, tuple[str, str]] = {}
        external: dict[str, Any] = {}
        upstream: list[str] = []
        for name, value in bound.arguments.items():
            what = f"argument {name!r} of step {invocation_id!r}"
            if isinstance(value, StepOutput):
                self._own(value, what)
                artifacts[name] = (value.invocation_id, value.output_name)
                upstream.append(value.invocation_id)
            elif isinstance(value, tuple | list) and any(isinstance(v, StepOutput) for v in value):
                producers = {v.invocation_id for v in value if isinstance(v, StepOutput)}
                if isinstance(value, tuple) and len(producers) == 1:
                    raise InputError(
                        f"{what} gets all {len(value)} outputs of step {producers.pop()!r}; "
                        "unpack them first (`a, b = step()`) and pass the one it needs"
                    )
                raise InputError(
                    f"{what} is a collection holding step outputs; pass each step output "
                    "as an argument of its own (a step input is one artifact)"
                )
            elif _is_artifact_version(value):
                external[name] = value
            else:
                jsonable(value, f"parameter {name!r} of step {invocation_id!r}")
                parameters[name] = value
        pending = self._after.pop(id(step), None)
        if pending is not None:
            upstream += pending[1]
        self.invocations[invocation_id] = Invocation(
            id=invocation_id,
            step=step,
            parameters=parameters,
            artifacts=artifacts,
            external=external,
            upstream=list(dict.fromkeys(upstream)),
        )
        outputs = [StepOutput(self, invocation_id, o.name) for o in step.outputs]
        if not outputs:
            return None
        return outputs[0] if len(outputs) == 1 else tuple(outputs)

    def add_after(self, step: Step, upstream: Iterable[Any]) -> None:
        """Make the next call of `step` wait for `upstream` (steps or placeholders)."""
        from stackyard.pipelines.step import Step as StepClass

        ids: list[str] = []
        for item in upstream:
            first = item[0] if isinstance(item, tuple) and item else item
            if isinstance(first, StepOutput):
                ids.append(self._own(first, f"{step.name}.after()").invocation_id)
            elif isinstance(first, StepClass):
                calls = [i.id for i in self.invocations.values() if i.step is first]
                if not calls:
                    raise InputError(
                        f"{step.name}.after({first.name}): step {first.name!r} has not been "
                        "called yet in this pipeline; call it before declaring the order"
                    )
                ids.append(calls[-1])
            else:
                raise InputError(
                    f"{step.name}.after() takes steps or step outputs, got {type(item).__name__}"
                )
        self._after.setdefault(id(step), (step, []))[1].extend(ids)

    def finish(self, pipeline_name: str) -> dict[str, Invocation]:
        if self._after:
            names = ", ".join(s.name for s, _ in self._after.values())
            raise InputError(
                f"pipeline {pipeline_name!r}: .after() was set on step(s) {names} "
                "but they were not called afterwards"
            )
        if not self.invocations:
            raise InputError(f"pipeline {pipeline_name!r} calls no steps")
        return self.invocations


def trace(
    pipeline_name: str, func: Callable[..., Any], kwargs: dict[str, Any]
) -> dict[str, Invocation]:
    """Call a pipeline function with its parameters and return the recorded invocations."""
    if current_tracer() is not None:
        raise InputError(
            f"pipeline {pipeline_name!r} is called inside another pipeline definition; "
            "call its steps directly instead"
        )
    tracer = Tracer()
    token = _TRACER.set(tracer)
    try:
        func(**kwargs)
    finally:
        _TRACER.reset(token)
    return tracer.finish(pipeline_name)
