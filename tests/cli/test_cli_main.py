"""The root command: lazy loading, errors, --debug, server commands, completion, and
the real console script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from support import modules_after_cli

from stackyard import __version__
from stackyard.cli.main import COMMANDS

HEAVY = ("pydantic", "sqlalchemy", "alembic", "httpx", "fastapi", "pandas", "numpy", "yaml")


def test_help_imports_no_command_module_and_nothing_heavy() -> None:
    loaded = modules_after_cli("--help")
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}
    registry = {"stackyard.cli.main", "stackyard.cli.commands", "stackyard.cli.sections"}
    assert not {m for m in loaded if m.startswith("stackyard.cli.") and m not in registry}
    assert "stackyard.client" not in loaded


def test_stack_list_imports_only_what_it_needs() -> None:
    modules_after_cli("stack", "list")  # the first use creates the store (with Alembic)
    loaded = modules_after_cli("stack", "list")
    assert "stackyard.cli.stacks" in loaded and "stackyard.client" in loaded
    assert not {m for m in loaded if m.split(".")[0] in HEAVY}  # rows, not models
    assert "stackyard.cli.secrets" not in loaded and "stackyard.cli.pipelines" not in loaded


@pytest.mark.parametrize(
    "argv",
    [
        ("stack-component", "list", "--type", "orchestrator"),
        ("flavor", "list", "-o", "json"),
        ("pipeline", "run", "list", "--stack", "default", "-o", "csv"),
        ("artifact", "list"),
        ("user", "list", "--sort-by", "desc:name"),
        ("secret", "list"),
        ("service-connector", "list", "-o", "yaml"),
    ],
)
def test_lists_build_no_models(argv: tuple[str, ...]) -> None:
    modules_after_cli("stack", "list")
    loaded = modules_after_cli(*argv)
    allowed = {"yaml"} if "yaml" in argv else set()  # YAML output needs PyYAML, no more
    assert not {m for m in loaded if m.split(".")[0] in set(HEAVY) - allowed}


def test_help_lists_every_command_by_section(run_cli) -> None:
    out = run_cli("--help").stdout
    for section in ("Project:", "Stacks:", "Pipelines and artifacts:", "Administration:"):
        assert section in out
    for name in COMMANDS:
        assert f"  {name} " in out
    assert "_STACKYARD_COMPLETE=bash_source" in out
    assert run_cli("--version").stdout.strip() == f"stackyard, version {__version__}"


def test_every_group_has_working_help(run_cli) -> None:
    for name in COMMANDS:
        assert "Usage: " in run_cli(name, "--help").stdout, name


def test_unknown_command_suggests_close_ones(run_cli) -> None:
    result = run_cli("stak", code=2)
    assert "No such command 'stak'" in result.stderr and "stack" in result.stderr


def test_errors_are_one_line_and_debug_shows_the_exception(run_cli) -> None:
    result = run_cli("stack", "describe", "nope", code=1)
    assert result.stderr.strip().splitlines() == [
        "Error: no stack matches 'nope' by id, name or prefix; existing: default"
    ]
    debug = run_cli("--debug", "stack", "describe", "nope", code=None)
    from stackyard.exceptions import EntityNotFoundError

    assert isinstance(debug.exception, EntityNotFoundError)


def test_unexpected_errors_name_their_type(run_cli, monkeypatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire\nsecond line")

    monkeypatch.setattr("stackyard.client.Client.list_rows", boom)
    result = run_cli("stack", "list", code=1)
    assert result.stderr.strip() == (
        "Error: RuntimeError: disk on fire; second line (run with --debug for the traceback)"
    )


def test_server_commands_say_when_the_extra_is_missing(run_cli, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "stackyard.server.cli_commands", None)
    for args in (("up",), ("login", "http://127.0.0.1:1", "--username", "x")):
        result = run_cli(*args, code=1)
        assert "is not available" in result.stderr and "stackyard[server]" in result.stderr


def test_server_commands_load_from_the_server_package(run_cli) -> None:
    pytest.importorskip("fastapi")
    assert "URL" in run_cli("login", "--help").stdout


def _complete(words: str) -> list[str]:
    env = {
        **os.environ,
        "_STACKYARD_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
    }
    done = subprocess.run(
        [sys.executable, "-m", "stackyard"], capture_output=True, text=True, env=env, timeout=60
    )
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if "," in line]


def test_shell_completion(run_process) -> None:
    script = subprocess.run(
        [sys.executable, "-m", "stackyard"],
        capture_output=True,
        text=True,
        env={**os.environ, "_STACKYARD_COMPLETE": "bash_source"},
    ).stdout
    assert "_STACKYARD_COMPLETE=bash_complete" in script
    assert {"stack", "stack-component", "status"} <= set(_complete("stackyard sta"))
    assert "desc:name" in _complete("stackyard stack list --sort-by desc:na")
    assert run_process("stack", "list").returncode == 0  # creates the store
    assert _complete("stackyard stack describe de") == ["default"]


def test_real_console_script(run_process) -> None:
    listed = run_process("stack", "list", "-o", "json")
    assert listed.returncode == 0, listed.stderr
    assert [s["name"] for s in json.loads(listed.stdout)] == ["default"]
    failed = run_process("stack", "describe", "nope")
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [
        "Error: no stack matches 'nope' by id, name or prefix; existing: default"
    ]
    debug = run_process("--debug", "stack", "describe", "nope")
    assert debug.returncode == 1 and "Traceback" in debug.stderr
    usage = run_process("stack", "list", "--nope")
    assert usage.returncode == 2 and "--name" in usage.stderr
    status = run_process("status")
    assert "active stack" in status.stdout and "default" in status.stdout


def test_python_dash_m(run_process) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "stackyard", "--version"], capture_output=True, text=True
    )
    assert done.stdout.strip() == f"stackyard, version {__version__}"
    done = subprocess.run(
        [sys.executable, "-m", "stackyard.cli", "stack", "list", "-o", "csv"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.splitlines()[1].split(",")[4] == "default"
