"""DataFrames and Series as parquet; imported only once a pandas type is looked up."""

from __future__ import annotations

import io

import pandas as pd  # type: ignore[import-untyped,unused-ignore]
import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

from stackyard.artifacts.materializers import BaseMaterializer, JSONValue
from stackyard.artifacts.materializers_builtin import save_pickle
from stackyard.utils.source import source_of

_FILE = "data.parquet"
# Column name for a Series without a name; pandas would otherwise call it 0,
# which could not be told apart from a Series really named 0.
_UNNAMED = "__stackyard_unnamed_series__"


def _save(materializer: BaseMaterializer, value: pd.DataFrame | pd.Series) -> None:
    """Write ``value`` as parquet, or pickle it if parquet cannot hold it exactly.

    Subclasses (e.g. GeoDataFrame) would come back as plain pandas objects, and
    some frames (mixed Python objects, duplicate column names) do not convert.
    """
    if type(value) not in (pd.DataFrame, pd.Series):
        save_pickle(materializer, value, f"no materializer for {source_of(type(value))}")
        return
    frame = (
        value
        if isinstance(value, pd.DataFrame)
        else value.to_frame(name=_UNNAMED if value.name is None else value.name)
    )
    buffer = io.BytesIO()  # a failed conversion must not leave half a file behind
    try:
        frame.to_parquet(buffer, engine="pyarrow")
    except (pa.ArrowException, ValueError, TypeError) as error:
        save_pickle(materializer, value, f"{source_of(type(value))} does not fit parquet ({error})")
        return
    with materializer.open(_FILE, "wb") as file:
        file.write(buffer.getbuffer())


def _load(materializer: BaseMaterializer) -> pd.DataFrame | pd.Series:
    """Read the parquet file (a value `_save` had to pickle is recorded as a pickle)."""
    with materializer.open(_FILE, "rb") as file:
        return pd.read_parquet(file, engine="pyarrow")


class DataFrameMaterializer(BaseMaterializer):
    """pandas DataFrame, index and column dtypes included."""

    ASSOCIATED_TYPES = (pd.DataFrame,)
    READABLE_FILES = True

    def save(self, value: pd.DataFrame) -> None:
        _save(self, value)

    def load(self, data_type: type) -> pd.DataFrame:
        return _load(self)

    def extract_metadata(self, value: pd.DataFrame) -> dict[str, JSONValue]:
        return {
            "shape": list(value.shape),
            "dtypes": {str(name): str(dtype) for name, dtype in value.dtypes.items()},
        }


class SeriesMaterializer(BaseMaterializer):
    """pandas Series, stored as a one-column frame named after the Series."""

    ASSOCIATED_TYPES = (pd.Series,)
    READABLE_FILES = True

    def save(self, value: pd.Series) -> None:
        _save(self, value)

    def load(self, data_type: type) -> pd.Series:
        loaded = _load(self)
        if isinstance(loaded, pd.Series):  # it was pickled
            return loaded
        series = loaded.iloc[:, 0]
        return series.rename(None) if series.name == _UNNAMED else series

    def extract_metadata(self, value: pd.Series) -> dict[str, JSONValue]:
        return {"length": len(value), "dtype": str(value.dtype)}
