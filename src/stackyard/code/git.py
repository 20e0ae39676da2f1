"""Read the state of a local git checkout by running the `git` command.

The `git` executable is used instead of a Python binding so stackyard needs no
extra dependency and sees exactly what the user's own git sees (their config,
their .gitignore rules). Every failure, including git being absent, reads as
"no usable checkout" so callers simply fall back to uploading the code.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?P<path>[^/].*)$")


_UNREAD = "<not read yet>"


@dataclass(frozen=True)
class LocalCheckout:
    """A git work tree as found on disk, enough to decide whether code needs uploading."""

    root: Path
    commit: str
    is_dirty: bool
    branch: str | None
    # `git status --porcelain=v2` lines: tell one dirty state from another without asking again
    changes: tuple[str, ...] = ()
    # the remote's URL; read from git on first use (only a registered repository asks)
    remote: str | None = _UNREAD

    @property
    def remote_url(self) -> str | None:
        """The URL of `origin`, else of the alphabetically first remote; None without one."""
        if self.remote == _UNREAD:
            found = _remote_url(run_git(self.root, "remote", "-v") or "")
            object.__setattr__(self, "remote", found)
        return self.remote


def run_git(cwd: Path, *args: str) -> str | None:
    """Run git in `cwd` and return its stdout, or None when git fails or is missing.

    Output is decoded with surrogate escapes so odd file names survive as paths.
    """
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",
            check=False,
        )
    except OSError:
        return None
    return result.stdout if result.returncode == 0 else None


def find_checkout(path: Path) -> LocalCheckout | None:
    """Describe the git checkout containing `path`, or None when there is none to reference.

    A repository without commits counts as none: there is no commit to point at.
    Every run asks, so it takes one git call (its state); the work tree is found by
    looking for `.git` upwards, and the remote is asked for only when it is needed.
    """
    path = Path(path).resolve()
    root = work_tree(path if path.is_dir() else path.parent)
    if root is None:
        return None
    # --no-optional-locks: only look, never rewrite the index behind the user's back.
    # The untracked mode is explicit so a user's status.showUntrackedFiles=no can't
    # hide new files that an upload-free run would silently miss. --branch adds the
    # commit and branch as "# branch.oid" / "# branch.head" header lines.
    status = run_git(
        root,
        "--no-optional-locks",
        "status",
        "--porcelain=v2",
        "--branch",
        "--untracked-files=normal",
    )
    if status is None:
        return None
    headers: dict[str, str] = {}
    changes: list[str] = []
    for line in status.splitlines():
        if line.startswith("# "):
            key, _, value = line[2:].partition(" ")
            headers[key] = value
        elif line.strip():
            changes.append(line)
    commit = headers.get("branch.oid", "(initial)")
    if commit == "(initial)":
        return None
    branch = headers.get("branch.head")
    return LocalCheckout(
        root=root,
        commit=commit,
        is_dirty=bool(changes),
        branch=None if branch in (None, "(detached)") else branch,
        changes=tuple(changes),
    )


def work_tree(directory: Path) -> Path | None:
    """The top of the git work tree holding `directory`: the nearest directory upwards
    with a `.git` (a directory, or the file a worktree or submodule has); None outside
    one or when `GIT_DIR` points git elsewhere (then git alone knows: ask it)."""
    import os

    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        toplevel = run_git(directory, "rev-parse", "--show-toplevel")
        return Path(toplevel.strip()).resolve() if toplevel else None
    if ".git" in directory.parts:
        return None  # inside the repository's own files, not its work tree
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _remote_url(listing: str) -> str | None:
    """From `git remote -v`: the URL of `origin`, else of the alphabetically first remote."""
    urls: dict[str, str] = {}
    for line in listing.splitlines():
        name, _, rest = line.partition("\t")
        url, _, kind = rest.rpartition(" ")
        if kind == "(fetch)" and url:
            urls[name] = url
    if not urls:
        return None
    return urls.get("origin") or urls[min(urls)]


def subdirectory_of(checkout: LocalCheckout, path: Path) -> str:
    """Posix path of `path` relative to the checkout root ("" for the root itself).

    Posix form so the recorded reference is the same whichever OS made the run.
    Raises ValueError when `path` lies outside the checkout.
    """
    relative = Path(path).resolve().relative_to(checkout.root)
    posix = relative.as_posix()
    return "" if posix == "." else posix


def normalize_remote(url: str) -> tuple[str, str, str] | None:
    """Split a hosted remote URL into (host, owner, repo), or None for anything else.

    Understands https://host/owner/repo, git@host:owner/repo and
    ssh://git@host/owner/repo, each with or without a trailing ".git". The host is
    lowercased; the owner keeps every path segment before the repository name, so
    GitLab subgroups come out as "group/subgroup". Local paths and file:// URLs
    give None because they identify no hosted repository.
    """
    url = url.strip()
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https", "ssh", "git"} or not parts.hostname:
            return None
        host, repo_path = parts.hostname, parts.path
    else:
        match = _SCP_LIKE.match(url)
        if not match:
            return None
        host, repo_path = match["host"], match["path"]
    segments = [s for s in PurePosixPath(repo_path).parts if s != "/"]
    if len(segments) < 2:
        return None
    repo = segments[-1].removesuffix(".git")
    if not repo:
        return None
    return host.lower(), "/".join(segments[:-1]), repo
