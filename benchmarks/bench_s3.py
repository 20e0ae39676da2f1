"""S3 artifact throughput: a 100 MB numpy array through an s3 artifact store (credentials
from a service connector) against bare s3fs put/get of the same .npy file, on one local
S3 endpoint (moto's server in a child process).

stackyard's write is `save_artifact` (materialize, hash the stored files, record the
version); its read is `artifact_version.load()` in a fresh Client. Median of `--repeat`.

    python benchmarks/bench_s3.py [--megabytes 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KEYS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import boto3
    import httpx
    import numpy as np

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with tempfile.TemporaryDirectory() as config_dir:
        try:
            while True:
                try:
                    httpx.get(f"{endpoint}/moto-api/", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            os.environ["STACKYARD_CONFIG_PATH"] = config_dir
            os.environ.pop("STACKYARD_STORE_URL", None)
            boto3.client(
                "s3", endpoint_url=endpoint, region_name="us-east-1", **KEYS
            ).create_bucket(Bucket="bench")
            array = np.random.default_rng(0).random(args.megabytes * 10**6 // 8)
            size_mb = array.nbytes / 10**6
            ours_write, ours_read = stackyard_round_trip(endpoint, array, args.repeat)
            bare_write, bare_read = bare_round_trip(endpoint, array, args.repeat, Path(config_dir))
        finally:
            moto.send_signal(signal.SIGTERM)
            moto.wait(30)
    print(f"{size_mb:.0f} MB float64 array, median of {args.repeat}:")
    print(f"{'':22}{'write MB/s':>12}{'read MB/s':>12}")
    print(f"{'stackyard (s3 store)':22}{size_mb / ours_write:12.1f}{size_mb / ours_read:12.1f}")
    print(f"{'bare s3fs put/get':22}{size_mb / bare_write:12.1f}{size_mb / bare_read:12.1f}")


def stackyard_round_trip(endpoint: str, array: object, repeat: int) -> tuple[float, float]:
    import numpy as np

    from stackyard import save_artifact
    from stackyard.client import Client
    from stackyard.client.core import reset_stores

    client = Client()
    client.create_service_connector(
        "bench", "aws", "secret-key", {**KEYS, "endpoint_url": endpoint}
    )
    client.create_stack_component(
        "s3", "s3", "artifact_store", {"path": "s3://bench/stackyard"}, connector="bench"
    )
    client.create_stack("s3", components={"orchestrator": "default", "artifact_store": "s3"})
    client.activate_stack("s3")
    writes, reads = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        version = save_artifact(array, "big")
        writes.append(time.perf_counter() - started)
        reset_stores()  # a fresh Client: finds the credentials through the version
        started = time.perf_counter()
        loaded = Client().get_artifact_version(version.id).load()
        reads.append(time.perf_counter() - started)
        assert np.array_equal(loaded, array)
    return statistics.median(writes), statistics.median(reads)


def bare_round_trip(
    endpoint: str, array: object, repeat: int, scratch: Path
) -> tuple[float, float]:
    import numpy as np
    import s3fs

    local = scratch / "data.npy"
    np.save(local, array)
    fs = s3fs.S3FileSystem(
        key=KEYS["aws_access_key_id"],
        secret=KEYS["aws_secret_access_key"],
        client_kwargs={"endpoint_url": endpoint, "region_name": "us-east-1"},
        skip_instance_cache=True,
    )
    writes, reads = [], []
    for i in range(repeat):
        started = time.perf_counter()
        fs.put(str(local), f"bench/bare/{i}/data.npy")
        writes.append(time.perf_counter() - started)
        started = time.perf_counter()
        fs.get(f"bench/bare/{i}/data.npy", str(scratch / "back.npy"))
        reads.append(time.perf_counter() - started)
    return statistics.median(writes), statistics.median(reads)


if __name__ == "__main__":
    main()
