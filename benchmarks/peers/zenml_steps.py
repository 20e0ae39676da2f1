"""The trivial steps and pipelines of ZenML's side, written the way ZenML's docs show.

A module of its own (not the driver's `__main__`) so that the driver can point
ZenML at its config directory before anything imports `zenml`.
"""

from typing import Any

from zenml import pipeline, step


@step
def first() -> int:
    return 0


@step
def increment(value: int) -> int:
    return value + 1


@pipeline(enable_cache=False)
def chain(length: int = 10) -> None:
    value = first()
    for _ in range(length - 1):
        value = increment(value)


def one_step() -> None:
    """Body of the named one-step pipelines the store workloads start from."""
    first()


def named_pipeline(name: str) -> Any:
    """A one-step pipeline called `name` (ZenML names a pipeline after its function)."""
    return pipeline(name=name, enable_cache=False)(one_step)
