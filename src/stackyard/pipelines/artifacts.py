"""Storing values as artifact versions, inside steps and outside them.

A value is written by its materializer under a URI in the artifact store, its
files are hashed (so caching can recognise equal inputs produced by different
runs), and one store call records the version; the store numbers versions
1, 2, 3... per artifact name, race-free across processes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from stackyard.artifacts import fs

if TYPE_CHECKING:
    from stackyard.artifacts import SavedArtifact
    from stackyard.artifacts.materializers import BaseMaterializer
    from stackyard.models.artifacts import ArtifactVersionResponse
    from stackyard.pipelines.ml_models import ArtifactConfig
    from stackyard.store.base import Store

_UNSAFE = re.compile(r"[^A-Za-z0-9_.=-]+")


def path_segment(text: str) -> str:
    """`text` made safe as one segment of a URI (artifact names may hold anything)."""
    return _UNSAFE.sub("_", text).strip("._") or "_"


@dataclass(frozen=True)
class ArtifactRef:
    """What a step needs to load an input: small and picklable for worker processes."""

    id: UUID
    uri: str
    materializer: str
    data_type: str
    root: str  # the path of the artifact store holding it: nothing outside is read
    content_hash: str | None = None
    artifact_store_id: UUID | None = None

    @classmethod
    def of(cls, version: ArtifactVersionResponse, root: str | None = None) -> ArtifactRef:
        """`root` when the caller knows which artifact store holds `version`."""
        return cls(
            version.id,
            version.uri,
            version.materializer,
            version.data_type,
            root if root is not None else version.artifact_store_root,
            version.content_hash,
            version.artifact_store_id,
        )

    @property
    def identity(self) -> str:
        """Equal for equal contents, so a re-computed identical input still hits the cache."""
        return self.content_hash or str(self.id)

    def load(self, store: Store) -> Any:
        """The value, read with the credentials of the artifact store that wrote it."""
        from stackyard.artifacts import load_value
        from stackyard.stack.access import artifact_store_access

        with artifact_store_access(store, self.artifact_store_id):
            return load_value(self.uri, self.materializer, self.data_type, root=self.root)


@dataclass(frozen=True)
class ModelLink:
    """Which model version a new artifact version joins, and as what."""

    model_version_id: UUID
    is_model_artifact: bool = False
    is_deployment_artifact: bool = False

    @classmethod
    def of(cls, model_version_id: UUID | None, config: ArtifactConfig | None) -> ModelLink | None:
        if model_version_id is None:
            return None
        return cls(
            model_version_id,
            bool(config and config.is_model_artifact),
            bool(config and config.is_deployment_artifact),
        )

    def request(self) -> dict[str, Any]:
        """The fields of an artifact version request that create the link with it."""
        return {
            "model_version_id": self.model_version_id,
            "is_model_artifact": self.is_model_artifact,
            "is_deployment_artifact": self.is_deployment_artifact,
        }


def content_hash(uri: str, written: fs.HashRecording | None = None) -> str:
    """SHA-256 over the names and bytes of every file under `uri`; when `written` followed
    the one file there as it was written, its digest, without reading the file back."""
    filesystem, path = fs.filesystem(uri)
    files = sorted(filesystem.find(path))
    if written is not None and written.exact and len(files) == 1:
        known = written.digests.get(files[0][len(path) :])
        if known is not None and len(written.digests) == 1:
            return str(known.hexdigest())
    digest = hashlib.sha256()
    for file in files:
        digest.update(file[len(path) :].encode() + b"\0")
        with filesystem.open(file, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _materialize(
    value: Any,
    uri: str,
    data_type: type | None,
    materializer: type[BaseMaterializer] | None,
    artifact_store_id: UUID | None,
) -> tuple[SavedArtifact, str]:
    """Write `value` at `uri` (in the artifact store `artifact_store_id`, whose
    credentials apply) and hash what was written, as it is written."""
    from stackyard.artifacts import save_value

    with (
        fs.using(str(artifact_store_id) if artifact_store_id else None),
        fs.recording_hashes(uri) as written,
    ):
        saved = save_value(value, uri, data_type=data_type, materializer=materializer)
        digest = content_hash(saved.uri, written)
    return saved, digest


def _record(
    store: Store,
    value: Any,
    *,
    name: str,
    uri: str,
    data_type: type | None,
    materializer: type[BaseMaterializer] | None,
    producer_step_run_id: UUID | None,
    artifact_store_id: UUID | None,
    has_custom_name: bool,
    tags: list[str] | None,
    metadata: dict[str, Any] | None,
    model_link: ModelLink | None,
    respond: bool,
) -> tuple[Any, SavedArtifact, str]:
    """Materialize and record `value`: (the store's answer, what was saved, its hash)."""
    saved, digest = _materialize(value, uri, data_type, materializer, artifact_store_id)
    request = {
        "name": name,
        "uri": saved.uri,
        "type": saved.artifact_type,
        "data_type": saved.data_type,
        "materializer": saved.materializer,
        "producer_step_run_id": producer_step_run_id,
        "artifact_store_id": artifact_store_id,
        "content_hash": digest,
        "tags": tags or [],
        "has_custom_name": has_custom_name,
        "metadata": {**saved.metadata, **(metadata or {})},
        **(model_link.request() if model_link is not None else {}),
    }
    return store.create("artifact_version", request, respond=respond), saved, digest


def store_value(
    store: Store,
    value: Any,
    *,
    name: str,
    uri: str,
    data_type: type | None = None,
    materializer: type[BaseMaterializer] | None = None,
    producer_step_run_id: UUID | None = None,
    artifact_store_id: UUID | None = None,
    has_custom_name: bool = True,
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
    model_link: ModelLink | None = None,
) -> ArtifactVersionResponse:
    """Materialize `value` at `uri` (in the artifact store `artifact_store_id`, recorded
    so other processes find its credentials) as a new version of artifact `name`, linked
    to a model version in the same write when `model_link` says so."""
    version: ArtifactVersionResponse = _record(
        store,
        value,
        name=name,
        uri=uri,
        data_type=data_type,
        materializer=materializer,
        producer_step_run_id=producer_step_run_id,
        artifact_store_id=artifact_store_id,
        has_custom_name=has_custom_name,
        tags=tags,
        metadata=metadata,
        model_link=model_link,
        respond=True,
    )[0]
    return version


def record_value(
    store: Store,
    value: Any,
    *,
    root: str,
    artifact_store_id: UUID | None,
    **details: Any,
) -> ArtifactRef:
    """`store_value` for a step's output (same keywords, and the artifact store's `root`):
    what the next step needs to load it, without reading the new version back (the
    store answers with its id alone)."""
    version_id, saved, digest = _record(
        store,
        value,
        artifact_store_id=artifact_store_id,
        metadata=None,
        respond=False,
        **details,
    )
    return ArtifactRef(
        version_id, saved.uri, saved.materializer, saved.data_type, root, digest, artifact_store_id
    )


def save_artifact(
    value: Any,
    name: str,
    *,
    tags: list[str] | None = None,
    metadata: dict[str, Any] | None = None,
    materializer: type[BaseMaterializer] | None = None,
    is_model_artifact: bool = False,
    is_deployment_artifact: bool = False,
) -> ArtifactVersionResponse:
    """Store `value` as the next version of artifact `name`, in the active stack's
    artifact store; inside a step the version records that step as its producer and
    joins the step's model version (as a model or deployment artifact if flagged)."""
    from stackyard.pipelines.config import jsonable
    from stackyard.pipelines.context import current_context

    context = current_context()
    link = None
    if context is not None:
        store, artifact_store, producer = (
            context.store,
            context.stack.artifact_store,
            context.step_run_id,
        )
        if context.model_version_id is not None:
            link = ModelLink(context.model_version_id, is_model_artifact, is_deployment_artifact)
    else:
        from stackyard.client import Client

        client = Client()
        store, producer = client.store, None
        stack = client.active_stack
        stack.artifact_store.connect(store)
        artifact_store = stack.artifact_store
    return store_value(
        store,
        value,
        name=name,
        uri=fs.join(artifact_store.path, "artifacts", path_segment(name), uuid4().hex),
        materializer=materializer,
        producer_step_run_id=producer,
        artifact_store_id=artifact_store.id,
        tags=tags,
        metadata=jsonable(metadata or {}, f"metadata of artifact {name!r}"),
        model_link=link,
    )


def load_artifact(name_or_id: str | UUID, version: str | int | None = None) -> Any:
    """The value of an artifact version: by name (latest, or `version`) or by id.

    Inside a step the version is recorded as an input of the step run (named after
    its artifact), so lineage shows what the step read.
    """
    from stackyard.client import Client
    from stackyard.pipelines.context import current_context

    context = current_context()
    client = Client(store=context.store) if context is not None else Client()
    found = client.get_artifact_version(name_or_id, version)
    if context is not None:
        context.record_loaded(found, set(context.input_ids))
    return found.load()
