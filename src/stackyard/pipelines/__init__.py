"""Authoring and running pipelines: `@step`, `@pipeline`, step context, artifacts.

    from stackyard import step, pipeline

    @step
    def load() -> list[int]:
        return [1, 2, 3]

    @pipeline
    def my_pipeline():
        load()

    run = my_pipeline()  # a PipelineRunResponse
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
