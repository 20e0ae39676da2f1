"""What a tracked step changes in its process, and puts back: environment variables,
MLflow's active runs and autologging (see `stackyard.experiment_trackers.mlflow`)."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any


@contextmanager
def environment(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (None: remove) environment variables for the block, then restore them."""
    saved = {key: os.environ.get(key) for key in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def param_value(value: Any) -> str:
    """A parameter as MLflow shows it: text and numbers as is, the rest as JSON, cut to
    MLflow's limit (a longer value would fail the step)."""
    from mlflow.utils.validation import MAX_PARAM_VAL_LENGTH as limit

    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def enabled_autologging() -> set[str]:
    from mlflow.utils.autologging_utils import AUTOLOGGING_INTEGRATIONS, autologging_is_disabled

    return {
        name
        for name in list(AUTOLOGGING_INTEGRATIONS)
        if not autologging_is_disabled(name)  # type: ignore[no-untyped-call]
    }


def disable_new_autologging(before: set[str]) -> None:
    """Autologging a step switched on would outlive it in this process and log a later
    step's (or the caller's) training into a run nobody tracks: switch it off again."""
    import mlflow

    for name in sorted(enabled_autologging() - before):
        with suppress(Exception):
            if name == "mlflow":
                mlflow.autolog(disable=True)
            else:
                importlib.import_module(f"mlflow.{name}").autolog(disable=True)


def end_runs(run_id: str, status: str, own_status: str | None = None) -> None:
    """End the runs the step left open above its own with `status`, then its own with
    `own_status` (default: `status`)."""
    import mlflow

    for _ in range(100):
        active = mlflow.active_run()
        if active is None:
            return
        if active.info.run_id == run_id:
            mlflow.end_run(own_status or status)
            return
        mlflow.end_run(status)
