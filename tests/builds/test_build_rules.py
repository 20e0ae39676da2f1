"""When a build is reused, what its requirements hold, and what its code leaves out."""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import stat
import sys
import textwrap
from pathlib import Path

import pytest
from build_pipelines import training

from stackyard.builds.build import build_pipeline
from stackyard.client import Client
from stackyard.client.core import reset_stores


@pytest.fixture
def docker_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `docker` command that answers like a daemon and logs each build it is asked for
    (the machine has no Docker daemon); returns the log file."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "docker.log"
    script = bin_dir / "docker"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!/bin/sh
            case "$1" in
              info) echo 27.0.0 ;;
              build) echo "$@" >> {log} ;;
              *) exit 1 ;;
            esac
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return log


def _add_image_builder(client: Client) -> None:
    client.create_stack_component("docker", "local_docker", "image_builder", {})
    client.update_stack(client.active_stack_model.id, components={"image_builder": "docker"})


def test_a_build_without_images_is_not_reused_once_a_builder_can_build(
    docker_on_path: Path,
) -> None:
    client = Client()
    unbuilt = build_pipeline(training.compile(), client)
    assert not unbuilt.built  # no image builder in the stack yet
    _add_image_builder(client)
    built = build_pipeline(training.compile(), client)
    assert not built.reused and built.built and built.build.id != unbuilt.build.id
    assert all(image["built"] for image in built.build.images.values())
    assert len(docker_on_path.read_text().splitlines()) == 2  # one per image
    again = build_pipeline(training.compile(), client)
    assert again.reused and again.build.id == built.build.id
    forced = build_pipeline(training.compile(), client, force=True)
    assert not forced.reused and forced.build.id != built.build.id and forced.built
    assert len(docker_on_path.read_text().splitlines()) == 4


