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


@step(enable_cache=False)
def linger(seconds: float) -> int:
    """Say which process runs it (in $FAULT_PID_FILE, if set), then take `seconds`."""
    import os
    import time

    marker = os.environ.get("FAULT_PID_FILE")
    if marker:
        with open(marker, "a") as handle:
            handle.write(f"{os.getpid()}\n")
    time.sleep(seconds)
    return os.getpid()


@pipeline
def lingering(seconds: float = 60.0) -> None:
    linger(seconds)


@pipeline
def lingering_pair(seconds: float = 60.0) -> None:
    linger(seconds)
    linger(seconds)
