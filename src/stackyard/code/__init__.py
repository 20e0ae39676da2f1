"""The git and code-packaging layer, independent of any store.

A run inside a clean checkout of a registered code repository records a code
reference (repository, commit, subdirectory) and uploads nothing; otherwise its
sources are packed with `build_archive` into the artifact store. This package
only inspects git and files: deciding and recording happen elsewhere.
"""

from stackyard.code.archive import ArchiveInfo, build_archive, extract_archive, source_files
from stackyard.code.git import LocalCheckout, find_checkout, normalize_remote, subdirectory_of
from stackyard.code.repositories import (
    BUILTIN_CODE_REPOSITORY_FLAVORS,
    CodeRepositoryFlavor,
    GitHubConfig,
    GitHubRepository,
    GitLabConfig,
    GitLabRepository,
    HostedGitConfig,
    LocalGitConfig,
    LocalGitRepository,
    detect_local_git,
    resolve_flavor,
    validate_config,
)

__all__ = [
    "BUILTIN_CODE_REPOSITORY_FLAVORS",
    "ArchiveInfo",
    "CodeRepositoryFlavor",
    "GitHubConfig",
    "GitHubRepository",
    "GitLabConfig",
    "GitLabRepository",
    "HostedGitConfig",
    "LocalCheckout",
    "LocalGitConfig",
    "LocalGitRepository",
    "build_archive",
    "detect_local_git",
    "extract_archive",
    "find_checkout",
    "normalize_remote",
    "resolve_flavor",
    "source_files",
    "subdirectory_of",
    "validate_config",
]
