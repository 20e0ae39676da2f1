"""Step caching: skip a step whose code, parameters, inputs and settings were seen before.

The cache key hashes everything that determines a step's outputs: the
function's import path and source text, its parameters, the identity of each
input (content hash, else version id), the settings, the output materializers
and the artifact store (outputs elsewhere would not be reachable). A hit is
the newest completed step run with the same key whose outputs still exist;
the new step run is recorded as `cached`, pointing at it, and reuses its
outputs without redoing any work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.models.enums import ExecutionStatus
from stackyard.pipelines.artifacts import ArtifactRef

if TYPE_CHECKING:
    from stackyard.models.pipelines import RunStepResponse
    from stackyard.pipelines.step import Step
    from stackyard.store.base import Store


def cache_key(
    step: Step,
    *,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, ArtifactRef],
    settings: Mapping[str, Any],
    artifact_store_id: UUID,
) -> str:
    """A stable hash of what a step run depends on (`parameters` already JSON)."""
    from stackyard.utils.source import source_of

    payload = {
        "source": step.source,
        "code": step.code_hash,
        "parameters": parameters,
        "inputs": {name: ref.identity for name, ref in inputs.items()},
        "settings": settings,
        "materializers": {n: source_of(m) for n, m in step.output_materializers.items()},
        "artifact_store": str(artifact_store_id),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def find_cached(
    store: Store, key: str, output_names: list[str], root: str
) -> tuple[RunStepResponse, dict[str, ArtifactRef]] | None:
    """The newest completed step run of this user with `key` whose outputs all still
    exist (in the artifact store at `root`, which is part of the key).

    Only the user's own step runs count: another user could record a step run with
    the same key and outputs of their choosing, which this run would then load.
    """
    candidates = store.list(
        "run_step",
        cache_key=key,
        status=ExecutionStatus.COMPLETED.value,
        user_id=store.current_user().id,
        sort_by="desc:created",
        size=5,
    )
    for original in candidates:
        if set(original.output_ids) != set(output_names):
            continue  # an output was deleted since
        if not output_names:
            return original, {}
        ids = list(original.output_ids.values())
        found = {v.id: v for v in store.list("artifact_version", id=ids, size=len(ids))}
        if len(found) == len(ids):
            return original, {
                name: ArtifactRef.of(found[vid], root) for name, vid in original.output_ids.items()
            }
    return None
