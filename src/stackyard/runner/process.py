"""The runner: claims template and schedule runs queued on a store and executes them.

    stackyard runner start --url https://server --api-key KEY

A server never runs user code; it queues runs started from templates and
schedules. A runner (on the server's machine or any other) claims them one at a
time (`Store.claim_run`), up to `max_runs` at once, and starts a worker process
for each. The worker gets the store's URL and the short-lived token the claim
handed out for the run's owner, in a file its heartbeats keep renewed; it gets no
database URL, no secrets key, not even the runner's own login (its config
directory is empty). A runner whose account is an admin runs every user's runs;
any other user's runner runs only their own.

That is isolation by environment, not by operating system: every worker runs under
the runner's OS account, so its code can read whatever that account can (the
runner's /proc entries and files, other workers' token files). Each run's directory
is 0700 and its token 0600, which keeps other accounts out, not the runner's own.
So a team runs one runner per trust domain (a user, or a team whose members trust
each other's code), each under an OS account of its own.

Workers die with the runner (the kernel kills them when it goes, and their runs are
failed when their heartbeats stop); a worker that exits without finishing its run
gets the run failed with the reason. A runner stopped with SIGTERM or Ctrl-C stops
its workers' runs first (they end `stopped`).
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from stackyard.models.binding import utcnow
from stackyard.models.enums import ExecutionStatus
from stackyard.runner.launch import (
    TOKEN_FILE,
    mark_owner,
    new_workdir,
    python_path,
    worker_command,
    write_job,
)

if TYPE_CHECKING:
    from stackyard.store.base import RunClaim, Store

logger = logging.getLogger(__name__)

# what a worker must never inherit from the runner's environment
_PRIVATE_ENV = (
    "STACKYARD_STORE_URL",
    "STACKYARD_SECRETS_KEY",
    "STACKYARD_CONFIG_PATH",
    "STACKYARD_ACCESS_TOKEN",
    "STACKYARD_ACCESS_TOKEN_FILE",
    "STACKYARD_API_KEY",
    "STACKYARD_API_KEY_FILE",
    "STACKYARD_PASSWORD",
)
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the worker, before exec: the kernel kills it when the runner dies. Its runs'
    heartbeats stop with it, so they are failed, with that reason, within two intervals;
    its own step workers end as their lifelines close."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def worker_environment(claim: RunClaim, workdir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in _PRIVATE_ENV and not k.startswith("STACKYARD_SERVER_")
    }
    env.update(
        STACKYARD_STORE_URL=claim.store_url,
        STACKYARD_CONFIG_PATH=str(workdir / "config"),
        PYTHONPATH=python_path(),
    )
    if claim.token is not None:
        env["STACKYARD_ACCESS_TOKEN_FILE"] = str(workdir / TOKEN_FILE)
    return env


@dataclass
class _Worker:
    claim: RunClaim
    process: subprocess.Popen[bytes]
    workdir: Path
    log: IO[bytes]


class Runner:
    """Claims runs from `store` and supervises their worker processes."""

    def __init__(self, store: Store, *, max_runs: int = 2, poll_seconds: float = 1.0) -> None:
        self.store, self.max_runs, self.poll_seconds = store, max_runs, poll_seconds
        self.base = new_workdir("runner")
        mark_owner(self.base, os.getpid())
        self.workers: list[_Worker] = []

    def run(self, stop: threading.Event) -> None:
        """Claim and supervise until `stop` is set; then stop the workers and clean up."""
        try:
            while not stop.is_set():
                self.step()
                stop.wait(self.poll_seconds)
        finally:
            self.shutdown()

    def step(self) -> None:
        """One round: reap finished workers, then claim while there is room."""
        self._reap()
        while len(self.workers) < self.max_runs:
            try:
                claim = self.store.claim_run()
            except Exception as exc:  # the store is away: try again next round
                logger.warning("claiming a run failed: %s", exc)
                return
            if claim is None:
                return
            self._launch(claim)

    def _launch(self, claim: RunClaim) -> None:
        run = claim.run
        # 0700, like the runner's own directory: the token in it is the run owner's
        workdir = Path(tempfile.mkdtemp(prefix=f"run-{run.id.hex[:8]}-", dir=self.base))
        write_job(workdir, str(run.id), claim.token)
        (workdir / "config").mkdir(mode=0o700)
        log = open(self.base / f"{run.id}.log", "ab")  # noqa: SIM115 - closed when reaped
        try:
            process = subprocess.Popen(
                worker_command(workdir),
                cwd=workdir,
                env=worker_environment(claim, workdir),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent,
                start_new_session=True,  # its own group: stopped with its children
            )
        except OSError as exc:
            log.close()
            shutil.rmtree(workdir, ignore_errors=True)
            self._fail(claim, f"the runner could not start its worker: {exc}")
            return
        logger.info("running %r (%s) in worker %d", run.name, run.id, process.pid)
        self.workers.append(_Worker(claim, process, workdir, log))

    def _reap(self) -> None:
        for worker in list(self.workers):
            code = worker.process.poll()
            if code is None:
                continue
            self.workers.remove(worker)
            worker.log.close()
            shutil.rmtree(worker.workdir, ignore_errors=True)
            if code != 0:
                self._fail(worker.claim, f"its worker process exited with code {code}")

    def _fail(self, claim: RunClaim, reason: str) -> None:
        """Fail a run its worker left unfinished (a finished run is left alone)."""
        try:
            run = self.store.get("pipeline_run", claim.run.id)
            if run.status.is_finished:
                return
            self.store.update(
                "pipeline_run",
                run.id,
                {"status": ExecutionStatus.FAILED, "end_time": utcnow(), "status_reason": reason},
            )
        except Exception as exc:
            logger.warning(
                "could not record that run %s failed (%s): %s", claim.run.id, reason, exc
            )

    def shutdown(self, timeout: float = 10.0) -> None:
        """SIGTERM every worker's process group (their runs end `stopped`), then SIGKILL."""
        for worker in self.workers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.process.pid, signal.SIGTERM)
        for worker in self.workers:
            try:
                worker.process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(worker.process.pid, signal.SIGKILL)
                worker.process.wait()
        self._reap()
        shutil.rmtree(self.base, ignore_errors=True)
