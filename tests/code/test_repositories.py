"""Code repository flavors: lookup, config validation and checkout matching."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from stackyard.code.git import LocalCheckout, find_checkout
from stackyard.code.repositories import (
    BUILTIN_CODE_REPOSITORY_FLAVORS,
    CodeRepositoryFlavor,
    GitHubRepository,
    GitLabRepository,
    LocalGitRepository,
    detect_local_git,
    resolve_flavor,
    validate_config,
)


class PathConfig(BaseModel):
    prefix: str


class PrefixFlavor(CodeRepositoryFlavor[PathConfig]):
    """A custom flavor, resolved below through its import path."""

    name = "prefix"
    config_class = PathConfig

    @classmethod
    def _describe(cls, config: PathConfig) -> str:
        return f"anything under {config.prefix}"

    def matches(self, checkout: LocalCheckout) -> bool:
        return str(checkout.root).startswith(self.config.prefix)


def checkout(remote_url: str | None, root: str = "/work/proj") -> LocalCheckout:
    return LocalCheckout(
        root=Path(root), commit="a" * 40, is_dirty=False, remote=remote_url, branch="main"
    )


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Test")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "test@example.com")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "main.py").write_text("print('hi')\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def test_builtin_flavors_are_registered_by_name() -> None:
    assert {
        "local_git": LocalGitRepository,
        "github": GitHubRepository,
        "gitlab": GitLabRepository,
    } == BUILTIN_CODE_REPOSITORY_FLAVORS
    assert resolve_flavor("github") is GitHubRepository


def test_resolve_flavor_by_import_path() -> None:
    assert resolve_flavor("stackyard.code.repositories.GitLabRepository") is GitLabRepository
    assert resolve_flavor(f"{__name__}.PrefixFlavor") is PrefixFlavor


@pytest.mark.parametrize(
    "source",
    [
        "bitbucket",
        "no_such_module.Flavor",
        "stackyard.code.repositories.NoSuchClass",
        "pathlib.Path",
        "stackyard.code.repositories.CodeRepositoryFlavor",
        f"{__name__}.checkout",
    ],
)
def test_resolve_flavor_rejects_unknown_sources(source: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        resolve_flavor(source)

    message = str(excinfo.value)
    assert repr(source) in message
    assert all(name in message for name in ("local_git", "github", "gitlab"))


def test_github_config_is_normalized() -> None:
    config = validate_config(
        "github", {"owner": " acme ", "repository": "proj.git", "token_secret": "gh_token"}
    )

    assert config == {
        "owner": "acme",
        "repository": "proj",
        "host": "github.com",
        "token_secret": "gh_token",
    }


def test_gitlab_defaults_to_gitlab_host_and_allows_nested_groups() -> None:
    config = validate_config("gitlab", {"owner": "group/sub", "repository": "proj"})

    assert config["host"] == "gitlab.com"
    assert config["owner"] == "group/sub"


def test_self_hosted_host_is_lowercased() -> None:
    config = validate_config(
        "github", {"owner": "acme", "repository": "proj", "host": "GHE.Corp.example"}
    )

    assert config["host"] == "ghe.corp.example"


@pytest.mark.parametrize(
    ("source", "config", "bad_field"),
    [
        ("github", {"repository": "proj"}, "owner"),
        ("github", {"owner": "acme", "repository": "proj", "tokn": "x"}, "tokn"),
        ("github", {"owner": "acme", "repository": ""}, "repository"),
        ("github", {"owner": "group/sub", "repository": "proj"}, "owner"),
        ("github", {"owner": "a", "repository": "p", "host": "https://github.com"}, "host"),
        ("gitlab", {"owner": "a", "repository": "p", "token_secret": "glpat-x"}, "token_secret"),
        ("github", {"owner": "a", "repository": "p", "token_secret": "ghp_abc123"}, "token_secret"),
        ("local_git", {"path": "/x", "url": "/srv/git/proj.git"}, "url"),
        ("local_git", {}, "path"),
    ],
)
def test_invalid_config_names_field_and_flavor(
    source: str, config: dict[str, Any], bad_field: str
) -> None:
    with pytest.raises(ValueError) as excinfo:
        validate_config(source, config)

    message = str(excinfo.value)
    assert f"{bad_field}:" in message
    assert repr(source) in message


def test_local_git_path_is_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    config = validate_config("local_git", {"path": "checkout"})

    assert config == {"path": str((tmp_path / "checkout").resolve()), "url": None}


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("https://github.com/acme/proj.git", True),
        ("https://github.com/Acme/PROJ", True),
        ("git@github.com:acme/proj.git", True),
        ("ssh://git@GitHub.com/acme/proj", True),
        ("https://github.com/acme/other.git", False),
        ("https://github.com/someone/proj.git", False),
        ("https://gitlab.com/acme/proj.git", False),
        ("/srv/git/acme/proj.git", False),
        (None, False),
    ],
)
def test_github_matches_by_normalized_remote(remote: str | None, expected: bool) -> None:
    flavor = GitHubRepository({"owner": "acme", "repository": "proj"})

    assert flavor.matches(checkout(remote)) is expected


def test_gitlab_matches_nested_group_on_self_hosted_instance() -> None:
    flavor = GitLabRepository(
        {"owner": "group/sub", "repository": "proj", "host": "git.corp.example"}
    )

    assert flavor.matches(checkout("git@git.corp.example:group/sub/proj.git"))
    assert not flavor.matches(checkout("git@git.corp.example:group/proj.git"))
    assert not flavor.matches(checkout("git@gitlab.com:group/sub/proj.git"))


def test_local_git_matches_by_root_or_by_remote() -> None:
    flavor = LocalGitRepository({"path": "/work/proj", "url": "git@github.com:acme/proj.git"})

    assert flavor.matches(checkout(None, root="/work/proj"))
    assert flavor.matches(checkout("https://github.com/ACME/proj", root="/elsewhere"))
    assert not flavor.matches(checkout("https://github.com/acme/fork", root="/elsewhere"))
    assert not flavor.matches(checkout(None, root="/work/proj/sub"))


def test_local_git_without_url_only_matches_its_root() -> None:
    flavor = LocalGitRepository({"path": "/work/proj"})

    assert not flavor.matches(checkout("git@github.com:acme/proj.git", root="/other"))


def test_custom_flavor_validates_and_matches() -> None:
    flavor_class = resolve_flavor(f"{__name__}.PrefixFlavor")

    assert validate_config(f"{__name__}.PrefixFlavor", {"prefix": "/work"}) == {"prefix": "/work"}
    assert flavor_class({"prefix": "/work"}).matches(checkout(None))
    assert flavor_class.describe({"prefix": "/srv"}) == "anything under /srv"


def test_describe_names_the_repository() -> None:
    assert (
        GitHubRepository.describe({"owner": "acme", "repository": "proj"})
        == "github repository github.com/acme/proj"
    )
    assert LocalGitRepository.describe({"path": "/work/proj"}) == "local git checkout at /work/proj"
    with pytest.raises(ValueError, match="owner"):
        GitLabRepository.describe({"repository": "proj"})


def test_detect_local_git_from_real_checkout(repo: Path) -> None:
    git(repo, "remote", "add", "origin", "git@github.com:acme/proj.git")

    config = detect_local_git(repo / "src")

    assert config == {"path": str(repo.resolve()), "url": "git@github.com:acme/proj.git"}
    found = find_checkout(repo / "src")
    assert found is not None
    assert LocalGitRepository(config).matches(found)
    assert GitHubRepository({"owner": "acme", "repository": "proj"}).matches(found)


def test_detect_local_git_drops_non_hosted_remote(repo: Path, tmp_path: Path) -> None:
    git(repo, "remote", "add", "origin", str(tmp_path / "bare.git"))

    assert detect_local_git(repo)["url"] is None


def test_detect_local_git_outside_checkout_raises(repo: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()

    with pytest.raises(ValueError, match="plain"):
        detect_local_git(plain)
