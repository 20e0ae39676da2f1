"""What a run says while it runs: one log line per event, through `logging`.

Records go to the `stackyard.run` logger: the run's name and stack at the start,
each step's start and end (with its duration and status; a cached step names
the run it came from, a skipped one the failure that stopped it, each end the
count of steps done so far), and the run's status, duration and how to look at
it at the end. Unless the program configured that logger itself, stackyard
gives it a handler that writes to stderr at the level named by
`STACKYARD_LOGGING_VERBOSITY` (default INFO; WARNING keeps runs quiet).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from uuid import UUID

    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.store.base import Store

VERBOSITY_ENV = "STACKYARD_LOGGING_VERBOSITY"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
logger = logging.getLogger("stackyard.run")
_SETUP = threading.Lock()


class _StderrHandler(logging.Handler):
    """Writes to whatever `sys.stderr` is at the time (tests and notebooks swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def configure_logging() -> None:
    """Give `stackyard.run` a stderr handler at the configured level, once, unless the
    program set that logger up itself."""
    with _SETUP:
        if logger.handlers:
            return
        raw = os.environ.get(VERBOSITY_ENV, "INFO").strip().upper()
        level = raw if raw in LEVELS else "INFO"
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False  # the user's own root handlers would print it twice
        if raw != level:
            logger.warning(
                "%s=%r is not a logging level; using INFO (choose one of: %s)",
                VERBOSITY_ENV,
                raw,
                ", ".join(LEVELS),
            )


def _seconds(start: float) -> str:
    return f"{time.monotonic() - start:.2f}s"


class RunProgress:
    """Reports one run's progress; cheap when INFO is off (nothing is formatted)."""

    def __init__(self, store: Store, run: PipelineRunResponse, total: int) -> None:
        configure_logging()
        self.store, self.run, self.total = store, run, total
        self.done = 0
        self._started: dict[str, float] = {}
        self._run_start = time.monotonic()

    @property
    def _on(self) -> bool:
        return logger.isEnabledFor(logging.INFO)

    def run_started(self, pipeline: str, stack: str) -> None:
        if self._on:
            logger.info(
                "Run %r of pipeline %r started on stack %r (%d steps).",
                self.run.name,
                pipeline,
                stack,
                self.total,
            )

    def step_started(self, name: str) -> None:
        self._started[name] = time.monotonic()
        if self._on:
            logger.info("Step %r started.", name)

    def _count(self) -> str:
        self.done += 1
        return f"[{self.done}/{self.total}]"

    def step_finished(self, name: str, status: str, error: str | None = None) -> None:
        count = self._count()
        if not self._on:
            return
        took = _seconds(self._started.get(name, self._run_start))
        if error:
            logger.info("Step %r %s after %s: %s %s", name, status, took, error, count)
        else:
            logger.info("Step %r %s in %s. %s", name, status, took, count)

    def step_cached(self, name: str, original_run_id: UUID) -> None:
        count = self._count()
        if not self._on:
            return
        try:
            origin = repr(self.store.get("pipeline_run", original_run_id).name)
        except Exception:  # a deleted original run: say which it was
            origin = str(original_run_id)
        logger.info("Step %r cached (from run %s). %s", name, origin, count)

    def step_skipped(self, name: str, because: str) -> None:
        count = self._count()
        if self._on:
            logger.info("Step %r skipped: upstream step %r failed. %s", name, because, count)

    def run_finished(self, run: PipelineRunResponse) -> None:
        if not self._on:
            return
        page = self.store.page_url(f"runs/{run.id}")
        logger.info(
            "Run %r %s in %s. Inspect it: %sstackyard pipeline run describe %s",
            run.name,
            run.status.value,
            _seconds(self._run_start),
            f"{page} or " if page else "",
            run.name,
        )
