"""Every built-in materializer gives back exactly what it was given."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped,unused-ignore]
import pytest
from pydantic import BaseModel

from stackyard.artifacts import (
    BaseMaterializer,
    SavedArtifact,
    load_value,
    materializer_for,
    register_materializer,
    save_value,
)
from stackyard.utils.source import source_of

PICKLE_WARNING = "using cloudpickle, which only loads with the same Python and library versions"


def round_trip(value: Any, uri: str, **kwargs: Any) -> tuple[Any, SavedArtifact]:
    saved = save_value(value, uri, **kwargs)
    root = uri.rstrip("/").rpartition("/")[0]
    return load_value(saved.uri, saved.materializer, saved.data_type, root=root), saved


def assert_identical(actual: Any, expected: Any) -> None:
    """Equal, and of the same type at every level (so 1 is not True, [] not ())."""
    assert type(actual) is type(expected), (actual, expected)
    assert actual == expected
    if isinstance(expected, dict):
        for key in expected:
            assert_identical(actual[key], expected[key])
        assert [type(key) for key in actual] == [type(key) for key in expected]
    elif isinstance(expected, (list, tuple)):
        for got, want in zip(actual, expected, strict=True):
            assert_identical(got, want)


class Opaque:
    """A class nobody registered a materializer for."""

    def __init__(self, payload: Any) -> None:
        self.payload = payload

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.payload == self.payload

    __hash__ = None  # type: ignore[assignment]


class Point(BaseModel):
    x: int
    y: float


class Shape(BaseModel):
    name: str
    points: list[Point]
    tags: dict[str, int] = {}


JSON_VALUES = [
    None,
    True,
    False,
    0,
    -7,
    2**100,
    1.5,
    "",
    "héllo ✓",
    [],
    [1, "a", None, 2.5, True],
    (),
    (1, "a"),
    {3, 1, 2},
    frozenset({"x", "y"}),
    {},
    {"a": 1, "b": [1, {"c": None}]},
    [[1, [2, [3]]], {"k": {"j": []}}],
]


@pytest.mark.parametrize("value", JSON_VALUES, ids=lambda v: f"{type(v).__name__}-{len(repr(v))}")
def test_json_representable_builtins(value: Any, tmp_path: Path) -> None:
    loaded, saved = round_trip(value, str(tmp_path / "a"))
    assert_identical(loaded, value)
    assert (tmp_path / "a" / "data.json").is_file()
    assert saved.data_type == source_of(type(value))
    assert saved.artifact_type == "data"


PICKLED_BUILTINS = [
    {1: "a", 2: "b"},
    {(1, 2): "tuple key", None: 0},
    [(1, 2), (3, 4)],
    ({"a": (1,)}, [{1, 2}]),
    {"nested": frozenset({(1, 2)})},
    [b"raw", 1 + 2j],
]


@pytest.mark.parametrize(
    "value", PICKLED_BUILTINS, ids=lambda v: f"{type(v).__name__}-{len(repr(v))}"
)
def test_builtins_json_cannot_hold_exactly(
    value: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Non-str keys or nested tuples/sets are pickled; pure built-ins need no warning."""
    with caplog.at_level(logging.WARNING):
        loaded, _ = round_trip(value, str(tmp_path / "a"))
    assert_identical(loaded, value)
    assert (tmp_path / "a" / "data.pkl").is_file()
    assert not caplog.records


def test_float_specials(tmp_path: Path) -> None:
    loaded, _ = round_trip([math.inf, -math.inf, math.nan, -0.0], str(tmp_path / "a"))
    assert loaded[:2] == [math.inf, -math.inf]
    assert math.isnan(loaded[2])
    assert math.copysign(1, loaded[3]) == -1


def test_bytes(tmp_path: Path) -> None:
    value = bytes(range(256))
    loaded, saved = round_trip(value, str(tmp_path / "a"))
    assert loaded == value and type(loaded) is bytes
    assert (tmp_path / "a" / "data.bin").read_bytes() == value
    assert saved.metadata == {"length": 256}


def test_builtin_metadata(tmp_path: Path) -> None:
    assert save_value(3.5, str(tmp_path / "f")).metadata == {"value": 3.5}
    assert save_value([1, 2, 3], str(tmp_path / "l")).metadata == {"length": 3}
    assert save_value({"a": 1}, str(tmp_path / "d")).metadata == {"length": 1}


