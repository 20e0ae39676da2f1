"""Code repository flavors: where a registered repository lives and how to spot its checkouts.

A registered code repository lets a run record (repository, commit, subdirectory)
instead of uploading its sources. Each flavor pairs a pydantic config model (what
gets stored) with `matches`, which tells whether a local checkout is a clone of
that repository. Built-in flavors are looked up by name; custom ones by an
import path, so plugins need no registration step.

The hosted flavors (GitHub, GitLab) share one config shape, on purpose, so tools
and users never have to remember which one calls it "group" or "project":

- `owner`: user, organization or (GitLab) group path such as "group/subgroup";
- `repository`: the repository (GitLab: project) name, without ".git";
- `host`: the server, for self-hosted instances;
- `token_secret`: the *name* of a stackyard secret holding an access token.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from stackyard.code.git import LocalCheckout, find_checkout, normalize_remote
from stackyard.exceptions import InputError

ConfigT = TypeVar("ConfigT", bound=BaseModel)

# Prefixes of real GitHub/GitLab tokens: catching them keeps credentials out of configs.
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-")


class CodeRepositoryFlavor(ABC, Generic[ConfigT]):
    """A kind of code repository: its config model plus how to recognise its checkouts."""

    name: ClassVar[str]
    config_class: ClassVar[type[BaseModel]]

    def __init__(self, config: BaseModel | Mapping[str, Any]) -> None:
        self.config = cast(ConfigT, self.parse_config(config))

    @classmethod
    def parse_config(cls, config: BaseModel | Mapping[str, Any]) -> BaseModel:
        """Validate `config` with this flavor's model; errors become a readable InputError."""
        data = config.model_dump() if isinstance(config, BaseModel) else dict(config)
        try:
            return cls.config_class.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or '<config>'}: {error['msg']}"
                for error in exc.errors()
            )
            raise InputError(
                f"Invalid config for code repository flavor {cls.name!r}: {problems}"
            ) from None

    @classmethod
    def describe(cls, config: BaseModel | Mapping[str, Any]) -> str:
        """One line naming the repository, for listings and log messages."""
        return cls._describe(cast(ConfigT, cls.parse_config(config)))

    @classmethod
    @abstractmethod
    def _describe(cls, config: ConfigT) -> str:
        """Format an already validated config for `describe`."""

    @abstractmethod
    def matches(self, checkout: LocalCheckout) -> bool:
        """Whether `checkout` is a clone of the repository this config points at."""


def _same_remote(left: str | None, right: str | None) -> bool:
    """Whether two remote URLs name the same hosted repository, whatever their syntax."""
    if not left or not right:
        return False
    a, b = normalize_remote(left), normalize_remote(right)
    return a is not None and b is not None and _casefold(a) == _casefold(b)


