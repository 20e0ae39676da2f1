"""Import paths must resolve back to the very same object, in any process."""

from __future__ import annotations

import os.path
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from stackyard.utils.source import load_source, source_of

SRC = Path(__file__).resolve().parents[2] / "src"


class Outer:
    class Inner:
        pass


def helper() -> None:
    """A module-level function to take the source of."""


@pytest.mark.parametrize(
    "obj", [int, str, dict, type(None), Outer, Outer.Inner, helper, os.path.join, Path]
)
def test_source_round_trips(obj: Any) -> None:
    assert load_source(source_of(obj)) is obj


def test_builtin_and_nested_paths() -> None:
    assert source_of(int) == "builtins.int"
    assert source_of(type(None)) == "types.NoneType"
    assert source_of(Outer.Inner).endswith(".Outer.Inner")


def test_source_of_rejects_objects_without_a_name() -> None:
    with pytest.raises(TypeError, match="no __module__"):
        source_of(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("no_such_pkg_xyz.Thing", r"'no_such_pkg_xyz.Thing'.*no module named 'no_such_pkg_xyz'"),
        (
            "os.path.no_such_attr",
            r"'os.path.no_such_attr'.*'os.path' has no attribute 'no_such_attr'",
        ),
        ("os..path", r"'os..path'.*not a dotted import path"),
        ("mod.f.<locals>.X", r"'mod.f.<locals>.X'.*defined inside a function"),
    ],
)
def test_load_source_errors_name_path_and_cause(path: str, message: str) -> None:
    with pytest.raises(ImportError, match=message):
        load_source(path)


def test_load_source_reports_module_that_fails_to_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken_mod_xyz.py").write_text("import missing_dependency_xyz\n")
    (tmp_path / "exploding_mod_xyz.py").write_text("raise RuntimeError('boom')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        ImportError,
        match=r"'broken_mod_xyz.X'.*importing 'broken_mod_xyz' failed.*missing_dependency_xyz",
    ):
        load_source("broken_mod_xyz.X")
    with pytest.raises(ImportError, match=r"'exploding_mod_xyz.X'.*boom"):
        load_source("exploding_mod_xyz.X")


def test_main_module_gets_its_real_name(tmp_path: Path) -> None:
    """Run with ``python -m``, a class in __main__ is recorded under the module's name."""
    (tmp_path / "main_mod_xyz.py").write_text(
        textwrap.dedent(
            """
            from stackyard.utils.source import load_source, source_of

            class Thing:
                pass

            path = source_of(Thing)
            print(path, load_source(path) is Thing)
            """
        )
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(tmp_path)])}
    result = subprocess.run(
        [sys.executable, "-m", "main_mod_xyz"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=True,
    )
    assert result.stdout.split() == ["main_mod_xyz.Thing", "True"]
