"""Step outputs of every built-in kind come back unchanged, in later steps and on load."""

from __future__ import annotations

import json
from typing import Annotated, Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
from pydantic import BaseModel

from stackyard import BaseMaterializer, pipeline, step
from stackyard.utils.source import source_of


class Metrics(BaseModel):
    accuracy: float
    labels: list[str]


@step
def builtins_out() -> tuple[
    Annotated[dict[str, Any], "config"],
    Annotated[tuple[int, str], "pair"],
    Annotated[bytes, "blob"],
    Annotated[set[int], "ids"],
]:
    return {"lr": 0.1, "layers": [8, 4], "name": None}, (1, "a"), b"\x00\xff", {3, 1}


@step
def model_out() -> Metrics:
    return Metrics(accuracy=0.9, labels=["cat", "dog"])


@step
def array_out() -> np.ndarray:
    return np.arange(12, dtype=np.float32).reshape(3, 4)


@step
def frame_out() -> pd.DataFrame:
    return pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]})


@step
def untyped_out():  # no annotation: one output, any type
    return [1.5, "two"]


@step
def consume(
    config: dict[str, Any],
    pair: tuple[int, str],
    blob: bytes,
    ids: set[int],
    metrics: Metrics,
    array: np.ndarray,
    frame: pd.DataFrame,
) -> str:
    assert isinstance(pair, tuple) and isinstance(ids, set)
    assert isinstance(metrics, Metrics) and array.dtype == np.float32
    return f"{config['layers']}|{pair}|{blob.hex()}|{sorted(ids)}|{metrics.labels}|" + (
        f"{array.sum()}|{frame['y'].tolist()}"
    )


@pipeline
def every_kind():
    config, pair, blob, ids = builtins_out()
    consume(config, pair, blob, ids, model_out(), array_out(), frame_out())
    untyped_out()


def test_outputs_round_trip_through_steps_and_load() -> None:
    run = every_kind()
    steps = run.steps
    assert steps["consume"].output.load() == (
        "[8, 4]|(1, 'a')|00ff|[1, 3]|['cat', 'dog']|66.0|['a', 'b', 'c']"
    )
    outputs = steps["builtins_out"].outputs
    assert outputs["config"].load() == {"lr": 0.1, "layers": [8, 4], "name": None}
    assert outputs["pair"].load() == (1, "a")
    assert outputs["blob"].load() == b"\x00\xff"
    assert outputs["ids"].load() == {1, 3}
    assert steps["model_out"].output.load() == Metrics(accuracy=0.9, labels=["cat", "dog"])
    assert steps["model_out"].output.data_type == source_of(Metrics)
    np.testing.assert_array_equal(steps["array_out"].output.load(), np.arange(12).reshape(3, 4))
    pd.testing.assert_frame_equal(
        steps["frame_out"].output.load(), pd.DataFrame({"x": [1, 2, 3], "y": ["a", "b", "c"]})
    )
    assert steps["untyped_out"].output.load() == [1.5, "two"]
    assert steps["array_out"].output.content_hash  # hashed for caching
    assert steps["array_out"].output.producer_step_run_id == steps["array_out"].id


class UpperMaterializer(BaseMaterializer):
    """Stores strings upper-cased, to prove the step's choice was used."""

    ASSOCIATED_TYPES = (str,)

    def save(self, value: str) -> None:
        with self.open("text.json", "w") as handle:
            json.dump(value.upper(), handle)

    def load(self, data_type: type) -> str:
        with self.open("text.json", "r") as handle:
            return str(json.load(handle))


@step(output_materializers={"shout": UpperMaterializer})
def custom_out() -> Annotated[str, "shout"]:
    return "quiet"


@pipeline
def customised():
    custom_out()


def test_output_materializers_choose_how_an_output_is_stored() -> None:
    version = customised().steps["custom_out"].output
    assert version.materializer == source_of(UpperMaterializer)
    assert version.load() == "QUIET"
