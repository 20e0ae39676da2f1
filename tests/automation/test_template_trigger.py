"""Running a template again, in a worker process, with new parameters."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from automation_flows import make
from automation_support import Project, completed, git, wait_for_run

from stackyard import pipeline
from stackyard.artifacts.fs import remove
from stackyard.client import Client
from stackyard.exceptions import IllegalOperationError, InputError
from stackyard.models.enums import ExecutionStatus


@pytest.mark.parametrize("registered", [True, False], ids=["code-reference", "archive"])
def test_trigger_runs_the_template_with_new_parameters(
    make_project: Callable[..., Project], registered: bool
) -> None:
    project = make_project(subdir="src")
    client = Client()
    if registered:
        client.create_code_repository("project", {"path": str(project.root)}, "local_git")
    else:
        (project.root / "src" / "draft.py").write_text("DRAFT = 1\n")  # dirty: archived
    original = project.module.doubling(value=3)
    template = client.create_run_template("doubling-again", pipeline_run_id=original.id)

    started = client.trigger_pipeline(
        template.id,
        run_configuration={
            "parameters": {"value": 5},
            "steps": {"double": {"parameters": {"factor": 3}}},
        },
    )

    assert started.status == ExecutionStatus.INITIALIZING
    assert started.template_id == template.id
    run = completed(started)
    assert run.steps["double"].output.load() == 15
    assert run.config["parameters"] == {"value": 5}
    assert run.snapshot_id not in (None, original.snapshot_id)
    assert (run.code_reference is not None) is registered
    assert run.code_path == original.code_path
    assert original.steps["double"].output.load() == 6
    by_name = completed(client.trigger_pipeline(template="doubling-again"))
    assert by_name.steps["double"].output.load() == 6
    assert client.list_pipeline_runs(template_id=template.id).total == 2


def test_a_template_that_cannot_run_is_refused_with_the_reason() -> None:
    @pipeline
    def in_a_function() -> None:
        make(1)

    client = Client()
    template = client.create_run_template("stuck", pipeline_run_id=in_a_function().id)

    with pytest.raises(IllegalOperationError, match="'stuck' is not runnable: the run's code"):
        client.trigger_pipeline(template.id)
    assert client.list_pipeline_runs(template_id=template.id).total == 0


def test_unknown_parameters_steps_and_keys_are_refused_before_anything_runs(
    make_project: Callable[..., Project],
) -> None:
    project = make_project(git_repo=False)
    client = Client()
    template = client.create_run_template(
        "doubling", pipeline_run_id=project.module.doubling(value=1).id
    )

    with pytest.raises(InputError, match=r"no parameter\(s\) valu; its parameters: value"):
        client.trigger_pipeline(template.id, run_configuration={"parameters": {"valu": 2}})
    with pytest.raises(InputError, match=r"no step\(s\) triple; its steps: make, double"):
        client.trigger_pipeline(template.id, run_configuration={"steps": {"triple": {}}})
    with pytest.raises(InputError, match="accepted keys: parameters, steps"):
        client.trigger_pipeline(template.id, run_configuration={"params": {}})
    with pytest.raises(InputError, match="exactly one of template_id or template"):
        client.trigger_pipeline()
    assert client.list_pipeline_runs(template_id=template.id).total == 0


def test_a_worker_failure_is_recorded_on_the_run(make_project: Callable[..., Project]) -> None:
    project = make_project(git_repo=False)
    client = Client()
    template = client.create_run_template(
        "doubling", pipeline_run_id=project.module.doubling(value=1).id
    )
    archive = client.get_snapshot(template.snapshot_id).code_path
    assert archive is not None
    remove(archive)  # the worker cannot fetch the code any more

    run = client.trigger_pipeline(template.id)

    failed = wait_for_run(run.id)
    assert failed.status == ExecutionStatus.FAILED
    assert "FileNotFoundError" in failed.run_metadata["worker_error"]


def test_hosted_code_runs_from_a_registered_local_clone_only(
    make_project: Callable[..., Project],
) -> None:
    project = make_project()
    git(project.root, "remote", "add", "origin", "https://github.com/acme/flows.git")
    client = Client()
    hosted = client.create_code_repository(
        "flows", {"owner": "acme", "repository": "flows"}, "github"
    )
    run = project.module.doubling(value=2)
    assert run.code_reference is not None
    assert run.code_reference.code_repository_id == hosted.id
    template = client.create_run_template("hosted", pipeline_run_id=run.id)

    with pytest.raises(IllegalOperationError, match="needs network access"):
        client.trigger_pipeline(template.id)

    client.create_code_repository("clone", {"path": str(project.root)}, "local_git")
    again = completed(client.trigger_pipeline(template.id))
    assert again.steps["double"].output.load() == 4


def test_a_worker_refuses_an_archive_changed_after_the_run_stored_it(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    """The store checked the archive's name when the run was recorded; the worker checks
    its bytes against that name before unpacking anything."""
    project = make_project(git_repo=False)
    client = Client()
    original = project.module.doubling(value=3)
    assert original.code_path is not None
    template = client.create_run_template("tampered-archive", pipeline_run_id=original.id)
    canary = tmp_path / "owned"
    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w:gz") as tar:
        code = f"open({str(canary)!r}, 'w').close()\n".encode()
        info = tarfile.TarInfo(project.module_file.name)
        info.size = len(code)
        tar.addfile(info, io.BytesIO(code))
    Path(original.code_path).write_bytes(evil.getvalue())  # someone with the store's disk

    run = wait_for_run(client.trigger_pipeline(template.id).id)

    assert run.status == ExecutionStatus.FAILED
    assert "does not hash to its name" in (run.status_reason or ""), run.status_reason
    assert not canary.exists()


def test_a_worker_refuses_a_commit_that_git_does_not_resolve_or_that_reads_as_an_option(
    make_project: Callable[..., Project], tmp_path: Path
) -> None:
    """A record changed in the database behind the store's checks: a commit id the clone
    does not have fails the run; one shaped like a git option is refused before git runs."""
    from stackyard.models.pipelines import CodeReference
    from stackyard.pipelines.code import RecordedCode
    from stackyard.pipelines.fetch import fetch_code

    project = make_project()
    client = Client()
    client.create_code_repository("project", {"path": str(project.root)}, "local_git")
    original = project.module.doubling(value=3)
    reference = original.code_reference
    assert reference is not None
    template = client.create_run_template("tampered-commit", pipeline_run_id=original.id)
    unknown = "0123456789abcdef0123456789abcdef01234567"
    moved = {**reference.model_dump(mode="json"), "commit": unknown}
    with sqlite3.connect(client.store.url.path) as db:  # type: ignore[attr-defined]
        db.execute(
            "UPDATE snapshots SET code_reference = ? WHERE id = ?",
            [json.dumps(moved), str(template.snapshot_id)],
        )

    run = wait_for_run(client.trigger_pipeline(template.id).id)

    assert run.status == ExecutionStatus.FAILED
    assert f"has no commit {unknown}" in (run.status_reason or ""), run.status_reason
    target = tmp_path / "truncated"
    target.write_text("precious")
    option = CodeReference.model_construct(
        code_repository_id=reference.code_repository_id, commit=f"--output={target}"
    )
    code = RecordedCode(source="x:y", source_path="x.py", code_reference=option)
    with pytest.raises(InputError, match="commit"):
        fetch_code(client.store, code, tmp_path / "checkout", "")
    assert target.read_text() == "precious"
