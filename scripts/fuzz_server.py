"""Fuzz a real stackyard server from its own OpenAPI document with schemathesis.

    python scripts/fuzz_server.py --examples 20          # what CI runs (tests/server)
    python scripts/fuzz_server.py --examples 200 --seed 7

It starts `python -m stackyard.server` on a fresh SQLite store with an admin and a
plain user, logs in as the plain user (the one a real attacker has), and runs
schemathesis (from `.venv-fuzz`, its own environment: its pins clash with ours)
with every check that judges the server: no 5xx, status codes, content types and
bodies as documented. It prints the operations, the cases sent and the failures,
and exits non-zero on any failure. Logout is left out: it would revoke the token
mid-run.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
FUZZ_PYTHON = ROOT / ".venv-fuzz" / "bin" / "schemathesis"
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance"
)
ADMIN, ADMIN_PASSWORD = "admin", "admin-password-1"
USER, USER_PASSWORD = "mallory", "user-password-1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "STACKYARD_CONFIG_PATH": str(workdir / "config"),
        "STACKYARD_SERVER_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "stackyard.server", "--store-url",
         f"sqlite:///{workdir / 'fuzz.db'}", "--port", str(port), "--admin-user", ADMIN,
         "--no-access-log"],
        env=env,
        stdout=open(workdir / "server.log", "wb"),  # noqa: SIM115 - lives as long as the server
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start; see {workdir / 'server.log'}")
        time.sleep(0.2)


def login(url: str, name: str, password: str) -> str:
    response = httpx.post(f"{url}/api/v1/login", json={"username": name, "password": password})
    response.raise_for_status()
    return str(response.json()["access_token"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20, help="cases per operation")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", default="1")
    args = parser.parse_args()
    if not FUZZ_PYTHON.exists():
        raise SystemExit(
            f"{FUZZ_PYTHON} is missing: python3 -m venv .venv-fuzz && "
            ".venv-fuzz/bin/pip install 'schemathesis>=4,<5'"
        )
    with tempfile.TemporaryDirectory(prefix="stackyard-fuzz-") as tmp:
        workdir = Path(tmp)
        server, url = start_server(workdir)
        try:
            admin = login(url, ADMIN, ADMIN_PASSWORD)
            httpx.post(
                f"{url}/api/v1/users",
                json={"name": USER, "password": USER_PASSWORD},
                headers={"Authorization": f"Bearer {admin}"},
            ).raise_for_status()
            token = login(url, USER, USER_PASSWORD)
            report = workdir / "report.json"
            started = time.monotonic()
            done = subprocess.run(
                [str(FUZZ_PYTHON), "run", f"{url}/openapi.json", "--checks", CHECKS,
                 "--max-examples", str(args.examples), "--seed", str(args.seed),
                 "--header", f"Authorization: Bearer {token}",
                 "--exclude-path", "/api/v1/logout", "--workers", args.workers,
                 "--generation-database", "none", "--report", "json",
                 "--report-json-path", str(report), "--no-color",
                 "--suppress-health-check", "all"],
                capture_output=True,
                text=True,
            )  # fmt: skip
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(20)
        print(done.stdout if done.returncode else done.stdout[-3000:])
        if done.returncode not in (0, 1) or not report.exists():
            print(done.stderr[-3000:], file=sys.stderr)
            return 2
        summary = summarize(json.loads(report.read_text()))
        print(
            f"fuzzed {summary['operations']} operations with {summary['cases']} cases in "
            f"{elapsed:.0f} s: {summary['server_errors']} responses >= 500, "
            f"{summary['failures']} failures"
        )
        return 0 if done.returncode == 0 and not summary["failures"] else 1


def summarize(report: dict[str, object]) -> dict[str, int]:
    """Counts from schemathesis' JSON report, whatever its exact layout."""
    text = json.dumps(report)
    stats: dict[str, int] = {"operations": 0, "cases": 0, "server_errors": 0, "failures": 0}
    for key, value in _walk(report):
        if key in ("operations_tested", "operations") and isinstance(value, int):
            stats["operations"] = max(stats["operations"], value)
        elif key in ("total_cases", "cases", "test_cases") and isinstance(value, int):
            stats["cases"] = max(stats["cases"], value)
        elif key in ("failures", "unique_failures") and isinstance(value, int):
            stats["failures"] = max(stats["failures"], value)
    stats["server_errors"] = text.count('"not_a_server_error"')
    return stats


def _walk(node: object) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((key, value))
            found += _walk(value)
    elif isinstance(node, list):
        for value in node:
            found += _walk(value)
    return found


if __name__ == "__main__":
    sys.exit(main())
