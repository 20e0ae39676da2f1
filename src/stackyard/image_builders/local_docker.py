"""Builds images with the Docker daemon on this machine (`docker build`)."""

from __future__ import annotations

import builtins
import shutil
import subprocess
from pathlib import Path
from typing import ClassVar

from stackyard.exceptions import IllegalOperationError
from stackyard.models.enums import StackComponentType
from stackyard.stack.flavor import Flavor, StackComponent, StackComponentConfig


class LocalDockerImageBuilderConfig(StackComponentConfig):
    """`docker_host`: a DOCKER_HOST URL; empty uses the local default socket."""

    docker_host: str | None = None


def docker_unavailable_reason(docker_host: str | None = None) -> str | None:
    """None when a Docker daemon answers; otherwise why not, in words."""
    if shutil.which("docker") is None:
        return "the docker command is not installed"
    env_args = ["-H", docker_host] if docker_host else []
    try:
        probe = subprocess.run(
            ["docker", *env_args, "info", "--format", "{{.ServerVersion}}"],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "the Docker daemon did not answer within 15 s"
    if probe.returncode != 0:
        detail = (probe.stderr or probe.stdout).strip().splitlines()
        return "no Docker daemon is reachable" + (f" ({detail[-1]})" if detail else "")
    return None


class LocalDockerImageBuilder(StackComponent):
    """`docker build` (and `docker push` when a registry is given)."""

    config: LocalDockerImageBuilderConfig

    def _docker(self, *args: str) -> subprocess.CompletedProcess[str]:
        host = ["-H", self.config.docker_host] if self.config.docker_host else []
        return subprocess.run(["docker", *host, *args], capture_output=True, text=True, check=False)

    def build(self, context_dir: Path, tag: str, push: bool) -> str:
        """Build the image in `context_dir`, tag it, push it if asked; return the tag."""
        reason = docker_unavailable_reason(self.config.docker_host)
        if reason is not None:
            raise IllegalOperationError(f"cannot build image {tag}: {reason}")
        built = self._docker("build", "-t", tag, str(context_dir))
        if built.returncode != 0:
            raise IllegalOperationError(f"docker build of {tag} failed:\n{built.stderr[-2000:]}")
        if push:
            pushed = self._docker("push", tag)
            if pushed.returncode != 0:
                raise IllegalOperationError(
                    f"docker push of {tag} failed:\n{pushed.stderr[-2000:]}"
                )
        return tag


class LocalDockerImageBuilderFlavor(Flavor):
    name: ClassVar[str] = "local_docker"
    type: ClassVar[StackComponentType] = StackComponentType.IMAGE_BUILDER
    config_class: ClassVar[builtins.type[StackComponentConfig]] = LocalDockerImageBuilderConfig
    implementation_class: ClassVar[builtins.type[StackComponent]] = LocalDockerImageBuilder
