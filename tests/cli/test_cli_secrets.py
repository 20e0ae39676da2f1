"""Secrets: values go in several ways and come out only through `secret get`."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from stackyard.client import Client


def test_create_from_options_and_get(run_cli, client: Client) -> None:
    out = run_cli("secret", "create", "aws", "--access_key=AKIA1", "--secret_key", "s3cr3t").stdout
    assert "access_key" in out and "s3cr3t" not in out
    assert client.get_secret("aws").secret_values == {"access_key": "AKIA1", "secret_key": "s3cr3t"}
    got = run_cli("secret", "get", "aws", "-o", "json")
    assert json.loads(got.stdout)["values"] == {"access_key": "AKIA1", "secret_key": "s3cr3t"}
    assert "Warning" in got.stderr and "s3cr3t" not in got.stderr
    assert "secret_key  s3cr3t" in run_cli("secret", "get", "aws").stdout
    assert run_cli("secret", "get", "aws", "--key", "secret_key").stdout == "s3cr3t\n"
    assert (
        "keys: access_key, secret_key"
        in run_cli("secret", "get", "aws", "--key", "x", code=2).stderr
    )


def test_values_never_shown_outside_get(run_cli) -> None:
    run_cli("secret", "create", "db", "--password=hunter2-very-secret")
    for args in (
        ("secret", "list"),
        ("secret", "list", "-o", "json"),
        ("secret", "list", "-o", "yaml"),
        ("secret", "list", "-o", "csv"),
        ("secret", "describe", "db"),
        ("secret", "describe", "db", "-o", "json"),
    ):
        result = run_cli(*args)
        assert "hunter2" not in result.stdout + result.stderr, args
    listed = json.loads(run_cli("secret", "list", "-o", "json").stdout)
    assert listed[0]["keys"] == ["password"] and "secret_values" not in listed[0]


def test_create_from_values_file(run_cli, tmp_path: Path, client: Client) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("user: admin\nport: 5432\n")
    run_cli("secret", "create", "pg", "--values-file", str(values), "--user=root")
    assert client.get_secret("pg").secret_values == {"user": "root", "port": "5432"}
    as_json = tmp_path / "values.json"
    as_json.write_text(json.dumps({"token": "t0k"}))
    run_cli("secret", "create", "api", "--values-file", str(as_json), "--private")
    assert client.get_secret("api").private is True


def test_create_without_values_needs_a_terminal(run_cli) -> None:
    result = run_cli("secret", "create", "empty", code=2)
    assert "--KEY=VALUE" in result.stderr
    assert "needs a value" in run_cli("secret", "create", "x", "--dangling", code=2).stderr


def test_create_prompts_hidden_in_a_terminal(run_cli, client: Client, monkeypatch) -> None:
    monkeypatch.setattr("stackyard.cli.base.stdin_is_terminal", lambda: True)
    monkeypatch.setattr("stackyard.cli.secrets.stdin_is_terminal", lambda: True)
    result = run_cli("secret", "create", "typed", input="api_key\nshh-123\n\n")
    assert client.get_secret("typed").secret_values == {"api_key": "shh-123"}
    assert "shh-123" not in result.stdout  # hidden input is not echoed


def test_update_and_delete(run_cli, client: Client) -> None:
    run_cli("secret", "create", "s", "--a=1", "--b=2")
    out = run_cli("secret", "update", "s", "--a=10", "--c=3", "--remove-key", "b").stdout
    assert "keys: a, c" in out
    assert client.get_secret("s").secret_values == {"a": "10", "c": "3"}
    assert "no key(s) zzz" in run_cli("secret", "update", "s", "--remove-key", "zzz", code=1).stderr
    run_cli("secret", "update", "s", "--new-name", "t")
    assert yaml.safe_load(run_cli("secret", "list", "-o", "yaml").stdout)[0]["name"] == "t"
    run_cli("secret", "delete", "t", "--yes")
    assert "no secret matches 't'" in run_cli("secret", "get", "t", code=1).stderr
