"""Models: resolving a version by stage among many, and what a model costs a run.

1. `get_model_version("iris", "production")` at 10,000 versions of one model (and
   a number and `latest` for comparison), SQLite, median of 200 calls.
2. A 1-step and a 10-step run with `Model(name=...)` (a new version per run, its run
   link, every output linked) against the same pipeline without a model, interleaved
   A B A B ..., 30 runs each; medians and the difference.

    python benchmarks/bench_models.py [--versions 10000] [--runs 30]

Targets (issue 15): under 2 ms per resolution at 10,000 versions; a run with a
model at most 1 ms slower than the same run without.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

from stackyard import Model, pipeline, step


@step(enable_cache=False)
def first() -> int:
    return 0


@step(enable_cache=False)
def increment(value: int) -> int:
    return value + 1


def chain(length: int) -> None:
    value = first()
    for _ in range(length - 1):
        value = increment(value)


@pipeline
def plain(length: int = 1) -> None:
    chain(length)


@pipeline(model=Model(name="bench"))
def modelled(length: int = 1) -> None:
    chain(length)


def fill(versions: int) -> None:
    """`versions` versions of model "iris" written in bulk (one transaction), the one
    in the middle in production."""
    from stackyard.client import Client
    from stackyard.models.binding import utcnow
    from stackyard.models.spec import shape_for

    client = Client()
    model = client.create_model("iris")
    store: Any = client.store
    shape = shape_for("model_version")
    user = client.active_user.id
    with store.db.transaction() as tx:
        for number in range(1, versions + 1):
            now = utcnow()
            store.insert_row(
                tx,
                shape,
                {
                    "id": uuid4(),
                    "created": now,
                    "updated": now,
                    "user_id": user,
                    "model_id": model.id,
                    "name": str(number),
                    "number": number,
                    "stage": "production" if number == versions // 2 else None,
                    "stage_history": [],
                },
            )
        tx.execute("ANALYZE")


def median_ms(call: Callable[[], Any], repeats: int) -> float:
    call()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def resolution(versions: int) -> None:
    from stackyard.client import Client

    fill(versions)
    client = Client()
    assert client.get_model_version("iris", "production").number == versions // 2
    print(f"get_model_version at {versions:,} versions (SQLite, median of 200):")
    for version in ("production", versions // 3, "latest"):
        ms = median_ms(lambda v=version: client.get_model_version("iris", v), 200)
        print(f"  {version!s:>12}: {ms:6.3f} ms")


def run_cost(runs: int) -> None:
    print(f"\nrun with and without a model (interleaved, {runs} runs each, median ms):")
    print(f"{'steps':>6} {'without':>9} {'with':>9} {'extra':>8}")
    for length in (1, 10):
        plain(length=length), modelled(length=length)  # warm up both
        timings: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(runs):
            for label, target in (("without", plain), ("with", modelled)):
                start = time.perf_counter()
                run = target(length=length)
                timings[label].append((time.perf_counter() - start) * 1000)
                assert run.status == "completed", run.status
        without, with_model = (statistics.median(timings[k]) for k in ("without", "with"))
        print(f"{length:>6} {without:>9.2f} {with_model:>9.2f} {with_model - without:>+8.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--versions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("STACKYARD_LOGGING_VERBOSITY", "WARNING")
    with tempfile.TemporaryDirectory() as config_dir:
        os.environ["STACKYARD_CONFIG_PATH"] = config_dir
        os.environ.pop("STACKYARD_STORE_URL", None)
        resolution(args.versions)
        run_cost(args.runs)


if __name__ == "__main__":
    main()