def test_pydantic_model(tmp_path: Path) -> None:
    value = Shape(name="tri", points=[Point(x=1, y=2.5), Point(x=3, y=4.0)], tags={"a": 1})
    loaded, saved = round_trip(value, str(tmp_path / "a"))
    assert type(loaded) is Shape
    assert loaded == value
    assert saved.data_type == source_of(Shape)
    assert Shape.model_validate_json((tmp_path / "a" / "data.json").read_text()) == value


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.array(5, dtype=np.int64),
        np.array([True, False]),
        np.asfortranarray(np.arange(6, dtype=np.int16).reshape(2, 3)),
        np.zeros(3, dtype=[("a", "i4"), ("b", "f8")]),
        np.array(["ab", "c"]),
    ],
    ids=lambda array: f"{array.dtype}{array.shape}",
)
def test_numpy_arrays(value: np.ndarray, tmp_path: Path) -> None:
    loaded, saved = round_trip(value, str(tmp_path / "a"))
    assert type(loaded) is np.ndarray
    assert loaded.dtype == value.dtype
    assert loaded.shape == value.shape
    np.testing.assert_array_equal(loaded, value)
    assert (tmp_path / "a" / "data.npy").is_file()
    assert saved.metadata == {"shape": list(value.shape), "dtype": str(value.dtype)}


def test_numpy_scalar_stays_a_scalar(tmp_path: Path) -> None:
    loaded, saved = round_trip(np.float32(1.25), str(tmp_path / "a"))
    assert type(loaded) is np.float32 and loaded == np.float32(1.25)
    assert saved.data_type == "numpy.float32"


def test_numpy_object_array_is_pickled_with_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    value = np.array([{"a": 1}, None], dtype=object)
    with caplog.at_level(logging.WARNING):
        loaded, _ = round_trip(value, str(tmp_path / "a"))
    assert loaded.dtype == object and list(loaded) == [{"a": 1}, None]
    assert PICKLE_WARNING in caplog.text


def test_dataframe(tmp_path: Path) -> None:
    value = pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [0.5, None, 2.0],
            "s": ["a", None, "c"],
            "t": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"]),
            "c": pd.Categorical(["x", "y", "x"]),
        },
        index=pd.Index([10, 20, 30], name="id"),
    )
    loaded, saved = round_trip(value, str(tmp_path / "a"))
    pd.testing.assert_frame_equal(loaded, value)
    assert (tmp_path / "a" / "data.parquet").is_file()
    assert saved.metadata["shape"] == [3, 5]
    dtypes = saved.metadata["dtypes"]
    assert isinstance(dtypes, dict) and dtypes["i"] == "int64" and dtypes["c"] == "category"


@pytest.mark.parametrize("name", ["values", None, 0, ("a", "b")])
def test_series_keeps_type_and_name(name: Any, tmp_path: Path) -> None:
    value = pd.Series([1.5, 2.5], index=["x", "y"], name=name)
    loaded, saved = round_trip(value, str(tmp_path / "a"))
    assert type(loaded) is pd.Series
    assert loaded.name == name
    pd.testing.assert_series_equal(loaded, value)
    assert saved.metadata == {"length": 2, "dtype": "float64"}


