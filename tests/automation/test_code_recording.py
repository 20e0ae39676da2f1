"""Which code a run records: a reference to a registered clean checkout, else an archive."""

from __future__ import annotations

import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from automation_flows import make
from automation_support import Project, git

from stackyard import pipeline
from stackyard.artifacts.fs import open_uri
from stackyard.client import Client


def archive_names(uri: str) -> set[str]:
    with open_uri(uri, "rb") as handle, tarfile.open(fileobj=handle, mode="r:gz") as tar:
        return set(tar.getnames())


def test_clean_checkout_of_a_registered_repository_is_referenced(
    make_project: Callable[..., Project],
) -> None:
    project = make_project(subdir="src")
    client = Client()
    repo = client.create_code_repository("project", {"path": str(project.root)}, "local_git")

    run = project.module.doubling(value=3)

    assert run.code_path is None
    assert run.code_reference is not None
    assert run.code_reference.code_repository_id == repo.id
    assert run.code_reference.commit == git(project.root, "rev-parse", "HEAD")
    assert run.code_reference.subdirectory == "src"
    snapshot = client.get_snapshot(run.snapshot_id)
    assert snapshot.source == f"{project.module_name}:doubling"
    assert snapshot.pipeline_spec["source_path"] == f"src/{project.module_name}.py"
    assert client.list_pipeline_runs(code_repository_id=repo.id).total == 1
    template = client.create_run_template("again", pipeline_run_id=run.id)
    assert template.runnable and template.code_repository_id == repo.id


def test_uncommitted_changes_are_archived_without_ignored_files(
    make_project: Callable[..., Project],
) -> None:
    project = make_project()
    client = Client()
    client.create_code_repository("project", {"path": str(project.root)}, "local_git")
    (project.root / "helper.py").write_text("HELP = 1\n")  # untracked: the tree is dirty

    run = project.module.doubling(value=3)

    assert run.code_reference is None
    assert run.code_path is not None
    artifact_root = client.active_stack.artifact_store.path
    assert run.code_path.startswith(f"{artifact_root}/code/")
    assert run.code_path.endswith(".tar.gz")
    names = archive_names(run.code_path)
    assert {f"{project.module_name}.py", "helper.py", ".gitignore"} <= names
    assert "notes.log" not in names
    assert not any("__pycache__" in name for name in names)
    assert client.create_run_template("again", pipeline_run_id=run.id).runnable


@pytest.mark.parametrize("git_repo", [True, False], ids=["unregistered-git", "plain-dir"])
def test_unregistered_code_is_archived_once_per_tree(
    make_project: Callable[..., Project], git_repo: bool
) -> None:
    project = make_project(git_repo=git_repo)

    first = project.module.doubling(value=1)
    second = project.module.doubling(value=2)

    assert first.code_reference is None and first.code_path is not None
    assert second.code_path == first.code_path  # same tree, same archive
    code_dir = Path(first.code_path).parent
    assert [p.name for p in code_dir.iterdir()] == [Path(first.code_path).name]
    assert ("notes.log" in archive_names(first.code_path)) is not git_repo  # .gitignore'd
    (project.root / "data.py").write_text("ROWS = 3\n")
    changed = project.module.doubling(value=3)
    assert changed.code_path != first.code_path
    assert "data.py" in archive_names(changed.code_path)


def test_code_that_cannot_be_recorded_never_fails_the_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @pipeline
    def local_only() -> None:
        make(1)

    run = local_only()

    assert run.status == "completed"
    assert run.code_path is None and run.code_reference is None
    assert "not defined at the top level of a module" in caplog.text
    template = Client().create_run_template("local", pipeline_run_id=run.id)
    assert not template.runnable
    assert "neither in a registered code repository nor archived" in str(
        template.not_runnable_reason
    )
