"""Configuration values of pipelines and steps: settings and YAML run files as JSON.

Everything configured here ends up in the metadata store (run config, step
config, snapshots) and in cache keys, so values are normalised to plain JSON
once, with an error naming the value that cannot be stored.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from stackyard.exceptions import InputError

if TYPE_CHECKING:
    from stackyard.pipelines.settings import RunFileConfig


def jsonable(value: Any, what: str) -> Any:
    """`value` as plain JSON (dict/list/str/number/bool/None), or an InputError naming it.

    Pydantic models, tuples, sets, enums, UUIDs, datetimes, paths and numpy
    scalars/arrays are converted; anything else is refused rather than stored
    as an unreadable repr.
    """
    if value is None or isinstance(value, bool | int | float | str):
        return value
    pydantic = sys.modules.get("pydantic")  # not loaded: nothing can be a pydantic model
    if pydantic is not None and isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, f"{what}[{k!r}]") for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [jsonable(v, f"{what}[{i}]") for i, v in enumerate(items)]
    if isinstance(value, Enum):
        return jsonable(value.value, what)
    if isinstance(value, UUID | Path):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        return jsonable(value.tolist(), what)
    raise InputError(
        f"{what} must be JSON-serialisable (numbers, strings, lists, dicts, pydantic models), "
        f"got {type(value).__module__}.{type(value).__qualname__}; pass large or custom values "
        "as artifacts (a step output or save_artifact) instead"
    )


def normalize_settings(settings: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """Validate known settings (e.g. "resources") and return them as JSON."""
    result: dict[str, Any] = {}
    if not settings:
        return result
    from pydantic import ValidationError as PydanticValidationError

    from stackyard.pipelines.settings import SETTINGS_MODELS

    for key, value in settings.items():
        model = SETTINGS_MODELS.get(key)
        if model is not None and not isinstance(value, model):
            try:
                value = model.model_validate(value)
            except PydanticValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or key}: {e['msg']}" for e in exc.errors()
                )
                raise InputError(
                    f"invalid {key!r} settings for {what}: {problems} "
                    f"(accepted keys: {', '.join(model.model_fields)})"
                ) from None
        result[key] = jsonable(value, f"setting {key!r} of {what}")
    return result


def merge_settings(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Later layers win per setting key (a step's "resources" replaces the pipeline's)."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged.update(layer)
    return merged


def load_run_config(path: str | Path) -> RunFileConfig:
    """Read and validate a YAML run configuration; errors name the file and the key."""
    import yaml
    from pydantic import ValidationError as PydanticValidationError

    from stackyard.pipelines.settings import RUN_CONFIG_KEYS, STEP_CONFIG_KEYS, RunFileConfig

    file = Path(path)
    try:
        data = yaml.safe_load(file.read_text()) or {}
    except FileNotFoundError:
        raise InputError(f"run configuration file {str(file)!r} does not exist") from None
    except yaml.YAMLError as exc:
        raise InputError(f"run configuration file {str(file)!r} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"run configuration file {str(file)!r} must hold a mapping at the top")
    try:
        return RunFileConfig.model_validate(data)
    except PydanticValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(map(str, err["loc"]))
            accepted = STEP_CONFIG_KEYS if err["loc"][:1] == ("steps",) else RUN_CONFIG_KEYS
            problems.append(f"{loc}: {err['msg']} (accepted keys: {', '.join(accepted)})")
        raise InputError(
            f"invalid run configuration {str(file)!r}: " + "; ".join(problems)
        ) from None
