"""Fixtures for run templates and schedules: a quick fresh store, throwaway projects
holding the pipeline's code (in git or not), and waiting for worker processes.

The store is a copy of a migrated template, as in `tests/pipelines`. Workers
started by a test are waited for before it ends, so none outlives its store.
"""

from __future__ import annotations

import importlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from automation_support import Project, git, wait_for_run

from stackyard.client import Client

FLOWS = Path(__file__).with_name("automation_flows.py")


@pytest.fixture(autouse=True)
def finish_runs() -> Iterator[None]:
    """Wait for runs that worker processes still drive before the test's files go."""
    yield
    unfinished = Client().list_pipeline_runs(status='oneof:["initializing","running"]', size=100)
    for run in unfinished:
        wait_for_run(run.id)


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Project]:
    """`make_project(git=True, subdir="")`: a committed git repository (or a plain
    directory) with the flows module in `subdir`, `*.log` ignored, imported."""
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Test")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))

    def make(*, git_repo: bool = True, subdir: str = "") -> Project:
        root = tmp_path / f"project-{uuid4().hex[:6]}"
        package_dir = root / subdir
        package_dir.mkdir(parents=True)
        name = f"flows_{uuid4().hex[:8]}"
        module_file = package_dir / f"{name}.py"
        shutil.copyfile(FLOWS, module_file)
        (root / ".gitignore").write_text("*.log\n__pycache__/\n")
        (root / "notes.log").write_text("not code\n")
        if git_repo:
            git(root, "init", "-q", "-b", "main")
            git(root, "add", ".")
            git(root, "commit", "-q", "-m", "initial")
        monkeypatch.syspath_prepend(str(package_dir))
        return Project(root, importlib.import_module(name), module_file)

    return make
