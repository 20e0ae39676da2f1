"""Heartbeats: how a store knows the process running a run is alive, and how that
process learns the run was stopped.

While a run executes, a daemon thread calls `store.heartbeat(run_id, interval)`
every `STACKYARD_HEARTBEAT_INTERVAL` seconds (default 10). Each beat pushes the
run's deadline 1.75 intervals ahead; a run past its deadline is failed by whoever
reads it next (a client, or the server's reaper), so a killed process is noticed
within two intervals. A beat answered False means the run was stopped (or
failed meanwhile): the thread then calls the run's stop callbacks, which end its
steps' work. When the process is done with the run, it releases it
(`Store.release_run`): that is what a stop's `wait` waits for.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING
from uuid import UUID

from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from stackyard.store.base import Store

logger = logging.getLogger(__name__)

INTERVAL_ENV = "STACKYARD_HEARTBEAT_INTERVAL"
DEFAULT_INTERVAL = 10.0


def interval() -> float:
    raw = os.environ.get(INTERVAL_ENV)
    if not raw:
        return DEFAULT_INTERVAL
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0.1 <= value <= 600:
        raise InputError(f"{INTERVAL_ENV}={raw!r} must be a number of seconds from 0.1 to 600")
    return value


class Heartbeat:
    """The beating thread of one run in this process."""

    def __init__(self, store: Store, run_id: UUID, every: float) -> None:
        self.store, self.run_id, self.every = store, run_id, every
        self.stopped = threading.Event()  # set once the store said the run is over
        self._closing = threading.Event()
        self._callbacks: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._loop, name=f"stackyard-heartbeat-{run_id}", daemon=True
        )

    def on_stop(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` (from the heartbeat thread) when the run is stopped; returns
        the function that unregisters it."""
        with self._lock:
            self._callbacks.append(callback)
            fire = self.stopped.is_set()
        if fire:
            callback()

        def remove() -> None:
            with self._lock, contextlib.suppress(ValueError):
                self._callbacks.remove(callback)

        return remove

    def _loop(self) -> None:
        """Beat on a fixed cadence (a slow answer does not push the next beat back), and
        try again within a second when the store did not answer."""
        due = time.monotonic()
        while not self._closing.is_set():
            try:
                alive = self.store.heartbeat(self.run_id, self.every)
            except Exception as exc:  # the store is away: the deadline decides
                logger.warning("heartbeat of run %s failed: %s", self.run_id, exc)
                self._closing.wait(min(1.0, self.every))
                continue
            if not alive and not self._closing.is_set():
                with self._lock:
                    self.stopped.set()
                    callbacks = list(self._callbacks)
                for callback in callbacks:
                    callback()
                return
            due = max(due + self.every, time.monotonic())
            self._closing.wait(due - time.monotonic())

    def close(self) -> None:
        self._closing.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout=5)


_ACTIVE: dict[UUID, Heartbeat] = {}
_ACTIVE_LOCK = threading.Lock()


@contextlib.contextmanager
def beating(store: Store, run_id: UUID) -> Iterator[Heartbeat]:
    """Beat for `run_id` while the block runs (sharing a beat already running for it)."""
    with _ACTIVE_LOCK:
        existing = _ACTIVE.get(run_id)
        if existing is None:
            beat = _ACTIVE[run_id] = Heartbeat(store, run_id, interval())
    if existing is not None:
        yield existing
        return
    beat._thread.start()
    try:
        yield beat
    finally:
        beat.close()
        with _ACTIVE_LOCK:
            _ACTIVE.pop(run_id, None)
        try:  # whoever stopped the run and waits learns its steps have ended
            store.release_run(run_id)
        except Exception as exc:
            logger.warning("could not tell the store run %s was let go: %s", run_id, exc)


def interrupt(thread: threading.Thread) -> None:
    """End what `thread` is doing: SIGINT for the main thread (it wakes sleeps and
    waits, and raises KeyboardInterrupt), an asynchronous KeyboardInterrupt elsewhere
    (raised at the thread's next Python instruction)."""
    if thread is threading.main_thread() and callable(signal.getsignal(signal.SIGINT)):
        signal.pthread_kill(thread.ident or 0, signal.SIGINT)
        return
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread.ident or 0), ctypes.py_object(KeyboardInterrupt)
    )