def _casefold(parts: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(part.casefold() for part in parts)


class LocalGitConfig(BaseModel):
    """A checkout on this machine, optionally tied to the remote it was cloned from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    url: str | None = None

    @field_validator("path")
    @classmethod
    def _absolute_path(cls, value: str) -> str:
        """Store an absolute path: a relative one would depend on the caller's cwd."""
        if not value.strip():
            raise ValueError("must not be empty")
        return str(Path(value).expanduser().resolve())

    @field_validator("url")
    @classmethod
    def _hosted_url(cls, value: str | None) -> str | None:
        """Only hosted URLs can ever match, so reject the rest when registering."""
        if value is not None and normalize_remote(value) is None:
            raise ValueError(f"{value!r} is not a recognised git remote URL")
        return value


class LocalGitRepository(CodeRepositoryFlavor[LocalGitConfig]):
    """A plain git checkout, recognised by its location or by its remote."""

    name = "local_git"
    config_class = LocalGitConfig

    @classmethod
    def _describe(cls, config: LocalGitConfig) -> str:
        suffix = f" ({config.url})" if config.url else ""
        return f"local git checkout at {config.path}{suffix}"

    def matches(self, checkout: LocalCheckout) -> bool:
        if checkout.root == Path(self.config.path):
            return True
        return _same_remote(checkout.remote_url, self.config.url)


class HostedGitConfig(BaseModel):
    """Config shared by the hosted flavors; see the module docstring for the fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owner: str
    repository: str
    host: str
    token_secret: str | None = None

    @field_validator("owner", "repository", "host")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip().strip("/")
        if not value:
            raise ValueError("must not be empty")
        return value

    @field_validator("repository")
    @classmethod
    def _strip_git_suffix(cls, value: str) -> str:
        """Users paste clone URLs' last segment; "repo.git" and "repo" are the same."""
        value = value.removesuffix(".git")
        if not value or "/" in value:
            raise ValueError("must be a single repository name")
        return value

    @field_validator("host")
    @classmethod
    def _bare_host(cls, value: str) -> str:
        """Hosts compare case-insensitively; a scheme or path would never match."""
        if "://" in value or "/" in value:
            raise ValueError("must be a bare host name such as 'github.com', without scheme")
        return value.lower()

    @field_validator("token_secret")
    @classmethod
    def _secret_name(cls, value: str | None) -> str | None:
        """Configs are stored in plain text, so a pasted token must be refused."""
        if value is not None and value.startswith(_TOKEN_PREFIXES):
            raise ValueError("looks like a token; store it as a secret and give its name")
        return value


class GitHubConfig(HostedGitConfig):
    """A repository on github.com or a GitHub Enterprise host."""

    host: str = "github.com"

    @field_validator("owner")
    @classmethod
    def _single_owner(cls, value: str) -> str:
        """GitHub has no nested organizations, unlike GitLab groups."""
        if "/" in value:
            raise ValueError("must be a single user or organization name")
        return value


class GitLabConfig(HostedGitConfig):
    """A project on gitlab.com or a self-hosted GitLab; `owner` may be a nested group."""

    host: str = "gitlab.com"


class _HostedGitRepository(CodeRepositoryFlavor[HostedGitConfig]):
    """Matching and description common to hosted flavors: compare normalized remotes."""

    @classmethod
    def _describe(cls, config: HostedGitConfig) -> str:
        return f"{cls.name} repository {config.host}/{config.owner}/{config.repository}"

    def matches(self, checkout: LocalCheckout) -> bool:
        remote = normalize_remote(checkout.remote_url) if checkout.remote_url else None
        wanted = (self.config.host, self.config.owner, self.config.repository)
        return remote is not None and _casefold(remote) == _casefold(wanted)


class GitHubRepository(_HostedGitRepository):
    """A GitHub repository, matched through the checkout's remote URL."""

    name = "github"
    config_class = GitHubConfig


class GitLabRepository(_HostedGitRepository):
    """A GitLab project, matched through the checkout's remote URL."""

    name = "gitlab"
    config_class = GitLabConfig


BUILTIN_CODE_REPOSITORY_FLAVORS: dict[str, type[CodeRepositoryFlavor[Any]]] = {
    flavor.name: flavor for flavor in (LocalGitRepository, GitHubRepository, GitLabRepository)
}


def resolve_flavor(source: str) -> type[CodeRepositoryFlavor[Any]]:
    """Find a flavor by built-in name or by an import path "package.module.Class"."""
    if source in BUILTIN_CODE_REPOSITORY_FLAVORS:
        return BUILTIN_CODE_REPOSITORY_FLAVORS[source]
    hint = (
        f"expected one of {', '.join(sorted(BUILTIN_CODE_REPOSITORY_FLAVORS))} "
        "or an import path 'package.module.Class'"
    )
    module_name, _, class_name = source.rpartition(".")
    if not module_name or not class_name:
        raise InputError(f"Unknown code repository flavor {source!r}: {hint}")
    try:
        found = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as exc:
        raise InputError(
            f"Cannot import code repository flavor {source!r} ({exc}): {hint}"
        ) from None
    if not (
        isinstance(found, type)
        and issubclass(found, CodeRepositoryFlavor)
        and isinstance(getattr(found, "config_class", None), type)
        and issubclass(found.config_class, BaseModel)
    ):
        raise InputError(
            f"{source!r} is not a CodeRepositoryFlavor subclass with a pydantic config_class: "
            f"{hint}"
        )
    return found


def validate_config(source: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """Validate `config` for flavor `source` and return it normalized, ready to store."""
    flavor = resolve_flavor(source)
    return flavor.parse_config(config).model_dump(mode="json")


def detect_local_git(path: Path) -> dict[str, Any]:
    """Build a local_git config for the checkout containing `path`.

    The remote URL is kept only when it is a hosted one, since only those can
    ever match a checkout elsewhere.
    """
    checkout = find_checkout(path)
    if checkout is None:
        raise InputError(f"{str(path)!r} is not inside a git checkout with at least one commit")
    url = checkout.remote_url
    config = {"path": str(checkout.root), "url": url if url and normalize_remote(url) else None}
    return validate_config(LocalGitRepository.name, config)
