"""Build contexts on disk: Dockerfile, requirements.txt and the code to copy."""

from __future__ import annotations

import io
from collections.abc import Collection
from pathlib import Path

from stackyard.builds.image import ImageSpec
from stackyard.code.archive import build_archive, extract_archive


def code_digest(code_root: Path, exclude: Collection[Path] = ()) -> str:
    """The hash of the code that would be copied into an image (same tree, same hash);
    `exclude`: stackyard's own state under the tree (see `state_paths`)."""
    return build_archive(code_root, io.BytesIO(), exclude).sha256


def write_context(
    spec: ImageSpec, dest: Path, code_root: Path | None, exclude: Collection[Path] = ()
) -> Path:
    """Lay out a `docker build` context for `spec` in `dest`; return `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "Dockerfile").write_text(spec.dockerfile())
    (dest / "requirements.txt").write_text(spec.requirements_txt())
    if spec.include_code and code_root is not None:
        buffer = io.BytesIO()
        build_archive(code_root, buffer, exclude)
        buffer.seek(0)
        extract_archive(buffer, dest / "code")
    (dest / ".dockerignore").write_text("**/__pycache__\n**/*.pyc\n")
    return dest
