"""Authoring and running pipelines: `@step`, `@pipeline`, step context, artifacts.

A step is a function whose parameters are its inputs and whose return
annotation names its outputs; a pipeline is a function calling steps. Calling
the pipeline runs it on the active stack and returns the `PipelineRunResponse`
(see `examples/quickstart.py`).
"""

from stackyard.pipelines.artifacts import load_artifact, save_artifact
from stackyard.pipelines.config import ResourceSettings, RetryPolicy
from stackyard.pipelines.context import StepContext, get_step_context, log_metadata
from stackyard.pipelines.pipeline import Pipeline, pipeline
from stackyard.pipelines.schedule import Schedule
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