def test_dataframe_arrow_cannot_convert_is_pickled(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    value = pd.DataFrame({"mixed": [1, "x", Opaque(2)]})
    with caplog.at_level(logging.WARNING):
        loaded, _ = round_trip(value, str(tmp_path / "a"))
    pd.testing.assert_frame_equal(loaded, value)
    assert "does not fit parquet" in caplog.text and PICKLE_WARNING in caplog.text


def test_unknown_type_falls_back_to_cloudpickle(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    value = Opaque({"k": [1, 2]})
    with caplog.at_level(logging.WARNING):
        loaded, saved = round_trip(value, str(tmp_path / "a"))
    assert loaded == value and type(loaded) is Opaque
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert f"no materializer for {source_of(Opaque)}; {PICKLE_WARNING}" in warnings[0].getMessage()
    assert saved.data_type == source_of(Opaque)


def test_foreign_object_inside_builtin_container_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    value = [1, {"o": Opaque(3)}]
    with caplog.at_level(logging.WARNING):
        loaded, _ = round_trip(value, str(tmp_path / "a"))
    assert loaded == value
    assert f"no materializer for {source_of(Opaque)}" in caplog.text


def test_locally_defined_class_still_loads(tmp_path: Path) -> None:
    """Its recorded type cannot be imported, but cloudpickle stored the class itself."""

    class Local:
        def __init__(self) -> None:
            self.n = 4

    saved = save_value(Local(), str(tmp_path / "a"))
    assert "<locals>" in saved.data_type
    assert load_value(saved.uri, saved.materializer, saved.data_type, root=str(tmp_path)).n == 4


def test_declared_data_type(tmp_path: Path) -> None:
    loaded, saved = round_trip([1, 2], str(tmp_path / "generic"), data_type=list[int])
    assert saved.data_type == "builtins.list" and loaded == [1, 2]
    # An abstract annotation has no materializer; the concrete type is used instead.
    loaded, saved = round_trip((1, 2), str(tmp_path / "abstract"), data_type=Sequence)
    assert saved.data_type == "builtins.tuple" and loaded == (1, 2)
    assert (tmp_path / "abstract" / "data.json").is_file()
    with pytest.raises(TypeError, match="not an instance of data_type"):
        save_value(1, str(tmp_path / "wrong"), data_type=str)


class Temperature:
    def __init__(self, celsius: float) -> None:
        self.celsius = celsius


class Kelvin(Temperature):
    pass


class TemperatureMaterializer(BaseMaterializer):
    """Stores a Temperature as plain text, to check custom registration."""

    ASSOCIATED_TYPES = (Temperature,)

    def save(self, value: Temperature) -> None:
        with self.open("celsius.txt", "w") as file:
            file.write(repr(value.celsius))

    def load(self, data_type: type) -> Temperature:
        with self.open("celsius.txt", "r") as file:
            temperature: Temperature = data_type(float(file.read()))
        return temperature


class TaggedDictMaterializer(BaseMaterializer):
    """Writes dicts to a differently named file, to show it replaced the built-in."""

    def save(self, value: dict[str, Any]) -> None:
        with self.open("tagged.txt", "w") as file:
            file.write(repr(value))

    def load(self, data_type: type) -> dict[str, Any]:
        import ast

        with self.open("tagged.txt", "r") as file:
            value: dict[str, Any] = ast.literal_eval(file.read())
        return value


class FlatArrayMaterializer(BaseMaterializer):
    def save(self, value: np.ndarray) -> None:
        with self.open("flat.txt", "w") as file:
            file.write(",".join(map(str, value.ravel().tolist())))

    def load(self, data_type: type) -> np.ndarray:
        with self.open("flat.txt", "r") as file:
            return np.array([float(x) for x in file.read().split(",")])


def test_custom_materializer_for_own_type_and_subclasses(
    fresh_registry: None, tmp_path: Path
) -> None:
    register_materializer(TemperatureMaterializer)
    assert materializer_for(Kelvin) is TemperatureMaterializer
    loaded, saved = round_trip(Kelvin(21.5), str(tmp_path / "a"))
    assert type(loaded) is Kelvin and loaded.celsius == 21.5
    assert (tmp_path / "a" / "celsius.txt").read_text() == "21.5"
    assert saved.materializer == source_of(TemperatureMaterializer)


def test_user_materializer_wins_over_builtin(fresh_registry: None, tmp_path: Path) -> None:
    # Registered before the built-ins (and numpy's) are loaded: they must not override it.
    register_materializer(TaggedDictMaterializer, dict)
    register_materializer(FlatArrayMaterializer, np.ndarray)
    loaded, _ = round_trip({"a": 1}, str(tmp_path / "d"))
    assert loaded == {"a": 1}
    assert (tmp_path / "d" / "tagged.txt").is_file() and not (tmp_path / "d" / "data.json").exists()
    assert materializer_for(np.ndarray) is FlatArrayMaterializer
    assert materializer_for(list).__name__ == "BuiltinMaterializer"
    # Registered after the built-ins are loaded: replaces them too.
    register_materializer(TaggedDictMaterializer, list)
    assert materializer_for(list) is TaggedDictMaterializer


def test_explicit_materializer_argument(tmp_path: Path) -> None:
    loaded, saved = round_trip({"b": 2}, str(tmp_path / "a"), materializer=TaggedDictMaterializer)
    assert loaded == {"b": 2} and (tmp_path / "a" / "tagged.txt").is_file()
    assert saved.materializer == source_of(TaggedDictMaterializer)


def test_register_rejects_bad_input() -> None:
    with pytest.raises(TypeError, match="not a BaseMaterializer"):
        register_materializer(dict)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="names no types"):
        register_materializer(TaggedDictMaterializer)
