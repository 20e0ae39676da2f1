"""How long a run stays `running` after the process running it is killed with SIGKILL.

    .venv/bin/python benchmarks/bench_faults.py [--interval 2] [--repeat 5]

A pipeline whose one step sleeps runs in a process of its own on a fresh local store,
with heartbeats every `--interval` seconds. Once the step has started, the process is
killed (SIGKILL) and the store is read every 20 ms until the run is `failed`. Prints
the time from the kill to the run failed (what "within two heartbeat intervals"
promises), median, minimum and maximum over the repeats.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

FLOW = """
import os, time
from stackyard import pipeline, step

@step(enable_cache=False)
def linger() -> int:
    open(os.environ["MARKER"], "w").write("started")
    time.sleep(600)
    return 1

@pipeline
def lingering() -> None:
    linger()
"""


def once(interval: float) -> float:
    from stackyard.client import Client
    from stackyard.client.core import reset_stores

    with tempfile.TemporaryDirectory(prefix="stackyard-faults-") as tmp:
        root = Path(tmp)
        (root / "flows.py").write_text(textwrap.dedent(FLOW))
        marker = root / "started"
        env = {
            **os.environ,
            "STACKYARD_CONFIG_PATH": str(root / "config"),
            "STACKYARD_HEARTBEAT_INTERVAL": str(interval),
            "STACKYARD_LOGGING_VERBOSITY": "WARNING",
            "MARKER": str(marker),
            # the flows first, then whatever stackyard this script imports
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(root), os.environ.get("PYTHONPATH")) if p
            ),
        }
        driver = subprocess.Popen(
            [sys.executable, "-c", "import flows; flows.lingering()"],
            env=env,
            stderr=subprocess.DEVNULL,
        )
        while not marker.exists():
            time.sleep(0.01)
        driver.kill()
        killed = time.monotonic()
        driver.wait()
        os.environ["STACKYARD_CONFIG_PATH"] = str(root / "config")
        reset_stores()
        client = Client()
        while client.list_pipeline_runs(size=1)[0].status.value != "failed":
            time.sleep(0.02)  # reading the run is what finds it stale
        elapsed = time.monotonic() - killed
        reset_stores()
        return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    times = [once(args.interval) for _ in range(args.repeat)]
    print(
        f"kill -9 of the process running a run -> run failed, heartbeat every "
        f"{args.interval:g} s ({args.repeat} runs): median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s (promise: < {2 * args.interval:g} s)"
    )


if __name__ == "__main__":
    main()
