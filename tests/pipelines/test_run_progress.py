"""A run says what it is doing, through logging to stderr, and can be made quiet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    from stackyard import pipeline, step


    @step
    def load() -> int:
        return 2


    @step(enable_cache=False)
    def explode(value: int) -> int:
        raise ValueError("no good")


    @step(enable_cache=False)
    def after(value: int) -> int:
        return value


    @pipeline
    def progress(fail: bool = False):
        value = load()
        if fail:
            after(explode(value))


    first = progress()
    second = progress()
    print("NAMES", first.name, second.name)
    try:
        progress(fail=True)
    except Exception:
        pass
    """
)


def _run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "progress_script.py").write_text(SCRIPT)
    return subprocess.run(
        [sys.executable, "progress_script.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_a_run_reports_its_start_steps_and_end_on_stderr(tmp_path: Path) -> None:
    done = _run(tmp_path)
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.split("NAMES ")[1].split()
    err = done.stderr
    assert f"Run '{first}' of pipeline 'progress' started on stack 'default' (1 steps)." in err
    assert "Step 'load' started." in err
    assert re.search(r"Step 'load' completed in \d+\.\d\ds\. \[1/1\]", err)
    assert re.search(
        rf"Run '{first}' completed in \d+\.\d\ds\. Inspect it: "
        rf"stackyard pipeline run describe {first}",
        err,
    )
    assert f"Step 'load' cached (from run '{first}'). [1/1]" in err
    assert f"Run '{second}' cached in" in err
    assert re.search(r"Step 'explode' failed after \d+\.\d\ds: ValueError: no good \[2/3\]", err)
    assert "Step 'after' skipped: upstream step 'explode' failed. [3/3]" in err
    assert re.search(r"Run 'progress-[^']+' failed in \d", err)
    assert "Run '" not in done.stdout  # progress never mixes into the program's output


def test_verbosity_warning_keeps_runs_quiet(tmp_path: Path) -> None:
    done = _run(tmp_path, STACKYARD_LOGGING_VERBOSITY="WARNING")
    assert done.returncode == 0, done.stderr
    assert "Run '" not in done.stderr and "Step 'load'" not in done.stderr
    assert "ValueError: no good" in done.stderr  # the failing step's traceback still shows


LIVE_SCRIPT = textwrap.dedent(
    """
    import logging

    from stackyard import pipeline, step

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")


    @step(enable_cache=False)
    def first() -> int:
        print("printed by first")
        return 1


    @step(enable_cache=False)
    def second(value: int) -> int:
        print("half a line", end="")
        print(" and its end")
        logging.info("logged by second")
        return value + 1


    @pipeline
    def live():
        second(first())


    live()
    print("AFTER THE RUN")
    """
)


def _screen(raw: str) -> list[str]:
    """What a terminal shows after `raw`: carriage returns, newlines and erase-to-end."""
    lines, column, i = [""], 0, 0
    while i < len(raw):
        if raw.startswith("\x1b[K", i):
            lines[-1], i = lines[-1][:column], i + 3
            continue
        char = raw[i]
        if char == "\r":
            column = 0
        elif char == "\n":
            lines.append("")
            column = 0
        else:
            line = lines[-1].ljust(column)
            lines[-1] = line[:column] + char + line[column + 1 :]
            column += 1
        i += 1
    return lines


def _run_in_terminal(tmp_path: Path, **env: str) -> str:
    """Everything the script writes to a pseudo-terminal that is its stdout and stderr."""
    import pty

    (tmp_path / "live_script.py").write_text(LIVE_SCRIPT)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "live_script.py"],
        cwd=tmp_path,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "120", "TERM": "xterm", **env},
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the script ended: the terminal's other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=120) == 0, b"".join(chunks).decode()
    return b"".join(chunks).decode()


def test_a_terminal_gets_a_live_line_that_output_never_lands_on(tmp_path: Path) -> None:
    raw = _run_in_terminal(tmp_path)
    assert "[1/2 steps done, running: second]" in raw  # drawn while the run ran
    screen = _screen(raw)
    assert not any("steps done" in line for line in screen), screen  # erased every time
    for whole in (
        "printed by first",
        "half a line and its end",
        "INFO logged by second",
        "AFTER THE RUN",
    ):
        assert whole in screen, screen
    assert any(re.match(r"Run 'live-[^']+' completed in", line) for line in screen), screen


def test_no_live_line_when_quiet_or_when_steps_run_elsewhere(tmp_path: Path) -> None:
    assert "\x1b[K" not in _run_in_terminal(tmp_path, STACKYARD_LOGGING_VERBOSITY="WARNING")
    assert "\x1b[K" not in _run_in_terminal(tmp_path, STACKYARD_LIVE_PROGRESS="0")
    from stackyard.client import Client

    client = Client()  # worker processes write to the terminal directly: no line to keep apart
    client.create_stack_component("parallel", "local_parallel", "orchestrator", {"max_workers": 2})
    client.create_stack("parallel", {"orchestrator": "parallel", "artifact_store": "default"})
    client.activate_stack("parallel")
    raw = _run_in_terminal(tmp_path)
    assert "printed by first" in raw and "\x1b[K" not in raw


def test_a_non_terminal_never_gets_a_live_line(tmp_path: Path) -> None:
    (tmp_path / "live_script.py").write_text(LIVE_SCRIPT)
    done = subprocess.run(
        [sys.executable, "live_script.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "TERM": "xterm"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Step 'second' completed" in done.stderr
    assert "steps done" not in done.stderr + done.stdout
    assert "\r" not in done.stderr + done.stdout and "\x1b" not in done.stderr + done.stdout
