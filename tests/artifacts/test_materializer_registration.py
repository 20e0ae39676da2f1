"""Materializers register themselves, and objects defined in a script get an import
path that another process can load (or a clear reason why not)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from registered_materializers import Celsius, CelsiusMaterializer, Kelvin

import stackyard
from stackyard.artifacts.materializers import materializer_for, save_value
from stackyard.client import Client


def test_a_subclass_with_associated_types_is_used_without_registering(tmp_path: Path) -> None:
    assert materializer_for(Celsius) is CelsiusMaterializer
    assert materializer_for(Kelvin) is CelsiusMaterializer  # abstract and undeclared ones skip
    saved = save_value(Celsius(21.5), str(tmp_path / "t"))
    assert saved.materializer == "registered_materializers.CelsiusMaterializer"
    assert "register_materializer" in stackyard.__all__
    assert stackyard.register_materializer(CelsiusMaterializer, Kelvin) is CelsiusMaterializer


SCRIPT = """
import json
from typing import Any, ClassVar

from stackyard import BaseMaterializer, pipeline, step


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __repr__(self) -> str:
        return f"Point({self.x}, {self.y})"


class PointMaterializer(BaseMaterializer):
    ASSOCIATED_TYPES: ClassVar[tuple[type, ...]] = (Point,)

    def save(self, value: Any) -> None:
        with self.open("point.json", "w") as handle:
            json.dump([value.x, value.y], handle)

    def load(self, data_type: type) -> Any:
        with self.open("point.json", "r") as handle:
            return data_type(*json.load(handle))


@step
def make_point() -> Point:
    return Point(3, 4)


@pipeline
def points():
    make_point()

"""


def _python(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=os.environ,
        timeout=120,
    )


LOAD = (
    "from stackyard.client import Client\n"
    "version = Client().list_artifact_versions(size=1, sort_by='desc:created')[0]\n"
    "print(version.materializer, version.data_type)\n"
    "print(version.load())\n"
)


def test_script_objects_get_their_path_from_the_project_root(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    Client.initialize(project)
    script = project / "scripts" / "make_points.py"
    script.write_text(SCRIPT + 'if __name__ == "__main__":\n    points()\n')
    ran = _python(str(script), cwd=tmp_path)  # from anywhere: the path comes from the file
    assert ran.returncode == 0, ran.stderr
    version = Client().list_artifact_versions(size=1, sort_by="desc:created")[0]
    assert version.materializer == "scripts.make_points.PointMaterializer"
    assert version.data_type == "scripts.make_points.Point"
    step_run = Client().list_run_steps(name="make_point")[0]
    assert step_run.source == "scripts.make_points.make_point"

    elsewhere = _python("-c", LOAD, cwd=project / "scripts")  # finds the project root
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert elsewhere.stdout.splitlines()[-1] == "Point(3, 4)"

    outside = _python("-c", LOAD, cwd=tmp_path)
    assert outside.returncode != 0
    assert "cannot load 'scripts.make_points.PointMaterializer'" in outside.stderr
    assert "no module named 'scripts'" in outside.stderr and str(tmp_path) in outside.stderr


def test_without_a_project_the_script_directory_is_the_root(tmp_path: Path) -> None:
    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "loose_points.py").write_text(SCRIPT + "points()\n")  # no main guard
    ran = _python("loose_points.py", cwd=folder)
    assert ran.returncode == 0, ran.stderr
    version = Client().list_artifact_versions(size=1, sort_by="desc:created")[0]
    assert version.materializer == "loose_points.PointMaterializer"
    assert Client().list_run_steps(name="make_point")[0].source == "loose_points.make_point"


def test_an_interactive_session_keeps_main_and_other_processes_say_why(tmp_path: Path) -> None:
    ran = _python("-", cwd=tmp_path, stdin=SCRIPT + "points()\n" + LOAD)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-2:] == [
        "__main__.PointMaterializer __main__.Point",
        "Point(3, 4)",
    ]
    later = _python("-c", LOAD, cwd=tmp_path)
    assert later.returncode != 0
    assert "cannot load '__main__.PointMaterializer'" in later.stderr
    assert "defined in an interactive session" in later.stderr


def test_loading_from_a_script_without_a_main_guard_never_runs_it_again(tmp_path: Path) -> None:
    folder = tmp_path / "unguarded"
    folder.mkdir()
    # the pipeline call sits at module level, as in `python script.py` without a main guard
    (folder / "unguarded_points.py").write_text(SCRIPT + "points()\nprint('AFTER THE RUN')\n")
    ran = _python("unguarded_points.py", cwd=folder)
    assert ran.returncode == 0, ran.stderr
    assert Client().list_pipeline_runs().total == 1

    loaded = _python("-c", LOAD, cwd=folder)  # imports the script for its materializer
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[-1] == "Point(3, 4)"
    assert "AFTER THE RUN" not in loaded.stdout
    assert (
        "imported module 'unguarded_points' (" + str(folder / "unguarded_points.py") + ") only "
        "up to line 37, where it calls pipeline 'points'" in loaded.stderr
    )
    assert 'put that call under `if __name__ == "__main__":`' in loaded.stderr

    built = _python("-m", "stackyard", "pipeline", "build", "unguarded_points.points", cwd=folder)
    assert built.returncode == 0, built.stderr
    assert Client().list_pipeline_runs().total == 1  # neither loading nor building ran it


def test_a_name_defined_after_the_stopped_call_says_why_it_is_missing(tmp_path: Path) -> None:
    folder = tmp_path / "late"
    folder.mkdir()
    (folder / "late_points.py").write_text(SCRIPT + "points()\n\n\nclass Later:\n    pass\n")
    code = "from stackyard.utils.source import load_source\nload_source('late_points.Later')\n"
    loaded = _python("-c", code, cwd=folder)
    assert loaded.returncode != 0
    assert "cannot load 'late_points.Later': 'late_points' has no attribute 'Later'" in (
        loaded.stderr
    )
    assert "its import stopped at line 37, where it calls pipeline 'points'" in loaded.stderr
    assert Client().list_pipeline_runs().total == 0
