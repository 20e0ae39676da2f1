"""Steps imported by path in worker processes (they must live at module level)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated, Any

from stackyard import get_step_context, save_artifact, step
from stackyard.client import Client


@step(enable_cache=False)
def nap(seconds: float) -> Annotated[float, "woke_at"]:
    time.sleep(seconds)
    return time.time()


@step(enable_cache=False)
def meet(barrier: str, timeout: float = 30.0) -> Annotated[float, "waited"]:
    """Waits until two steps are inside it at once (each leaves a marker), then says how
    long that took: only steps running at the same time get past it quickly, however
    long their worker processes took to start."""
    start = time.monotonic()
    folder = Path(barrier)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{os.getpid()}-{time.monotonic_ns()}").touch()
    while len(list(folder.iterdir())) < 2 and time.monotonic() - start < timeout:
        time.sleep(0.02)
    return time.monotonic() - start


@step(enable_cache=False)
def latest(a: float, b: float) -> float:
    return max(a, b)


@step(enable_cache=False)
def explode() -> int:
    raise ValueError("boom in a worker")


@step
def numbers(count: int) -> list[int]:
    return list(range(count))


@step
def summed(values: list[int]) -> int:
    print(f"summing in {get_step_context().step_name}")
    return sum(values)


_start_line: Any = None


def wait_at(barrier: Any) -> None:
    """Pool initializer: workers start saving together, at `barrier`."""
    global _start_line
    _start_line = barrier


def save_versions(name: str, count: int) -> list[str]:
    """Save `count` versions of artifact `name` from this process (for race tests)."""
    assert Client().active_user  # connect (and check the schema) before the race starts
    if _start_line is not None:
        _start_line.wait(timeout=60)
    return [save_artifact(i, name).version for i in range(count)]
