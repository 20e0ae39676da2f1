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
