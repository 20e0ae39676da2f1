"""Getting a recorded run's code back onto disk, for a worker to run it again.

A code reference is materialised from a local clone with `git archive <commit>`
(the user's work tree, index and branches are left untouched); an archived tree
is downloaded from the artifact store and unpacked. Hosted repositories (GitHub,
GitLab) are fetched through a registered local clone of them: stackyard does not
reach out to the network for code.

Nothing else is fetched: the commit must be a commit id that git resolves
(`rev-parse --verify <id>^{commit}`, so it can never be read as an option), and
the archive must be `<artifact store>/code/<sha256>.tar.gz` whose bytes hash to
that name; members escaping the destination are refused when unpacking.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

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


def fetch_code(store: Store, code: RecordedCode, dest: Path, artifact_root: str) -> Path:
    """Write the recorded code into the new directory `dest` and return it; an archive
    only from the artifact store at `artifact_root` (the snapshot's stack's)."""
    dest.mkdir(parents=True)
    if code.code_reference is not None:
        clone = local_clone(store, code.code_reference)
        _export_commit(clone, code.code_reference.commit, dest)
    elif code.code_path is not None:
        _unpack_archive(code.code_path, artifact_root, dest)
    else:
        check_fetchable(store, code)
    return dest


def _unpack_archive(code_path: str, artifact_root: str, dest: Path) -> None:
    from stackyard.artifacts.fs import open_uri
    from stackyard.code.archive import extract_archive
    from stackyard.models.recorded_code import archive_digest

    expected = archive_digest(code_path, artifact_root)
    with open_uri(code_path, "rb") as handle:
        data = bytes(handle.read())
    if hashlib.sha256(data).hexdigest() != expected:
        raise IllegalOperationError(
            f"the code archive {code_path} does not hash to its name: it was changed after the "
            "run stored it, so it is not run"
        )
    extract_archive(io.BytesIO(data), dest)


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


def _resolve_commit(clone: Path, commit: str) -> str:
    """The full id of `commit` in `clone`, which must have it as a commit."""
    from stackyard.models.recorded_code import check_commit

    check_commit(commit)  # hexadecimal: never an option, never a ref name
    try:
        found = subprocess.run(
            ["git", "-C", str(clone), "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise IllegalOperationError(f"cannot run git to fetch commit {commit}: {exc}") from None
    full = found.stdout.strip()
    if found.returncode != 0 or not full:
        raise IllegalOperationError(f"the clone at {clone} has no commit {commit}")
    return full


def _export_commit(clone: Path, commit: str, dest: Path) -> None:
    """Unpack the tree of `commit` into `dest` with `git archive`, streaming."""
    commit = _resolve_commit(clone, commit)
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
