"""What a run says while it runs: one log line per event, through `logging`.

Records go to the `stackyard.run` logger: the run's name and stack at the start,
each step's start and end (with its duration and status; a cached step names
the run it came from, a skipped one the failure that stopped it, each end the
count of steps done so far), and the run's status, duration and how to look at
it at the end. Unless the program configured that logger itself, stackyard
gives it a handler that writes to stderr at the level named by
`STACKYARD_LOGGING_VERBOSITY` (default INFO; WARNING keeps runs quiet).

On a terminal, a run whose steps run in this process also keeps a live line at
the bottom, `[done/total steps done, running: name]` (see `LiveLine`).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from typing import IO, TYPE_CHECKING, Any

from stackyard.pipelines.logs import StreamProxy

if TYPE_CHECKING:
    from uuid import UUID

    from stackyard.models.pipelines import PipelineRunResponse
    from stackyard.store.base import Store

VERBOSITY_ENV = "STACKYARD_LOGGING_VERBOSITY"
LIVE_ENV = "STACKYARD_LIVE_PROGRESS"
_ERASE = "\r\x1b[K"  # back to the line's start, clear to its end
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


def _live_wanted() -> bool:
    """A live line only where it can be erased (a terminal, not `TERM=dumb`), when runs
    report at INFO through stackyard's own handler (a program that routes `stackyard.run`
    elsewhere gets nothing drawn on its terminal), and unless `STACKYARD_LIVE_PROGRESS=0`."""
    if os.environ.get(LIVE_ENV, "").strip().lower() in ("0", "false", "no", "off"):
        return False
    if os.environ.get("TERM") == "dumb" or not logger.isEnabledFor(logging.INFO):
        return False
    return [type(h) for h in logger.handlers] == [_StderrHandler] and _is_terminal(sys.stderr)


def _is_terminal(stream: IO[str] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # not a real stream, or a closed one
        return False


class _Guarded(StreamProxy):
    """A terminal stream while a live line is shown: what is written goes through
    `LiveLine.write_through`, so it never lands on the line."""

    def __init__(self, original: IO[str], line: LiveLine) -> None:
        super().__init__(original)
        self._line = line

    def write(self, text: str) -> int:
        return self._line.write_through(self._original, text)


class LiveLine:
    """One line of status kept at the bottom of the terminal (stderr) while a run runs.

    While it is shown, `sys.stdout` (when it is the terminal too), `sys.stderr` and the
    root logger's console handlers write through `_Guarded` streams: the line is erased
    before their text and drawn again once the text ends a line, so prints, log records
    and step output stay whole lines. Output that bypasses Python's streams (a subprocess
    a step starts) cannot be kept apart: `STACKYARD_LIVE_PROGRESS=0` turns the line off.
    Only steps running in this process write through these streams, so only
    orchestrators that run them here ask for a line.
    """

    _one = threading.Lock()  # one line per process: a run started inside a step gets none

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._terminal: IO[str] = sys.stderr
        self._text = ""
        self._shown = False
        self._at_line_start = True
        self._streams: dict[str, IO[str]] = {}
        self._handlers: list[tuple[logging.StreamHandler[Any], IO[str]]] = []

    def start(self) -> bool:
        """Take over the terminal streams; False if another run's line has them."""
        if not LiveLine._one.acquire(blocking=False):
            return False
        originals = {"stderr": sys.stderr}
        if _is_terminal(sys.stdout):
            originals["stdout"] = sys.stdout
        self._streams = originals
        guarded = {id(stream): _Guarded(stream, self) for stream in originals.values()}
        sys.stderr = guarded[id(originals["stderr"])]
        if "stdout" in originals:
            sys.stdout = guarded[id(originals["stdout"])]
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and id(handler.stream) in guarded:
                self._handlers.append((handler, handler.stream))
                handler.setStream(guarded[id(handler.stream)])
        return True

    def show(self, text: str) -> None:
        """Show `text` as the line (cut to the terminal's width, so it never wraps)."""
        with self._lock:
            self._text = text[: max(shutil.get_terminal_size().columns - 1, 0)]
            if self._at_line_start:
                self._draw()

    def _draw(self) -> None:
        self._terminal.write(_ERASE + self._text)
        self._terminal.flush()
        self._shown = True

    def _erase(self) -> None:
        if self._shown:
            self._terminal.write(_ERASE)
            self._terminal.flush()
            self._shown = False

    def write_through(self, stream: IO[str], text: str) -> int:
        """Write `text` to `stream` with the line out of the way; draw it again once
        the cursor is back at the start of a line."""
        with self._lock:
            self._erase()
            written = stream.write(text)
            if text:
                self._at_line_start = text.endswith("\n")
            if self._at_line_start:
                stream.flush()
                self._draw()
            return written

    def stop(self) -> None:
        """Erase the line and give the streams back."""
        with self._lock:
            self._erase()
            for handler, stream in self._handlers:
                handler.setStream(stream)
            self._handlers.clear()
            sys.stderr = self._streams["stderr"]
            if "stdout" in self._streams:
                sys.stdout = self._streams["stdout"]
        LiveLine._one.release()


