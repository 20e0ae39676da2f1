"""Fuzz a real stackyard server from its own OpenAPI document with schemathesis.

    python scripts/fuzz_server.py --examples 5           # what CI runs (tests/server/test_fuzz.py)
    python scripts/fuzz_server.py --examples 50 --seed 7 # the longer run of the closing figures

It starts `python -m stackyard.server` on a fresh SQLite store with an admin and a
plain user, logs in as the plain user (the one a real attacker has), and runs
schemathesis (from `.venv-fuzz`, its own environment: its pins clash with ours;
`.ci/run` makes it from `.ci/fuzz-constraints.txt`) with every check that judges the
server: no 5xx, status codes, content types and bodies as documented. Its figures
come from schemathesis' own JSON report: the operations tested, the cases sent, the
responses >= 500 and every failure by kind. It exits non-zero on any failure or
error. Logout is left out: it would revoke the token mid-run.
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
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = ROOT / ".venv-fuzz" / "bin" / "schemathesis"
# schemathesis' codes for a response >= 500 (ST102: to a request of an undeclared type)
SERVER_ERRORS = ("ST101", "ST102")
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
    parser.add_argument(
        "--schemathesis", type=Path, default=SCHEMATHESIS, help="the schemathesis executable"
    )
    parser.add_argument("--summary", type=Path, help="also write the figures here, as JSON")
    args = parser.parse_args()
    if not args.schemathesis.exists():
        raise SystemExit(
            f"{args.schemathesis} is missing: python3 -m venv .venv-fuzz && "
            ".venv-fuzz/bin/pip install -r .ci/fuzz-constraints.txt"
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
                [str(args.schemathesis), "run", f"{url}/openapi.json", "--checks", CHECKS,
                 "--max-examples", str(args.examples), "--seed", str(args.seed),
                 "--header", f"Authorization: Bearer {token}",
                 "--exclude-path", "/api/v1/logout", "--workers", args.workers,
                 "--generation-database", "none", "--report", "json",
                 "--report-json-path", str(report), "--no-color",
                 "--suppress-health-check", "all"],
                capture_output=True,
                text=True,
                cwd=workdir,  # its cache of crashes goes with the run, not into the repo
            )  # fmt: skip
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(20)
        print(done.stdout if done.returncode else done.stdout[-3000:])
        if not report.exists():
            print(done.stderr[-3000:], file=sys.stderr)
            return 2
        summary = summarize(json.loads(report.read_text()))
    summary["seconds"] = round(elapsed)
    print(
        f"fuzzed {summary['operations']} operations with {summary['cases']} cases in "
        f"{elapsed:.0f} s: {summary['server_errors']} responses >= 500, "
        f"{summary['failures']} failures, {summary['errors']} errors"
    )
    for kind, count in summary["by_kind"].items():
        print(f"  {kind}: {count}")
    if args.summary is not None:
        args.summary.write_text(json.dumps(summary, indent=2))
    failed = summary["failures"] or summary["errors"] or not summary["operations"]
    return 1 if failed or done.returncode != 0 else 0


def summarize(report: dict[str, Any]) -> dict[str, Any]:
    """The figures of schemathesis' JSON report (4.x): operations tested, cases
    generated, failures grouped by kind (5xx are codes ST101 and ST102) and errors."""
    groups = report.get("failures") or []
    by_kind = {f"{g['code']} {g['title']}": int(g["count"]) for g in groups}
    return {
        "schemathesis": report.get("schemathesis_version"),
        "operations": int((report.get("operations") or {}).get("tested") or 0),
        "cases": int((report.get("test_cases") or {}).get("generated") or 0),
        "server_errors": sum(int(g["count"]) for g in groups if g.get("code") in SERVER_ERRORS),
        "failures": sum(by_kind.values()),
        "errors": sum(int(e.get("count", 1)) for e in report.get("errors") or []),
        "by_kind": by_kind,
    }


if __name__ == "__main__":
    sys.exit(main())
