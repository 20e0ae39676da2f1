"""Steps and a pipeline that the automation tests copy into throwaway projects.

Each test writes this text into a project directory under a module name of its
own, so worker processes import it from the fetched code, never from here.
"""

from __future__ import annotations

from stackyard import pipeline, step


@step(enable_cache=False)
def make(value: int) -> int:
    return value


@step(enable_cache=False)
def double(number: int, factor: int = 2) -> int:
    return number * factor


@pipeline
def doubling(value: int = 1) -> None:
    double(make(value))
