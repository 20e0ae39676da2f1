"""What a runner's workers could find of its secrets: the runner's API key stays off
its command line (`--api-key-file`, or a warning), and each run's token is a 0600 file
in a 0700 directory of its own."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from automation_support import Project
from serving import ADMIN, Running, running_runner
from serving import logged_in_server as logged_in

from stackyard.client import Client
from stackyard.models.enums import ExecutionStatus


@pytest.fixture
def server(migrated_db: Path) -> Iterator[Running]:
    """A server this machine's Client is logged in to as the admin."""
    with logged_in(migrated_db) as running:
        yield running


def runner_key(server: Running) -> str:
    client = Client()
    account = client.create_user(f"runner-{uuid.uuid4().hex[:6]}", is_service_account=True)
    key: str = client.store.create("api_key", {"name": "k", "service_account_id": account.id}).key
    return key


def start_runner(
    url: str, *options: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "stackyard.runner", "start", "--url", url, "--poll", "0.2",
         *options],
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def first_lines(process: subprocess.Popen[str]) -> str:
    """What the runner said until it started taking runs (then it is stopped)."""
    assert process.stderr is not None
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen.append(line)
        if not line or line.startswith("Runner taking"):
            break
    return "".join(seen)


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    process.wait(20)


@pytest.mark.parametrize("how", ["option", "file", "variable"])
def test_a_runners_key_stays_off_its_command_line(
    server: Running, tmp_path: Path, how: str
) -> None:
    key = runner_key(server)
    key_file = tmp_path / "runner.key"
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    options, env = {
        "option": (("--api-key", key), None),
        "file": (("--api-key-file", str(key_file)), None),
        "variable": ((), {"STACKYARD_API_KEY": key}),
    }[how]
    process = start_runner(server.url, *options, env=env)
    try:
        said = first_lines(process)
        cmdline = Path(f"/proc/{process.pid}/cmdline").read_bytes()
    finally:
        stop(process)
    assert "Runner taking the runs of" in said, said
    warned = "--api-key on the command line is visible to other users in `ps`" in said
    assert warned == (how == "option"), said
    assert (key.encode() in cmdline) == (how == "option")


def test_an_api_key_file_must_hold_a_key(server: Running, tmp_path: Path) -> None:
    empty = tmp_path / "empty.key"
    empty.write_text("\n")
    done = subprocess.run(
        [sys.executable, "-m", "stackyard.runner", "start", "--url", server.url,
         "--api-key-file", str(empty)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode != 0 and "is empty" in done.stderr


def test_each_runs_token_is_private_to_the_runners_account(
    server: Running,
    make_project: Callable[..., Project],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(git_repo=False)
    client = Client()
    template = client.create_run_template(
        "linger-token", pipeline_run_id=project.module.lingering(seconds=0.01).id
    )
    marker = tmp_path / "pids"
    monkeypatch.setenv("FAULT_PID_FILE", str(marker))
    with running_runner(server.url, server.token_for(ADMIN)) as runner:
        run = client.trigger_pipeline(
            template.id, run_configuration={"parameters": {"seconds": 60}}
        )
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert time.monotonic() < deadline, "the run's step did not start"
            time.sleep(0.05)
        tokens = [
            t
            for base in Path(tempfile.gettempdir()).glob("stackyard-runner-*")
            if (base / "pid").exists() and (base / "pid").read_text() == str(runner.pid)
            for t in base.glob("run-*/token")
        ]
        assert len(tokens) == 1, tokens
        token = tokens[0]
        assert stat.S_IMODE(token.stat().st_mode) == 0o600
        assert stat.S_IMODE(token.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE(token.parent.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((token.parent / "config").stat().st_mode) == 0o700
        client.stop_pipeline_run(run.id, wait=30)
    assert client.get_pipeline_run(run.id).status == ExecutionStatus.STOPPED
