"""Capturing what a step prints and logs, to keep it with the step run.

While a step runs, stdout and stderr are teed (the console still shows
everything) and a handler on the root logger records log records from INFO
up (or lower, if the user's logging configuration lets lower levels through),
except the request chatter of the HTTP libraries stackyard itself talks through.
The text is written to one file in the artifact store and the step run's
`logs_uri` points at it.
"""

from __future__ import annotations

import io
import logging
import math
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from stackyard.artifacts import fs

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# stackyard's REST store and heartbeats go through these; each logs every request at
# INFO, which would bury what the step itself says
TRANSPORT_LOGGERS = frozenset({"httpx", "httpcore", "urllib3"})


class StepLogs:
    """The text captured for one step run.

    With a `uri`, the text so far is also written there as the step runs (the first
    output at once, then at most every `interval` seconds), so the dashboard can
    follow a running step; `save` writes the whole text at the end.
    """

    def __init__(self, uri: str | None = None, interval: float = 1.0) -> None:
        self._buffer = io.StringIO()
        self._uri = uri
        self._interval = interval
        self._written_at = -math.inf
        self._lock = threading.Lock()

    def write(self, text: str) -> None:
        with self._lock:
            self._buffer.write(text)
            if self._uri is not None and time.monotonic() - self._written_at >= self._interval:
                self._written_at = time.monotonic()
                try:
                    self._write(self._uri, self._buffer.getvalue())
                except OSError:
                    self._uri = None  # live logs are a convenience; `save` still reports

    @property
    def text(self) -> str:
        return self._buffer.getvalue()

    @staticmethod
    def _write(uri: str, text: str) -> None:
        fs.makedirs(uri.rsplit("/", 1)[0])
        with fs.open_uri(uri, "w") as handle:
            handle.write(text)

    def save(self, uri: str) -> str | None:
        """Write the logs to `uri`; None (and nothing written) if the step was silent."""
        with self._lock:
            self._uri = None
            text = self.text
        if not text:
            return None
        self._write(uri, text)
        return uri


class StreamProxy(io.TextIOBase):
    """Stands in for `sys.stdout`/`sys.stderr`: what subclasses do not change goes to
    the original stream (so `isatty`, `fileno` and the rest answer as it would)."""

    def __init__(self, original: IO[str]) -> None:
        self._original = original

    def flush(self) -> None:
        self._original.flush()

    def fileno(self) -> int:
        return self._original.fileno()

    def isatty(self) -> bool:
        return self._original.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._original, "encoding", "utf-8")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _Tee(StreamProxy):
    """Writes to the original stream and to the step's logs."""

    def __init__(self, original: IO[str], logs: StepLogs) -> None:
        super().__init__(original)
        self._logs = logs

    def write(self, text: str) -> int:
        self._original.write(text)
        self._logs.write(text)
        return len(text)


class _LogsHandler(logging.Handler):
    """Records log records into the step's logs; echoes warnings when nothing else would."""

    def __init__(self, logs: StepLogs, echo: IO[str] | None) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter(LOG_FORMAT))
        self.addFilter(_not_transport_chatter)
        self._logs = logs
        self._echo = echo

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + "\n"
        except Exception:
            self.handleError(record)
            return
        self._logs.write(line)
        # Without any handler Python prints warnings through `logging.lastResort`;
        # this handler's presence would silence that, so it takes over the echo.
        if self._echo is not None and record.levelno >= logging.WARNING:
            self._echo.write(line)


def _not_transport_chatter(record: logging.LogRecord) -> bool:
    """Drop the HTTP libraries' records below WARNING (their warnings still matter)."""
    return (
        record.levelno >= logging.WARNING or record.name.partition(".")[0] not in TRANSPORT_LOGGERS
    )


class _AtLeast(logging.Filter):
    """Keeps a console handler at the threshold it had before the step lowered the root's."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= self.level


@contextmanager
def capture_logs(live_uri: str | None = None) -> Iterator[StepLogs]:
    """Tee stdout/stderr and collect log records into a `StepLogs` until the block ends
    (written to `live_uri` as they come, when given).

    Records from INFO up are kept even when the root logger lets only warnings
    through (Python's default), as `logging.info(...)` in a step is meant to be
    read with the step; the handlers already on the root logger keep showing
    only what they showed before.
    """
    logs = StepLogs(live_uri)
    root = logging.getLogger()
    out, err = sys.stdout, sys.stderr
    handler = _LogsHandler(logs, echo=None if root.handlers else err)
    previous_level = root.level
    shown_from = root.getEffectiveLevel()
    consoles = list(root.handlers)
    keep = _AtLeast(shown_from)
    if shown_from > logging.INFO:
        root.setLevel(logging.INFO)
        for console in consoles:
            console.addFilter(keep)
    sys.stdout, sys.stderr = _Tee(out, logs), _Tee(err, logs)
    root.addHandler(handler)
    try:
        yield logs
    finally:
        root.removeHandler(handler)
        sys.stdout, sys.stderr = out, err
        if root.level != previous_level:
            root.setLevel(previous_level)
        for console in consoles:
            console.removeFilter(keep)
