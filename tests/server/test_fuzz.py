"""A bounded schemathesis run against a real server, from its own OpenAPI document:
`scripts/fuzz_server.py --examples 5` (about a minute). schemathesis lives in
`.venv-fuzz` (its pins clash with ours), which `.ci/run` creates from
`.ci/fuzz-constraints.txt`; without it this skips on a laptop and fails under CI=true.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from support import service_or_skip

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "fuzz_server.py"
SCHEMATHESIS = ROOT / ".venv-fuzz" / "bin" / "schemathesis"
EXAMPLES = 5


def fuzz_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_server", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_fuzzing_the_api_finds_no_5xx_and_no_schema_violation(tmp_path: Path) -> None:
    def installed() -> None:
        if not SCHEMATHESIS.exists():
            raise FileNotFoundError(f"{SCHEMATHESIS} (bash .ci/run creates it)")

    service_or_skip("schemathesis in .venv-fuzz", installed)
    summary_file = tmp_path / "summary.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--examples", str(EXAMPLES), "--summary", str(summary_file)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert summary_file.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    summary: dict[str, Any] = json.loads(summary_file.read_text())
    print(  # the figure for the closing note (pytest -s shows it)
        f"\nfuzz: {summary['operations']} operations x {summary['cases']} cases, "
        f"{summary['server_errors']} responses >= 500, {summary['failures']} failures"
    )
    assert summary["server_errors"] == 0, summary["by_kind"]
    assert summary["failures"] == 0 and summary["errors"] == 0, done.stdout[-5000:]
    assert summary["operations"] > 100 and summary["cases"] > summary["operations"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_figures_come_from_schemathesis_report() -> None:
    """The layout of schemathesis 4.x's JSON report (`st run --report json`): server
    errors are the failure groups of codes ST101 and ST102."""
    report = {
        "schemathesis_version": "4.32.5",
        "operations": {"total": 149, "selected": 148, "tested": 148, "errored": 0},
        "test_cases": {"generated": 7880, "with_failures": 23, "unique_failures": 23},
        "failures": [
            {"type": "ServerError", "code": "ST101", "title": "Server error",
             "severity": "critical", "count": 22, "operations": ["POST /api/v1/models"]},
            {"type": "ContentTypeServerError", "code": "ST102", "severity": "critical",
             "title": "Server error on undeclared request Content-Type", "count": 2,
             "operations": ["PUT /api/v1/models/{entity_id}"]},
            {"type": "JsonSchemaError", "code": "ST108", "title": "Response violates schema",
             "severity": "high", "count": 1, "operations": ["GET /api/v1/models"]},
        ],
        "errors": [],
    }  # fmt: skip
    summary = fuzz_script().summarize(report)
    assert summary["operations"] == 148 and summary["cases"] == 7880
    assert summary["server_errors"] == 24 and summary["failures"] == 25
    assert summary["by_kind"]["ST108 Response violates schema"] == 1
