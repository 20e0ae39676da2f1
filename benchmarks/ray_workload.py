"""Steps the Ray benchmarks run; Ray workers import them by path (this directory is on
their PYTHONPATH through the orchestrator's runtime_env)."""

from __future__ import annotations

from typing import Any

from stackyard import ResourceSettings, pipeline, step

SMALL = {"resources": ResourceSettings(cpu_count=0.01)}


@step(enable_cache=False, settings=SMALL)
def hop(value: int) -> int:
    return value + 1


def bare_hop(value: int) -> int:
    """The same work as `hop`, for a bare Ray task."""
    return value + 1


@pipeline(enable_cache=False)
def chain(length: int = 50) -> None:
    value: Any = 0
    for _ in range(length):
        value = hop(value)


@pipeline(enable_cache=False)
def wide(width: int = 100, depth: int = 10) -> None:
    """`width` chains of `depth` steps: `width` ready at once, `width * depth` in all."""
    for start in range(width):
        value: Any = start
        for _ in range(depth):
            value = hop(value)
