"""Authoring and running pipelines: `@step`, `@pipeline`, step context, artifacts.

A step is a function whose parameters are its inputs and whose return
annotation names its outputs; a pipeline is a function calling steps. Calling
the pipeline runs it on the active stack and returns the `PipelineRunResponse`
(see `examples/quickstart.py`).

Names load on first use, like `stackyard`'s own: importing one module of this
package (`stackyard.pipelines.pipeline`) does not import the others.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stackyard.utils.lazy import lazy_attributes

_LAZY = {
    "Pipeline": "stackyard.pipelines.pipeline",
    "ResourceSettings": "stackyard.pipelines.settings",
    "RetryPolicy": "stackyard.pipelines.settings",
    "Schedule": "stackyard.pipelines.schedule",
    "Step": "stackyard.pipelines.step",
    "StepContext": "stackyard.pipelines.context",
    "get_step_context": "stackyard.pipelines.context",
    "load_artifact": "stackyard.pipelines.artifacts",
    "log_metadata": "stackyard.pipelines.context",
    "pipeline": "stackyard.pipelines.pipeline",
    "save_artifact": "stackyard.pipelines.artifacts",
    "step": "stackyard.pipelines.step",
}

if TYPE_CHECKING:
    from stackyard.pipelines.artifacts import load_artifact, save_artifact
    from stackyard.pipelines.context import StepContext, get_step_context, log_metadata
    from stackyard.pipelines.pipeline import Pipeline, pipeline
    from stackyard.pipelines.schedule import Schedule
    from stackyard.pipelines.settings import ResourceSettings, RetryPolicy
    from stackyard.pipelines.step import Step, step

__all__ = [
    "Pipeline",
    "ResourceSettings",
    "RetryPolicy",
    "Schedule",
    "Step",
    "StepContext",
    "get_step_context",
    "load_artifact",
    "log_metadata",
    "pipeline",
    "save_artifact",
    "step",
]


__getattr__ = lazy_attributes(__name__, lambda: _LAZY)