class RunProgress:
    """Reports one run's progress; cheap when INFO is off (nothing is formatted).

    `live`: the orchestrator runs the steps in this process, so a live line can be
    kept apart from their output (see `LiveLine`); it is drawn only if `_live_wanted`.
    """

    def __init__(self, store: Store, run: PipelineRunResponse, total: int, *, live: bool) -> None:
        configure_logging()
        self.store, self.run, self.total = store, run, total
        self.done = 0
        self._started: dict[str, float] = {}
        self._run_start = time.monotonic()
        self._running: list[str] = []
        self._live_wanted = live and _live_wanted()
        self._live: LiveLine | None = None  # shown from the run's start to its end

    @property
    def _on(self) -> bool:
        return logger.isEnabledFor(logging.INFO)

    def _update(self) -> None:
        if self._live is not None:
            running = f", running: {', '.join(self._running)}" if self._running else ""
            self._live.show(f"[{self.done}/{self.total} steps done{running}]")

    def run_started(self, pipeline: str, stack: str) -> None:
        if self._on:
            logger.info(
                "Run %r of pipeline %r started on stack %r (%d steps).",
                self.run.name,
                pipeline,
                stack,
                self.total,
            )
        if self._live_wanted:
            line = LiveLine()
            self._live = line if line.start() else None
        self._update()

    def step_started(self, name: str) -> None:
        self._started[name] = time.monotonic()
        self._running.append(name)
        self._update()
        if self._on:
            logger.info("Step %r started.", name)

    def _count(self, name: str) -> str:
        self.done += 1
        if name in self._running:
            self._running.remove(name)
        self._update()
        return f"[{self.done}/{self.total}]"

    def step_finished(self, name: str, status: str, error: str | None = None) -> None:
        count = self._count(name)
        if not self._on:
            return
        took = _seconds(self._started.get(name, self._run_start))
        if error:
            logger.info("Step %r %s after %s: %s %s", name, status, took, error, count)
        else:
            logger.info("Step %r %s in %s. %s", name, status, took, count)

    def step_cached(self, name: str, original_run_id: UUID) -> None:
        count = self._count(name)
        if not self._on:
            return
        try:
            origin = repr(self.store.get("pipeline_run", original_run_id).name)
        except Exception:  # a deleted original run: say which it was
            origin = str(original_run_id)
        logger.info("Step %r cached (from run %s). %s", name, origin, count)

    def step_skipped(self, name: str, because: str) -> None:
        count = self._count(name)
        if self._on:
            logger.info("Step %r skipped: upstream step %r failed. %s", name, because, count)

    def close(self) -> None:
        """Take the live line away, if one is shown; the run ended (in any way)."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def run_finished(self, run: PipelineRunResponse) -> None:
        self.close()
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
