"""Starting the worker process that executes one template run.

    python -m stackyard.pipelines.worker <job directory>

The job directory holds `job.json` (the run id) and, for a worker that reaches a
server, the access token it acts with (`token`, 0600, renewed by its heartbeats).
`LocalWorkers` is what the Client's embedded store launches runs with: the user's
own code on the user's own machine, against the same store. A runner
(`stackyard.runner`) starts workers the same way for runs queued on a server.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse, SnapshotResponse
    from stackyard.store.sql.store import SqlStore

JOB_FILE = "job.json"
TOKEN_FILE = "token"
PID_FILE = "pid"


def new_workdir(kind: str) -> Path:
    """A private temporary directory for `kind` ("run", "runner"), after sweeping away
    those whose process died without removing its own (SIGKILL leaves them behind)."""
    sweep_workdirs(kind)
    return Path(tempfile.mkdtemp(prefix=f"stackyard-{kind}-"))


def mark_owner(workdir: Path, pid: int) -> None:
    (workdir / PID_FILE).write_text(str(pid))


def sweep_workdirs(kind: str) -> None:
    import shutil

    for candidate in Path(tempfile.gettempdir()).glob(f"stackyard-{kind}-*"):
        try:
            pid = int((candidate / PID_FILE).read_text())
        except (OSError, ValueError):
            continue  # being set up, or not ours
        if not _alive(pid):
            shutil.rmtree(candidate, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie nobody reaped yet is dead too
        return " Z " not in Path(f"/proc/{pid}/stat").read_text().split(")", 1)[1][:3]
    except (OSError, IndexError):
        return True


def write_job(workdir: Path, run_id: str, token: str | None = None) -> None:
    (workdir / JOB_FILE).write_text(json.dumps({"run_id": run_id}))
    if token is not None:
        fd = os.open(workdir / TOKEN_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(token)


def worker_command(workdir: Path) -> list[str]:
    return [sys.executable, "-m", "stackyard.pipelines.worker", str(workdir)]


def python_path() -> str:
    """PYTHONPATH that finds this stackyard first, whatever directory a worker starts in."""
    import stackyard

    package_root = str(Path(stackyard.__file__).resolve().parent.parent)
    return os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)


class LocalWorkers:
    """Launches template runs of an embedded store as local worker processes. Each
    starts in its own session, so it finishes its run after the process that triggered
    it exits; a thread reaps it when it ends."""

    def check(self, store: SqlStore, snapshot: SnapshotResponse) -> None:
        from stackyard.pipelines.code import RecordedCode
        from stackyard.pipelines.fetch import check_fetchable

        check_fetchable(store, RecordedCode.of(snapshot))

    def start(self, store: SqlStore, run: PipelineRunResponse) -> None:
        workdir = new_workdir("run")
        write_job(workdir, str(run.id))
        # absolute, since the worker starts in another directory
        env = {**os.environ, "STACKYARD_STORE_URL": store.url.absolute, "PYTHONPATH": python_path()}
        process = subprocess.Popen(
            worker_command(workdir),
            cwd=workdir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )
        mark_owner(workdir, process.pid)
        threading.Thread(target=process.wait, name=f"reap-run-{run.id}", daemon=True).start()
