"""The benchmark runner end to end: a quick import-only run writes sane JSON.

Not a benchmark (figures are not checked against budgets): it keeps
`benchmarks/run.py`, its stackyard driver and the JSON format from rotting.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_import_run_writes_results(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--only", "1",
         "--out", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "import" in done.stdout  # the table

    report = json.loads(out.read_text())
    assert {"date", "machine", "versions", "options", "results", "ratios"} <= report.keys()
    assert report["options"]["quick"] is True and report["options"]["repeat"] == 3
    assert report["versions"]["stackyard"]
    rows = report["results"]
    assert {r["case"] for r in rows} == {"import", "import Client, step, pipeline"}
    for row in rows:
        assert "error" not in row, row
        assert row["workload"] == 1 and row["side"] == "stackyard" and row["unit"] == "ms"
        assert len(row["samples"]) == 3
        assert row["min"] <= row["median"] <= row["max"]
        assert row["peak_rss_mb"] > 0
        extra = row["extra"]
        assert extra["wall_ms"] > 0 and extra["baseline_ms"] > 0 and extra["in_process_ms"] > 0
    assert report["ratios"] == []  # no peer asked for
