"""Pipelines, runs, steps, logs and artifacts through the CLI (on a recorded run)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import yaml

from stackyard.client import Client

RUN = "train-2026_01_02-03_04_05_000001"


def test_pipeline_list_and_runs_of_a_pipeline(run_cli, recorded_run) -> None:
    assert [p["name"] for p in json.loads(run_cli("pipeline", "list", "-o", "json").stdout)] == [
        "train"
    ]
    runs = json.loads(run_cli("pipeline", "runs", "train", "-o", "json").stdout)
    assert [r["name"] for r in runs] == [RUN]
    assert json.loads(run_cli("pipeline", "runs", "--status", "failed", "-o", "json").stdout) == []
    table = run_cli("pipeline", "run", "list").stdout
    header, row = table.splitlines()[:2]
    assert header.split()[:4] == ["ID", "NAME", "STATUS", "PIPELINE"]
    assert RUN in row and "completed" in row and "train" in row and "3.00s" in row


def test_run_filters_by_relation_name_and_time(run_cli, recorded_run) -> None:
    def names(*args: str) -> list[str]:
        return [
            r["name"]
            for r in json.loads(run_cli("pipeline", "run", "list", "-o", "json", *args).stdout)
        ]

    assert names("--stack", "default", "--user", "default") == [RUN]
    assert names("--pipeline-name", "contains:rai") == [RUN]
    assert names("--start-time", "gte:2026-01-02") == [RUN]
    assert names("--start-time", "lt:2026-01-02") == []
    assert names("--status", "running", "--status", "completed") == [RUN]
    bad = run_cli("pipeline", "run", "list", "--start-time", "gte:soon", code=1)
    assert bad.stderr.startswith("Error: ") and "start_time" in bad.stderr


def test_run_describe_shows_steps_durations_and_outputs(run_cli, recorded_run) -> None:
    out = run_cli("pipeline", "run", "describe", "train-2026").stdout
    assert "completed" in out and "Steps:" in out and "Outputs:" in out
    steps = out.split("Steps:")[1].split("Outputs:")[0]
    assert [line.split()[0] for line in steps.strip().splitlines()[1:]] == ["load", "total"]
    assert "1.50s" in steps
    data = json.loads(run_cli("pipeline", "run", "describe", RUN, "-o", "json").stdout)
    assert data["status"] == "completed"
    assert [(s["name"], s["status"], s["duration"]) for s in data["steps"]] == [
        ("load", "completed", 1.5),
        ("total", "completed", 1.5),
    ]
    assert {(o["step"], o["artifact"], o["version"]) for o in data["outputs"]} == {
        ("load", "numbers", "1"),
        ("total", "total", "1"),
    }


def test_run_by_id_prefix_and_delete(run_cli, recorded_run, client: Client) -> None:
    run_id = str(recorded_run["run"].id)
    data = yaml.safe_load(run_cli("pipeline", "run", "describe", run_id[:6], "-o", "yaml").stdout)
    assert data["id"] == run_id
    run_cli("pipeline", "run", "delete", run_id, "--yes")
    assert client.list_pipeline_runs().total == 0
    assert "no pipeline run matches" in run_cli("logs", RUN, code=1).stderr


def test_step_list_and_describe(run_cli, recorded_run) -> None:
    rows = list(
        csv.DictReader(
            io.StringIO(
                run_cli(
                    "step", "list", "--run", "train-2026", "--sort-by", "start_time", "-o", "csv"
                ).stdout
            )
        )
    )
    assert [(r["name"], r["status"]) for r in rows] == [
        ("load", "completed"),
        ("total", "completed"),
    ]
    assert run_cli("step", "list", "--run", "nope", code=1).stderr.startswith("Error: ")
    step = json.loads(run_cli("step", "describe", "total", "--run", RUN, "-o", "json").stdout)
    assert step["input_ids"] == {"numbers": str(recorded_run["outputs"]["numbers"].id)}
    by_id = json.loads(
        run_cli("step", "describe", str(recorded_run["steps"]["load"].id)[:8], "-o", "json").stdout
    )
    assert by_id["name"] == "load"
    assert "steps: load, total" in run_cli("step", "describe", "x", "--run", RUN, code=1).stderr


def test_logs_of_all_steps_and_of_one(run_cli, recorded_run) -> None:
    out = run_cli("logs", "train-2026").stdout
    assert out.index("== load (completed) ==") < out.index("load says hello")
    assert out.index("load says hello") < out.index("== total (completed) ==")
    assert run_cli("logs", RUN, "total").stdout == "total says hello\n"
    assert "steps: load, total" in run_cli("logs", RUN, "nope", code=1).stderr


def test_pipeline_delete_keeps_runs(run_cli, recorded_run, client: Client) -> None:
    run_cli("pipeline", "delete", "train", "--yes")
    assert client.list_pipelines().total == 0
    assert client.list_pipeline_runs().total == 1


def test_artifact_list_describe_versions(run_cli, recorded_run) -> None:
    names = [a["name"] for a in json.loads(run_cli("artifact", "list", "-o", "json").stdout)]
    assert names == ["numbers", "total", "orphan"]
    out = run_cli("artifact", "describe", "numbers").stdout
    assert "Versions:" in out and "builtins.list" in out
    versions = json.loads(run_cli("artifact", "versions", "numbers", "-o", "json").stdout)
    assert [(v["name"], v["version"]) for v in versions] == [("numbers", "1")]
    everything = json.loads(run_cli("artifact", "versions", "-o", "json").stdout)
    assert len(everything) == 3


def test_prune_deletes_only_unused_versions_and_their_data(
    run_cli, recorded_run: dict[str, Any], client: Client
) -> None:
    orphan_file = Path(recorded_run["orphan"].uri)
    refused = run_cli("artifact", "prune", code=2)  # no terminal, no --yes
    assert "orphan" in refused.stdout and orphan_file.exists()
    out = run_cli("artifact", "prune", "--yes").stdout
    assert "Deleted 1 artifact version" in out
    assert not orphan_file.exists()
    assert Path(recorded_run["outputs"]["numbers"].uri).exists()
    assert sorted(a.name for a in client.list_artifacts()) == ["numbers", "total"]
    assert "No unused artifact versions" in run_cli("artifact", "prune", "--yes").stdout


def test_prune_only_metadata_keeps_files(run_cli, recorded_run) -> None:
    run_cli("artifact", "prune", "--yes", "--only-metadata")
    assert Path(recorded_run["orphan"].uri).exists()


def test_prune_never_deletes_outside_the_artifact_store(
    run_cli, recorded_run: dict[str, Any], client: Client, tmp_path: Path
) -> None:
    """A version whose stored uri was made to point elsewhere (another user's home, say)
    loses its record, but nothing outside its artifact store is deleted."""
    victim = tmp_path / "victim" / "thesis"
    victim.mkdir(parents=True)
    (victim / "chapter1.tex").write_text("years of work")
    store = client.store
    with store.db.transaction() as tx:  # type: ignore[attr-defined]
        tx.execute(
            "UPDATE artifact_versions SET uri = ? WHERE id = ?",
            [str(victim), str(recorded_run["orphan"].id)],
        )
    out = run_cli("artifact", "prune", "--yes")
    assert "Deleted 1 artifact version" in out.stdout
    assert "not inside its artifact store" in out.stderr
    assert (victim / "chapter1.tex").read_text() == "years of work"
