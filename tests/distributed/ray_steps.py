"""Steps and pipelines the Ray tests run; imported by path in Ray workers."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Annotated, Any

from stackyard import (
    ResourceSettings,
    RetryPolicy,
    get_step_context,
    log_metadata,
    pipeline,
    step,
)

HERE = str(Path(__file__).resolve().parent)
# how Ray workers find this module: before the cluster's own PYTHONPATH (Ray expands
# ${PYTHONPATH} in the worker), which may hold the stackyard under test
RUNTIME_ENV = {"env_vars": {"PYTHONPATH": f"{HERE}{os.pathsep}${{PYTHONPATH}}"}}


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
def sleeps(folder: str, seconds: float) -> float:
    """Leaves its process id in `folder`, sleeps, then leaves `finished` there: a task
    cancelled meanwhile never does."""
    Path(folder, "pid").write_text(str(os.getpid()))
    time.sleep(seconds)
    Path(folder, "finished").touch()
    return seconds


@pipeline
def slow_pipeline(folder: str, seconds: float = 60.0) -> None:
    never(sleeps(folder, seconds))


@step(enable_cache=False)
def boom(marker: str) -> int:
    Path(marker).touch()
    raise ValueError("boom on purpose")


@step(enable_cache=False)
def outlives(marker: str, seconds: float) -> float:
    """Ends `seconds` after `boom` failed, so what depends on it gets ready only then."""
    deadline = time.time() + 120
    while not Path(marker).exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(seconds)
    return seconds


@step(enable_cache=False)
def after(value: float) -> float:
    return value


@pipeline(enable_cache=False)
def failure_among_independent_steps(marker: str, seconds: float = 2.0) -> None:
    never(boom(marker))
    after(outlives(marker, seconds))
    source()


@step(enable_cache=False)
def surroundings() -> dict[str, Any]:
    """Where a step runs: its process, Ray namespace and cluster, the runtime_env's
    variable, and the store it records in."""
    import ray

    context = ray.get_runtime_context()
    return {
        "pid": os.getpid(),
        "namespace": context.namespace,
        "gcs_address": context.gcs_address,
        "mark": os.environ.get("SY_MARK"),
        "store_url": get_step_context().store.handoff().url,
    }


@pipeline(enable_cache=False)
def surroundings_pipeline() -> None:
    surroundings()


def _hook_file(kind: str) -> Path:
    return Path(os.environ["SY_HOOK_DIR"], kind)


def _succeeded() -> None:
    _hook_file("on_success").write_text(str(os.getpid()))


def _failed(exc: Exception) -> None:
    _hook_file("on_failure").write_text(f"{os.getpid()} {exc}")


@step(enable_cache=False, on_success=_succeeded)
def measured() -> int:
    log_metadata({"loss": 0.5, "pid": os.getpid()})
    return 1


@step(enable_cache=False, on_failure=_failed)
def measured_then_fails() -> int:
    log_metadata({"reached": True})
    raise RuntimeError("fails after logging")


@pipeline(enable_cache=False)
def hooked_pipeline() -> None:
    measured()
    measured_then_fails()


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
