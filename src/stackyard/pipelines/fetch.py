"""Getting a recorded run's code back onto disk, for a worker to run it again.

A code reference is materialised from a local clone with `git archive <commit>`
(the user's work tree, index and branches are left untouched); an archived tree
is downloaded from the artifact store and unpacked. Hosted repositories (GitHub,
GitLab) are fetched through a registered local clone of them: stackyard does not
reach out to the network for code.
"""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, cast

from stackyard.exceptions import IllegalOperationError

if TYPE_CHECKING:
    from stackyard.models.code import CodeRepositoryResponse
    from stackyard.models.pipelines import CodeReference
    from stackyard.pipelines.code import RecordedCode
    from stackyard.store.base import Store


def check_fetchable(store: Store, code: RecordedCode) -> None:
    """Refuse, before a run is recorded, code that `fetch_code` could not get back."""
    if code.source is None or code.source_path is None:
        raise IllegalOperationError(
            "the snapshot does not say which module holds the pipeline; run the pipeline "
            "again from a module file to record it"
        )
    if code.code_reference is not None:
        local_clone(store, code.code_reference)
    elif code.code_path is None:
        raise IllegalOperationError(
            "the run's code was neither in a registered code repository nor archived"
        )


def fetch_code(store: Store, code: RecordedCode, dest: Path) -> Path:
    """Write the recorded code into the new directory `dest` and return it."""
    dest.mkdir(parents=True)
    if code.code_reference is not None:
        clone = local_clone(store, code.code_reference)
        _export_commit(clone, code.code_reference.commit, dest)
    elif code.code_path is not None:
        from stackyard.artifacts.fs import open_uri
        from stackyard.code.archive import extract_archive

        with open_uri(code.code_path, "rb") as handle:
            extract_archive(cast(BinaryIO, handle), dest)
    else:
        check_fetchable(store, code)
    return dest


def local_clone(store: Store, reference: CodeReference) -> Path:
    """A git checkout on this machine holding the referenced repository's commits."""
    repository: CodeRepositoryResponse = store.get("code_repository", reference.code_repository_id)
    path = repository.config.get("path")
    if path is None:
        path = _registered_clone(store, repository)
    clone = Path(str(path))
    if not clone.is_dir():
        raise IllegalOperationError(
            f"code repository {repository.name!r} points at {clone}, which does not exist on "
            "this machine; update its config with the path of a local clone"
        )
    return clone


def _registered_clone(store: Store, repository: CodeRepositoryResponse) -> str:
    """The path of a registered `local_git` repository that is a clone of `repository`."""
    from stackyard.code.git import find_checkout
    from stackyard.code.repositories import LocalGitRepository, resolve_flavor
    from stackyard.models.paging import depaginate_store

    flavor = resolve_flavor(repository.source)
    hosted = flavor(repository.config)
    for candidate in depaginate_store(store, "code_repository", source=LocalGitRepository.name):
        checkout = find_checkout(Path(candidate.config["path"]))
        if checkout is not None and hosted.matches(checkout):
            return str(candidate.config["path"])
    raise IllegalOperationError(
        f"the code is in {flavor.describe(repository.config)}; fetching it from there needs "
        "network access, which stackyard does not use. Register a local clone of it: "
        f"create_code_repository(name, config={{'path': '/path/to/clone', 'url': ...}}, "
        "source='local_git')"
    )


def _export_commit(clone: Path, commit: str, dest: Path) -> None:
    """Unpack the tree of `commit` into `dest` with `git archive`, streaming."""
    try:
        process = subprocess.Popen(
            ["git", "-C", str(clone), "archive", "--format=tar", commit],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        raise IllegalOperationError(f"cannot run git to fetch commit {commit}: {exc}") from None
    assert process.stdout is not None and process.stderr is not None
    try:
        with tarfile.open(fileobj=process.stdout, mode="r|") as tar:
            tar.extractall(dest, filter="data")  # refuses members escaping `dest`
    except tarfile.ReadError:
        pass  # git wrote nothing usable: its exit status and message say why
    finally:
        process.stdout.close()  # a git still writing stops instead of blocking
        error = process.stderr.read().decode(errors="replace").strip()
        status = process.wait()
    if status != 0:
        raise IllegalOperationError(
            f"cannot fetch commit {commit} from the clone at {clone}: {error or 'git failed'}"
        )
