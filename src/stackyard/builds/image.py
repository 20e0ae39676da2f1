"""From settings to an `ImageSpec`, its Dockerfile and its checksum.

Everything that changes the image goes into the spec, and the checksum is a hash
of the spec's canonical form plus the code archive's hash, so an unchanged
pipeline reuses its existing build and any change produces a new one.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from stackyard.builds.settings import DockerSettings
from stackyard.exceptions import InputError

CODE_DIR = "/app"


def local_python_version() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


@dataclass(frozen=True)
class ImageSpec:
    """Everything that determines one image."""

    base_image: str
    python_version: str
    requirements: tuple[str, ...] = ()
    apt_packages: tuple[str, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    include_code: bool = False
    code_hash: str | None = None
    stackyard_requirement: str | None = None

    def dockerfile(self) -> str:
        """A Dockerfile that builds this image from a context made by `write_context`."""
        lines = [f"FROM {self.base_image}", "", f"WORKDIR {CODE_DIR}"]
        if self.apt_packages:
            lines += [
                "RUN apt-get update && apt-get install -y --no-install-recommends "
                + " ".join(self.apt_packages)
                + " && rm -rf /var/lib/apt/lists/*"
            ]
        if self.requirements or self.stackyard_requirement:
            lines += [
                "COPY requirements.txt /tmp/requirements.txt",
                "RUN pip install --no-cache-dir -r /tmp/requirements.txt",
            ]
        for key, value in self.environment:
            lines.append(f"ENV {key}={json.dumps(value)}")
        if self.include_code:
            lines += ["COPY code/ ./", f"ENV PYTHONPATH={CODE_DIR}"]
        return "\n".join(lines) + "\n"

    def requirements_txt(self) -> str:
        lines = list(self.requirements)
        if self.stackyard_requirement:
            lines.append(self.stackyard_requirement)
        return "".join(f"{line}\n" for line in lines)

    def checksum(self) -> str:
        canonical = json.dumps(asdict(self), sort_keys=True, default=list)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _requirements(settings: DockerSettings, root: Path | None) -> list[str]:
    lines: list[str] = []
    if isinstance(settings.requirements, str):
        path = Path(settings.requirements)
        if not path.is_absolute() and root is not None:
            path = root / path
        if not path.exists():
            raise InputError(
                f"requirements file {settings.requirements!r} does not exist (looked at {path})"
            )
        lines += path.read_text().splitlines()
    elif settings.requirements:
        lines += settings.requirements
    if settings.replicate_local_python_environment:
        frozen = subprocess.run(
            [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
            capture_output=True,
            text=True,
            check=False,
        )
        if frozen.returncode != 0:
            raise InputError(f"pip freeze failed: {frozen.stderr.strip()}")
        lines += frozen.stdout.splitlines()
    cleaned = {line.strip() for line in lines}
    return sorted(line for line in cleaned if line and not line.startswith("#"))


_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def _project_name(requirement: str) -> str | None:
    """The canonical distribution name a requirement line is about ("scikit-learn")."""
    found = _NAME.match(requirement)
    return re.sub(r"[-_.]+", "-", found.group(1)).lower() if found else None


def image_spec(
    settings: DockerSettings,
    *,
    code_hash: str | None,
    code_root: Path | None,
    stackyard_version: str,
    imported: tuple[str, ...] = (),
) -> ImageSpec:
    """The image for one group of steps sharing the same settings; `imported` are the
    pinned distributions the code imports (added unless the settings say otherwise)."""
    python_version = local_python_version()
    include_code = code_hash is not None and settings.allow_including_files_in_images
    requirements = _requirements(settings, code_root)
    if settings.requirements_from_imports:
        named = {_project_name(line) for line in requirements}
        requirements += [pin for pin in imported if _project_name(pin) not in named]
    return ImageSpec(
        base_image=settings.parent_image or f"python:{python_version}-slim",
        python_version=python_version,
        requirements=tuple(requirements),
        apt_packages=tuple(sorted(set(settings.apt_packages))),
        environment=tuple(sorted(settings.environment.items())),
        include_code=include_code,
        code_hash=code_hash if include_code else None,
        stackyard_requirement=(
            f"stackyard=={stackyard_version}" if settings.install_stackyard else None
        ),
    )
