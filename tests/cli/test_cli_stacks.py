"""`stackyard stack ...` through the real root group: list formats, filters, and edits."""

from __future__ import annotations

import csv
import io
import json

import yaml

from stackyard.client import Client


def _register(run_cli, name: str, *extra: str) -> None:
    run_cli("stack", "register", name, "-o", "default", "-a", "default", *extra)


def test_list_json_is_sorted_and_typed(run_cli, client: Client) -> None:
    out = run_cli("stack", "list", "--output", "json").stdout
    stacks = json.loads(out)
    assert [s["name"] for s in stacks] == ["default"]
    default = stacks[0]
    assert default["id"] == str(client.active_stack_model.id)
    assert default["created"].endswith("+00:00")  # ISO 8601, timezone-aware
    assert list(default) == sorted(default)
    assert out == json.dumps(stacks, indent=2, sort_keys=True) + "\n"  # stable spelling


def test_list_yaml_and_csv_parse_back(run_cli) -> None:
    _register(run_cli, "prod")
    as_yaml = yaml.safe_load(run_cli("stack", "list", "-o", "yaml").stdout)
    assert [s["name"] for s in as_yaml] == ["default", "prod"]
    rows = list(csv.DictReader(io.StringIO(run_cli("stack", "list", "-o", "csv").stdout)))
    assert [r["name"] for r in rows] == ["default", "prod"]
    assert set(json.loads(rows[1]["component_ids"])) == {"orchestrator", "artifact_store"}


def test_table_shows_active_stack_and_component_names(run_cli) -> None:
    _register(run_cli, "prod", "--set")
    lines = run_cli("stack", "list").stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "NAME", "ACTIVE", "COMPONENTS"]
    prod = next(line for line in lines if " prod " in line)
    default = next(line for line in lines if " default " in line)
    assert " yes " in prod and " no " in default
    assert "orchestrator=default" in prod


def test_filters_with_operators_sorting_and_paging(run_cli) -> None:
    for name in ("prod-a", "prod-b", "dev"):
        _register(run_cli, name)

    def names(*args: str) -> list[str]:
        return [s["name"] for s in json.loads(run_cli("stack", "list", "-o", "json", *args).stdout)]

    assert names("--name", "contains:prod") == ["prod-a", "prod-b"]
    assert names("--name", "startswith:prod", "--sort-by", "desc:name") == ["prod-b", "prod-a"]
    assert names("--name", "dev", "--name", "default") == ["default", "dev"]  # repeated: any
    assert names("--sort-by", "name", "--size", "2", "--page", "2") == ["prod-a", "prod-b"]
    assert names("--user", "default", "--name", "notequals:dev", "--size", "1") == ["default"]
    paged = run_cli("stack", "list", "-o", "json", "--size", "2")
    assert "page 1 of 2 (4 stacks)" in paged.stderr


def test_unknown_filter_is_a_usage_error_listing_valid_options(run_cli) -> None:
    result = run_cli("stack", "list", "--colour", "red", code=2)
    assert "No such option" in result.stderr and "--colour" in result.stderr
    assert "--name" in result.stderr and "--sort-by" in result.stderr


def test_bad_sort_field_names_the_choices(run_cli) -> None:
    result = run_cli("stack", "list", "--sort-by", "desc:colour", code=2)
    assert "'desc:colour'" in result.stderr and "name" in result.stderr


def test_bad_filter_value_is_one_clear_line(run_cli) -> None:
    result = run_cli("stack", "list", "--created", "gte:yesterday-ish", code=1)
    error_lines = [line for line in result.stderr.splitlines() if line]
    assert len(error_lines) == 1 and error_lines[0].startswith("Error: ")
    assert "created" in error_lines[0]


def test_register_needs_both_components_and_known_names(run_cli) -> None:
    assert "artifact store" in run_cli("stack", "register", "x", "-o", "default", code=2).stderr
    result = run_cli("stack", "register", "x", "-o", "nope", "-a", "default", code=1)
    assert result.stderr.startswith("Error: ") and "'nope'" in result.stderr


def test_describe_by_prefix_and_json(run_cli, client: Client) -> None:
    _register(run_cli, "production")
    out = run_cli("stack", "describe", "produ").stdout
    assert "production" in out and "Components:" in out and "orchestrator" in out
    data = json.loads(run_cli("stack", "describe", "production", "-o", "json").stdout)
    assert data["name"] == "production"
    assert {c["type"] for c in data["components"]} == {"orchestrator", "artifact_store"}
    stack_id = str(client.get_stack("production").id)
    assert (
        json.loads(run_cli("stack", "describe", stack_id[:8], "-o", "json").stdout)["id"]
        == stack_id
    )


def test_unknown_and_ambiguous_names(run_cli) -> None:
    _register(run_cli, "prod-a")
    _register(run_cli, "prod-b")
    missing = run_cli("stack", "describe", "nope", code=1)
    assert missing.stderr.startswith("Error: no stack matches 'nope'")
    ambiguous = run_cli("stack", "describe", "prod", code=1)
    assert "several stacks" in ambiguous.stderr
    assert "prod-a" in ambiguous.stderr and "prod-b" in ambiguous.stderr


def test_set_update_copy_delete(run_cli, client: Client) -> None:
    run_cli("orchestrator", "register", "fast", "--flavor", "local_parallel")
    _register(run_cli, "prod")
    assert "Active stack: 'prod'" in run_cli("stack", "set", "prod").stdout
    assert Client().active_stack_model.name == "prod"  # a new Client reads the new config

    run_cli("stack", "update", "prod", "-o", "fast", "--name", "production", "-d", "live")
    updated = client.get_stack("production")
    assert updated.description == "live"
    assert updated.orchestrator.name == "fast"

    run_cli("stack", "copy", "production", "staging")
    assert client.get_stack("staging").orchestrator.name == "fast"

    refused = run_cli("stack", "delete", "production", "--yes", code=1)
    assert "active stack" in refused.stderr
    run_cli("stack", "delete", "staging", "--yes")
    assert [s.name for s in client.list_stacks()] == ["default", "production"]


def test_delete_without_yes_needs_a_terminal(run_cli, client: Client, monkeypatch) -> None:
    _register(run_cli, "temp")
    result = run_cli("stack", "delete", "temp", code=2)
    assert "--yes" in result.stderr
    assert client.get_stack("temp").name == "temp"  # nothing deleted

    monkeypatch.setattr("stackyard.cli.base.stdin_is_terminal", lambda: True)
    declined = run_cli("stack", "delete", "temp", input="n\n", code=1)
    assert "Aborted" in declined.stderr
    assert client.get_stack("temp")
