"""Pipeline overhead: chains of 1, 10 and 100 trivial steps on the local orchestrator.

Caching is off, so every step really runs and records its step run and
output. The store is a fresh SQLite file in a temporary config directory;
each chain is run once to warm up, then timed 5 times (median reported).

    python benchmarks/bench_pipelines.py [--profile]

Target: the 10-step chain under 150 ms in total.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

from stackyard import pipeline, step

LENGTHS = (1, 10, 100)
REPEATS = 5


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


# one-step pipelines, the real runs `bench_store.build` copies (module level: code is recorded)
@pipeline(enable_cache=False)
def pipeline_0() -> None:
    first()


@pipeline(enable_cache=False)
def pipeline_1() -> None:
    first()


@pipeline(enable_cache=False)
def pipeline_2() -> None:
    first()


@pipeline(enable_cache=False)
def pipeline_3() -> None:
    first()


@pipeline(enable_cache=False)
def pipeline_4() -> None:
    first()


def time_chain(length: int) -> float:
    """Median wall time of one run of a `length`-step chain, in milliseconds."""
    chain(length=length)  # warm-up: imports, store connection, first compile
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run = chain(length=length)
        timings.append((time.perf_counter() - start) * 1000)
        assert run.status == "completed", run.status
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="cProfile the 10-step chain")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as config_dir:
        os.environ["STACKYARD_CONFIG_PATH"] = config_dir
        os.environ.pop("STACKYARD_STORE_URL", None)
        if args.profile:
            import cProfile
            import pstats

            chain(length=10)
            profiler = cProfile.Profile()
            profiler.runcall(lambda: [chain(length=10) for _ in range(REPEATS)])
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
            return
        print(f"{'steps':>6} {'total ms':>10} {'ms/step':>9}")
        for length in LENGTHS:
            total = time_chain(length)
            print(f"{length:>6} {total:>10.1f} {total / length:>9.2f}")


if __name__ == "__main__":
    main()
