"""Helpers of the automation tests: waiting for worker processes, throwaway projects."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from uuid import UUID

from stackyard.client import Client
from stackyard.models.enums import ExecutionStatus
from stackyard.models.pipelines import PipelineRunResponse

UNFINISHED = (ExecutionStatus.INITIALIZING.value, ExecutionStatus.RUNNING.value)


def wait_for_run(run_id: UUID, timeout: float = 60) -> PipelineRunResponse:
    """The run once its worker finished it (whatever the outcome)."""
    client = Client()
    deadline = time.monotonic() + timeout
    while True:
        run = client.get_pipeline_run(run_id)
        if run.status.value not in UNFINISHED:
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"run {run.name} still {run.status.value} after {timeout} s")
        time.sleep(0.1)


def completed(run: PipelineRunResponse) -> PipelineRunResponse:
    """`run` once finished, checked to have completed (else its worker's error)."""
    done = wait_for_run(run.id)
    assert done.status == ExecutionStatus.COMPLETED, done.run_metadata
    return done


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@dataclass
class Project:
    """A directory holding a copy of `automation_flows.py` under a module name of its own."""

    root: Path
    module: ModuleType
    module_file: Path

    @property
    def module_name(self) -> str:
        return self.module.__name__
