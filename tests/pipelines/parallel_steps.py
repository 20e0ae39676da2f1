"""Steps imported by path in worker processes (they must live at module level)."""

from __future__ import annotations

import time
from typing import Annotated

from stackyard import get_step_context, save_artifact, step


@step(enable_cache=False)
def nap(seconds: float) -> Annotated[float, "woke_at"]:
    time.sleep(seconds)
    return time.time()


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


def save_versions(name: str, count: int) -> list[str]:
    """Save `count` versions of artifact `name` from this process (for race tests)."""
    return [save_artifact(i, name).version for i in range(count)]
