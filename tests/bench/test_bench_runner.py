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
    # the headline does the same work as ZenML's; the lazy package import is an extra
    assert [r["case"] for r in rows] == [
        "import step, pipeline + Client",
        "extra: `import stackyard` alone (lazy)",
    ]
    assert "from stackyard.client import Client" in rows[0]["extra"]["statement"]
    assert rows[1]["compare"] is False
    for row in rows:
        assert "error" not in row, row
        assert row["workload"] == 1 and row["side"] == "stackyard" and row["unit"] == "ms"
        assert len(row["samples"]) == 3
        assert row["min"] <= row["median"] <= row["max"]
        assert row["peak_rss_mb"] > 0
        extra = row["extra"]
        assert extra["wall_ms"] > 0 and extra["baseline_ms"] > 0 and extra["in_process_ms"] > 0
    assert report["ratios"] == []  # no peer asked for


FAKE_DRIVER = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, {peers!r})
from measure import driver_main, gate

def turns(opts):
    me = Path(sys.argv[0]).stem
    for i in range(opts.repeat):
        gate()
        with open(os.environ["BENCH_TURNS_LOG"], "a") as log:
            log.write(f"{{me}}{{i}} ")
        time.sleep(0.05)  # were the sides not taking turns, the other would write now
    yield {{"case": "turns", "median": 1.0, "min": 1.0, "max": 1.0, "samples": [1.0] * opts.repeat}}

driver_main({{"turns": turns}})
"""


def test_sides_take_turns_sample_by_sample(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import run
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    drivers = []
    for name in ("a", "b"):
        path = tmp_path / f"{name}.py"
        path.write_text(FAKE_DRIVER.format(peers=str(ROOT / "benchmarks" / "peers")))
        drivers.append(path)
    log = tmp_path / "turns.log"
    monkeypatch.setenv("BENCH_TURNS_LOG", str(log))
    sides = [
        run.Side("stackyard", Path(sys.executable), drivers[0]),
        run.Side("zenml", Path(sys.executable), drivers[1]),
    ]
    rows = run.invoke_all(sides, 1, ["turns"], 3, 60.0, "")
    assert log.read_text().split() == ["a0", "b0", "a1", "b1", "a2", "b2"]
    assert [(r["side"], r["case"]) for r in rows] == [("stackyard", "turns"), ("zenml", "turns")]
    assert not any(r.get("error") for r in rows)


def test_code_checkouts_have_the_git_state_asked_for(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks" / "peers"))
    try:
        from measure import code_checkout
    finally:
        sys.path.remove(str(ROOT / "benchmarks" / "peers"))
    module = ROOT / "benchmarks" / "bench_pipelines.py"

    def status(root: Path) -> str:
        return subprocess.run(
            ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
        ).stdout

    clean = code_checkout(tmp_path, "clean", module)
    assert (clean / ".git").is_dir() and status(clean) == ""
    dirty = code_checkout(tmp_path, "dirty", module)
    assert status(dirty).split() == ["M", "NOTES.txt"]
    nogit = code_checkout(tmp_path, "nogit", module)
    assert not any((p / ".git").exists() for p in (nogit, *nogit.parents))
    for root in (clean, dirty, nogit):
        assert (root / module.name).read_text() == module.read_text()
