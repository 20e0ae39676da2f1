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
        workdir = Path(tempfile.mkdtemp(prefix="stackyard-run-"))
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
        threading.Thread(target=process.wait, name=f"reap-run-{run.id}", daemon=True).start()
