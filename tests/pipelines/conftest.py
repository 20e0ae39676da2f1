"""Fixtures for pipeline tests: a quick fresh store, importable helper steps and a
parallel stack.

Steps run by the local_parallel orchestrator are imported by path in worker
processes, so they live in `parallel_steps.py` beside this file; this
directory is put on `sys.path` (which spawned workers inherit) whatever
pytest's import mode.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)


@pytest.fixture
def parallel_stack() -> str:
    """Activate a stack whose orchestrator runs up to two steps at once in processes."""
    from stackyard.client import Client

    client = Client()
    client.create_stack_component("parallel", "local_parallel", "orchestrator", {"max_workers": 2})
    client.create_stack(
        "parallel", components={"orchestrator": "parallel", "artifact_store": "default"}
    )
    client.activate_stack("parallel")
    return "parallel"
