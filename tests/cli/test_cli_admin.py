"""Users, service connectors, code repositories, schedules, builds and run templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from stackyard.client import Client


def test_user_create_list_update_delete(run_cli, client: Client) -> None:
    run_cli(
        "user",
        "create",
        "alice",
        "--password",
        "pw-123456",
        "--full-name",
        "Alice A",
        "--email",
        "alice@example.com",
    )
    users = json.loads(run_cli("user", "list", "--name", "alice", "-o", "json").stdout)
    assert [(u["name"], u["is_admin"], u["email"]) for u in users] == [
        ("alice", False, "alice@example.com")
    ]
    assert "password" not in json.dumps(users)
    run_cli("user", "update", "alice", "--admin", "--inactive", "--name", "alicia")
    alicia = client.get_user("alicia")
    assert alicia.is_admin and not alicia.active
    assert "'alicia' already exists" in run_cli("user", "create", "alicia", code=1).stderr
    run_cli("user", "delete", "alicia", "--yes")
    assert [u.name for u in client.list_users()] == ["default"]


def test_service_connector_register_masks_secrets(run_cli, client: Client) -> None:
    run_cli(
        "service-connector",
        "register",
        "aws-dev",
        "--type",
        "aws",
        "--auth-method",
        "secret-key",
        "--config",
        "aws_access_key_id=AKIA",
        "--config",
        "aws_secret_access_key=very-secret-key",
        "--resource-type",
        "s3-bucket",
        "--expires-at",
        "2030-01-01T00:00:00",
    )
    described = run_cli("service-connector", "describe", "aws-dev", "-o", "json").stdout
    assert "very-secret-key" not in described
    data = json.loads(described)
    assert data["configuration"]["aws_access_key_id"] == "AKIA"
    assert data["expires_at"].startswith("2030-01-01T00:00:00")
    listed = run_cli("service-connector", "list").stdout
    assert "aws-dev" in listed and "very-secret-key" not in listed
    # merging a new region keeps the sealed secret
    run_cli("service-connector", "update", "aws-dev", "--config", "region=eu-west-1")
    updated = client.get_service_connector("aws-dev")
    assert updated.configuration["region"] == "eu-west-1"
    bad = run_cli("service-connector", "register", "x", "-t", "aws", "-m", "magic", code=1)
    assert "magic" in bad.stderr and "secret-key" in bad.stderr
    types = json.loads(run_cli("service-connector", "types", "-o", "json").stdout)
    assert "aws" in {t["type"] for t in types}
    assert (
        "not an ISO date"
        in run_cli(
            "service-connector", "update", "aws-dev", "--expires-at", "tomorrow", code=2
        ).stderr
    )


def test_code_repository_register_list_delete(run_cli, tmp_path: Path, client: Client) -> None:
    run_cli(
        "code-repository",
        "register",
        "mono",
        "--source",
        "local_git",
        "--config",
        f"path={tmp_path}",
        "-d",
        "the monorepo",
    )
    repos = yaml.safe_load(run_cli("code-repository", "list", "-o", "yaml").stdout)
    assert [(r["name"], r["source"], r["config"]["path"]) for r in repos] == [
        ("mono", "local_git", str(tmp_path))
    ]
    bad = run_cli(
        "code-repository", "register", "gh", "--source", "github", "--config", "owner=me", code=1
    )
    assert bad.stderr.startswith("Error: ") and "repository" in bad.stderr
    run_cli("code-repository", "delete", "mono", "-y")
    assert client.list_code_repositories().total == 0


def _schedule_and_friends(client: Client) -> dict[str, Any]:
    store = client.store
    stack_id = client.active_stack_model.id
    pipeline = store.create("pipeline", {"name": "nightly"})
    snapshot = store.create("snapshot", {"pipeline_id": pipeline.id, "stack_id": stack_id})
    run = store.create(
        "pipeline_run",
        {
            "name": "nightly-1",
            "status": "completed",
            "pipeline_id": pipeline.id,
            "stack_id": stack_id,
            "snapshot_id": snapshot.id,
        },
    )
    schedule = store.create(
        "schedule",
        {"name": "every-5", "pipeline_id": pipeline.id, "cron_expression": "*/5 * * * *"},
    )
    build = store.create(
        "build",
        {
            "pipeline_id": pipeline.id,
            "stack_id": stack_id,
            "checksum": "abc123",
            "python_version": "3.11",
        },
    )
    return {"run": run, "schedule": schedule, "build": build}


def test_schedule_list_update(run_cli, client: Client) -> None:
    _schedule_and_friends(client)
    table = run_cli("schedule", "list").stdout
    assert "every-5" in table and "nightly" in table and "*/5 * * * *" in table
    run_cli("schedule", "update", "every-5", "--inactive", "--cron", "0 * * * *")
    data = json.loads(run_cli("schedule", "describe", "every-5", "-o", "json").stdout)
    assert (data["active"], data["cron_expression"]) == (False, "0 * * * *")
    paused = json.loads(run_cli("schedule", "list", "--active", "false", "-o", "json").stdout)
    assert [s["name"] for s in paused] == ["every-5"]
    assert "nothing to change" in run_cli("schedule", "update", "every-5", code=2).stderr
    run_cli("schedule", "delete", "every-5", "--yes")
    assert client.list_schedules().total == 0


def test_build_list_describe_delete(run_cli, client: Client) -> None:
    build = _schedule_and_friends(client)["build"]
    rows = run_cli("build", "list").stdout.splitlines()
    assert rows[0].split()[:3] == ["ID", "PIPELINE", "STACK"]
    assert rows[1].startswith(str(build.id)[:8]) and "nightly" in rows[1]
    data = json.loads(run_cli("build", "describe", str(build.id)[:8], "-o", "json").stdout)
    assert data["checksum"] == "abc123"
    run_cli("build", "delete", str(build.id), "--yes")
    assert client.list_builds().total == 0


def test_run_template_create_from_run(run_cli, client: Client) -> None:
    _schedule_and_friends(client)
    run_cli("run-template", "create", "rerun", "--run", "nightly-1", "-d", "again", "--tag", "prod")
    templates = json.loads(run_cli("run-template", "list", "-o", "json").stdout)
    assert [(t["name"], t["description"], t["tags"]) for t in templates] == [
        ("rerun", "again", ["prod"])
    ]
    assert "exactly one" in run_cli("run-template", "create", "x", code=2).stderr
    run_cli("run-template", "delete", "rerun", "--yes")
    assert client.list_run_templates().total == 0
