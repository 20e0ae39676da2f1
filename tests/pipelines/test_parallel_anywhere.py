"""local_parallel from wherever people write pipelines: a script without a main
guard, `python -`, a Jupyter kernel; and its workers never outlive the caller."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from stackyard import ExecutionStatus
from stackyard.client import Client

PIPELINE = textwrap.dedent(
    """
    import json
    from typing import Any, ClassVar

    from stackyard import BaseMaterializer, pipeline, step


    class Box:
        def __init__(self, value: int) -> None:
            self.value = value


    class BoxMaterializer(BaseMaterializer):
        ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = (Box,)

        def save(self, value: Any) -> None:
            with self.open("box.json", "w") as handle:
                json.dump(value.value, handle)

        def load(self, data_type: type) -> Any:
            with self.open("box.json", "r") as handle:
                return data_type(json.load(handle))


    SCALE = 10


    @step(enable_cache=False)
    def boxed(n: int) -> Box:
        return Box(n * SCALE)


    @step(enable_cache=False)
    def unboxed(a: Box, b: Box) -> int:
        print("adding in a worker")
        return a.value + b.value


    @pipeline
    def boxes():
        unboxed(boxed(1), boxed(2))


    run = boxes()
    print("RESULT", run.status.value, run.steps["unboxed"].output.load())
    """
)


def _python(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=180,
    )


def _check_boxes_run() -> None:
    run = Client().list_pipeline_runs(pipeline_name="boxes")[0]
    assert run.status == ExecutionStatus.COMPLETED
    assert run.steps["unboxed"].logs == "adding in a worker\n"
    produced = run.steps["boxed"].output
    assert produced.materializer.endswith("BoxMaterializer")


def test_a_script_without_a_main_guard(parallel_stack: str, tmp_path: Path) -> None:
    (tmp_path / "no_guard.py").write_text(PIPELINE)
    done = _python("no_guard.py", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "RESULT completed 30" in done.stdout
    _check_boxes_run()
    assert Client().list_pipeline_runs().total == 1  # the workers never re-ran the script


def test_python_reading_the_script_from_stdin(parallel_stack: str, tmp_path: Path) -> None:
    done = _python("-", cwd=tmp_path, stdin=PIPELINE)
    assert done.returncode == 0, done.stderr
    assert "RESULT completed 30" in done.stdout
    _check_boxes_run()


def test_a_jupyter_kernel(parallel_stack: str, tmp_path: Path) -> None:
    jupyter_client = pytest.importorskip("jupyter_client.manager")
    manager, kernel = jupyter_client.start_new_kernel(
        kernel_name="python3", env=dict(os.environ), cwd=str(tmp_path), startup_timeout=120
    )
    printed: list[str] = []

    def collect(message: dict) -> None:
        content = message["content"]
        if message["msg_type"] == "stream":
            printed.append(content["text"])
        elif message["msg_type"] == "error":
            printed.append("\n".join(content["traceback"]))

    try:
        cells = PIPELINE.split("\n\n\n")  # one cell per definition, as in a notebook
        for cell in cells:
            reply = kernel.execute_interactive(cell, timeout=180, output_hook=collect)
            assert reply["content"]["status"] == "ok", "".join(printed)
    finally:
        kernel.stop_channels()
        manager.shutdown_kernel(now=True)
    assert "RESULT completed 30" in "".join(printed)
    _check_boxes_run()


SLEEPER = textwrap.dedent(
    """
    import os
    import sys
    import time

    from stackyard import pipeline, step

    PIDS = sys.argv[1]


    @step(enable_cache=False)
    def sleepy(tag: str) -> int:
        with open(os.path.join(PIDS, tag), "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(300)
        return 1


    @pipeline
    def sleeping():
        sleepy("a")
        sleepy("b")


    sleeping()
    """
)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; whoever adopted it reaps it later


def test_workers_end_when_the_caller_is_killed(parallel_stack: str, tmp_path: Path) -> None:
    (tmp_path / "sleeper.py").write_text(SLEEPER)
    pids = tmp_path / "pids"
    pids.mkdir()
    caller = subprocess.Popen(
        [sys.executable, "sleeper.py", str(pids)], cwd=tmp_path, env=os.environ
    )
    try:
        deadline = time.monotonic() + 120
        while len(list(pids.iterdir())) < 2:
            assert caller.poll() is None, "the run ended before its steps started"
            assert time.monotonic() < deadline, "the steps never started"
            time.sleep(0.1)
        workers = [int(p.read_text()) for p in pids.iterdir()]
        assert all(_alive(pid) for pid in workers)
        caller.send_signal(signal.SIGKILL)
        caller.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), "workers outlived the killed caller"
    finally:
        if caller.poll() is None:
            caller.kill()
        for pid_file in pids.iterdir():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
