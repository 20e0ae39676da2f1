"""Source selection, deterministic packing and safe unpacking of code archives."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from stackyard.code.archive import build_archive, extract_archive, source_files


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed repo with ignored, untracked and deleted files around the tracked ones."""
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Test")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / ".gitignore").write_text("*.log\ndata/\n")
    (root / "app.py").write_text("print('hi')\n")
    (root / "pkg" / "mod.py").write_text("X = 1\n")
    (root / "gone.py").write_text("old\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    (root / "gone.py").unlink()
    (root / "pkg" / "new.py").write_text("Y = 2\n")
    (root / "run.log").write_text("noise\n")
    (root / "data").mkdir()
    (root / "data" / "big.bin").write_bytes(b"\0" * 64)
    return root


REPO_FILES = [".gitignore", "app.py", "pkg/mod.py", "pkg/new.py"]


def archive_bytes(root: Path) -> bytes:
    buffer = io.BytesIO()
    build_archive(root, buffer)
    return buffer.getvalue()


def test_git_tree_keeps_tracked_and_untracked_but_not_ignored_or_deleted(repo: Path) -> None:
    assert [p.as_posix() for p in source_files(repo)] == REPO_FILES


def test_git_subdirectory_is_listed_relative_to_itself(repo: Path) -> None:
    assert [p.as_posix() for p in source_files(repo / "pkg")] == ["mod.py", "new.py"]


def test_a_git_project_never_archives_its_stackyard_folder(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git lists `.stackyard/` (even tracked, as here), but switching the project's active
    stack must not make identical code a new archive."""
    from stackyard.client import Client

    Client.initialize(repo)
    git(repo, "add", ".stackyard")
    assert [p.as_posix() for p in source_files(repo)] == REPO_FILES
    before = archive_bytes(repo)
    monkeypatch.chdir(repo)
    client = Client()
    client.create_stack("other", {"orchestrator": "default", "artifact_store": "default"})
    config = repo / ".stackyard" / "config.yaml"
    written = config.read_text()
    client.activate_stack("other")  # for this project: written to .stackyard/config.yaml
    assert config.read_text() != written
    assert archive_bytes(repo) == before


def test_plain_directory_walk_skips_clutter(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    for name in (
        "main.py",
        "sub/helper.py",
        "sub/helper.pyc",
        "__pycache__/main.cpython-311.pyc",
        ".venv/lib/site.py",
        "venv/lib/site.py",
        ".stackyard/config.yaml",
        ".git/HEAD",
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")

    assert [p.as_posix() for p in source_files(root)] == ["main.py", "sub/helper.py"]


def test_archive_holds_exactly_the_source_files(repo: Path) -> None:
    buffer = io.BytesIO()
    info = build_archive(repo, buffer)
    data = buffer.getvalue()

    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == REPO_FILES
        assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 for m in members)
        assert all(m.uname == "" and m.gname == "" for m in members)
        assert all(m.isfile() and m.mode == 0o644 for m in members)
        mod = tar.extractfile("pkg/mod.py")
        assert mod is not None and mod.read() == b"X = 1\n"
    assert info.file_count == len(REPO_FILES)
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()


def test_archive_is_deterministic(repo: Path, tmp_path: Path) -> None:
    first = archive_bytes(repo)
    os.utime(repo / "app.py", (1_000_000, 1_000_000))
    (repo / "pkg" / "mod.py").chmod(0o664)
    copy = tmp_path / "elsewhere" / "copy"
    shutil.copytree(repo, copy)

    assert archive_bytes(repo) == first
    assert archive_bytes(copy) == first
    assert first[4:8] == b"\0\0\0\0"  # gzip header timestamp, else runs a second apart differ


def test_archive_does_not_depend_on_destination_file_name(repo: Path, tmp_path: Path) -> None:
    with (tmp_path / "code-archive.tar.gz").open("wb") as handle:
        build_archive(repo, handle)

    assert (tmp_path / "code-archive.tar.gz").read_bytes() == archive_bytes(repo)


def test_archive_changes_with_content(repo: Path) -> None:
    before = io.BytesIO()
    after = io.BytesIO()
    first = build_archive(repo, before)
    (repo / "app.py").write_text("print('changed')\n")
    second = build_archive(repo, after)

    assert second.sha256 != first.sha256


def test_round_trip_preserves_content_and_executable_bit(repo: Path, tmp_path: Path) -> None:
    (repo / "run.sh").write_text("#!/bin/sh\n")
    (repo / "run.sh").chmod(0o775)
    dest = tmp_path / "out"

    extract_archive(io.BytesIO(archive_bytes(repo)), dest)

    extracted = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert extracted == sorted([*REPO_FILES, "run.sh"])
    assert (dest / "pkg" / "new.py").read_text() == "Y = 2\n"
    assert (dest / "run.sh").stat().st_mode & 0o777 == 0o755
    assert (dest / "app.py").stat().st_mode & 0o777 == 0o644


def malicious_archive(member: tarfile.TarInfo, payload: bytes = b"boom") -> io.BytesIO:
    """An archive with one harmless file followed by `member`."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        ok = tarfile.TarInfo("ok.txt")
        ok.size = 2
        tar.addfile(ok, io.BytesIO(b"ok"))
        if member.isfile():
            member.size = len(payload)
            tar.addfile(member, io.BytesIO(payload))
        else:
            tar.addfile(member)
    buffer.seek(0)
    return buffer


@pytest.mark.parametrize("name", ["../evil", "pkg/../../evil", "/tmp/evil", "C:/evil"])
def test_extract_refuses_escaping_paths(tmp_path: Path, name: str) -> None:
    dest = tmp_path / "out"

    with pytest.raises(ValueError, match=name.replace(".", r"\.")):
        extract_archive(malicious_archive(tarfile.TarInfo(name)), dest)

    assert not (tmp_path / "evil").exists()
    assert not (dest / "ok.txt").exists()  # nothing is written before every member is checked


def test_extract_refuses_links(tmp_path: Path) -> None:
    link = tarfile.TarInfo("innocent")
    link.type = tarfile.SYMTYPE
    link.linkname = "/etc/passwd"

    with pytest.raises(ValueError, match="innocent"):
        extract_archive(malicious_archive(link), tmp_path / "out")
