"""Values the server cannot show (pickles, custom formats) get a short text preview,
made by the saving process; values in formats the server reads get none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from stackyard.artifacts import BaseMaterializer, save_value
from stackyard.artifacts.previews import PREVIEW_LIMIT, short_repr


class Weights:
    """No materializer handles it, and it has no repr of its own."""

    def __init__(self) -> None:
        self.layers = [1.5, 2.5]
        self.name = "tiny"


@dataclass
class Config:
    rate: float
    steps: list[int]


class Broken:
    def __repr__(self) -> str:
        raise RuntimeError("no repr today")


class Huge(list[int]):
    """A big container with a repr of its own: too costly to make."""

    def __repr__(self) -> str:
        raise AssertionError("the repr of a huge value was made")


class Custom:
    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Custom({self.text!r})"


class CustomMaterializer(BaseMaterializer):
    """A user's own format: the server never runs it, so a preview is recorded."""

    def save(self, value: Any) -> None:
        with self.open("custom.txt", "w") as handle:
            handle.write(value.text)

    def load(self, data_type: type) -> Any:
        with self.open("custom.txt", "r") as handle:
            return Custom(handle.read())


def test_pickled_values_record_their_repr_at_save_time(tmp_path: Path) -> None:
    saved = save_value(Weights(), str(tmp_path / "w"))
    assert saved.materializer.endswith("CloudpickleMaterializer")
    assert saved.metadata["preview"] == "Weights(layers=[1.5, 2.5], name='tiny')"
    odd_tuple = save_value((1, {2: Config(0.1, [1, 2])}), str(tmp_path / "t"))  # pickled too
    assert odd_tuple.metadata["preview"] == "(1, {2: Config(rate=0.1, steps=[1, 2])})"
    objects = save_value(np.array([{"a": 1}], dtype=object), str(tmp_path / "o"))
    assert objects.metadata["preview"] == "array([{'a': 1}], dtype=object)"
    custom = save_value(Custom("hello"), str(tmp_path / "c"), materializer=CustomMaterializer)
    assert custom.metadata == {"preview": "Custom('hello')"}


def test_values_the_server_reads_get_no_preview(tmp_path: Path) -> None:
    for index, value in enumerate([3, "text", [1, 2], {"a": 1}, b"\x89PNG", np.arange(3)]):
        saved = save_value(value, str(tmp_path / str(index)))
        assert "preview" not in saved.metadata, value


def test_previews_are_bounded_and_never_fail_a_save(tmp_path: Path) -> None:
    long = short_repr({"text": "x" * 10_000, "items": list(range(10_000))})
    assert long is not None and len(long) < PREVIEW_LIMIT
    assert "..." in long
    assert short_repr(Broken()) is not None  # reprlib's placeholder, not an exception
    assert short_repr(Huge(range(20_000))) is None
    deep = [[[[[[1]]]]]]
    assert short_repr(deep) == "[[[[[...]]]]]"
    saved = save_value(Huge(range(20_000)), str(tmp_path / "h"))
    assert "preview" not in saved.metadata  # saved all the same, without a preview
    capped = short_repr(Custom("y" * 5000))
    assert capped is not None and len(capped) <= PREVIEW_LIMIT and "..." in capped
