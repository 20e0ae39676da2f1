"""Builds: one image per distinct Docker settings, checksum reuse, clear reasons."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from build_pipelines import training

from stackyard.builds.build import build_pipeline
from stackyard.builds.image import image_spec
from stackyard.builds.settings import DockerSettings
from stackyard.client import Client
from stackyard.exceptions import InputError


def test_images_per_distinct_settings_with_their_dockerfiles() -> None:
    client = Client()
    result = build_pipeline(training.compile(), client)
    images = result.build.images
    assert len(images) == 2, images
    by_steps = {tuple(image["steps"]): image for image in images.values()}
    load_image, train_image = by_steps[("load",)], by_steps[("train",)]
    assert load_image["requirements"] == ["numpy>=1.26"]  # the pipeline's settings
    assert train_image["requirements"] == ["scikit-learn>=1.4"]  # the step's win
    dockerfile = train_image["dockerfile"]
    assert dockerfile.startswith("FROM python:3.11-slim")
    assert "apt-get install -y --no-install-recommends libgomp1" in dockerfile
    assert 'ENV OMP_NUM_THREADS="1"' in dockerfile
    assert "pip install --no-cache-dir -r /tmp/requirements.txt" in dockerfile
    context = Path(train_image["context"])
    assert (context / "Dockerfile").read_text() == dockerfile
    assert "scikit-learn>=1.4" in (context / "requirements.txt").read_text()
    assert result.build.python_version == "3.11" and not result.build.contains_code
    assert result.build.stack_id == client.active_stack_model.id


def test_same_pipeline_reuses_its_build_and_changes_make_a_new_one() -> None:
    client = Client()
    first = build_pipeline(training.compile(), client)
    again = build_pipeline(training.compile(), client)
    assert again.reused and again.build.id == first.build.id
    changed = training.with_options(settings={"docker": {"requirements": ["numpy>=2"]}})
    other = build_pipeline(changed.compile(), client)
    assert not other.reused and other.build.checksum != first.build.checksum
    assert client.list_builds().total == 2


def test_code_is_copied_when_given_and_changes_the_checksum(tmp_path: Path) -> None:
    code = tmp_path / "project"
    code.mkdir()
    (code / "pipeline.py").write_text("print('v1')\n")
    (code / ".gitignore").write_text("secret.txt\n")
    (code / "secret.txt").write_text("do not ship\n")
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=code, check=True)
    client = Client()
    first = build_pipeline(training.compile(), client, code_root=code)
    assert first.build.contains_code
    context = next(iter(first.contexts.values()))
    assert (context / "code" / "pipeline.py").exists()
    assert not (context / "code" / "secret.txt").exists()
    assert "COPY code/ ./" in (context / "Dockerfile").read_text()
    (code / "pipeline.py").write_text("print('v2')\n")
    second = build_pipeline(training.compile(), client, code_root=code)
    assert second.build.checksum != first.build.checksum


def test_without_image_builder_or_daemon_nothing_is_built_and_it_says_why() -> None:
    client = Client()
    result = build_pipeline(training.compile(), client)
    assert not result.built and "no image builder" in (result.not_built_reason or "")
    client.create_stack_component(
        "docker",
        "local_docker",
        "image_builder",
        {"docker_host": "unix:///nonexistent/docker.sock"},
    )
    stack = client.active_stack_model
    client.update_stack(stack.id, components={"image_builder": "docker"})
    result = build_pipeline(training.with_options(settings={"docker": {}}).compile(), client)
    assert not result.built
    assert result.not_built_reason and (
        "Docker" in result.not_built_reason or "docker" in result.not_built_reason
    )
    assert all(image["built"] is False for image in result.build.images.values())


def test_requirements_file_and_bad_path(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("pandas>=2\n# comment\n\nnumpy\n")
    spec = image_spec(
        DockerSettings(requirements="requirements.txt"),
        code_hash=None,
        code_root=tmp_path,
        stackyard_version="0.1.0",
    )
    assert spec.requirements == ("numpy", "pandas>=2")
    with pytest.raises(InputError, match="requirements file 'missing.txt' does not exist"):
        image_spec(
            DockerSettings(requirements="missing.txt"),
            code_hash=None,
            code_root=tmp_path,
            stackyard_version="0.1.0",
        )
    with pytest.raises(InputError, match="invalid 'docker' settings"):
        training.with_options(settings={"docker": {"requirement": ["x"]}}).compile()


def test_cli_pipeline_build_reports_and_reuses(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import json

    from click.testing import CliRunner

    from stackyard.cli.main import cli

    monkeypatch.chdir(Path(__file__).parent)
    runner = CliRunner()
    code = tmp_path / "code"
    code.mkdir()
    (code / "steps.py").write_text("VALUE = 1\n")
    root = ["--code-root", str(code)]
    first = runner.invoke(
        cli, ["pipeline", "build", "build_pipelines.training", *root, "-o", "json"]
    )
    assert first.exit_code == 0, first.output
    images = json.loads(first.stdout)
    assert sorted(i["steps"] for i in images) == ["load", "train"]
    assert "without building images" in first.stderr and "no image builder" in first.stderr
    again = runner.invoke(cli, ["pipeline", "build", "build_pipelines.training", *root])
    assert again.exit_code == 0 and "Reusing build" in again.stderr
    bad = runner.invoke(cli, ["pipeline", "build", "build_pipelines.load"])
    assert bad.exit_code == 2 and "is not a pipeline" in bad.stderr


def test_runs_on_a_stack_with_an_image_builder_record_their_build() -> None:
    client = Client()
    first = training()
    assert first.build_id is None  # the local stack needs no image
    client.create_stack_component(
        "docker",
        "local_docker",
        "image_builder",
        {"docker_host": "unix:///nonexistent/docker.sock"},
    )
    client.update_stack(client.active_stack_model.id, components={"image_builder": "docker"})
    second, third = training(), training()
    assert second.build_id is not None and second.build_id == third.build_id
    assert client.get_snapshot(second.snapshot_id).build_id == second.build_id
    assert client.list_pipeline_runs(build_id=second.build_id).total == 2
