"""`stackyard pipeline build`: image specs per step, a checksum, a stored build.

Steps with the same Docker settings share one image. The build's checksum
covers every image spec (and the code copied into them), so building an
unchanged pipeline on the same stack returns the existing build, unless that
was recorded without images and an image builder can build them now (or the
caller forces a new build). With an image
builder in the stack and a Docker daemon the images are really built (and
pushed when the stack has a container registry); otherwise the build contexts
are written to disk and the result says why nothing was built.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stackyard.builds.context import code_digest, write_context
from stackyard.builds.image import ImageSpec, image_spec, local_python_version
from stackyard.builds.imports import imported_requirements
from stackyard.builds.settings import DockerSettings
from stackyard.code.archive import state_paths
from stackyard.config import config_dir
from stackyard.container_registries.default import ContainerRegistry
from stackyard.image_builders.local_docker import (
    LocalDockerImageBuilder,
    docker_unavailable_reason,
)
from stackyard.models.enums import StackComponentType

if TYPE_CHECKING:
    from stackyard.client import Client
    from stackyard.models.automation import BuildResponse
    from stackyard.pipelines.pipeline import CompiledPipeline


@dataclass
class BuildResult:
    """What `build_pipeline` did, for the CLI to report."""

    build: BuildResponse
    reused: bool
    contexts: dict[str, Path] = field(default_factory=dict)
    built: bool = False
    not_built_reason: str | None = None


def _docker_settings(raw: Any) -> DockerSettings:
    if isinstance(raw, DockerSettings):
        return raw
    return DockerSettings.model_validate(raw or {})


def _code_files(compiled: CompiledPipeline) -> list[tuple[Path, str]]:
    """(file, module name) of the modules holding the pipeline and its steps."""
    functions = [compiled.pipeline.entrypoint]
    functions += [inv.step.entrypoint for inv in compiled.invocations.values()]
    sources = [compiled.pipeline.source]
    sources += [inv.step.source for inv in compiled.invocations.values()]
    found: list[tuple[Path, str]] = []
    for function, source in zip(functions, sources, strict=True):
        file = getattr(sys.modules.get(function.__module__), "__file__", None)
        if file:
            found.append((Path(file), source[: -len(function.__qualname__) - 1]))
    return found


def image_specs(
    compiled: CompiledPipeline,
    code_root: Path | None,
    stackyard_version: str,
    exclude: list[Path] | None = None,
) -> dict[str, tuple[ImageSpec, list[str]]]:
    """Image key → (spec, steps using it). Keys are stable short hashes of the spec."""
    code_hash = code_digest(code_root, exclude or ()) if code_root is not None else None
    files = _code_files(compiled)
    project = code_root or (files[0][0].resolve().parent if files else None)
    imported = tuple(imported_requirements(files, project))
    groups: dict[str, tuple[ImageSpec, list[str]]] = {}
    for name, invocation in compiled.invocations.items():
        settings = _docker_settings(compiled.step_settings(invocation).get("docker"))
        spec = image_spec(
            settings,
            code_hash=code_hash,
            code_root=code_root,
            stackyard_version=stackyard_version,
            imported=imported,
        )
        key = spec.checksum()[:12]
        groups.setdefault(key, (spec, []))[1].append(name)
    return groups


def build_pipeline(
    compiled: CompiledPipeline,
    client: Client,
    code_root: Path | None = None,
    force: bool = False,
) -> BuildResult:
    """Find or create the build of `compiled` for the active stack.

    A build with the same checksum is reused unless `force`, or unless it was
    recorded without images while an image builder can build them now.
    """
    from stackyard import __version__
    from stackyard.stack.stack import Stack

    stack_model = client.active_stack_model
    stack = Stack.from_model(stack_model)
    exclude = state_paths(stack.artifact_store.path)
    pipeline = _pipeline_record(client, compiled.name)
    groups = image_specs(compiled, code_root, __version__, exclude)
    checksum = hashlib.sha256(
        json.dumps(
            {
                "images": sorted(spec.checksum() for spec, _ in groups.values()),
                "stack": str(stack_model.id),
            }
        ).encode()
    ).hexdigest()
    builder = stack.components.get(StackComponentType.IMAGE_BUILDER)
    reason = _cannot_build(builder)
    existing = client.list_builds(
        checksum=checksum, stack_id=stack_model.id, sort_by="desc:created", size=1
    )
    if existing.items and not force:
        found = existing.items[0]
        built = bool(found.images) and all(i.get("built") for i in found.images.values())
        if built or reason is not None:
            return BuildResult(build=found, reused=True)

    root = config_dir() / "builds" / checksum[:16]
    contexts = {
        key: write_context(spec, root / key, code_root, exclude)
        for key, (spec, _) in groups.items()
    }
    found_registry = stack.components.get(StackComponentType.CONTAINER_REGISTRY)
    registry = found_registry if isinstance(found_registry, ContainerRegistry) else None
    repository = compiled.name.lower().replace("_", "-")
    tags = {
        key: (
            registry.image_name(repository, key) if registry is not None else f"{repository}:{key}"
        )
        for key in groups
    }
    if reason is None and isinstance(builder, LocalDockerImageBuilder):
        for key, context in contexts.items():
            builder.build(context, tags[key], push=registry is not None)

    images = {
        key: {
            "image": tags[key],
            "steps": steps,
            "dockerfile": spec.dockerfile(),
            "requirements": list(spec.requirements),
            "base_image": spec.base_image,
            "context": str(contexts[key]),
            "built": reason is None,
        }
        for key, (spec, steps) in groups.items()
    }
    build: BuildResponse = client.store.create(
        "build",
        {
            "pipeline_id": pipeline.id,
            "stack_id": stack_model.id,
            "checksum": checksum,
            "images": images,
            "is_local": registry is None,
            "contains_code": any(spec.include_code for spec, _ in groups.values()),
            "python_version": local_python_version(),
            "stackyard_version": __version__,
            "dockerfile": next(iter(groups.values()))[0].dockerfile() if groups else None,
        },
    )
    return BuildResult(
        build=build, reused=False, contexts=contexts, built=reason is None, not_built_reason=reason
    )


def _cannot_build(builder: object) -> str | None:
    """Why images cannot be built with the stack's image builder now; None if they can."""
    if not isinstance(builder, LocalDockerImageBuilder):
        return (
            "the active stack has no image builder; register one with "
            "`stackyard stack-component register docker --type image_builder "
            "--flavor local_docker` and add it to the stack"
        )
    return docker_unavailable_reason(builder.config.docker_host)


def _pipeline_record(client: Client, name: str) -> Any:
    from stackyard.pipelines.launch import pipeline_record

    return pipeline_record(client.store, name)
