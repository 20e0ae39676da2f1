"""fsspec helpers: local paths and file:// URLs behave the same."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stackyard.artifacts import fs, load_value, save_value

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(
    ("uri", "parts", "expected"),
    [
        ("s3://bucket/a", ("b", "c.json"), "s3://bucket/a/b/c.json"),
        ("s3://bucket/a/", ("/b/",), "s3://bucket/a/b"),
        ("s3://", ("bucket",), "s3://bucket"),
        ("/tmp/x", ("y",), "/tmp/x/y"),
        ("/tmp/x", (), "/tmp/x"),
    ],
)
def test_join(uri: str, parts: tuple[str, ...], expected: str) -> None:
    assert fs.join(uri, *parts) == expected


@pytest.mark.parametrize("as_url", [False, True])
def test_local_file_operations(tmp_path: Path, as_url: bool) -> None:
    root = f"file://{tmp_path}" if as_url else str(tmp_path)
    directory = fs.join(root, "a", "b")
    fs.makedirs(directory)
    fs.makedirs(directory)  # idempotent
    with fs.open_uri(fs.join(directory, "f.txt"), "w") as file:
        file.write("héllo")
    assert (tmp_path / "a" / "b" / "f.txt").read_text(encoding="utf-8") == "héllo"
    with fs.open_uri(fs.join(directory, "f.txt"), "r") as file:
        assert file.read() == "héllo"
    assert fs.exists(directory)
    fs.remove(fs.join(root, "a"))
    assert not fs.exists(directory)
    assert not (tmp_path / "a").exists()


def test_file_url_round_trip(tmp_path: Path) -> None:
    saved = save_value({"k": [1, 2]}, f"file://{tmp_path}/artifact")
    assert (tmp_path / "artifact" / "data.json").is_file()
    assert load_value(
        saved.uri, saved.materializer, saved.data_type, root=f"file://{tmp_path}"
    ) == {"k": [1, 2]}


def test_import_stays_light() -> None:
    """Heavy libraries must load only when a value of theirs is stored."""
    code = (
        "import sys, stackyard.artifacts\n"
        "print(sorted(m for m in ('numpy', 'pandas', 'fsspec', 'cloudpickle') if m in sys.modules))"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"
