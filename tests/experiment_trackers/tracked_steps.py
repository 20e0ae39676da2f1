"""Tracked steps imported by path in `local_parallel` workers."""

from __future__ import annotations

import os

import mlflow

from stackyard import step


@step(experiment_tracker=True, enable_cache=False)
def measure(name: str) -> dict[str, object]:
    """Log a metric into the step's run and say which run and process that was."""
    mlflow.log_metric("score", len(name))
    run = mlflow.active_run()
    assert run is not None
    return {"run_id": run.info.run_id, "pid": os.getpid(), "run_name": run.info.run_name}


@step(experiment_tracker="mlflow", enable_cache=False)
def combine(first: dict[str, object], second: dict[str, object]) -> list[str]:
    return sorted([str(first["run_id"]), str(second["run_id"])])
