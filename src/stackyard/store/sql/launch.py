"""What a SQL store does with a template run once it recorded it: launch it here, or not.

A store given a `Launcher` starts each template run's worker itself (the Client's
embedded store: the user's own code on the user's own machine). A store without
one (a server's) leaves the run queued for a runner (`stackyard runner start`),
which executes it as the run's owner: the server never runs user code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from stackyard.models.pipelines import PipelineRunResponse, SnapshotResponse
    from stackyard.store.sql.store import SqlStore


class Launcher(Protocol):
    def check(self, store: SqlStore, snapshot: SnapshotResponse) -> None:
        """Refuse (IllegalOperationError) before anything is recorded when this machine
        could not run the snapshot (its code cannot be fetched here)."""

    def start(self, store: SqlStore, run: PipelineRunResponse) -> None:
        """Start executing the recorded `run`; return without waiting (OSError if not)."""
