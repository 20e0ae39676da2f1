"""Numpy arrays and scalars as .npy; imported only once a numpy type is looked up."""

from __future__ import annotations

from typing import Any

import numpy as np

from stackyard.artifacts.materializers import BaseMaterializer, JSONValue
from stackyard.artifacts.materializers_builtin import save_pickle
from stackyard.utils.source import source_of

_FILE = "data.npy"


class NumpyMaterializer(BaseMaterializer):
    """ndarray and numpy scalars (a scalar is stored as a 0-d array).

    Object arrays and ndarray subclasses (masked arrays, matrices) would lose
    data in .npy without pickling, so they go to cloudpickle with a warning.
    """

    ASSOCIATED_TYPES = (np.ndarray, np.generic)
    READABLE_FILES = True

    def save(self, value: np.ndarray | np.generic) -> None:
        array = np.asarray(value)
        exact = type(value) is np.ndarray or isinstance(value, np.generic)
        if array.dtype.hasobject or not exact:
            save_pickle(
                self,
                value,
                f"{source_of(type(value))} of dtype {array.dtype} does not fit the .npy format",
            )
            return
        with self.open(_FILE, "wb") as file:
            np.save(file, array, allow_pickle=False)

    def load(self, data_type: type) -> Any:
        with self.open(_FILE, "rb") as file:
            array = np.load(file, allow_pickle=False)
        return array[()] if issubclass(data_type, np.generic) else array

    def extract_metadata(self, value: np.ndarray | np.generic) -> dict[str, JSONValue]:
        return {"shape": list(np.shape(value)), "dtype": str(value.dtype)}
