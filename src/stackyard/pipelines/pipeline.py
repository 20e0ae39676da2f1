"""The `@pipeline` decorator: a function whose step calls make a DAG.

Calling a pipeline compiles it (traces the function, applies options and the
YAML run configuration) and runs it on the active stack, returning the
`PipelineRunResponse`; with a schedule it is only recorded, and the
`ScheduleResponse` is returned.

Where values come from, lowest to highest precedence:

- parameters: the function's defaults < YAML `parameters:` <
  `with_options(parameters=...)` < the call's arguments; a step's YAML
  `steps: {name: {parameters: ...}}` override what the code passes that step;
- caching: on by default; `enable_cache=False` on the pipeline (decorator <
  YAML < `with_options`) or on a step (decorator < YAML `steps:`) turns it off;
- settings, per key: pipeline decorator < YAML < `with_options` < step
  decorator < YAML `steps:`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from stackyard.exceptions import InputError
from stackyard.pipelines.config import (
    jsonable,
    load_run_config,
    merge_settings,
    normalize_settings,
)
from stackyard.pipelines.dag import Invocation, trace
from stackyard.pipelines.step import _is_model

if TYPE_CHECKING:
    from stackyard.pipelines.ml_models import Model
    from stackyard.pipelines.schedule import Schedule
    from stackyard.pipelines.settings import RunFileConfig, StepFileConfig
    from stackyard.pipelines.step import Hook


@dataclass(frozen=True)
class RunOptions:
    """What `with_options` sets; None means "not set here"."""

    run_name: str | None = None
    enable_cache: bool | None = None
    schedule: Schedule | None = None
    config_path: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    model: Model | None = None


@dataclass
class CompiledPipeline:
    """A pipeline ready to run: its invocations in order, and the resolved configuration."""

    pipeline: Pipeline
    parameters: dict[str, Any]
    invocations: dict[str, Invocation]
    enable_cache: bool
    settings: dict[str, Any]
    run_name: str | None
    schedule: Schedule | None
    config_path: str | None
    # the run configuration's `steps:` section, kept so a template can apply it again
    step_overrides: dict[str, Any] = field(default_factory=dict)
    model: Model | None = None  # the pipeline's; a step's own model wins for that step

    @property
    def name(self) -> str:
        return self.pipeline.name

    def caching(self, invocation: Invocation) -> bool:
        step_flag = (
            invocation.enable_cache
            if invocation.enable_cache is not None
            else invocation.step.enable_cache
        )
        return self.enable_cache and step_flag is not False

    def model_for(self, invocation: Invocation) -> Model | None:
        return invocation.step.model or self.model

    def models(self) -> list[Model]:
        """Every model the run's steps work on (the pipeline's first)."""
        found = [self.model] if self.model is not None else []
        found += [i.step.model for i in self.invocations.values() if i.step.model is not None]
        return found

    def step_settings(self, invocation: Invocation) -> dict[str, Any]:
        return merge_settings(self.settings, invocation.step.settings, invocation.settings)

    def run_config(self) -> dict[str, Any]:
        """What the run record keeps of how it was configured."""
        return {
            "parameters": jsonable(self.parameters, f"parameters of pipeline {self.name!r}"),
            "enable_cache": self.enable_cache,
            "settings": self.settings,
            "run_name": self.run_name,
            "config_path": self.config_path,
            "schedule": self.schedule.model_dump(mode="json") if self.schedule else None,
            "steps": self.step_overrides,
            "model": self.model.describe() if self.model else None,
        }

    def step_config(self, invocation: Invocation) -> dict[str, Any]:
        retry = invocation.step.retry
        model = self.model_for(invocation)
        return {
            "step": invocation.step.name,
            "enable_cache": self.caching(invocation),
            "settings": self.step_settings(invocation),
            "retry": retry.model_dump() if retry else None,
            "model": model.describe() if model else None,
        }

    def spec(self) -> dict[str, Any]:
        """The DAG as JSON, for the snapshot."""
        return {
            "steps": {
                inv.id: {
                    "source": inv.step.source,
                    "upstream": inv.upstream,
                    "inputs": {a: {"step": s, "output": o} for a, (s, o) in inv.artifacts.items()},
                    "external_inputs": {a: str(v.id) for a, v in inv.external.items()},
                    "outputs": [o.name for o in inv.step.outputs],
                }
                for inv in self.invocations.values()
            }
        }


class Pipeline:
    """A pipeline function plus its defaults; immutable (`with_options` returns a copy)."""

    def __init__(
        self,
        func: Callable[..., Any],
        *,
        name: str | None = None,
        enable_cache: bool | None = None,
        settings: Mapping[str, Any] | None = None,
        on_failure: Hook | None = None,
        on_success: Hook | None = None,
        options: RunOptions | None = None,
        model: Model | None = None,
    ) -> None:
        self.entrypoint = func
        self.name = name or func.__name__
        self.enable_cache = enable_cache
        self.settings = normalize_settings(settings, f"pipeline {self.name!r}")
        self.on_failure = on_failure
        self.on_success = on_success
        self.options = options or RunOptions()
        if model is not None and not _is_model(model):
            raise InputError(
                f"model of pipeline {self.name!r} must be a stackyard Model: {model!r}"
            )
        self.model = model
        self.signature = inspect.signature(func)
        if any(
            p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in self.signature.parameters.values()
        ):
            raise InputError(f"pipeline {self.name!r} needs named parameters, not *args/**kwargs")
        self.__doc__ = func.__doc__
        self.__wrapped__ = func

    @cached_property
    def source(self) -> str:
        """Import path of the pipeline function, recorded on snapshots to run them again."""
        from stackyard.utils.source import source_of

        return source_of(self.entrypoint)

    def with_options(
        self,
        *,
        run_name: str | None = None,
        enable_cache: bool | None = None,
        schedule: Schedule | None = None,
        config_path: str | Path | None = None,
        settings: Mapping[str, Any] | None = None,
        parameters: Mapping[str, Any] | None = None,
        model: Model | None = None,
    ) -> Pipeline:
        """A copy of this pipeline with run options; unset options keep their values.

        `run_name` may use `{date}`, `{time}` and `{pipeline}`; `config_path` is a
        YAML file with `run_name`, `enable_cache`, `parameters`, `settings` and
        `steps: {name: {parameters, enable_cache, settings}}`.
        """
        if schedule is not None:
            from stackyard.pipelines.schedule import Schedule

            if not isinstance(schedule, Schedule):
                raise InputError(f"schedule must be a stackyard Schedule, got {schedule!r}")
        if model is not None and not _is_model(model):
            raise InputError(f"model must be a stackyard Model, got {model!r}")
        old = self.options
        options = replace(
            old,
            run_name=run_name if run_name is not None else old.run_name,
            enable_cache=enable_cache if enable_cache is not None else old.enable_cache,
            schedule=schedule or old.schedule,
            config_path=str(config_path) if config_path is not None else old.config_path,
            settings={**old.settings, **normalize_settings(settings, f"pipeline {self.name!r}")},
            parameters={**old.parameters, **(parameters or {})},
            model=model or old.model,
        )
        return Pipeline(
            self.entrypoint,
            name=self.name,
            enable_cache=self.enable_cache,
            settings=self.settings,
            on_failure=self.on_failure,
            on_success=self.on_success,
            options=options,
            model=self.model,
        )

    def _parameters(
        self, args: tuple[Any, ...], kwargs: dict[str, Any], file: RunFileConfig | None
    ) -> dict[str, Any]:
        accepted = ", ".join(self.signature.parameters) or "none"
        try:
            bound = self.signature.bind_partial(*args, **kwargs)
        except TypeError as exc:
            raise InputError(
                f"calling pipeline {self.name!r}: {exc} (its parameters: {accepted})"
            ) from None
        configured = {**(file.parameters if file else {}), **self.options.parameters}
        unknown = sorted(set(configured) - set(self.signature.parameters))
        if unknown:
            raise InputError(
                f"pipeline {self.name!r} has no parameter(s) {', '.join(unknown)}; "
                f"its parameters: {accepted}"
            )
        values = {**configured, **bound.arguments}
        for param in self.signature.parameters.values():
            if param.name in values:
                continue
            if param.default is inspect.Parameter.empty:
                raise InputError(
                    f"pipeline {self.name!r} needs a value for parameter {param.name!r}: pass it "
                    "in the call, with_options(parameters=...) or the YAML `parameters:`"
                )
            values[param.name] = param.default
        return {name: values[name] for name in self.signature.parameters}

    def _apply_steps_config(
        self, invocations: dict[str, Invocation], steps: dict[str, StepFileConfig]
    ) -> None:
        for step_name, config in steps.items():
            invocation = invocations.get(step_name)
            if invocation is None:
                raise InputError(
                    f"the run configuration names step {step_name!r}, which pipeline "
                    f"{self.name!r} does not call; its steps: {', '.join(invocations)}"
                )
            for param, value in config.parameters.items():
                if param in invocation.artifacts or param in invocation.external:
                    raise InputError(
                        f"{param!r} of step {step_name!r} is an input artifact, not a parameter; "
                        "it cannot be set in the run configuration"
                    )
                if param not in invocation.step.signature.parameters:
                    raise InputError(
                        f"step {step_name!r} has no parameter {param!r}; its parameters: "
                        + ", ".join(invocation.step.signature.parameters)
                    )
                invocation.parameters[param] = value
            invocation.enable_cache = config.enable_cache
            invocation.settings = normalize_settings(config.settings, f"step {step_name!r}")

    def compile(self, *args: Any, **kwargs: Any) -> CompiledPipeline:
        """Trace the pipeline with these arguments and resolve its configuration."""
        options = self.options
        # without a run file nothing of it applies (and pydantic need not be imported)
        file = load_run_config(options.config_path) if options.config_path else None
        parameters = self._parameters(args, kwargs, file)
        invocations = trace(self.name, self.entrypoint, parameters)
        steps = file.steps if file is not None else {}
        self._apply_steps_config(invocations, steps)
        flags = (options.enable_cache, file.enable_cache if file else None, self.enable_cache)
        return CompiledPipeline(
            pipeline=self,
            parameters=parameters,
            invocations=invocations,
            enable_cache=next((f for f in flags if f is not None), True),
            settings=merge_settings(
                self.settings,
                normalize_settings(file.settings if file else None, options.config_path or ""),
                options.settings,
            ),
            run_name=options.run_name or (file.run_name if file else None),
            schedule=options.schedule,
            config_path=options.config_path,
            step_overrides={
                name: config.model_dump(mode="json", exclude_defaults=True)
                for name, config in steps.items()
            },
            model=options.model or self.model,
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run on the active stack → `PipelineRunResponse`; with a schedule → `ScheduleResponse`.

        A failing step raises `StepFailedError` naming it, after the run is recorded as failed.
        Called while stackyard imports the calling module to load something from it, it
        raises `RunDuringImportError` instead (see `refuse_run_while_loading`).
        """
        from stackyard.pipelines.launch import launch
        from stackyard.utils.source import refuse_run_while_loading

        refuse_run_while_loading(self.name)
        return launch(self.compile(*args, **kwargs))

    def __repr__(self) -> str:
        return f"<pipeline {self.name!r} ({self.entrypoint.__module__})>"


@overload
def pipeline(func: Callable[..., Any], /) -> Pipeline: ...


@overload
def pipeline(
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    settings: Mapping[str, Any] | None = None,
    on_failure: Hook | None = None,
    on_success: Hook | None = None,
    model: Model | None = None,
) -> Callable[[Callable[..., Any]], Pipeline]: ...


def pipeline(
    func: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    enable_cache: bool | None = None,
    settings: Mapping[str, Any] | None = None,
    on_failure: Hook | None = None,
    on_success: Hook | None = None,
    model: Model | None = None,
) -> Pipeline | Callable[[Callable[..., Any]], Pipeline]:
    """Make a function a pipeline: `@pipeline` or `@pipeline(enable_cache=False, ...)`.

    `on_failure(error)` / `on_success()` run once per run, after it finished;
    `model=Model(name=...)` links each run and its outputs to a model version.
    """

    def decorate(function: Callable[..., Any]) -> Pipeline:
        return Pipeline(
            function,
            name=name,
            enable_cache=enable_cache,
            settings=settings,
            on_failure=on_failure,
            on_success=on_success,
            model=model,
        )

    return decorate if func is None else decorate(func)