def test_cli_force_rebuilds(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from stackyard.cli.main import cli

    monkeypatch.chdir(Path(__file__).parent)
    runner = CliRunner()
    first = runner.invoke(cli, ["pipeline", "build", "build_pipelines.training"])
    assert first.exit_code == 0, first.output
    reused = runner.invoke(cli, ["pipeline", "build", "build_pipelines.training"])
    assert "Reusing build" in reused.stderr
    forced = runner.invoke(cli, ["pipeline", "build", "build_pipelines.training", "--force"])
    assert forced.exit_code == 0 and "Reusing build" not in forced.stderr
    assert Client().list_builds().total == 2


PROJECT_PIPELINE = """
import yaml

from helpers import double
from stackyard import DockerSettings, pipeline, step


@step
def twice() -> int:
    return double(2)


@pipeline(settings={"docker": DockerSettings(requirements=["numpy>=1.26"])})
def imports_pipeline():
    twice()
"""

HELPERS = """
import json
import numpy
import pandas as pd


def double(value: int) -> int:
    return int(numpy.int64(value) * 2)
"""


def _pin(distribution: str) -> str:
    return f"{distribution}=={importlib.metadata.version(distribution)}"


def test_requirements_hold_what_the_code_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "imports_project"
    project.mkdir()
    (project / "imports_pipeline.py").write_text(PROJECT_PIPELINE)
    (project / "helpers.py").write_text(HELPERS)
    monkeypatch.syspath_prepend(str(project))
    from imports_pipeline import imports_pipeline  # type: ignore[import-not-found]

    result = build_pipeline(imports_pipeline.compile(), Client(), code_root=project)
    (image,) = result.build.images.values()
    requirements = image["requirements"]
    assert _pin("PyYAML") in requirements and _pin("pandas") in requirements
    assert "numpy>=1.26" in requirements  # the user's line wins over the installed pin
    assert not any(r.startswith(("numpy==", "json", "stackyard", "helpers")) for r in requirements)
    off = imports_pipeline.with_options(
        settings={"docker": {"requirements_from_imports": False}}
    ).compile()
    (plain,) = build_pipeline(off, Client(), code_root=project).build.images.values()
    assert plain["requirements"] == []


VENV_PIPELINE = """
import venvpkg
from stackyard import pipeline, step


@step
def from_venv() -> int:
    return venvpkg.VALUE


@pipeline
def venv_pipeline():
    from_venv()


def never_called():
    import broken_helper  # a project module that does not even parse
"""

VENV_PACKAGE = """
VALUE = 1


def optional_extras():  # imports a user's code never makes: no requirement of theirs
    import yaml
    import venvpkg.legacy.sub
"""


def test_a_virtualenv_inside_the_project_is_installed_code(tmp_path: Path) -> None:
    """Packages of `project/.venv` are pinned, never walked as project modules (walking
    them recorded their optional imports, and importing `venvpkg.legacy` to find
    `venvpkg.legacy.sub` crashed the build); what cannot be read is warned about."""
    import subprocess

    project = tmp_path / "venv_project"
    venv = project / ".venv"
    site = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    files = {
        venv / "pyvenv.cfg": "home = /usr/bin\n",
        site / "venvpkg" / "__init__.py": VENV_PACKAGE,
        site / "venvpkg" / "legacy" / "__init__.py": "import asyncio\nasyncio.coroutine\n",
        site / "venvpkg" / "legacy" / "sub.py": "",
        site / "venvpkg-1.0.dist-info" / "METADATA": "Metadata-Version: 2.1\nName: venvpkg\n"
        "Version: 1.0\n",
        site / "venvpkg-1.0.dist-info" / "top_level.txt": "venvpkg\n",
        project / "venv_pipe.py": VENV_PIPELINE,
        project / "broken_helper.py": "def (:\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    python_path = [p for p in (os.environ.get("PYTHONPATH"), str(site)) if p]
    done = subprocess.run(
        [sys.executable, "-m", "stackyard", "pipeline", "build", "venv_pipe.venv_pipeline"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(python_path)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    (image,) = Client().list_builds()[0].images.values()
    assert image["requirements"] == ["venvpkg==1.0"]
    assert f"could not read the imports of {project / 'broken_helper.py'}" in done.stderr


def _project_holding_the_state(tmp_path: Path, isolated_config: Path) -> Path:
    """A project whose directory also holds stackyard's config, SQLite store and
    artifact store, as when STACKYARD_CONFIG_PATH points into it."""
    project = tmp_path / "stateful_project"
    state = project / ".stackyard-state"
    state.mkdir(parents=True)
    shutil.copyfile(isolated_config / "stackyard.db", state / "stackyard.db")
    os.environ["STACKYARD_CONFIG_PATH"] = str(state)  # restored by the isolated_config fixture
    reset_stores()
    (project / "code.py").write_text("VALUE = 1\n")
    client = Client()
    client.create_stack_component(
        "inside", "local", "artifact_store", {"path": str(project / "art")}
    )
    client.create_stack("inside", {"orchestrator": "default", "artifact_store": "inside"})
    client.activate_stack("inside")
    return project


def test_build_contexts_leave_out_stackyard_state(
    tmp_path: Path, isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STACKYARD_CONFIG_PATH", str(isolated_config))
    project = _project_holding_the_state(tmp_path, isolated_config)
    client = Client()
    first = build_pipeline(training.compile(), client, code_root=project)
    (project / "art").mkdir(exist_ok=True)
    (project / "art" / "blob").write_text("an artifact written meanwhile")
    client.create_secret("change-the-database", {"k": "v"})
    second = build_pipeline(training.compile(), client, code_root=project)
    assert second.reused and second.build.id == first.build.id
    context = next(iter(first.contexts.values()))
    copied = {p.relative_to(context / "code").as_posix() for p in (context / "code").rglob("*")}
    assert copied == {"code.py"}


RUN_SCRIPT = """
from stackyard import pipeline, step


@step(enable_cache=False)
def one() -> int:
    return 1


@pipeline
def archived():
    one()


first, second = archived(), archived()
print(first.code_path == second.code_path, first.code_path)
"""


def test_run_archives_leave_out_stackyard_state(
    tmp_path: Path, isolated_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess

    monkeypatch.setenv("STACKYARD_CONFIG_PATH", str(isolated_config))
    project = _project_holding_the_state(tmp_path, isolated_config)
    (project / "run_archived.py").write_text(RUN_SCRIPT)
    done = subprocess.run(
        [sys.executable, "run_archived.py"],
        cwd=project,
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    same, code_path = done.stdout.split()
    assert same == "True" and code_path != "None"
