"""Worker processes that run steps for the local_parallel orchestrator.

    python -m stackyard.pipelines.step_worker <fd>

Each worker is a fresh interpreter started with the caller's environment and
working directory; it talks to the caller over one socket (file descriptor `fd`,
its only inherited one). Steps travel with cloudpickle: a step importable by
path is imported by the worker, one defined in a script, a notebook cell or a
function travels by value, so the worker never imports (and so never runs)
the caller's script. That is what lets `local_parallel` run from a script
without a main guard, from `python -` and from a Jupyter kernel, where
`multiprocessing`'s spawn, which re-imports `__main__`, breaks.

The same socket is the worker's lifeline: when the caller ends, however it
ends (`kill -9` included), the worker reads end-of-file and exits at once,
even in the middle of a step. POSIX only (file descriptor passing).
"""

from __future__ import annotations

import os
import pickle
import queue
import socket
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from stackyard.models.enums import ExecutionStatus
from stackyard.pipelines.execution import StepOutcome, StepTask

if TYPE_CHECKING:
    from stackyard.pipelines.step import Step
    from stackyard.store.base import Store, StoreHandoff

STOP_TIMEOUT = 5.0  # seconds a worker gets to exit after its connection closes


def _setup_payload(handoff: StoreHandoff) -> bytes:
    """What every worker needs before its first step: the caller's store, `sys.path`,
    what its `__main__` is called, and the materializers it registered itself."""
    import cloudpickle  # type: ignore[import-untyped,unused-ignore]

    from stackyard.artifacts.materializers import user_registrations
    from stackyard.utils.source import main_module_name

    registrations = [bytes(cloudpickle.dumps(pair)) for pair in user_registrations()]
    return pickle.dumps(
        {
            "handoff": handoff,
            "sys_path": list(sys.path),
            "main": main_module_name(),
            "materializers": registrations,
        }
    )


def _callers_objects(task: StepTask) -> dict[str, Any]:
    """The caller's `__main__` classes that the task's inputs name by import path (a
    materializer or data type defined in the script or notebook): sent by value."""
    from stackyard.utils.source import load_source

    found: dict[str, Any] = {}
    for ref in task.inputs.values():
        for path in (ref.materializer, ref.data_type):
            try:
                obj = load_source(path)
            except ImportError:
                continue  # the worker tries itself and says what failed
            if getattr(obj, "__module__", None) == "__main__":
                found[path] = obj
    return found


def task_payload(task: StepTask, step: Step) -> bytes:
    """One step to run, ready to send."""
    import cloudpickle  # type: ignore[import-untyped,unused-ignore]

    # computed here, where the step's source file and module are known
    _ = step.source, step.code_hash, step.outputs
    return bytes(cloudpickle.dumps((task, step, _callers_objects(task))))


@dataclass
class _Worker:
    process: subprocess.Popen[bytes]
    connection: Connection
    step: str | None = None  # the step it is running


class WorkerPool:
    """Up to `size` worker processes, started when first needed, one step at a time each."""

    def __init__(self, size: int, handoff: StoreHandoff) -> None:
        self.size, self.handoff = size, handoff
        self._workers: list[_Worker] = []
        self._setup: bytes | None = None

    @property
    def busy(self) -> int:
        return sum(1 for w in self._workers if w.step is not None)

    def _start(self) -> _Worker:
        if self._setup is None:
            self._setup = _setup_payload(self.handoff)
        ours, theirs = socket.socketpair()  # neither end is inherited by other children
        with theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )
        worker = _Worker(process, Connection(ours.detach()))
        worker.connection.send_bytes(self._setup)
        self._workers.append(worker)
        return worker

    def submit(self, name: str, payload: bytes) -> None:
        """Run step `name` on an idle worker (starting one if none is idle)."""
        idle = [w for w in self._workers if w.step is None]
        if not idle and len(self._workers) >= self.size:
            raise RuntimeError(f"all {self.size} workers are busy")
        worker = idle[0] if idle else self._start()
        worker.connection.send_bytes(payload)
        worker.step = name

    def wait(self, timeout: float | None = None) -> list[tuple[str, StepOutcome]]:
        """Block until at least one running step ends (or `timeout` passes); how each of
        those ended."""
        running = {w.connection: w for w in self._workers if w.step is not None}
        finished: list[tuple[str, StepOutcome]] = []
        for connection in wait(list(running), timeout):
            worker = running[connection]  # type: ignore[index]
            name, worker.step = str(worker.step), None
            try:
                answer = pickle.loads(worker.connection.recv_bytes())
            except (EOFError, OSError):
                code = worker.process.wait()
                self._workers.remove(worker)
                answer = f"the worker process ended (exit code {code}) while running it"
            if isinstance(answer, StepOutcome):
                finished.append((name, answer))
            else:  # the worker could not even start the step: a message
                finished.append((name, StepOutcome(None, ExecutionStatus.FAILED, error=answer)))
        return finished

    def close(self) -> None:
        """Stop every worker: closing its connection ends it; stragglers are killed."""
        for worker in self._workers:
            worker.connection.close()
        for worker in self._workers:
            try:
                worker.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
        self._workers.clear()


# -- inside the worker ------------------------------------------------------------------------
def _lifeline(connection: Connection, tasks: queue.Queue[bytes]) -> None:
    """Pass tasks on; when the caller is gone, exit at once, even mid-step."""
    try:
        while True:
            tasks.put(connection.recv_bytes())
    except (EOFError, OSError):
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _run_task(payload: bytes, main: str | None, store: Store) -> StepOutcome | str:
    import cloudpickle  # type: ignore[import-untyped,unused-ignore]

    from stackyard.pipelines.execution import execute_step
    from stackyard.pipelines.parallel import worker_stack
    from stackyard.utils.source import act_for_caller

    try:
        task, step, objects = cloudpickle.loads(payload)
    except Exception as exc:
        return f"the worker could not load the step: {type(exc).__name__}: {exc}"
    act_for_caller(main, objects)
    try:
        outcome = execute_step(task, step, store, worker_stack(store, task))
    except Exception:  # recording itself failed: say why, the caller records the failure
        return "the worker could not record the step: " + traceback.format_exc().strip()
    return replace(outcome, exception=None)  # exceptions need not pickle


def main(argv: list[str] | None = None) -> int:
    import cloudpickle  # type: ignore[import-untyped,unused-ignore]

    from stackyard.artifacts.materializers import register_materializer
    from stackyard.utils.source import act_for_caller

    args = sys.argv[1:] if argv is None else argv
    connection = Connection(int(args[0]))
    setup = pickle.loads(connection.recv_bytes())
    sys.path[:] = setup["sys_path"]  # first: the materializers may live on it
    act_for_caller(setup["main"], {})
    for registration in setup["materializers"]:
        try:
            data_type, materializer = cloudpickle.loads(registration)
        except Exception as exc:  # its module cannot be imported here: steps use the others
            sys.stderr.write(f"stackyard worker: skipping a registered materializer ({exc})\n")
            continue
        register_materializer(materializer, data_type)
    tasks: queue.Queue[bytes] = queue.Queue()
    threading.Thread(target=_lifeline, args=(connection, tasks), daemon=True).start()
    store: Store = setup["handoff"].open()
    store.current_user()  # connect and check the schema while the first task travels
    while True:
        answer = _run_task(tasks.get(), setup["main"], store)
        connection.send_bytes(pickle.dumps(answer))


if __name__ == "__main__":
    sys.exit(main())
