"""Pipelines the dashboard tests run for real: a diamond of typed outputs (a data
frame, an array, image bytes, Markdown), a failing step, a tunable pipeline whose
runs are compared, a pickled object beside a cached step, a model's training, and
a custom flavor with a secret field whose name does not say so.
Copied into a project directory under a module name of its own, so the server's
worker processes import it from the archived code.
"""

from __future__ import annotations

import struct
import zlib
from typing import Annotated, Any, ClassVar

from pydantic import SecretStr

from stackyard import ArtifactConfig, Model, get_step_context, log_metadata, pipeline, step
from stackyard.models.enums import StackComponentType
from stackyard.stack.flavor import Flavor, StackComponentConfig
from stackyard.types import MarkdownString


def png(width: int = 6, height: int = 4) -> bytes:
    """A small valid PNG (red pixels), made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@step(enable_cache=False)
def load(rows: int) -> Annotated[Any, "table"]:
    import pandas as pd

    print(f"loading {rows} rows")
    return pd.DataFrame({"city": [f"city-{i}" for i in range(rows)], "score": range(rows)})


@step(enable_cache=False)
def summarise(table: Any) -> Annotated[Any, "scores"]:
    import numpy as np

    return np.asarray(table["score"], dtype=float) ** 2


@step(enable_cache=False)
def draw(table: Any) -> Annotated[bytes, "chart"]:
    return png()


@step(enable_cache=False)
def report(scores: Any, chart: bytes) -> Annotated[MarkdownString, "report"]:
    log_metadata({"points": len(scores)})
    return MarkdownString(
        f"# Weekly report\n\n*all good* with {len(scores)} scores\n\n<script>alert('x')</script>\n"
    )


@pipeline
def diamond(rows: int = 5) -> None:
    table = load(rows)
    report(summarise(table), draw(table))


@step(enable_cache=False)
def make(value: int) -> int:
    return value


@step(enable_cache=False)
def explode(value: int) -> int:
    raise ValueError(f"the data is bad: {value} rows missing")


@pipeline
def broken() -> None:
    explode(make(42))


@step(enable_cache=False)
def scale(value: int, factor: int, delay: float) -> Annotated[int, "scaled"]:
    import time

    print(f"scaling {value} by {factor}")
    for second in range(int(delay)):  # a line a second: logs that grow while it runs
        print(f"still scaling, {second + 1} s")
        time.sleep(1)
    time.sleep(delay % 1)
    log_metadata({"accuracy": 0.5 + factor / 10})
    return value * factor


@pipeline
def tune(factor: int = 2, delay: float = 0.0) -> None:
    scale(make(3), factor=factor, delay=delay)


class Thing:
    """A value no built-in materializer handles: it is pickled."""

    def __init__(self, weights: list[int]) -> None:
        self.weights = weights

    def __repr__(self) -> str:
        return f"Thing(weights={self.weights!r})"


@step(enable_cache=False)
def odd() -> Annotated[Any, "thing"]:
    return Thing([1, 2, 3])


@step
def steady() -> Annotated[int, "steady"]:
    return 11


@pipeline
def oddities() -> None:
    odd()
    steady()


@step(enable_cache=False)
def iris_data(rows: int) -> Annotated[list[float], "iris_data"]:
    return [float(i) for i in range(rows)]


@step(enable_cache=False)
def fit(
    data: list[float],
) -> Annotated[dict[str, float], ArtifactConfig(name="classifier", is_model_artifact=True)]:
    get_step_context().model.log_metadata({"accuracy": 0.5 + len(data) / 100})
    return {"weight": sum(data)}


@step(enable_cache=False)
def serve(
    classifier: dict[str, float],
) -> Annotated[str, ArtifactConfig(name="endpoint", is_deployment_artifact=True)]:
    return f"serving weight={classifier['weight']}"


@pipeline(model=Model(name="iris", license="Apache-2.0", tags=["flowers"]))
def training(rows: int = 4) -> None:
    serve(fit(iris_data(rows)))


class VaultConfig(StackComponentConfig):
    uri: str
    login_phrase: SecretStr  # secret by its schema (writeOnly), not by its name


class VaultFlavor(Flavor):
    name: ClassVar[str] = "vaulted"
    type: ClassVar[StackComponentType] = StackComponentType.CONTAINER_REGISTRY
    config_class: ClassVar[type[StackComponentConfig]] = VaultConfig
