"""Steps and pipelines the Ray tests run; imported by path in Ray workers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Annotated, Any

from stackyard import ResourceSettings, RetryPolicy, get_step_context, pipeline, step

HERE = str(Path(__file__).resolve().parent)
RUNTIME_ENV = {"env_vars": {"PYTHONPATH": HERE}}  # how Ray workers find this module


@step(enable_cache=False)
def source() -> int:
    return 1


@step(enable_cache=False)
def branch(value: int, barrier: str, seconds: float = 0.5) -> Annotated[dict[str, Any], "span"]:
    """Waits (up to two minutes) until both branches are running: only tasks that run
    at the same time get past it quickly, however long workers take to start."""
    start = time.time()
    marker = Path(barrier) / f"{os.getpid()}-{time.monotonic_ns()}"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    while len(list(marker.parent.iterdir())) < 2 and time.time() - start < 120:
        time.sleep(0.05)
    time.sleep(seconds)
    return {"pid": os.getpid(), "start": start, "end": time.time(), "value": value}


@step(enable_cache=False)
def join(left: dict[str, Any], right: dict[str, Any]) -> int:
    return int(left["value"] + right["value"])


@pipeline
def diamond(barrier: str, seconds: float = 0.5) -> None:
    value = source()
    join(branch(value, barrier, seconds), branch(value, barrier, seconds))


@step(enable_cache=False, settings={"resources": ResourceSettings(cpu_count=0.5, memory="50MB")})
def assigned() -> dict[str, float]:
    import ray

    return dict(ray.get_runtime_context().get_assigned_resources())


@pipeline
def resources_pipeline() -> None:
    assigned()


@step(settings={"resources": ResourceSettings(gpu_count=1)})
def wants_gpu() -> int:
    return 1


@pipeline
def gpu_pipeline() -> None:
    wants_gpu()


@step(enable_cache=False)
def fails() -> int:
    raise ValueError("bad input on purpose")


@step(enable_cache=False)
def never(value: int) -> int:
    return value


@pipeline
def failing_pipeline() -> None:
    never(fails())


@step(enable_cache=False)
def dies() -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return 0


@pipeline
def dying_pipeline() -> None:
    never(dies())


@step(enable_cache=False)
def sleeps(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@pipeline
def slow_pipeline(seconds: float = 60.0) -> None:
    never(sleeps(seconds))


@step
def cached_value(x: int) -> int:
    return x * 2


@pipeline
def cached_pipeline() -> None:
    cached_value(21)


@step(enable_cache=False, retry=RetryPolicy(max_retries=2, delay=0))
def flaky(marker: str) -> str:
    path = Path(marker)
    if not path.exists():
        path.write_text("failed once")
        raise RuntimeError("first attempt fails")
    return get_step_context().step_name


@pipeline
def flaky_pipeline(marker: str) -> None:
    flaky(marker)


@step(enable_cache=False, settings={"resources": ResourceSettings(cpu_count=0.01)})
def hop(value: int) -> int:
    return value + 1


@pipeline(enable_cache=False)
def wide_pipeline(width: int = 100, depth: int = 10) -> None:
    """`width` chains of `depth` steps: `width` steps ready at once, width * depth in all."""
    for chain in range(width):
        value: Any = chain
        for _ in range(depth):
            value = hop(value)


@step(experiment_tracker="mlflow", enable_cache=False)
def tracked(name: str) -> dict[str, Any]:
    """Log into the step's MLflow run and say which run, under which parent, in which process."""
    import mlflow

    mlflow.log_metric("length", len(name))
    run = mlflow.active_run()
    assert run is not None
    parent = run.data.tags.get("mlflow.parentRunId")
    return {"pid": os.getpid(), "run_id": run.info.run_id, "parent": parent}


@pipeline(enable_cache=False)
def tracked_pipeline() -> None:
    tracked(name="a")
    tracked(name="bb")
