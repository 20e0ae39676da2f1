"""`stackyard init` and `stackyard status`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from stackyard.client import Client


def test_status_shows_store_user_and_active_stack(run_cli, isolated_config: Path) -> None:
    out = run_cli("status").stdout
    assert f"sqlite:///{isolated_config / 'stackyard.db'}" in out
    assert "default (admin)" in out and "not logged in" in out
    lines = out.splitlines()
    assert any(line.split()[:3] == ["orchestrator", "default", "local"] for line in lines)
    assert any(line.split()[:3] == ["artifact_store", "default", "local"] for line in lines)
    data = yaml.safe_load(run_cli("status", "-o", "yaml").stdout)
    assert data["store"]["dialect"] == "sqlite" and data["user"]["name"] == "default"
    assert {c["type"] for c in data["active_stack"]["components"]} == {
        "orchestrator",
        "artifact_store",
    }


def test_status_names_the_server_logged_in_to(run_cli, isolated_config: Path, monkeypatch):
    monkeypatch.setenv("STACKYARD_STORE_URL", f"sqlite:///{isolated_config / 'other.db'}")
    isolated_config.mkdir(parents=True, exist_ok=True)
    (isolated_config / "config.yaml").write_text("server:\n  url: http://stackyard.example:8237\n")
    data = json.loads(run_cli("status", "-o", "json").stdout)
    assert data["server"] == "http://stackyard.example:8237"
    assert data["store"]["url"].endswith("other.db")


def _register(run_cli, name: str, *extra: str) -> None:
    run_cli("stack", "register", name, "-o", "default", "-a", "default", *extra)


def test_init_makes_a_project_with_its_own_active_stack(run_cli, client, tmp_path, monkeypatch):
    project = tmp_path / "proj"
    project.mkdir()
    monkeypatch.chdir(project)
    assert str(project) in run_cli("init").stdout
    assert "already a stackyard project" in run_cli("init", code=1).stderr
    _register(run_cli, "local-only", "--set")
    assert "project" in run_cli("stack", "set", "local-only").stdout
    status = json.loads(run_cli("status", "-o", "json").stdout)
    assert status["project"] == str(project)
    assert status["active_stack"]["name"] == "local-only"
    monkeypatch.chdir(tmp_path)
    assert Client().active_stack_model.name == "default"  # global choice untouched
