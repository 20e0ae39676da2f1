"""A large array through the artifact store against plain numpy on the same disk.

Saves and loads a float64 array of `--mb` megabytes (default 200) with
`save_artifact` / `load_artifact` (materializer, content hash, one store write,
one read) and with bare `np.save` / `np.load` into the same directory, A B A B ...,
`--repeat` times (default 5); prints medians and the ratio.

    python benchmarks/bench_artifacts.py [--mb 200] [--repeat 5]

Target (issue 17): save + load at most 1.05x plain numpy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("STACKYARD_LOGGING_VERBOSITY", "WARNING")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["STACKYARD_CONFIG_PATH"] = str(Path(tmp) / "config")
        os.environ.pop("STACKYARD_STORE_URL", None)
        from stackyard import load_artifact, save_artifact

        array = np.random.default_rng(0).random(args.mb * 2**20 // 8)
        save_artifact(np.zeros(4), "warm-up")  # the store, its schema and imports
        timings: dict[str, list[float]] = {"stackyard": [], "numpy": []}
        for i in range(args.repeat):
            start = time.perf_counter()
            version = save_artifact(array, "big")
            loaded = load_artifact(version.id)
            timings["stackyard"].append(time.perf_counter() - start)
            assert loaded.shape == array.shape
            del loaded
            path = Path(tmp) / f"plain-{i}.npy"
            start = time.perf_counter()
            np.save(path, array)
            plain = np.load(path)
            timings["numpy"].append(time.perf_counter() - start)
            del plain
            os.unlink(path)
        ours, bare = (statistics.median(timings[k]) * 1000 for k in ("stackyard", "numpy"))
        print(f"{args.mb} MB array, save + load, median of {args.repeat} (ms):")
        print(f"  stackyard {ours:8.1f}\n  numpy     {bare:8.1f}\n  ratio     {ours / bare:8.2f}x")


if __name__ == "__main__":
    main()
