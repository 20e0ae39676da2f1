"""Checkout detection against real throwaway git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from stackyard.code.git import find_checkout, normalize_remote, subdirectory_of


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed repo with a .gitignore, isolated from the user's git config."""
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Test")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "repo"
    (root / "pkg" / "sub").mkdir(parents=True)
    (root / ".gitignore").write_text("*.log\n")
    (root / "app.py").write_text("print('hi')\n")
    (root / "pkg" / "sub" / "mod.py").write_text("X = 1\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_clean_checkout_reports_root_commit_and_branch(repo: Path) -> None:
    checkout = find_checkout(repo)

    assert checkout is not None
    assert checkout.root == repo.resolve()
    assert checkout.commit == git(repo, "rev-parse", "HEAD")
    assert len(checkout.commit) == 40
    assert checkout.is_dirty is False
    assert checkout.branch == "main"
    assert checkout.remote_url is None


def test_found_from_nested_directory_and_file(repo: Path) -> None:
    from_dir = find_checkout(repo / "pkg" / "sub")
    from_file = find_checkout(repo / "pkg" / "sub" / "mod.py")

    assert from_dir is not None and from_dir.root == repo.resolve()
    assert from_file is not None and from_file.root == repo.resolve()


def test_commit_follows_new_commits(repo: Path) -> None:
    first = find_checkout(repo)
    (repo / "app.py").write_text("print('changed')\n")
    git(repo, "commit", "-q", "-am", "second")
    second = find_checkout(repo)

    assert first is not None and second is not None
    assert second.commit != first.commit
    assert second.commit == git(repo, "rev-parse", "HEAD")


def test_modified_tracked_file_is_dirty(repo: Path) -> None:
    (repo / "app.py").write_text("print('edited')\n")

    checkout = find_checkout(repo)
    assert checkout is not None and checkout.is_dirty is True


def test_staged_change_is_dirty(repo: Path) -> None:
    (repo / "app.py").write_text("print('edited')\n")
    git(repo, "add", "app.py")

    checkout = find_checkout(repo)
    assert checkout is not None and checkout.is_dirty is True


def test_untracked_file_is_dirty(repo: Path) -> None:
    (repo / "pkg" / "new.py").write_text("Y = 2\n")

    checkout = find_checkout(repo)
    assert checkout is not None and checkout.is_dirty is True


def test_untracked_file_is_dirty_even_if_user_hides_untracked(repo: Path) -> None:
    git(repo, "config", "status.showUntrackedFiles", "no")
    (repo / "new.py").write_text("Y = 2\n")

    checkout = find_checkout(repo)
    assert checkout is not None and checkout.is_dirty is True


def test_ignored_file_is_not_dirty(repo: Path) -> None:
    (repo / "run.log").write_text("noise\n")

    checkout = find_checkout(repo)
    assert checkout is not None and checkout.is_dirty is False


def test_outside_any_repository_is_none(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()

    assert find_checkout(plain) is None


def test_repository_without_commits_is_none(repo: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q", "-b", "main")

    assert find_checkout(empty) is None


def test_inside_git_directory_is_none(repo: Path) -> None:
    assert find_checkout(repo / ".git") is None


def test_missing_git_executable_is_none(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-such-bin"))

    assert find_checkout(repo) is None


def test_detached_head_has_no_branch(repo: Path) -> None:
    git(repo, "checkout", "-q", "--detach")

    checkout = find_checkout(repo)
    assert checkout is not None
    assert checkout.branch is None
    assert checkout.commit == git(repo, "rev-parse", "HEAD")


def test_origin_remote_is_preferred(repo: Path) -> None:
    git(repo, "remote", "add", "alpha", "https://example.com/a/first.git")
    git(repo, "remote", "add", "origin", "git@github.com:acme/proj.git")

    checkout = find_checkout(repo)
    assert checkout is not None and checkout.remote_url == "git@github.com:acme/proj.git"


def test_first_remote_used_without_origin(repo: Path) -> None:
    git(repo, "remote", "add", "upstream", "https://example.com/u/second.git")
    git(repo, "remote", "add", "alpha", "https://example.com/a/first.git")

    checkout = find_checkout(repo)
    assert checkout is not None and checkout.remote_url == "https://example.com/a/first.git"


@pytest.mark.parametrize(
    ("relative", "expected"),
    [(".", ""), ("pkg", "pkg"), ("pkg/sub", "pkg/sub"), ("pkg/sub/mod.py", "pkg/sub/mod.py")],
)
def test_subdirectory_of(repo: Path, relative: str, expected: str) -> None:
    checkout = find_checkout(repo)
    assert checkout is not None

    assert subdirectory_of(checkout, repo / relative) == expected


def test_subdirectory_outside_checkout_raises(repo: Path, tmp_path: Path) -> None:
    checkout = find_checkout(repo)
    assert checkout is not None

    with pytest.raises(ValueError):
        subdirectory_of(checkout, tmp_path)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/proj", ("github.com", "acme", "proj")),
        ("https://github.com/acme/proj.git", ("github.com", "acme", "proj")),
        ("https://github.com/acme/proj/", ("github.com", "acme", "proj")),
        ("https://user:pw@GitHub.com:443/Acme/Proj.git", ("github.com", "Acme", "Proj")),
        ("http://git.internal/team/tool", ("git.internal", "team", "tool")),
        ("git@github.com:acme/proj.git", ("github.com", "acme", "proj")),
        ("git@github.com:acme/proj", ("github.com", "acme", "proj")),
        ("github.com:acme/proj.git", ("github.com", "acme", "proj")),
        ("ssh://git@github.com/acme/proj", ("github.com", "acme", "proj")),
        ("ssh://git@gitlab.example.com:2222/acme/proj.git", ("gitlab.example.com", "acme", "proj")),
        ("https://gitlab.com/group/subgroup/proj.git", ("gitlab.com", "group/subgroup", "proj")),
        ("git@gitlab.com:group/subgroup/proj.git", ("gitlab.com", "group/subgroup", "proj")),
        ("  https://github.com/acme/proj.git\n", ("github.com", "acme", "proj")),
        ("https://github.com/acme", None),
        ("https://github.com/", None),
        ("/srv/git/proj.git", None),
        ("../proj", None),
        ("file:///srv/git/acme/proj.git", None),
        ("git@github.com:proj.git", None),
        ("", None),
    ],
)
def test_normalize_remote(url: str, expected: tuple[str, str, str] | None) -> None:
    assert normalize_remote(url) == expected
